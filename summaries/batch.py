"""Rebuilding the summaries a late report marked, together, in a fixed number of queries.

One late report of a Polsek marks the daily, weekly and phase summaries of its day (and
those comparing against it) for each unit up the chain: some twenty summaries that all
need the same unit's rows over a handful of distinct periods. Swapping that unit's part
in each of them one by one costs twenty times the same reads and writes; here the reads
are shared per period and the writes go out in bulk, so the whole set costs about as
many queries as one summary.

All the summaries are locked first (in id order, as the marking UPDATE does), so no
report change can be marked on them while their content is computed. Summaries that
need a full build are built afterwards, each in its own transaction, so their locks are
not held while the others wait.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import record
from operations.models import Unit
from pamilu import actors
from summaries import accumulate, parts, periods, state
from summaries.content import INCREMENTAL_MAX_UNITS, swap
from summaries.models import DirtyUnit, PeriodKind, Summary, SummaryPart, SummaryState
from summaries.parts import child_key


def _period(summary: Summary, cache: dict):
    """services.period_of, the previous phase looked up once per phase and day."""
    if summary.period_kind == PeriodKind.DAILY:
        return periods.daily(summary.operation, summary.period_start)
    if summary.period_kind == PeriodKind.WEEKLY:
        return periods.weekly(summary.operation, summary.through)
    key = (summary.phase_id, summary.through)
    if key not in cache:
        cache[key] = periods.for_phase(summary.operation, summary.phase, summary.through)
    return cache[key]


def rebuild(ids: list[int]) -> int:
    """Bring the given summaries up to date if they are (still) stale. Returns how many
    were rebuilt."""
    from summaries import services  # noqa: PLC0415 - cycle: services queues the tasks that call this module

    with transaction.atomic():
        done, later = _rebuild_together(ids)
    for summary in later:
        services.summary_rebuild(summary=summary, by=actors.TASKS, channel="system")
    return done + len(later)


def _same_period(summary: Summary, period) -> bool:
    return (
        summary.period_start == period.start
        and summary.period_end == period.end
        and summary.through == period.through
        and summary.previous_start == period.previous_start
        and summary.previous_end == period.previous_end
    )


def _rebuild_together(ids: list[int]) -> tuple[int, list[Summary]]:
    """The incremental ones, in this transaction: (how many, those needing a full build)."""
    summaries = [
        s
        for s in Summary.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("operation__unit", "unit", "phase")
        .defer("content")
        .order_by("pk")
        if s.is_stale
    ]
    if not summaries:
        return 0, []
    dirty: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, summary_id, unit_id in DirtyUnit.objects.filter(
        summary_id__in=[s.pk for s in summaries]
    ).values_list("pk", "summary_id", "unit_id"):
        dirty[summary_id].append((pk, unit_id))
    accs = {
        summary_id: json.loads(acc)
        for summary_id, acc in SummaryState.objects.filter(
            summary_id__in=[s.pk for s in summaries], version=state.VERSION
        ).values_list("summary_id", "acc")
    }
    phase_cache: dict = {}
    full, marks_only, plans = [], [], []
    unit_ids = set()
    for s in summaries:
        period = _period(s, phase_cache)
        units = sorted({u for _, u in dirty.get(s.pk, [])})
        if s.pk not in accs or not _same_period(s, period) or len(units) > INCREMENTAL_MAX_UNITS:
            full.append(s)
        elif not units:
            marks_only.append(s)
        else:
            plans.append((s, period, units))
            unit_ids.update(units)
    meta = (
        parts.units_meta(Unit.objects.filter(pk__in=sorted(unit_ids)), summaries[0].operation)
        if unit_ids
        else {}
    )
    ready = []
    for s, period, units in plans:
        mine = {str(u): meta.get(str(u)) for u in units}
        if any(m is None or not m["path"].startswith(s.unit.path) for m in mine.values()):
            full.append(s)  # a unit left the subtree (moved): only a full build knows
        else:
            ready.append((s, period, mine))
    buckets = _buckets(ready)
    built = _swap_all(ready, accs, buckets)
    _write(built, marks_only, dirty)
    return len(built) + len(marks_only), sorted(full, key=lambda s: s.pk)


def _buckets(ready) -> dict[tuple[int, str], dict]:
    """The stored parts of every (summary, child key) the changed units fall under. 1 query."""
    if not ready:
        return {}
    wanted = Q()
    for s, _period, mine in ready:
        keys = sorted({child_key(m["path"], s.unit.path) for m in mine.values()})
        wanted |= Q(summary_id=s.pk, key__in=keys)
    return {
        (summary_id, key): json.loads(data)
        for summary_id, key, data in SummaryPart.objects.filter(wanted).values_list(
            "summary_id", "key", "data"
        )
    }


def _swap_all(ready, accs, buckets) -> list[tuple[Summary, object]]:
    """Each summary's new content. The units' rows are read once per distinct period."""
    shared: dict = {}
    task_forces: dict = {}
    missing_children = set()
    for s, _period, mine in ready:
        rows = accs[s.pk]["rows"]
        missing_children |= {child_key(m["path"], s.unit.path) for m in mine.values()} - set(rows)
    operation = ready[0][0].operation if ready else None
    children = (
        {
            m["path"]: m
            for m in parts.units_meta(
                Unit.objects.filter(path__in=sorted(missing_children)), operation
            ).values()
        }
        if missing_children
        else {}
    )
    built = []
    for s, period, mine in ready:
        ids = [int(u) for u in mine]
        key = (s.operation_id, period.first, period.through, period.previous_start,
               period.previous_end, tuple(ids))  # fmt: skip
        if key not in shared:
            shared[key] = (
                parts.unit_parts(s.operation, s.unit, period, unit_ids=ids),
                parts.notable(s.operation, s.unit, period, unit_ids=ids),
            )
        new_parts, notable = shared[key]
        if s.operation_id not in task_forces:
            task_forces[s.operation_id] = accumulate.task_force_meta(s.operation)
        keys = {child_key(m["path"], s.unit.path) for m in mine.values()}
        result = swap(
            operation=s.operation,
            unit=s.unit,
            period=period,
            acc=accs[s.pk],
            buckets={k: dict(buckets.get((s.pk, k), {})) for k in keys},
            meta=mine,
            new_parts={u: p for u, p in new_parts.items() if u in mine},
            children=children,
            notable=notable,
            task_forces=task_forces[s.operation_id],
        )
        built.append((s, result))
    return built


def _write(built, marks_only, dirty) -> None:
    """Everything in bulk: summaries, sums, the replaced parts, the dirty marks."""
    from summaries.services import content_hash  # noqa: PLC0415 - cycle: services queues the tasks that call this module

    now = timezone.now()
    changed, acc_texts = [], {}
    for s, result in built:
        acc_texts[s.pk] = state.dump(result.acc)
        new_hash = content_hash(result.content, acc_texts[s.pk])
        if new_hash != s.content_hash:
            changed.append(s)
        s.content, s.content_hash, s.built_at = result.content, new_hash, now
        s.built_marks = s.stale_marks
    for s in marks_only:
        s.built_marks = s.stale_marks
    if built:
        Summary.objects.bulk_update(
            [s for s, _ in built], ["content", "content_hash", "built_at", "built_marks"]
        )
        SummaryState.objects.bulk_update(
            [
                SummaryState(summary_id=s.pk, version=state.VERSION, acc=acc_texts[s.pk])
                for s, _ in built
            ],
            ["acc"],
        )
        doomed = Q()
        for s, r in built:
            doomed |= Q(summary_id=s.pk, key__in=list(r.replaced))
        rows = SummaryPart.objects.filter(doomed)
        rows._raw_delete(rows.db)
        inserts = [
            (s.pk, k, state.dump(v)) for s, r in built for k, v in sorted(r.buckets.items()) if v
        ]
        if inserts:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO summaries_summarypart (summary_id, key, data) VALUES (%s, %s, %s)",
                    inserts,
                )
    if marks_only:
        Summary.objects.bulk_update(marks_only, ["built_marks"])
    done = [pk for s in [*(s for s, _ in built), *marks_only] for pk, _ in dirty.get(s.pk, [])]
    if done:
        DirtyUnit.objects.filter(pk__in=done)._raw_delete(DirtyUnit.objects.db)
    for s in changed:
        record(
            actor=actors.TASKS,
            channel="system",
            action="summary.rebuild",
            obj=s,
            changes={
                "period_kind": s.period_kind,
                "period_start": s.period_start,
                "through": s.through,
            },
        )
