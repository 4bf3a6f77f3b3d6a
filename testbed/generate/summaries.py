"""Step 6: the rekap of past days, built by the summaries service itself.

A rekap's content is computed from the reports by ``summaries.content``; rather than
re-implementing it, the generator calls ``summaries.services.summary_build`` (one
transaction, audited) for: the daily rekap of the last ``days`` closed days, the week
to date of each of those days' weeks and every phase to date, of Mabes and every Polda.
(Polres and Polsek rekap are built on demand by the beat tasks as usual.)
"""

from __future__ import annotations

import datetime as dt

from operations.models import Operation, Phase, Unit, UnitKind
from pamilu import actors
from summaries import periods
from summaries.services import summary_build


def build(
    operation: Operation, now: dt.datetime, days: int, heads: tuple[str, ...] | None = None
) -> int:
    zones = sorted(set(Unit.objects.values_list("time_zone", flat=True)))
    last_national = periods.closed_day_all_zones(operation, zones, now)
    built = 0
    units = Unit.objects.filter(kind__in=[UnitKind.MABES, UnitKind.POLDA])
    if heads is not None:
        units = units.filter(code__in=heads)
    phases = list(Phase.objects.filter(operation=operation).order_by("start_date", "id"))
    for unit in units.order_by("path"):
        last = (
            last_national
            if unit.kind == UnitKind.MABES
            else periods.closed_day(operation, unit.time_zone, now)
        )
        if last is None:
            continue
        first = max(operation.start_date, last - dt.timedelta(days=days - 1))
        day = first
        weeks: dict[dt.date, dt.date] = {}
        while day <= last:
            summary_build(
                operation=operation,
                unit=unit,
                period=periods.daily(operation, day),
                by=actors.TESTBED,
                channel="system",
            )
            weeks[day - dt.timedelta(days=day.weekday())] = day
            built += 1
            day += dt.timedelta(days=1)
        for through in weeks.values():
            summary_build(
                operation=operation,
                unit=unit,
                period=periods.weekly(operation, through),
                by=actors.TESTBED,
                channel="system",
            )
            built += 1
        for phase in phases:
            if phase.start_date <= last:
                summary_build(
                    operation=operation,
                    unit=unit,
                    period=periods.for_phase(operation, phase, last),
                    by=actors.TESTBED,
                    channel="system",
                )
                built += 1
    return built
