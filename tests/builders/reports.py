"""The one report builder, and the day the reports' tests run on.

`report()` makes a daily report either as rows (the default: the reads under test do not
depend on reports.services, and a test sets lateness and the sending time itself) or, with
`via_services=True`, through the reports workflow (create, then submit, return or accept:
the rules, audit, flags and summaries' stale marks run as in the app).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from audit.models import Channel
from operations import clock
from reports import services
from reports.models import SENT_STATUSES, DailyReport, Incident, ReportActivity, ReportStatus

# 14 Feb 2024 03:00 UTC: 10:00 WIB, 11:00 WITA, 12:00 WIT, before every deadline.
NOON = dt.datetime(2024, 2, 14, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2024, 2, 14)

# The fields of a report that meets the sending rules (reports.rules).
FULL = {
    "personnel_on_duty": 18,
    "summary": "Situasi aman dan kondusif.",
    "activities": [{"kind": "patroli", "count": 2, "personnel": 8}],
}


def report(
    operation,
    unit,
    day: dt.date = DAY,
    *,
    by,
    status: str = ReportStatus.SUBMITTED,
    via_services: bool = False,
    reviewer=None,
    late: bool = False,
    sent_at: dt.datetime | None = None,
    personnel_on_duty: int | None = None,
    activities: Iterable[dict] | None = None,
    incidents: Iterable[dict] = (),
    **fields,
) -> DailyReport:
    """A report of `unit` for `day` in `status`, made by `by`.

    activities: dicts of ReportActivity fields (kind, count, personnel, task_force);
    incidents: dicts of Incident fields (category, severity, …; place, description and
    occurred_at have defaults).

    As rows: `late` sets is_late; a sent report was sent 2 h before its unit's deadline
    (after it, when late) unless `sent_at` says when; no activities and 0 on duty unless
    given. Through the services (`via_services=True`): `by` writes and sends, `reviewer`
    returns or accepts; unless given, the fields are those of FULL (it meets the sending
    rules); `late` and `sent_at` come from the clock (freeze it).
    """
    if via_services:
        return _through_services(
            operation,
            unit,
            day,
            by=by,
            status=status,
            reviewer=reviewer,
            personnel_on_duty=FULL["personnel_on_duty"]
            if personnel_on_duty is None
            else personnel_on_duty,
            activities=FULL["activities"] if activities is None else list(activities),
            incidents=list(incidents),
            **{"summary": FULL["summary"], **fields},
        )
    return _rows(
        operation,
        unit,
        day,
        by=by,
        status=status,
        late=late,
        sent_at=sent_at,
        personnel_on_duty=personnel_on_duty or 0,
        activities=activities or (),
        incidents=incidents,
        **fields,
    )


def _through_services(operation, unit, day, *, by, status, reviewer, incidents, **fields):
    if incidents:
        fields["incidents"] = incidents
    r = services.report_create(
        operation=operation, unit=unit, by=by, channel=Channel.WEB, report_date=day, **fields
    )
    if status in SENT_STATUSES:
        r = services.report_submit(report=r, by=by, channel=Channel.WEB)
    if status == ReportStatus.RETURNED:
        r = services.report_return(
            report=r, by=reviewer, channel=Channel.WEB, reason="Lengkapi personel."
        )
    if status == ReportStatus.ACCEPTED:
        r = services.report_accept(report=r, by=reviewer, channel=Channel.WEB)
    return r


def _rows(
    operation, unit, day, *, by, status, late, sent_at, personnel_on_duty, activities, incidents,
    **fields,
) -> DailyReport:  # fmt: skip
    deadline = clock.report_deadline(operation, unit, day)
    if status == ReportStatus.DRAFT:
        sent_at = None
    elif sent_at is None:
        sent_at = deadline + dt.timedelta(hours=2) if late else deadline - dt.timedelta(hours=2)
    r = DailyReport.objects.create(
        operation=operation,
        unit=unit,
        report_date=day,
        status=status,
        personnel_on_duty=personnel_on_duty,
        is_late=late,
        first_submitted_at=sent_at,
        submitted_at=sent_at,
        created_by=by,
        unit_path=unit.path,
        **fields,
    )
    for activity in activities:
        ReportActivity.objects.create(report=r, **activity)
    for fields_ in incidents:
        incident(r, **{"occurred_at": deadline - dt.timedelta(hours=6), **fields_})
    return r


def incident(report: DailyReport, *, category: str, severity: str = "hijau", **extra) -> Incident:
    """An incident of `report` (as rows, with its copies of the report's day and state)."""
    return Incident.objects.create(
        report=report,
        operation=report.operation,
        unit=report.unit,
        report_date=report.report_date,
        report_status=report.status,
        category=category,
        severity=severity,
        occurred_at=extra.pop(
            "occurred_at", dt.datetime.combine(report.report_date, dt.time(3), tzinfo=dt.UTC)
        ),
        place=extra.pop("place", "Jl. Pattimura"),
        description=extra.pop("description", "Uraian kejadian"),
        **extra,
    )


def set_status(r: DailyReport, status: str, *, late: bool | None = None) -> DailyReport:
    """A transition as the reports workflow would make it (fields only)."""
    r.status = status
    if status != ReportStatus.DRAFT and r.submitted_at is None:
        r.submitted_at = timezone.now()
        r.first_submitted_at = r.submitted_at
    if late is not None:
        r.is_late = late
    r.save()
    return r
