"""The sending rules on the phone form, the review queue's flags, the kapolsek's home and
the return e-mail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from audit.models import Channel
from reports import services
from reports.models import DailyReport
from tests import builders
from tests.builders.reports import DAY, FULL
from tests.reports.test_views import _form_data

WEB = Channel.WEB


def _empty(op, **extra):
    data = _form_data(op, personnel_on_duty="", summary="", action="submit")
    data.update({"act-0-kind": "", "act-0-count": "", "act-0-personnel": "0"})
    data.update({"inc-0-category": "", "inc-0-time": "", "inc-0-place": ""})
    data.update({"inc-0-description": "", "inc-0-injured_light": "0"})
    data.update(extra)
    return data


def test_form_refuses_an_empty_report_with_a_summary_linking_each_field(
    client, personas, op, frozen
):
    client.force_login(personas.kapolsek_a)
    response = client.post(reverse("reports:create"), _empty(op))
    assert response.status_code == 400
    assert DailyReport.objects.count() == 0
    anchors = [(e["anchor"], e["text"]) for e in response.context["errors"]]
    assert anchors == [
        ("id_personnel_on_duty", "Isi jumlah personel yang bertugas (paling sedikit 1)."),
        ("id_summary", "Tuliskan ringkasan kegiatan hari ini."),
        ("section-activities", "Isi paling sedikit satu kegiatan."),
    ]
    html = response.content.decode()
    assert 'href="#id_personnel_on_duty" data-error-link' in html
    assert 'href="#section-activities" data-error-link' in html
    assert 'id="id_personnel_on_duty_error"' in html


def test_form_names_the_activity_row_with_too_many_personnel(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    data = _form_data(op, action="submit", personnel_on_duty="10")
    response = client.post(reverse("reports:create"), data)  # act-0 has 12 personnel
    assert response.status_code == 400
    assert response.context["activities"].forms[0].errors["personnel"] == [
        "Personel kegiatan Patroli (12) melebihi personel bertugas (10)."
    ]
    assert response.context["errors"][0]["anchor"] == "id_act-0-personnel"


def test_form_shows_a_warning_with_a_confirm_box_and_sends_once_confirmed(
    client, personas, op, make_report
):
    make_report(personas.kapolsek_a, "submitted", report_date=DAY - dt.timedelta(days=1),
                personnel_on_duty=60)  # fmt: skip
    client.force_login(personas.kapolsek_a)
    data = _form_data(op, action="submit", personnel_on_duty="24")
    response = client.post(reverse("reports:create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'name="confirm_warnings" value="personnel_drop"' in html
    assert "24 kurang dari separuh kemarin (60)" in html
    assert not DailyReport.objects.filter(report_date=DAY).exists()

    response = client.post(
        reverse("reports:create"), {**data, "confirm_warnings": "personnel_drop"}
    )
    report = DailyReport.objects.get(report_date=DAY)
    assert response.url == reverse("reports:detail", args=[report.pk])
    assert report.status == "submitted"
    assert list(report.flags.values_list("code", "confirmed")) == [("personnel_drop", True)]
    trail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Tanda untuk pemeriksa</span>: Personel kurang dari separuh hari sebelumnya" in trail


def test_detail_page_send_asks_to_confirm_warnings_there(client, personas, op, make_report):
    make_report(personas.kapolsek_a, "submitted", report_date=DAY - dt.timedelta(days=1),
                personnel_on_duty=60)  # fmt: skip
    report = make_report(personas.kapolsek_a, personnel_on_duty=20)
    client.force_login(personas.kapolsek_a)
    response = client.post(reverse("reports:submit", args=[report.pk]))
    assert response.status_code == 422
    assert 'value="personnel_drop"' in response.content.decode()
    client.post(reverse("reports:submit", args=[report.pk]), {"confirm_warnings": "personnel_drop"})
    report.refresh_from_db()
    assert report.status == "submitted"


def test_form_offers_own_level_satgas_and_running_operations_only(
    client, personas, op, tree, frozen
):
    op.task_forces.create(level="mabes", code="antiteror", name="Antiteror")
    op.task_forces.create(level="polda", code="tindak", name="Tindak")
    finished = builders.operation(
        tree.mabes, name="Operasi Selesai", start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2023, 12, 31),
    )  # fmt: skip
    client.force_login(personas.kapolsek_a)
    response = client.get(reverse("reports:create"))
    satgas = response.context["activities"].forms[0].fields["task_force"].queryset
    assert [(t.name, t.level) for t in satgas] == [("Preventif", "polres")]
    operations = list(response.context["form"].fields["operation"].queryset)
    assert op in operations and finished not in operations
    html = response.content.decode()
    assert "Meninggal dunia (MD)" in html and "Luka berat (LB)" in html
    assert "Luka ringan (LR)" in html
    assert '<template data-row-template="act">' in html
    assert 'name="act-__prefix__-kind"' in html  # the JS clones this row


def test_form_length_limits_agree_with_the_model(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    html = client.get(reverse("reports:create")).content.decode()
    assert 'maxlength="4000"' in html  # summary
    response = client.post(reverse("reports:create"), _form_data(op, summary="x" * 4001))
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors


# --- review queue ---------------------------------------------------------------------


def test_queue_shows_flags_and_filters_by_them(client, personas, make_report):
    flagged = make_report(
        personas.kapolsek_a, "submitted",
        activities=[{"kind": "patroli", "count": 1, "personnel": 15},
                    {"kind": "pam_tps", "count": 1, "personnel": 15}],
    )  # fmt: skip
    plain = make_report(personas.kapolsek_b, "submitted")
    client.force_login(personas.reviewer)
    everything = client.get(reverse("reports:queue"))
    assert {r.pk for r in everything.context["page"].object_list} == {flagged.pk, plain.pk}
    assert 'data-flag="activity_personnel_sum"' in everything.content.decode()
    only = client.get(reverse("reports:queue"), {"flag": "activity_personnel_sum"})
    assert [r.pk for r in only.context["page"].object_list] == [flagged.pk]
    junk = client.get(reverse("reports:queue"), {"flag": "²"})
    assert junk.status_code == 200 and junk.context["flag"] == ""


def test_queue_query_count_does_not_grow_with_flagged_reports(
    client, personas, make_report, django_assert_max_num_queries
):
    client.force_login(personas.reviewer)
    make_report(personas.kapolsek_a, "submitted")
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("reports:queue"))
    for day in (1, 2, 3):
        make_report(personas.kapolsek_b, "submitted", report_date=DAY - dt.timedelta(days=day),
                    activities=[{"kind": "patroli", "count": 1, "personnel": 18},
                                {"kind": "apel", "count": 1, "personnel": 18}])  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reports:queue"))


# --- the kapolsek's home ---------------------------------------------------------------


@pytest.mark.outsider("reports:home")
def test_home_shows_returned_reports_first_with_the_reason(client, personas, make_report, frozen):
    make_report(personas.kapolsek_a, "returned", reviewer=personas.reviewer,
                report_date=DAY - dt.timedelta(days=1))  # fmt: skip
    client.force_login(personas.kapolsek_a)
    assert client.get("/").url == reverse("reports:home")
    response = client.get(reverse("reports:home"))
    html = response.content.decode()
    assert [r.report_date for r in response.context["returned"]] == [DAY - dt.timedelta(days=1)]
    assert "Lengkapi personel." in html
    assert html.index("returned-reports") < html.index("today-reports")
    assert "data-returned-reports>1<" in html  # the navigation counts it
    # Another Polsek's kapolsek sees nothing of it; a reviewer has no home of a unit.
    client.force_login(personas.kapolsek_b)
    assert client.get(reverse("reports:home")).context["returned"] == []
    client.force_login(personas.outsider)
    assert client.get(reverse("reports:home")).status_code == 403


def test_home_shows_the_local_deadline_and_time_left(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    response = client.get(reverse("reports:home"))
    (item,) = response.context["items"]
    # 20:00 WIT on 14 Feb is 11:00 UTC; it is 03:00 UTC: 8 hours left.
    assert item.deadline == dt.datetime(2024, 2, 14, 11, 0, tzinfo=dt.UTC)
    html = response.content.decode()
    assert "Batas kirim pukul 20:00 WIT" in html
    assert "sisa 8 jam 0 menit" in html
    assert 'data-status="none"' in html
    assert response.context["notices"] == []


def test_home_warns_when_the_deadline_nears_and_stops_once_sent(client, personas, op):
    client.force_login(personas.kapolsek_a)
    with time_machine.travel(dt.datetime(2024, 2, 14, 10, 25, tzinfo=dt.UTC), tick=False):
        response = client.get(reverse("reports:home"))
        assert response.context["notices"] == ["Batas kirim laporan Operasi Uji tinggal 35 menit."]
        assert "deadline-notice" in response.content.decode()
        services.report_create(
            operation=op, unit=personas.kapolsek_a.unit, by=personas.kapolsek_a, channel=WEB,
            report_date=DAY, **FULL,
        )  # fmt: skip
        report = DailyReport.objects.get()
        services.report_submit(report=report, by=personas.kapolsek_a, channel=WEB)
        response = client.get(reverse("reports:home"))
        assert response.context["notices"] == []
        assert "sudah dikirim" in response.content.decode()


def test_a_return_is_emailed_to_the_units_operators_when_email_is_configured(
    personas, make_report, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    personas.kapolsek_a.email = "kapolsek.sirimau@polri.example"
    personas.kapolsek_a.save()
    report = make_report(personas.kapolsek_a, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(
            report=report, by=personas.reviewer, channel=WEB, reason="Sprin tidak cocok."
        )
    (message,) = mail.outbox
    assert message.to == ["kapolsek.sirimau@polri.example"]
    assert "dikembalikan" in message.subject
    assert "Alasan: Sprin tidak cocok." in message.body


def test_no_return_email_without_an_email_backend(
    personas, make_report, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    personas.kapolsek_a.email = "kapolsek.sirimau@polri.example"
    personas.kapolsek_a.save()
    report = make_report(personas.kapolsek_a, "submitted")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(report=report, by=personas.reviewer, channel=WEB, reason="x")
    assert mail.outbox == []


def test_new_report_page_points_to_the_day_s_report_already_there(client, personas, make_report):
    client.force_login(personas.kapolsek_a)
    assert "existing-report" not in client.get("/reports/new/").content.decode()

    draft = make_report(personas.kapolsek_a)  # today's (DAY at NOON), a draft
    page = client.get("/reports/new/").content.decode()
    assert f'data-existing-report="{draft.pk}"' in page
    assert f'href="/reports/{draft.pk}/edit/"' in page and "Lanjutkan laporan itu" in page

    services.report_submit(report=draft, by=personas.kapolsek_a, channel=WEB)
    page = client.get("/reports/new/").content.decode()
    assert f'href="/reports/{draft.pk}/"' in page and "Buka laporan itu" in page
