"""Step 6: the rekap of past days, built by the summaries service itself.

A rekap's content is computed from the reports by ``summaries.content``; rather than
re-implementing it, the generator calls ``summaries.services.summary_build`` (one
transaction, audited) for: the daily rekap of the last ``days`` closed days, the week
to date of each of those days' weeks and every phase to date, of Mabes and every Polda.
(Polres and Polsek rekap are built on demand by the beat tasks as usual.)

The cost is in reading the period's rows grouped per unit (``summaries.parts
.unit_parts``), and a Polda's parts are a subset of Mabes's for the same period: a part
is one unit's own rows, whatever the scope. So the builds go period by period, Mabes
first, and while they run ``unit_parts`` of a whole subtree answers a Polda from the
national parts read once for that period (the other calls go through unchanged). Every
other step — the fold, the content, the stored sums and parts, the audit entry — is the
service's own; the suite rebuilds generated rekap through the service and compares.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from operations.models import Operation, Phase, Unit, UnitKind
from pamilu import actors
from summaries import parts as summary_parts
from summaries import periods
from summaries.services import summary_build


def _key(period) -> tuple:
    return (period.first, period.through, period.previous_start, period.previous_end)


@contextmanager
def shared_parts(operation: Operation, root: Unit):
    """While active, `unit_parts(operation, scope, period)` of a scope under `root` is cut
    from the root's parts of the same period (kept for the last period read)."""
    original = summary_parts.unit_parts
    paths = {str(pk): path for pk, path in Unit.objects.values_list("pk", "path")}
    kept: dict = {}

    def unit_parts(op, scope, period, *, unit_ids=None):
        if unit_ids is not None or op.pk != operation.pk:
            return original(op, scope, period, unit_ids=unit_ids)
        key = _key(period)
        if scope.pk == root.pk:
            kept.clear()
            kept[key] = original(op, scope, period)
            return kept[key]
        if key not in kept or not scope.path.startswith(root.path + "/"):
            return original(op, scope, period)
        prefix = scope.path + "/"
        return {
            uid: part
            for uid, part in kept[key].items()
            if paths[uid] == scope.path or paths[uid].startswith(prefix)
        }

    summary_parts.unit_parts = unit_parts
    try:
        yield
    finally:
        summary_parts.unit_parts = original


def plan(
    operation: Operation, now: dt.datetime, days: int, heads: tuple[str, ...] | None = None
) -> list[tuple[Unit, periods.Period]]:
    """(unit, period) of every rekap to build, period by period, Mabes first in each."""
    zones = sorted(set(Unit.objects.values_list("time_zone", flat=True)))
    last_national = periods.closed_day_all_zones(operation, zones, now)
    units = Unit.objects.filter(kind__in=[UnitKind.MABES, UnitKind.POLDA])
    if heads is not None:
        units = units.filter(code__in=heads)
    phases = list(Phase.objects.filter(operation=operation).order_by("start_date", "id"))
    wanted: dict[tuple, list] = {}
    for unit in units.order_by("path"):
        last = (
            last_national
            if unit.kind == UnitKind.MABES
            else periods.closed_day(operation, unit.time_zone, now)
        )
        if last is None:
            continue
        first = max(operation.start_date, last - dt.timedelta(days=days - 1))
        mine = []
        day = first
        weeks: dict[dt.date, dt.date] = {}
        while day <= last:
            mine.append(periods.daily(operation, day))
            weeks[day - dt.timedelta(days=day.weekday())] = day
            day += dt.timedelta(days=1)
        mine += [periods.weekly(operation, through) for through in weeks.values()]
        mine += [periods.for_phase(operation, p, last) for p in phases if p.start_date <= last]
        for period in mine:
            wanted.setdefault((period.kind, _key(period), period.phase), []).append((unit, period))
    return [job for jobs in wanted.values() for job in jobs]


def build(
    operation: Operation, now: dt.datetime, days: int, heads: tuple[str, ...] | None = None
) -> int:
    jobs = plan(operation, now, days, heads)
    root = Unit.objects.filter(kind=UnitKind.MABES).first()
    if root is None:
        return 0
    with shared_parts(operation, root):
        for unit, period in jobs:
            summary_build(
                operation=operation, unit=unit, period=period, by=actors.TESTBED, channel="system"
            )
    return len(jobs)
