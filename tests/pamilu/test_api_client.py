"""A REST client generated from the live /api/schema/ (openapi-python-client) does the
daily work through its own code: an operator signs in for a token, creates a report
with activities and an incident and sends it; the Kabag Ops of the Polres returns it;
the dashboard shows it returned.

The generator is strict about what the schema says (one request body per operation,
nested lists, enums, nullable fields, error bodies): if the schema regresses, the
generation or one of the typed calls below fails.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import time_machine

from tests.builders import token_client
from tests.builders.reports import DAY, NOON

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "pamilu_generated_client"


def _generate(live_url: str, headers: dict, into: Path) -> None:
    response = httpx.get(f"{live_url}/api/schema/?format=json", headers=headers, timeout=60)
    assert response.status_code == 200, response.text[:500]
    schema = into / "schema.json"
    schema.write_text(json.dumps(response.json()), encoding="utf-8")
    config = into / "config.json"
    config.write_text(json.dumps({"post_hooks": [], "package_name_override": PACKAGE}))
    result = subprocess.run(  # noqa: S603 - the generator from this virtualenv, fixed arguments
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--config",
            str(config),
            "--output-path",
            str(into / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, output  # a part of the schema the generator skipped


@pytest.fixture
def generated(tmp_path, live_server, personas):
    """import_("api.reports.reports_create") → that module of a client generated now."""
    headers = {"Authorization": token_client(personas.reviewer)._credentials["HTTP_AUTHORIZATION"]}
    _generate(live_server.url, headers, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.mark.django_db(transaction=True)
def test_generated_client_creates_sends_returns_and_reads_the_dashboard(
    generated, live_server, tree, operation, personas
):
    c, m = generated("client"), generated("models")
    obtain = generated("api.auth.auth_token_create")
    create = generated("api.reports.reports_create")
    submit = generated("api.reports.reports_submit_create")
    give_back = generated("api.reports.reports_return_create")
    board = generated("api.dashboard.dashboard_retrieve")
    anonymous = c.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def sign_in(username: str):
        issued = obtain.sync(
            client=anonymous,
            body=m.ObtainTokenRequest(
                name="uji klien",
                expiry=NOON + dt.timedelta(days=30),
                username=username,
                password="pw",
            ),
        )
        assert isinstance(issued, m.OwnTokenIssued), issued
        return c.AuthenticatedClient(
            base_url=live_server.url,
            token=issued.token,
            prefix="Token",
            raise_on_unexpected_status=True,
        )

    with time_machine.travel(NOON, tick=True):
        wrong = obtain.sync_detailed(
            client=anonymous,
            body=m.ObtainTokenRequest(
                name="x",
                expiry=NOON + dt.timedelta(days=1),
                username="kapolsek.sirimau",
                password="no",
            ),
        )
        assert (wrong.status_code, wrong.parsed.code) == (401, "authentication_failed")

        kapolsek = sign_in("kapolsek.sirimau")
        body = m.ReportRequest(
            operation=operation.pk,
            personnel_on_duty=20,
            summary="Aman dan kondusif.",
            activities=[
                m.ActivityRequest(kind=m.ActivityKindEnum.PATROLI, count=2, personnel=8),
                m.ActivityRequest(kind=m.ActivityKindEnum.PAM_TPS, count=3, personnel=9),
            ],
            incidents=[
                m.IncidentRequest(
                    category=m.CategoryEnum.UNJUK_RASA,
                    severity=m.SeverityEnum.HIJAU,
                    occurred_at=dt.datetime(2024, 2, 14, 1, 0, tzinfo=dt.UTC),
                    place="Kantor KPU",
                    description="Aksi damai.",
                    post=None,
                )
            ],
        )
        draft = create.sync(client=kapolsek, body=body)
        assert isinstance(draft, m.Report), draft
        assert (draft.status, draft.unit, draft.report_date) == (
            m.ReportStatusEnum.DRAFT,
            tree.sirimau.pk,
            DAY,
        )
        assert sorted((a.kind, a.count, a.personnel) for a in draft.activities) == [
            (m.ActivityKindEnum.PAM_TPS, 3, 9),
            (m.ActivityKindEnum.PATROLI, 2, 8),
        ]
        assert [(i.place, i.post, i.unit) for i in draft.incidents] == [
            ("Kantor KPU", None, tree.sirimau.pk)
        ]

        sent = submit.sync(draft.id, client=kapolsek, body=m.SubmitRequest())
        assert isinstance(sent, m.Report), sent
        assert (sent.status, sent.is_late) == (m.ReportStatusEnum.SUBMITTED, False)

        # The operator may not review: the shared error body, typed.
        refused = give_back.sync_detailed(
            draft.id, client=kapolsek, body=m.ReturnRequest(reason="Sendiri.")
        )
        assert refused.status_code == 403 and isinstance(refused.parsed, m.Error)

        kabag_ops = sign_in("kabagops.ambon")
        returned = give_back.sync(
            draft.id, client=kabag_ops, body=m.ReturnRequest(reason="Lengkapi jumlah personel.")
        )
        assert isinstance(returned, m.Report), returned
        assert (returned.status, returned.return_reason) == (
            m.ReportStatusEnum.RETURNED,
            "Lengkapi jumlah personel.",
        )

        # Sending twice is a state conflict: 409 from the central handler.
        again = give_back.sync_detailed(
            draft.id, client=kabag_ops, body=m.ReturnRequest(reason="Lagi.")
        )
        assert (again.status_code, again.parsed.code) == (409, "conflict")

        dashboard = board.sync(
            client=kabag_ops, operation=operation.code, unit=tree.ambon.code, day=DAY
        )
        assert isinstance(dashboard, m.Dashboard), dashboard
        assert (dashboard.unit.code, dashboard.day) == (tree.ambon.code, DAY)
        assert dashboard.compliance.returned == 1
        row = next(r for r in dashboard.rows if r.unit.code == tree.sirimau.code)
        assert (row.returned, row.missing) == (1, 0)
