"""Create and send a report in one POST (`"submit": true`), answered from what was
written, in a fixed number of queries per report."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from reports.models import DailyReport, Incident, ReportStatus
from tests.builders.reports import DAY
from tests.reports.test_api import REPORTS, _body, token_client

# Per report, created and sent with one activity and one incident, by token: token and
# user (2), the user's unit, the operation; BEGIN, insert report, activities, incidents,
# audit; submit: lock (the row read that locks it also carries what the send rules read:
# the unit's strength from the sprin and yesterday's personnel; the rules check the items
# just written, held in memory), claim, audit, summaries' marks (unit, summaries); COMMIT.
# The answer's items and flags are what was written (no read-back; a first send has no
# old flags to delete, and no flags here to insert). With an Idempotency-Key: insert the
# key, store the answer, and the report's transaction becomes a savepoint (2).
QUERIES_PER_REPORT = 15  # BEGIN and COMMIT included
QUERIES_PER_REPORT_WITH_KEY = QUERIES_PER_REPORT + 4


def _post(client, body, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(REPORTS, body, format="json", **headers)
    return response, ctx


def test_create_and_submit_in_one_post(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    response, _ctx = _post(client, _body(op, submit=True))
    assert response.status_code == 201, response.json()
    body = response.json()
    report = DailyReport.objects.get()
    assert body["id"] == report.pk
    assert (body["status"], report.status) == ("submitted", ReportStatus.SUBMITTED)
    assert body["submitted_at"] is not None and body["is_late"] is False
    assert [a["kind"] for a in body["activities"]] == ["patroli"]
    assert [i["place"] for i in body["incidents"]] == ["Kantor KPU"]
    assert "submit" not in body
    assert Incident.objects.get().report_status == "submitted"
    entries = AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="report.")
    actions = list(entries.order_by("id").values_list("action", flat=True))
    assert actions == ["report.create", "report.submit"]


def test_response_equals_what_a_later_read_returns(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    created = client.post(REPORTS, _body(op, submit=True), format="json").json()
    assert client.get(f"{REPORTS}{created['id']}/").json() == created


def test_without_submit_it_stays_a_draft_as_before(personas, op, frozen):
    response = token_client(personas.kapolsek_a).post(REPORTS, _body(op), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_a_refused_create_sends_nothing(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    client.post(REPORTS, _body(op), format="json")
    response, _ctx = _post(client, _body(op, submit=True))
    assert response.status_code == 400
    assert list(DailyReport.objects.values_list("status", flat=True)) == ["draft"]


def test_submit_with_an_update_in_one_request(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    created = client.post(REPORTS, _body(op), format="json").json()
    response = client.patch(
        f"{REPORTS}{created['id']}/", {"summary": "Lengkap.", "submit": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["summary"]) == ("submitted", "Lengkap.")


@pytest.mark.django_db(transaction=True)  # no test transaction around it: real counts
def test_query_count_per_report_is_fixed(personas, op, frozen):
    warm = token_client(personas.outsider_operator)  # process caches (content types) warm
    assert warm.post(REPORTS, _body(op, submit=True), format="json").status_code == 201
    client = token_client(personas.kapolsek_a)
    response, ctx = _post(client, _body(op, submit=True))
    assert response.status_code == 201
    assert len(ctx.captured_queries) == QUERIES_PER_REPORT, "\n".join(
        q["sql"][:160] for q in ctx.captured_queries
    )
    other = token_client(personas.kapolsek_b)
    response, ctx = _post(other, _body(op, submit=True), HTTP_IDEMPOTENCY_KEY="phone-1-2024-02-14")
    assert response.status_code == 201
    assert len(ctx.captured_queries) == QUERIES_PER_REPORT_WITH_KEY, "\n".join(
        q["sql"][:160] for q in ctx.captured_queries
    )


def test_idempotent_retry_of_a_sent_report_replays_and_sends_once(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    key = {"HTTP_IDEMPOTENCY_KEY": "k-send-1"}
    first, _ = _post(client, _body(op, submit=True), **key)
    retry, _ = _post(client, _body(op, submit=True), **key)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert DailyReport.objects.get().report_date == DAY
    assert AuditEntry.objects.filter(action="report.submit").count() == 1


def test_a_refused_send_with_an_update_keeps_none_of_the_update(personas, op, frozen):
    # One service call (report_update with submit), one transaction: the sending rule
    # refuses no personnel on duty, and the summary typed with it is not kept either.
    client = token_client(personas.kapolsek_a)
    created = client.post(REPORTS, _body(op), format="json").json()
    response = client.patch(
        f"{REPORTS}{created['id']}/",
        {"summary": "Diubah.", "personnel_on_duty": 0, "submit": True},
        format="json",
    )
    assert response.status_code == 400, response.json()
    assert [e["field"] for e in response.json()["errors"]] == ["personnel_on_duty"]
    report = DailyReport.objects.get()
    assert (report.status, report.summary, report.personnel_on_duty) == (
        ReportStatus.DRAFT,
        created["summary"],
        created["personnel_on_duty"],
    )
    actions = AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="report.")
    assert list(actions.values_list("action", flat=True)) == ["report.create"]
