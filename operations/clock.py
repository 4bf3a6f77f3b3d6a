"""The one place that turns instants into a unit's local day and deadline.

Everything is stored in UTC. A unit's day, and the daily report deadline of an
operation, follow the unit's own time zone (WIB/WITA/WIT). Nothing else in pamilu
does date arithmetic on reports.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from operations.models import Operation, Unit


def local_date(unit: Unit, at: dt.datetime | None = None) -> dt.date:
    """The calendar day at `at` (default: now) in the unit's zone."""
    return (at or timezone.now()).astimezone(unit.zone).date()


def report_deadline(operation: Operation, unit: Unit, day: dt.date) -> dt.datetime:
    """The instant (UTC) the daily report of `day` is due for `unit`."""
    local = dt.datetime.combine(day, dt.time(operation.report_deadline_hour), tzinfo=unit.zone)
    return local.astimezone(dt.UTC)


def day_start(unit: Unit, day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the unit's zone, as UTC."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=unit.zone).astimezone(dt.UTC)


def is_late(operation: Operation, unit: Unit, day: dt.date, at: dt.datetime) -> bool:
    return at > report_deadline(operation, unit, day)
