import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from audit.models import AuditEntry
from reports.models import DailyReport, ReportStatus
from tests import builders
from tests.builders.reports import DAY

OBJECT_ROUTES = [
    "reports:detail",
    "reports:edit",
    "reports:submit",
    "reports:accept",
    "reports:return",
]


def _form_data(op, **extra):
    data = {
        "operation": op.pk,
        "report_date": DAY.isoformat(),
        "personnel_on_duty": "24",
        "summary": "Patroli ke gudang logistik KPU.",
        "obstacles": "",
        "next_day_plan": "Apel pagi.",
        "act-TOTAL_FORMS": "2",
        "act-INITIAL_FORMS": "0",
        "act-MIN_NUM_FORMS": "0",
        "act-MAX_NUM_FORMS": "50",
        "act-0-kind": "patroli",
        "act-0-count": "3",
        "act-0-personnel": "12",
        "act-1-kind": "",
        "act-1-count": "",
        "act-1-personnel": "0",
        "inc-TOTAL_FORMS": "1",
        "inc-INITIAL_FORMS": "0",
        "inc-MIN_NUM_FORMS": "0",
        "inc-MAX_NUM_FORMS": "30",
        "inc-0-category": "laka_lantas",
        "inc-0-severity": "hijau",
        "inc-0-time": "09:30",
        "inc-0-place": "Jalan Sultan Hasanuddin",
        "inc-0-description": "Tabrakan R2, satu luka ringan.",
        "inc-0-deaths": "0",
        "inc-0-injured_serious": "0",
        "inc-0-injured_light": "1",
        "inc-0-loss_rupiah": "0",
        "action": "save",
    }
    data.update(extra)
    return data


def test_create_page_defaults_to_the_running_operation_and_local_today(
    client, personas, op, frozen
):
    client.force_login(personas.kapolsek_a)
    response = client.get(reverse("reports:create"))
    form = response.context["form"]
    assert form.initial["operation"] == op.pk
    assert form.initial["report_date"] == DAY
    assert "hari ini 14 Februari 2024 (WIT)" in response.content.decode()


def test_create_saves_a_draft_with_activity_and_incident(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    response = client.post(reverse("reports:create"), _form_data(op))
    report = DailyReport.objects.get()
    assert response.url == reverse("reports:detail", args=[report.pk])
    assert (report.status, report.personnel_on_duty, report.unit) == (
        "draft",
        24,
        personas.kapolsek_a.unit,
    )
    assert list(report.activities.values_list("kind", "count")) == [("patroli", 3)]
    incident = report.incidents.get()
    # 09:30 WIT is 00:30 UTC.
    assert incident.occurred_at == dt.datetime(2024, 2, 14, 0, 30, tzinfo=dt.UTC)
    assert AuditEntry.objects.get(action="report.create").channel == "web"


def test_create_and_submit_in_one_step(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    client.post(reverse("reports:create"), _form_data(op, action="submit"))
    report = DailyReport.objects.get()
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is False


def test_create_shows_each_error_beside_its_field_and_keeps_what_was_typed(
    client, personas, op, frozen
):
    client.force_login(personas.kapolsek_a)
    data = _form_data(op, personnel_on_duty="dua", **{"inc-0-description": ""})
    response = client.post(reverse("reports:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert DailyReport.objects.count() == 0
    assert 'id="id_personnel_on_duty_error"' in html
    assert 'id="id_inc-0-description_error"' in html
    assert "Patroli ke gudang logistik KPU." in html  # summary kept
    assert 'value="Jalan Sultan Hasanuddin"' in html  # incident place kept
    assert 'value="dua"' in html


def test_create_future_day_error_is_beside_the_date_field(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    response = client.post(
        reverse("reports:create"), _form_data(op, report_date="2024-02-15", action="submit")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "belum tiba" in form.errors["report_date"][0]
    assert DailyReport.objects.count() == 0


@pytest.mark.outsider("reports:create")
def test_create_page_writes_only_for_the_users_own_unit(client, personas, op, frozen):
    client.force_login(personas.kapolsek_b)
    client.post(reverse("reports:create"), _form_data(op))
    assert DailyReport.objects.get().unit == personas.kapolsek_b.unit
    client.force_login(personas.outsider)
    assert client.get(reverse("reports:create")).status_code == 403
    assert client.post(reverse("reports:create"), _form_data(op)).status_code == 403
    assert DailyReport.objects.count() == 1


def test_edit_changes_a_draft_and_keeps_its_incidents(client, personas, make_report):
    report = make_report(personas.kapolsek_a)
    client.force_login(personas.kapolsek_a)
    client.post(reverse("reports:edit", args=[report.pk]), _form_data(report.operation))
    data = _form_data(
        report.operation,
        personnel_on_duty="30",
        **{"act-INITIAL_FORMS": "1", "inc-TOTAL_FORMS": "2", "inc-INITIAL_FORMS": "1"},
    )
    data.update({"inc-1-severity": "hijau", "inc-1-deaths": "0", "inc-1-injured_serious": "0"})
    data.update({"inc-1-injured_light": "0", "inc-1-loss_rupiah": "0"})
    response = client.post(reverse("reports:edit", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.personnel_on_duty == 30
    assert report.incidents.count() == 1
    assert AuditEntry.objects.filter(action="report.update").count() == 2


def test_edit_of_a_submitted_report_is_refused(client, personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    client.force_login(personas.kapolsek_a)
    response = client.post(reverse("reports:edit", args=[report.pk]), _form_data(report.operation))
    assert response.url == reverse("reports:detail", args=[report.pk])
    report.refresh_from_db()
    assert report.personnel_on_duty == 18


def test_detail_shows_the_audit_trail_in_the_viewers_zone(client, personas, make_report, tree):
    report = make_report(personas.kapolsek_a, status="submitted")
    client.force_login(personas.reviewer)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "report.submit" in html
    assert "14 Feb 2024 12:00:00 WIT" in html  # 03:00 UTC seen from Ambon

    national = builders.user("admin", None, "root", is_superuser=True)
    client.force_login(national)
    html = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "14 Feb 2024 10:00:00 WIB" in html


def test_submit_accept_and_return_through_the_pages(client, personas, make_report):
    report = make_report(personas.kapolsek_a)
    client.force_login(personas.kapolsek_a)
    client.post(reverse("reports:submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "submitted"
    client.force_login(personas.reviewer)
    response = client.post(reverse("reports:return", args=[report.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["return_form"].errors
    client.post(reverse("reports:return", args=[report.pk]), {"reason": "Lengkapi satgas."})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == ("returned", "Lengkapi satgas.")
    client.force_login(personas.kapolsek_a)
    assert "Lengkapi satgas." in client.get(reverse("reports:list")).content.decode()
    client.post(reverse("reports:submit", args=[report.pk]))
    client.force_login(personas.reviewer)
    client.post(reverse("reports:accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "accepted"


def test_operator_cannot_accept_their_own_report_in_the_browser(client, personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    client.force_login(personas.kapolsek_a)
    assert client.post(reverse("reports:accept", args=[report.pk])).status_code == 403
    assert (
        client.post(reverse("reports:return", args=[report.pk]), {"reason": "x"}).status_code == 403
    )
    report.refresh_from_db()
    assert report.status == "submitted"


@pytest.mark.outsider(
    "reports:detail", "reports:edit", "reports:submit", "reports:accept", "reports:return"
)
@pytest.mark.parametrize("persona", ["kapolsek_b", "outsider", "outsider_operator"])
def test_outsiders_get_404_on_every_report_page(client, personas, make_report, persona):
    report = make_report(personas.kapolsek_a, status="submitted")
    client.force_login(getattr(personas, persona))
    for name in OBJECT_ROUTES:
        url = reverse(name, args=[report.pk])
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {"reason": "x"}).status_code == 404, name
    report.refresh_from_db()
    assert report.status == "submitted"
    assert AuditEntry.objects.filter(action__in=["report.accept", "report.return"]).count() == 0


@pytest.mark.outsider("reports:list")
def test_list_shows_only_reports_in_scope(client, personas, make_report):
    mine = make_report(personas.kapolsek_a)
    other = make_report(personas.kapolsek_b)
    client.force_login(personas.kapolsek_a)
    assert list(client.get(reverse("reports:list")).context["page"].object_list) == [mine]
    client.force_login(personas.reviewer)
    assert set(client.get(reverse("reports:list")).context["page"].object_list) == {mine, other}
    client.force_login(personas.outsider)
    assert list(client.get(reverse("reports:list")).context["page"].object_list) == []


@pytest.mark.outsider("reports:queue")
def test_queue_lists_submitted_reports_of_the_subtree_only(client, personas, make_report):
    sent = make_report(personas.kapolsek_a, status="submitted")
    make_report(personas.kapolsek_b)  # a draft is not in the queue
    client.force_login(personas.reviewer)
    assert list(client.get(reverse("reports:queue")).context["page"].object_list) == [sent]
    client.force_login(personas.outsider)
    assert list(client.get(reverse("reports:queue")).context["page"].object_list) == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("route", ["reports:list", "reports:queue"])
def test_list_pages_query_count_does_not_grow(client, personas, make_report, op, tree, route):
    make_report(personas.kapolsek_a, status="submitted")
    client.force_login(personas.reviewer)
    one = _queries(client, reverse(route))
    for index in range(8):
        unit = builders.unit(f"POLSEK-X{index}", "polsek", tree.ambon)
        make_report(builders.user(Role.OPERATOR, unit), status="submitted")
    many = _queries(client, reverse(route))
    assert one == many


def test_list_links_to_todays_report_once_it_exists(client, personas, make_report):
    client.force_login(personas.kapolsek_a)
    assert "Buat laporan hari ini" in client.get(reverse("reports:list")).content.decode()
    report = make_report(personas.kapolsek_a)
    html = client.get(reverse("reports:list")).content.decode()
    assert "Buka laporan hari ini" in html
    assert reverse("reports:detail", args=[report.pk]) in html
