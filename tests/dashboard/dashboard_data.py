"""Reports, incidents and assignments made with the ORM, for the dashboard's tests.

Straight rows, not the reports workflow: the dashboard only reads them.
"""

from __future__ import annotations

import datetime as dt
import itertools

from operations.models import Post, PostKind
from personnel.models import Assignment, Personnel, Rank, Warrant
from reports.models import DailyReport, Incident, ReportStatus

_serial = itertools.count(1)


def report(
    operation,
    unit,
    day: dt.date,
    *,
    status: str = ReportStatus.SUBMITTED,
    late: bool = False,
    on_duty: int = 0,
    by,
) -> DailyReport:
    sent_at = None
    if status != ReportStatus.DRAFT:
        sent_at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    return DailyReport.objects.create(
        operation=operation,
        unit=unit,
        report_date=day,
        status=status,
        is_late=late,
        personnel_on_duty=on_duty,
        first_submitted_at=sent_at,
        submitted_at=sent_at,
        created_by=by,
    )


def incident(report: DailyReport, *, category: str, severity: str = "hijau", **extra) -> Incident:
    return Incident.objects.create(
        report=report,
        operation=report.operation,
        unit=report.unit,
        category=category,
        severity=severity,
        occurred_at=extra.pop(
            "occurred_at", dt.datetime.combine(report.report_date, dt.time(3), tzinfo=dt.UTC)
        ),
        place=extra.pop("place", f"Tempat {next(_serial)}"),
        description="Uraian",
        **extra,
    )


def assignments(operation, unit, n: int, *, bko: int = 0, home=None) -> list[Assignment]:
    """`n` people serving under `unit`, the first `bko` of them lent from `home`."""
    rank = Rank.objects.filter(code="BRIPTU").first() or _briptu()
    warrant = Warrant.objects.create(
        number=f"Sprin/{next(_serial)}/I/OPS.1.1/2024",
        date=operation.start_date,
        issuing_unit=unit,
        operation=operation,
    )
    people = Personnel.objects.bulk_create(
        Personnel(
            nrp=f"{80000000 + next(_serial):08d}",
            name="Personel Uji",
            rank=rank,
            unit=home if i < bko else unit,
        )
        for i in range(n)
    )
    return Assignment.objects.bulk_create(
        Assignment(
            warrant=warrant,
            personnel=p,
            operation=operation,
            unit=unit,
            is_bko=p.unit_id != unit.pk,
            home_unit=p.unit,
        )
        for p in people
    )


def _briptu() -> Rank:
    """The rank again, for tests on a flushed database (transactional_db, live_server)."""
    top = Rank.objects.order_by("-order").values_list("order", flat=True).first() or 0
    return Rank.objects.create(code="BRIPTU", name="Briptu", group="bintara", order=top + 1)


def tps(operation, unit, level: str, n: int, *, lat=-3.7, lng=128.2) -> list[Post]:
    return Post.objects.bulk_create(
        Post(
            operation=operation,
            unit=unit,
            kind=PostKind.TPS,
            code=f"{unit.code}-{level}-{next(_serial)}",
            name=f"TPS {i + 1}",
            vulnerability=level,
            latitude=lat,
            longitude=lng,
        )
        for i in range(n)
    )
