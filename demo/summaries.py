"""Demo step: rekap anev for the rehearsal operation's past days. Idempotent.

Runs after demo.reports. Builds the daily summaries of the last DAYS closed days
before the most recent one, and the week and phase to date, for Mabes, the Polda and
the Polres (about a hundred builds, a few seconds on SQLite). The Polsek summaries and
the most recent closed day are left to the scheduled tasks, so that with scripts/run
the worker is seen generating summaries for the demo right after start-up.
Summaries that already exist are left alone (loading twice is quick).
"""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from demo.operations import DemoContext
from operations.models import UnitKind
from pamilu import actors
from summaries import periods, selectors, services
from summaries.models import PeriodKind, Summary

DAYS = 7


def _last_day(operation, unit, zones, now) -> dt.date | None:
    if unit.kind == UnitKind.MABES:
        last = periods.closed_day_all_zones(operation, zones, now)
    else:
        last = periods.closed_day(operation, unit.time_zone, now)
    return last - dt.timedelta(days=1) if last else None


def load(ctx: DemoContext) -> None:
    operation = ctx.simulation
    if operation is None:
        return
    started = time.monotonic()
    now = timezone.now()
    zones = selectors.zones_of(operation)
    units = list(
        selectors.summarised_units(operation).exclude(kind=UnitKind.POLSEK).order_by("path")
    )
    existing = {
        (unit_id, kind, start, through)
        for unit_id, kind, start, through in Summary.objects.filter(
            operation=operation
        ).values_list("unit_id", "period_kind", "period_start", "through")
    }
    daily_done = {(u, s) for u, k, s, _t in existing if k == PeriodKind.DAILY}
    built = 0
    for unit in units:
        last = _last_day(operation, unit, zones, now)
        if last is None:
            continue
        days = [last - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
        days = [d for d in days if operation.covers(d)]
        for day in days:
            if (unit.pk, day) in daily_done:
                continue
            period = periods.daily(operation, day)
            services.summary_build(
                operation=operation, unit=unit, period=period, by=actors.DEMO, channel="system"
            )
            built += 1
        # Weeks (the last day of each week in range) and phases, to the last day.
        ends = {}
        for day in days:
            week = periods.weekly(operation, day)
            ends[(PeriodKind.WEEKLY, week.start)] = week
        for phase in operation.phases.filter(
            start_date__lte=last, end_date__gte=days[0] if days else last
        ):
            period = periods.for_phase(operation, phase, min(last, phase.end_date))
            ends[(PeriodKind.PHASE, phase.pk)] = period
        for period in ends.values():
            if (unit.pk, period.kind, period.start, period.through) in existing:
                continue
            if services.summary_build(
                operation=operation, unit=unit, period=period, by=actors.DEMO, channel="system"
            ):
                built += 1
    if ctx.stdout is not None:
        ctx.stdout.write(
            f"Rekap anev: {built} summaries built for {len(units)} units "
            f"in {time.monotonic() - started:.1f} s."
        )
