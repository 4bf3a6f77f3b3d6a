"""The phone form's "Kirim laporan" on a new report: created and sent in one round trip."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import DailyReport, Incident, ReportStatus
from tests.reports.test_views import _form_data


def test_kirim_on_the_create_form_sends_in_one_post(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("reports:create"), _form_data(op, action="submit"))
    report = DailyReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=[report.pk])
    assert report.status == ReportStatus.SUBMITTED
    assert set(Incident.objects.values_list("report_status", flat=True)) == {"submitted"}
    actions = AuditEntry.objects.filter(object_id=str(report.pk), action__startswith="report.")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "report.create",
        "report.submit",
    ]
    # The view's and report_create's savepoints (this test runs in a transaction), none
    # for a separate report_submit: one service call writes and sends.
    assert sum("SAVEPOINT" in q["sql"] for q in ctx.captured_queries) == 4
