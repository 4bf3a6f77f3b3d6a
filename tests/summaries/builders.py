"""Reports straight through the ORM, so these tests do not depend on reports.services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from operations import clock
from reports.models import DailyReport, Incident, ReportActivity, ReportStatus


def report(
    operation,
    unit,
    day: dt.date,
    *,
    by,
    status: str = ReportStatus.SUBMITTED,
    personnel: int = 0,
    late: bool = False,
    activities: list[tuple] = (),
    incidents: list[dict] = (),
) -> DailyReport:
    """activities: (kind, count, personnel[, task_force]); incidents: Incident fields."""
    deadline = clock.report_deadline(operation, unit, day)
    sent = None
    if status != ReportStatus.DRAFT:
        sent = deadline + dt.timedelta(hours=2) if late else deadline - dt.timedelta(hours=2)
    r = DailyReport.objects.create(
        operation=operation,
        unit=unit,
        report_date=day,
        status=status,
        personnel_on_duty=personnel,
        is_late=late,
        first_submitted_at=sent,
        submitted_at=sent,
        created_by=by,
    )
    for kind, count, people, *task_force in activities:
        ReportActivity.objects.create(
            report=r,
            kind=kind,
            count=count,
            personnel=people,
            task_force=task_force[0] if task_force else None,
        )
    for fields in incidents:
        Incident.objects.create(
            report=r,
            operation=operation,
            unit=unit,
            occurred_at=fields.pop("occurred_at", deadline - dt.timedelta(hours=6)),
            place=fields.pop("place", "Jl. Pattimura"),
            description=fields.pop("description", "Uraian kejadian"),
            **fields,
        )
    return r


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
