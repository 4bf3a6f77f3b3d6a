import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry, Channel
from audit.services import entries_for
from reports import services
from reports.models import DailyReport, Incident, ReportStatus
from tests.builders.reports import DAY, NOON

WEB = Channel.WEB


def _actions(report):
    return list(entries_for(report).order_by("at", "id").values_list("action", flat=True))


def test_report_create_is_a_draft_with_one_audit_entry(personas, make_report):
    report = make_report(
        personas.kapolsek_a,
        activities=[{"kind": "patroli", "count": 3, "personnel": 12}],
        summary="Aman terkendali.",
    )
    assert report.status == ReportStatus.DRAFT
    assert report.report_date == DAY
    assert report.created_by == personas.kapolsek_a
    assert list(report.activities.values_list("kind", "count", "personnel")) == [("patroli", 3, 12)]
    entry = entries_for(report).get()
    assert (entry.action, entry.channel, entry.actor) == (
        "report.create",
        "web",
        personas.kapolsek_a,
    )
    assert entry.changes["personnel_on_duty"] == 18
    assert entry.changes["summary"] == "Aman terkendali."


def test_report_create_copies_operation_and_unit_onto_incidents(personas, make_report, op):
    report = make_report(
        personas.kapolsek_a,
        incidents=[
            {
                "category": "politik_uang",
                "severity": "kuning",
                "occurred_at": NOON - dt.timedelta(hours=2),
                "place": "TPS 004",
                "description": "Pembagian amplop.",
                "forwarded_to_gakkumdu": True,
            }
        ],
    )
    incident = Incident.objects.get(report=report)
    assert (incident.operation, incident.unit) == (op, personas.kapolsek_a.unit)
    assert incident.forwarded_to_gakkumdu is True


def test_report_create_refuses_a_date_in_the_units_future_saying_why(personas, make_report):
    with pytest.raises(ValidationError) as info:
        make_report(personas.kapolsek_a, report_date=DAY + dt.timedelta(days=1))
    message = info.value.message_dict["report_date"][0]
    assert "belum tiba" in message
    assert "WIT" in message
    assert DailyReport.objects.count() == 0


def test_report_create_refuses_a_date_outside_the_operation_saying_why(personas, op, frozen):
    op.start_date = dt.date(2024, 2, 1)
    op.save()
    with pytest.raises(ValidationError) as info:
        services.report_create(
            operation=op,
            unit=personas.kapolsek_a.unit,
            by=personas.kapolsek_a,
            channel=WEB,
            report_date=dt.date(2024, 1, 31),
        )
    assert "di luar masa" in info.value.message_dict["report_date"][0]


def test_report_create_refuses_a_second_report_for_the_same_day(personas, make_report):
    make_report(personas.kapolsek_a)
    with pytest.raises(ValidationError) as info:
        make_report(personas.kapolsek_a)
    assert "sudah ada" in info.value.message_dict["report_date"][0]
    assert DailyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.create").count() == 1


def test_report_create_for_another_polsek_is_denied(personas, op, frozen):
    with pytest.raises(PermissionDenied):
        services.report_create(
            operation=op, unit=personas.kapolsek_a.unit, by=personas.kapolsek_b, channel=WEB
        )


def test_report_create_by_a_reviewer_is_denied(personas, op, frozen):
    with pytest.raises(PermissionDenied):
        services.report_create(
            operation=op, unit=personas.kapolsek_a.unit, by=personas.reviewer, channel=WEB
        )


def test_report_update_records_each_change_from_and_to(personas, make_report):
    report = make_report(personas.kapolsek_a, summary="Aman.", activities=[])
    services.report_update(
        report=report,
        by=personas.kapolsek_a,
        channel=Channel.API,
        personnel_on_duty=21,
        summary="Aman.",
        activities=[{"kind": "sambang", "count": 2, "personnel": 4}],
    )
    entry = entries_for(report).get(action="report.update")
    assert entry.channel == "api"
    assert entry.changes["personnel_on_duty"] == [18, 21]
    assert "summary" not in entry.changes
    assert entry.changes["activities"] == [[], [{"kind": "sambang", "count": 2, "personnel": 4}]]


def test_report_update_without_changes_writes_no_audit_entry(personas, make_report):
    report = make_report(personas.kapolsek_a)
    services.report_update(report=report, by=personas.kapolsek_a, channel=WEB, personnel_on_duty=18)
    assert _actions(report) == ["report.create"]


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_report_update_of_a_sent_report_is_refused(personas, make_report, status):
    report = make_report(personas.kapolsek_a, status=status, reviewer=personas.reviewer)
    with pytest.raises(services.ReportStateError):
        services.report_update(
            report=report, by=personas.kapolsek_a, channel=WEB, personnel_on_duty=1
        )
    report.refresh_from_db()
    assert report.personnel_on_duty == 18


def test_report_update_by_the_reviewer_is_denied(personas, make_report):
    report = make_report(personas.kapolsek_a)
    with pytest.raises(PermissionDenied):
        services.report_update(report=report, by=personas.reviewer, channel=WEB, summary="x")


def test_report_submit_sets_times_audits_and_marks_summaries_stale(
    personas, make_report, stale_marks
):
    report = make_report(personas.kapolsek_a)
    report = services.report_submit(report=report, by=personas.kapolsek_a, channel=WEB)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at == report.first_submitted_at == NOON
    assert report.is_late is False
    assert stale_marks == [report.pk]
    entry = entries_for(report).get(action="report.submit")
    assert entry.changes["status"] == ["draft", "submitted"]


def test_report_update_with_submit_changes_and_sends_in_one_call(
    personas, make_report, stale_marks
):
    report = make_report(personas.kapolsek_a, summary="Awal.")
    sent = services.report_update(
        report=report, by=personas.kapolsek_a, channel=WEB, summary="Lengkap.", submit=True
    )
    assert (sent.status, sent.summary, sent.submitted_at) == (
        ReportStatus.SUBMITTED,
        "Lengkap.",
        NOON,
    )
    report.refresh_from_db()
    assert (report.status, report.summary) == (ReportStatus.SUBMITTED, "Lengkap.")
    assert _actions(report) == ["report.create", "report.update", "report.submit"]
    assert stale_marks == [report.pk]


def test_report_update_with_a_refused_submit_keeps_nothing(personas, make_report):
    report = make_report(personas.kapolsek_a, summary="Awal.")
    with pytest.raises(ValidationError) as info:
        services.report_update(
            report=report,
            by=personas.kapolsek_a,
            channel=WEB,
            summary="Lengkap.",
            personnel_on_duty=0,
            submit=True,
        )
    assert "personnel_on_duty" in info.value.message_dict
    report.refresh_from_db()
    assert (report.status, report.summary) == (ReportStatus.DRAFT, "Awal.")
    assert _actions(report) == ["report.create"]


def test_report_submit_twice_is_refused(personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    with pytest.raises(services.ReportStateError):
        services.report_submit(report=report, by=personas.kapolsek_a, channel=WEB)


def test_report_submit_by_another_polsek_operator_is_denied(personas, make_report):
    report = make_report(personas.kapolsek_a)
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, by=personas.kapolsek_b, channel=WEB)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_report_return_needs_a_reason(personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    with pytest.raises(ValidationError) as info:
        services.report_return(report=report, by=personas.reviewer, channel=WEB, reason="  ")
    assert "reason" in info.value.message_dict
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_report_return_by_the_polres_reviewer(personas, make_report, stale_marks):
    report = make_report(personas.kapolsek_a, status="submitted")
    report = services.report_return(
        report=report, by=personas.reviewer, channel=WEB, reason="Personel tidak sesuai sprin."
    )
    assert report.status == ReportStatus.RETURNED
    assert report.return_reason == "Personel tidak sesuai sprin."
    assert report.reviewed_by == personas.reviewer
    assert stale_marks == [report.pk, report.pk]
    entry = entries_for(report).get(action="report.return")
    assert entry.actor == personas.reviewer
    assert entry.changes["return_reason"] == ["", "Personel tidak sesuai sprin."]


def test_returned_report_is_editable_and_resubmitted(personas, make_report, frozen, stale_marks):
    report = make_report(personas.kapolsek_a, status="returned", reviewer=personas.reviewer)
    services.report_update(report=report, by=personas.kapolsek_a, channel=WEB, personnel_on_duty=25)
    frozen.shift(dt.timedelta(hours=12))  # after the deadline now
    report = services.report_submit(report=report, by=personas.kapolsek_a, channel=WEB)
    assert report.status == ReportStatus.SUBMITTED
    assert report.first_submitted_at == NOON
    assert report.submitted_at == NOON + dt.timedelta(hours=12)
    assert report.is_late is False  # the first submission was on time
    assert _actions(report) == [
        "report.create",
        "report.submit",
        "report.return",
        "report.update",
        "report.resubmit",
    ]
    assert len(stale_marks) == 3


def test_report_accept_by_the_polres_reviewer(personas, make_report, stale_marks):
    report = make_report(personas.kapolsek_a, status="submitted")
    report = services.report_accept(report=report, by=personas.reviewer, channel=WEB)
    assert report.status == ReportStatus.ACCEPTED
    assert report.reviewed_by == personas.reviewer
    assert report.reviewed_at == NOON
    assert stale_marks[-1] == report.pk
    assert _actions(report)[-1] == "report.accept"


def test_operator_cannot_accept_their_own_report(personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=personas.kapolsek_a, channel=WEB)
    with pytest.raises(PermissionDenied):
        services.report_return(report=report, by=personas.kapolsek_a, channel=WEB, reason="x")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    "persona", ["outsider", "command_center", "kapolsek_b", "outsider_operator"]
)
def test_only_reviewers_of_an_ancestor_unit_accept(personas, make_report, persona):
    report = make_report(personas.kapolsek_a, status="submitted")
    with pytest.raises(PermissionDenied):
        services.report_accept(report=report, by=getattr(personas, persona), channel=WEB)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert _actions(report) == ["report.create", "report.submit"]


@pytest.mark.parametrize("status", ["draft", "returned", "accepted"])
def test_only_submitted_reports_are_reviewed(personas, make_report, status):
    report = make_report(personas.kapolsek_a, status=status, reviewer=personas.reviewer)
    with pytest.raises(services.ReportStateError):
        services.report_accept(report=report, by=personas.reviewer, channel=WEB)
    with pytest.raises(services.ReportStateError):
        services.report_return(report=report, by=personas.reviewer, channel=WEB, reason="x")


def test_stale_claim_loses_to_a_concurrent_transition(personas, make_report):
    """Two reviewers act on the same in-memory report: the second finds it already moved."""
    report = make_report(personas.kapolsek_a, status="submitted")
    copy = DailyReport.objects.get(pk=report.pk)
    services.report_accept(report=report, by=personas.reviewer, channel=WEB)
    with pytest.raises(services.ReportStateError):
        services.report_return(report=copy, by=personas.reviewer, channel=WEB, reason="x")
    assert DailyReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
