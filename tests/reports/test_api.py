import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from audit.models import AuditEntry, Channel
from reports import services
from reports.models import DailyReport, IdempotencyKey
from tests import builders
from tests.builders import token_client
from tests.builders.reports import DAY, NOON

REPORTS = "/api/v1/reports/"
OUTSIDERS = ["kapolsek_b", "outsider", "outsider_operator"]


def _body(op, **extra):
    body = {
        "operation": op.pk,
        "personnel_on_duty": 20,
        "summary": "Aman.",
        "activities": [{"kind": "patroli", "count": 2, "personnel": 8}],
        "incidents": [
            {
                "category": "unjuk_rasa",
                "severity": "hijau",
                "occurred_at": "2024-02-14T01:00:00Z",
                "place": "Kantor KPU",
                "description": "Aksi damai.",
            }
        ],
    }
    body.update(extra)
    return body


def test_api_create_defaults_to_own_unit_and_local_today(api, personas, op, frozen):
    response = api("kapolsek_a").post(REPORTS, _body(op), format="json")
    assert response.status_code == 201, response.data
    data = response.json()
    assert data["unit"] == personas.kapolsek_a.unit_id
    assert data["report_date"] == DAY.isoformat()
    assert data["status"] == "draft"
    assert data["activities"] == [
        {"kind": "patroli", "task_force": None, "count": 2, "personnel": 8, "notes": ""}
    ]
    assert data["incidents"][0]["unit"] == personas.kapolsek_a.unit_id
    assert AuditEntry.objects.get(action="report.create").channel == "api"


def test_api_session_auth_works_too(personas, op, frozen):
    client = APIClient()
    client.force_login(personas.kapolsek_a)
    assert client.post(REPORTS, _body(op), format="json").status_code == 201


def test_api_create_refuses_a_future_date_with_the_reason(api, op, frozen):
    response = api("kapolsek_a").post(REPORTS, _body(op, report_date="2024-02-15"), format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "report_date"
    assert "belum tiba" in error["message"]


def test_api_create_duplicate_day_is_refused(api, op, frozen):
    assert api("kapolsek_a").post(REPORTS, _body(op), format="json").status_code == 201
    response = api("kapolsek_a").post(REPORTS, _body(op), format="json")
    assert response.status_code == 400
    assert "sudah ada" in response.json()["detail"]
    assert DailyReport.objects.count() == 1


@pytest.mark.outsider("report-list")
def test_api_create_for_a_unit_out_of_scope_is_refused(api, personas, op, frozen):
    response = api("kapolsek_b").post(
        REPORTS, _body(op, unit=personas.kapolsek_a.unit_id), format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"
    assert DailyReport.objects.count() == 0
    api("kapolsek_a").post(REPORTS, _body(op), format="json")
    for name in OUTSIDERS:
        assert api(name).get(REPORTS).json()["results"] == [], name
    assert len(api("reviewer").get(REPORTS).json()["results"]) == 1


def test_api_full_workflow_submit_return_resubmit_accept(api, op, frozen):
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    url = f"{REPORTS}{report_id}/"
    patch = api("kapolsek_a").patch(url, {"personnel_on_duty": 22}, format="json")
    assert patch.json()["personnel_on_duty"] == 22
    assert patch.json()["incidents"][0]["place"] == "Kantor KPU"  # untouched
    assert api("kapolsek_a").post(f"{url}submit/").json()["status"] == "submitted"
    assert api("kapolsek_a").patch(url, {"summary": "x"}, format="json").status_code == 409
    assert api("kapolsek_a").post(f"{url}submit/").status_code == 409
    assert api("reviewer").post(f"{url}return/", {"reason": ""}, format="json").status_code == 400
    returned = api("reviewer").post(f"{url}return/", {"reason": "Isi satgas."}, format="json")
    assert (returned.json()["status"], returned.json()["return_reason"]) == (
        "returned",
        "Isi satgas.",
    )
    assert api("kapolsek_a").post(f"{url}submit/").json()["status"] == "submitted"
    accepted = api("reviewer").post(f"{url}accept/").json()
    assert accepted["status"] == "accepted"
    actions = [e["action"] for e in api("reviewer").get(f"{url}audit/").json()]
    assert actions == [
        "report.create",
        "report.update",
        "report.submit",
        "report.return",
        "report.resubmit",
        "report.accept",
    ]


def test_api_operator_cannot_accept_or_return_their_own_report(api, op, frozen):
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    api("kapolsek_a").post(f"{REPORTS}{report_id}/submit/")
    assert api("kapolsek_a").post(f"{REPORTS}{report_id}/accept/").status_code == 403
    response = api("kapolsek_a").post(
        f"{REPORTS}{report_id}/return/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert DailyReport.objects.get().status == "submitted"


def test_api_command_center_reads_but_cannot_review(api, op, frozen):
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    api("kapolsek_a").post(f"{REPORTS}{report_id}/submit/")
    assert api("command_center").get(f"{REPORTS}{report_id}/").status_code == 200
    assert api("command_center").post(f"{REPORTS}{report_id}/accept/").status_code == 403


@pytest.mark.outsider(
    "report-detail",
    "report-submit",
    "report-accept",
    "report-return",
    "report-audit",
    "report-attachments",
)
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_api_outsiders_get_404_on_read_and_write(api, op, frozen, persona):
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    url = f"{REPORTS}{report_id}/"
    client = api(persona)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}audit/").status_code == 404
    assert client.patch(url, {"summary": "x"}, format="json").status_code == 404
    assert client.put(url, _body(op), format="json").status_code == 404
    for transition in ("submit", "accept", "return"):
        assert client.post(f"{url}{transition}/", {"reason": "x"}, format="json").status_code == 404
    assert client.post(f"{url}attachments/", {}, format="multipart").status_code == 404
    report = DailyReport.objects.get()
    assert (report.status, report.summary) == ("draft", "Aman.")
    assert AuditEntry.objects.filter(action__startswith="report.").count() == 1


@pytest.mark.outsider("incident-list", "incident-detail")
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_api_incidents_are_scoped(api, op, frozen, persona):
    api("kapolsek_a").post(REPORTS, _body(op), format="json")
    incident_id = api("kapolsek_a").get("/api/v1/incidents/").json()["results"][0]["id"]
    assert api("reviewer").get(f"/api/v1/incidents/{incident_id}/").json()["place"] == "Kantor KPU"
    assert api(persona).get("/api/v1/incidents/").json()["results"] == []
    assert api(persona).get(f"/api/v1/incidents/{incident_id}/").status_code == 404


def test_api_report_list_query_count_does_not_grow(api, personas, op, tree, frozen):
    api("kapolsek_a").post(REPORTS, _body(op), format="json")
    client = api("reviewer")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(REPORTS).status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for index in range(6):
        unit = builders.unit(f"POLSEK-Y{index}", "polsek", tree.ambon)
        token_client(builders.user(Role.OPERATOR, unit)).post(REPORTS, _body(op), format="json")
    assert DailyReport.objects.count() == 7
    assert count() == one


# --- Idempotency-Key --------------------------------------------------------------------


def test_idempotency_key_retry_returns_the_first_response_and_creates_nothing(api, op, frozen):
    client = api("kapolsek_a")
    first = client.post(REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    retry = client.post(REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert DailyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.create").count() == 1


def test_idempotency_key_with_a_different_body_is_refused_422(api, op, frozen):
    client = api("kapolsek_a")
    client.post(REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    response = client.post(
        REPORTS, _body(op, personnel_on_duty=99), format="json", HTTP_IDEMPOTENCY_KEY="abc-2"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert DailyReport.objects.get().personnel_on_duty == 20


def test_idempotency_key_is_per_user(api, op, frozen):
    api("kapolsek_a").post(REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="same")
    response = api("kapolsek_b").post(
        REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert response.status_code == 201
    assert DailyReport.objects.count() == 2


def test_idempotency_key_of_a_failed_request_can_be_retried(api, op, frozen):
    client = api("kapolsek_a")
    bad = client.post(
        REPORTS, _body(op, report_date="2024-02-15"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400
    assert IdempotencyKey.objects.count() == 0
    good = client.post(REPORTS, _body(op), format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert good.status_code == 201


# --- concurrency (PostgreSQL: real row locks) -------------------------------------------

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="needs PostgreSQL for concurrent transactions"
)


def _race(clients, send, n) -> list:
    """Run `send(client)` from `n` threads at once; return their responses."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(index):
        try:
            barrier.wait()
            results[index] = send(clients[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _live_operation(tree):
    today = timezone.now().date()
    return builders.operation(
        tree.mabes,
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=10),
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_idempotency_key_concurrent_retries_leave_one_report_and_one_audit_entry(tree, personas):
    op = _live_operation(tree)
    clients = [token_client(personas.kapolsek_a) for _ in range(6)]
    body = _body(op, incidents=[])
    responses = _race(
        clients,
        lambda c: c.post(REPORTS, body, format="json", HTTP_IDEMPOTENCY_KEY="race-1"),
        6,
    )
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.json()["id"] for r in responses}) == 1
    assert DailyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.create").count() == 1
    assert IdempotencyKey.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_reports_are_refused_by_the_constraint(tree, personas):
    op = _live_operation(tree)
    clients = [token_client(personas.kapolsek_a) for _ in range(6)]
    body = _body(op, incidents=[])
    responses = _race(clients, lambda c: c.post(REPORTS, body, format="json"), 6)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 400, 400, 400, 400, 400]
    assert all("sudah ada" in r.json()["detail"] for r in responses if r.status_code == 400)
    assert DailyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.create").count() == 1


def test_frozen_clock_is_the_one_the_api_uses(api, op, frozen):
    """Guard for the tests above: the API stamps submissions with the frozen instant."""
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    data = api("kapolsek_a").post(f"{REPORTS}{report_id}/submit/").json()
    assert dt.datetime.fromisoformat(data["submitted_at"]) == NOON


@pytest.mark.parametrize("path", ["/api/v1/incidents/", "/api/v1/attachments/"])
def test_api_incident_and_attachment_lists_query_count_does_not_grow(
    api, personas, op, tree, frozen, path
):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def add(user):
        report_id = token_client(user).post(REPORTS, _body(op), format="json").json()["id"]
        report = DailyReport.objects.get(pk=report_id)
        services.attachment_add(
            report=report,
            by=user,
            channel=Channel.API,
            upload=SimpleUploadedFile("a.png", png, content_type="image/png"),
        )

    add(personas.kapolsek_a)
    client = api("reviewer")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        assert response.status_code == 200
        return len(ctx.captured_queries), len(response.json()["results"])

    one = count()
    for index in range(5):
        unit = builders.unit(f"POLSEK-Z{index}", "polsek", tree.ambon)
        add(builders.user(Role.OPERATOR, unit))
    many = count()
    assert (one[1], many[1]) == (1, 6)
    assert many[0] == one[0]


def test_api_audit_trail_is_read_only(api, personas, op, frozen):
    report_id = api("kapolsek_a").post(REPORTS, _body(op), format="json").json()["id"]
    url = f"{REPORTS}{report_id}/audit/"
    for client in (api("kapolsek_a"), api("reviewer")):
        assert client.post(url, {"action": "x"}, format="json").status_code == 405
        assert client.put(url, {"action": "x"}, format="json").status_code == 405
        assert client.delete(url).status_code == 405
    trail = api("reviewer").get(url).json()
    assert [(e["action"], e["channel"], e["actor_name"]) for e in trail] == [
        ("report.create", "api", "kapolsek.sirimau")
    ]
