"""The figures of one rekap anev: in full from the period's rows, or after a late report
from the changed units only.

A full build reads the subtree's units once and the period's reports, activities and
incidents (and the comparison period's) grouped per unit: a fixed number of queries,
each bounded by the period's dates through an index, never by the operation's age. The
per-unit parts and their sums (summaries.accumulate) are stored beside the summary, so a
late or corrected report re-reads only its unit's rows over the period and swaps that
unit's part: the same content as a full build, byte for byte (a test holds it).
The content holds only data (keys, names, numbers), so building it twice over the same
reports gives an identical dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from operations.models import Operation, Unit
from summaries import accumulate, parts
from summaries.parts import REPORTED, child_key

__all__ = ["REPORTED", "Built", "build_content", "build_full", "build_incremental"]

# Above this many changed units a full build is cheaper than swapping parts.
INCREMENTAL_MAX_UNITS = 200


@dataclass
class Built:
    content: dict[str, Any]
    parts: dict[str, parts.Part]
    acc: accumulate.Acc
    # The units whose parts were replaced (an incremental build); parts holds theirs.
    acc_units: tuple[int, ...] = ()


def build_full(*, operation: Operation, unit: Unit, period) -> Built:
    """Every unit's part over the period, summed. About 10 queries, whatever the size."""
    meta = parts.units_meta(Unit.objects.filter(path__startswith=unit.path), operation)
    unit_parts = parts.unit_parts(operation, unit, period)
    acc = accumulate.fold(
        unit_parts, meta, unit.path, period.days, parts.notable(operation, unit, period)
    )
    content = accumulate.render(acc=acc, operation=operation, unit=unit, period=period)
    return Built(content, unit_parts, acc)


def build_content(*, operation: Operation, unit: Unit, period) -> dict[str, Any]:
    """Everything a rekap anev shows, built in full."""
    return build_full(operation=operation, unit=unit, period=period).content


def build_incremental(
    *,
    operation: Operation,
    unit: Unit,
    period,
    acc: accumulate.Acc,
    old_parts: dict[str, parts.Part],
    unit_ids: list[int],
) -> Built | None:
    """The summary after the reports of `unit_ids` changed: their parts re-read over the
    period and swapped in `acc`. `old_parts` holds (at least) those units' stored parts.
    Returns None when a full build is needed instead. A fixed number of queries (about
    10), whatever the number of units and days."""
    ids = sorted(set(unit_ids))
    if not ids or len(ids) > INCREMENTAL_MAX_UNITS:
        return None
    meta = parts.units_meta(Unit.objects.filter(pk__in=ids, path__startswith=unit.path), operation)
    if len(meta) != len(ids):
        return None  # a unit left the subtree (moved): only a full build knows where to
    new_parts = parts.unit_parts(operation, unit, period, unit_ids=[int(i) for i in meta])
    keys = {child_key(m["path"], unit.path) for m in meta.values()} - set(acc["rows"])
    children = (
        {
            m["path"]: m
            for m in parts.units_meta(Unit.objects.filter(path__in=keys), operation).values()
        }
        if keys
        else {}
    )
    notable = parts.notable(operation, unit, period, unit_ids=[int(i) for i in meta])
    if not accumulate.replace(
        acc, old_parts, new_parts, meta, children, unit.path, period.days, notable
    ):
        accumulate.set_notable(acc, parts.notable(operation, unit, period))
    stored = {k: v for k, v in new_parts.items() if k in meta}
    content = accumulate.render(acc=acc, operation=operation, unit=unit, period=period)
    return Built(content, stored, acc, tuple(int(i) for i in meta))
