"""The figures of one rekap anev: in full from the period's rows, or after a late report
from the changed units only.

A full build groups the period's reports, activities and incidents (and the comparison
period's) per unit on the server and sums them there by the child-prefix key
(summaries.rollup): a fixed number of queries, each bounded by the period's dates
through an index, never by the operation's age, and no Python loop over the units. The
per-unit parts and their sums (summaries.accumulate) are stored beside the summary, so a
late or corrected report re-reads only its unit's rows over the period and swaps that
unit's part: the same content as a full build, byte for byte (a test holds it).
The content holds only data (keys, names, numbers), so building it twice over the same
reports gives an identical dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from operations import tree
from operations.models import Operation, Unit
from summaries import accumulate, parts, rollup, state
from summaries.parts import REPORTED, child_key

__all__ = [
    "REPORTED",
    "Built",
    "build_content",
    "build_full",
    "build_full_in_python",
    "build_incremental",
]

# Above this many changed units a full build is cheaper than swapping parts.
INCREMENTAL_MAX_UNITS = 200


@dataclass
class Built:
    content: dict[str, Any]
    # Parts grouped by the child key they roll up to: {key: {unit id: part}}; None after
    # a full build in SQL (the parts are still on the server: summaries.rollup).
    buckets: dict[str, dict[str, parts.Part]] | None
    acc: accumulate.Acc
    # The keys whose buckets an incremental build replaced (None: a full build).
    replaced: tuple[str, ...] | None = None


def build_full(*, operation: Operation, unit: Unit, period) -> Built:
    """Every unit's part over the period, summed in SQL (summaries.rollup): about 15
    queries whatever the size, no Python loop over the units. The parts stay on the
    server (`buckets` None) until `state.store` writes them in the same transaction.
    The SQL is PostgreSQL's; elsewhere (the SQLite demo of `scripts/run`) the reference
    build below gives the same content."""
    if connection.vendor != "postgresql":
        return build_full_in_python(operation=operation, unit=unit, period=period)
    with transaction.atomic():
        acc = rollup.build_acc(operation=operation, unit=unit, period=period)
    content = accumulate.render(acc=acc, operation=operation, unit=unit, period=period)
    return Built(content, None, acc)


def build_full_in_python(*, operation: Operation, unit: Unit, period) -> Built:
    """The same build with the parts read per unit and summed in Python (the reference
    the SQL build is tested against; the incremental build swaps parts the same way)."""
    meta = parts.units_meta(tree.in_subtree(Unit.objects.all(), unit, ""), operation)
    unit_parts = parts.unit_parts(operation, unit, period)
    acc = accumulate.fold(
        unit_parts, meta, unit.path, period.days, parts.notable(operation, unit, period)
    )
    content = accumulate.render(acc=acc, operation=operation, unit=unit, period=period)
    buckets: dict[str, dict[str, parts.Part]] = {}
    for unit_id, part in unit_parts.items():
        buckets.setdefault(child_key(meta[unit_id]["path"], unit.path), {})[unit_id] = part
    return Built(content, buckets, acc)


def build_content(*, operation: Operation, unit: Unit, period) -> dict[str, Any]:
    """Everything a rekap anev shows, built in full."""
    return build_full(operation=operation, unit=unit, period=period).content


def build_incremental(
    *, operation: Operation, unit: Unit, period, summary_id: int, unit_ids: list[int]
) -> Built | None:
    """The summary after the reports of `unit_ids` changed: their parts re-read over the
    period and swapped in the stored sums. Returns None when a full build is needed
    instead. A fixed number of queries (about 13), whatever the number of units and days."""
    ids = sorted(set(unit_ids))
    if not ids or len(ids) > INCREMENTAL_MAX_UNITS:
        return None
    acc = state.load_acc(summary_id)
    if acc is None:
        return None
    meta = parts.units_meta(tree.in_subtree(Unit.objects.filter(pk__in=ids), unit, ""), operation)
    if len(meta) != len(ids):
        return None  # a unit left the subtree (moved): only a full build knows where to
    key_of = {uid: child_key(m["path"], unit.path) for uid, m in meta.items()}
    buckets = state.load_buckets(summary_id, sorted(set(key_of.values())))
    new_parts = parts.unit_parts(operation, unit, period, unit_ids=[int(i) for i in meta])
    missing = set(key_of.values()) - set(acc["rows"])
    children = (
        {
            m["path"]: m
            for m in parts.units_meta(Unit.objects.filter(path__in=missing), operation).values()
        }
        if missing
        else {}
    )
    notable = parts.notable(operation, unit, period, unit_ids=[int(i) for i in meta])
    return swap(
        operation=operation,
        unit=unit,
        period=period,
        acc=acc,
        buckets=buckets,
        meta=meta,
        new_parts=new_parts,
        children=children,
        notable=notable,
    )


def swap(
    *,
    operation: Operation,
    unit: Unit,
    period,
    acc: accumulate.Acc,
    buckets: dict[str, dict],
    meta: dict[str, dict],
    new_parts: dict[str, parts.Part],
    children: dict[str, dict],
    notable: list,
    task_forces: list[dict] | None = None,
) -> Built:
    """Swap the parts of the units in `meta` (their buckets loaded) for `new_parts`.
    No query, unless the notable list must be re-read or the task forces are not given."""
    key_of = {uid: child_key(m["path"], unit.path) for uid, m in meta.items()}
    old_parts = {uid: buckets.get(key, {}).get(uid, {}) for uid, key in key_of.items()}
    if not accumulate.replace(
        acc, old_parts, new_parts, meta, children, unit.path, period.days, notable
    ):
        accumulate.set_notable(acc, parts.notable(operation, unit, period))
    for uid, key in key_of.items():
        bucket = buckets.setdefault(key, {})
        bucket.pop(uid, None)
        if new_parts.get(uid):
            bucket[uid] = new_parts[uid]
    content = accumulate.render(
        acc=acc, operation=operation, unit=unit, period=period, task_forces=task_forces
    )
    return Built(content, buckets, acc, tuple(sorted(set(key_of.values()))))
