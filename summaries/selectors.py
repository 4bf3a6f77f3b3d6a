"""Reads about summaries and notices used by views, the API and the scheduled tasks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from operations import tree
from operations.models import Operation, Unit, UnitKind
from operations.selectors import reporting_units
from pamilu.scoping import Viewer, scope
from reports.models import DailyReport
from summaries import periods
from summaries.content import REPORTED
from summaries.models import Notice, PeriodKind, Summary

# How many closed days back the schedule looks for a missing daily summary (catch-up
# after the worker was down).
LOOKBACK_DAYS = 3


def summaries_for(user: Viewer | None) -> QuerySet[Summary]:
    """Summaries of the units the user may see (pamilu.scoping)."""
    return scope(
        user, Summary.objects.select_related("operation", "unit", "phase"), unit_field="unit"
    )


def stale_summary_ids(*, limit: int = 500) -> list[int]:
    return list(
        Summary.objects.filter(stale_marks__gt=F("built_marks"))
        .order_by("period_start", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def running_operations(now: dt.datetime) -> QuerySet[Operation]:
    """Operations whose dates touch the days around `now` (any zone)."""
    today = now.date()
    return Operation.objects.select_related("unit").filter(
        start_date__lte=today + dt.timedelta(days=1),
        end_date__gte=today - dt.timedelta(days=LOOKBACK_DAYS + 1),
    )


def zones_of(operation: Operation) -> list[str]:
    """The time zones of the operation's reporting units, the first to close first."""
    zones = set(
        reporting_units(operation).order_by().values_list("time_zone", flat=True).distinct()
    )
    order = ["Asia/Jayapura", "Asia/Makassar", "Asia/Jakarta"]
    return sorted(zones, key=lambda z: order.index(z) if z in order else len(order))


def missing_units(operation: Operation, time_zone: str, day: dt.date) -> QuerySet[Unit]:
    """Reporting units of `time_zone` without a sent report for `day`."""
    sent = DailyReport.objects.filter(
        operation=operation, unit=OuterRef("pk"), report_date=day, status__in=REPORTED
    )
    return reporting_units(operation).filter(time_zone=time_zone).exclude(Exists(sent))


def summarised_units(operation: Operation) -> QuerySet[Unit]:
    """Units that get a rekap: those that report or have reporting units below them."""
    below = reporting_units(operation).filter(tree.subtree_q(OuterRef("path")))
    return operation.unit.subtree().filter(is_active=True).filter(Exists(below))


def _without_daily(units: QuerySet[Unit], operation: Operation, day: dt.date) -> QuerySet[Unit]:
    built = Summary.objects.filter(
        operation=operation,
        unit=OuterRef("pk"),
        period_kind=PeriodKind.DAILY,
        period_start=day,
    )
    return units.exclude(Exists(built))


def _lookback(operation: Operation, last: dt.date | None) -> list[dt.date]:
    if last is None:
        return []
    days = [last - dt.timedelta(days=n) for n in range(LOOKBACK_DAYS - 1, -1, -1)]
    return [d for d in days if operation.covers(d)]


def due_in_zone(time_zone: str, now: dt.datetime | None = None) -> list[tuple[int, int, str]]:
    """(operation id, unit id, day) of daily summaries due in `time_zone` and not built.

    Units of one zone (Polda, Polres, Polsek); the national rekap waits for every zone
    (`due_national`). One query per operation and day, never per unit.
    """
    now = now or timezone.now()
    due = []
    for operation in running_operations(now):
        units = summarised_units(operation).filter(time_zone=time_zone).exclude(kind=UnitKind.MABES)
        for day in _lookback(operation, periods.closed_day(operation, time_zone, now)):
            for unit_id in _without_daily(units, operation, day).values_list("pk", flat=True):
                due.append((operation.pk, unit_id, day.isoformat()))
    return due


def due_national(now: dt.datetime | None = None) -> list[tuple[int, int, str]]:
    """The Mabes rekap of each day, once the last zone has closed."""
    now = now or timezone.now()
    due = []
    for operation in running_operations(now):
        units = summarised_units(operation).filter(kind=UnitKind.MABES)
        last = periods.closed_day_all_zones(operation, zones_of(operation), now)
        for day in _lookback(operation, last):
            for unit_id in _without_daily(units, operation, day).values_list("pk", flat=True):
                due.append((operation.pk, unit_id, day.isoformat()))
    return due


def open_notices_for(user: Viewer | None) -> QuerySet[Notice]:
    """Open reminders and escalations addressed to the user's unit."""
    if user is None or not user.is_authenticated or user.unit_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(recipient_unit_id=user.unit_id, acknowledged_at__isnull=True)


def notices_for(user: Viewer | None) -> QuerySet[Notice]:
    if user is None or not user.is_authenticated or user.unit_id is None:
        return Notice.objects.none()
    return Notice.objects.filter(recipient_unit_id=user.unit_id).select_related(
        "unit", "operation", "acknowledged_by"
    )
