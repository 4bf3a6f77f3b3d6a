"""Which days a summary covers and when a unit's day is closed (through operations.clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from operations import clock
from operations.models import Operation, Phase, Unit
from summaries.models import PeriodKind


@dataclass(frozen=True)
class Period:
    """The days of a summary: [start, end] is the period, data counted from `first` to
    `through` (the operation may start inside the first week), compared with
    [previous_start, previous_end]."""

    kind: str
    start: dt.date
    end: dt.date
    first: dt.date
    through: dt.date
    phase: Phase | None = None
    previous_start: dt.date | None = None
    previous_end: dt.date | None = None

    @property
    def days(self) -> int:
        return (self.through - self.first).days + 1

    @property
    def previous_days(self) -> int:
        if self.previous_start is None or self.previous_end is None:
            return 0
        return (self.previous_end - self.previous_start).days + 1


def _clamp_previous(operation: Operation, start: dt.date, end: dt.date):
    start = max(start, operation.start_date)
    if end < start:
        return None, None
    return start, end


def daily(operation: Operation, day: dt.date) -> Period:
    prev_start, prev_end = _clamp_previous(
        operation, day - dt.timedelta(days=1), day - dt.timedelta(days=1)
    )
    return Period(PeriodKind.DAILY, day, day, day, day, None, prev_start, prev_end)


def weekly(operation: Operation, day: dt.date) -> Period:
    """The week (Monday to Sunday) of `day`, to date; compared with the same days a week
    earlier."""
    start = day - dt.timedelta(days=day.weekday())
    end = start + dt.timedelta(days=6)
    first = max(start, operation.start_date)
    week = dt.timedelta(days=7)
    prev_start, prev_end = _clamp_previous(operation, first - week, day - week)
    return Period(PeriodKind.WEEKLY, start, end, first, day, None, prev_start, prev_end)


def for_phase(operation: Operation, phase: Phase, day: dt.date) -> Period:
    """The phase, to date; compared with the whole previous phase of the operation."""
    through = min(day, phase.end_date)
    previous = (
        operation.phases.filter(end_date__lt=phase.start_date)
        .order_by("-end_date", "-start_date")
        .first()
    )
    prev_start, prev_end = (
        (previous.start_date, previous.end_date) if previous is not None else (None, None)
    )
    return Period(
        PeriodKind.PHASE,
        phase.start_date,
        phase.end_date,
        phase.start_date,
        through,
        phase,
        prev_start,
        prev_end,
    )


def zone_unit(time_zone: str) -> Unit:
    """An unsaved unit standing for a whole zone, to ask operations.clock about it."""
    return Unit(time_zone=time_zone)


def closed_day(operation: Operation, time_zone: str, now: dt.datetime) -> dt.date | None:
    """The latest day of `operation` whose report deadline has passed in `time_zone`."""
    unit = zone_unit(time_zone)
    day = clock.local_date(unit, now)
    if now < clock.report_deadline(operation, unit, day):
        day -= dt.timedelta(days=1)
    day = min(day, operation.end_date)
    return day if day >= operation.start_date else None


def closed_day_all_zones(
    operation: Operation, time_zones: list[str], now: dt.datetime
) -> dt.date | None:
    """The latest day closed in every one of `time_zones` (the national rekap waits for
    the last zone, WIB)."""
    days = [closed_day(operation, tz, now) for tz in time_zones]
    if not days or any(d is None for d in days):
        return None
    return min(days)
