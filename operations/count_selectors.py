"""Reads of the maintained TPS numbers (operations.models.TpsCount), grouped by the
child-prefix key of a focus unit: one aggregate query over at most (units × 4 levels)
rows, never over the posts.

Drop-in replacements for the posts-scanning selectors in ``operations.selectors``
(``tps_requirement_by_group`` / ``_by_level`` / ``_by_child``): same arguments, same
result shapes, same numbers (tests/operations/test_count_selectors.py holds them equal).
"""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from operations import tree
from operations.models import Operation, TpsCount, Unit


def _counts(operation: Operation, within: Unit) -> QuerySet[TpsCount]:
    return TpsCount.objects.filter(tree.subtree_q(within, "unit"), operation=operation, tps__gt=0)


def tps_requirement_by_group(
    operation: Operation, within: Unit
) -> dict[str, dict[str, dict[str, int]]]:
    """{child path: {vulnerability: {"tps": n, "police_required": m}}} for each direct
    child of `within` and for the TPS `within` itself holds (keyed by `within.path`)."""
    rows = (
        _counts(operation, within)
        .annotate(group_path=tree.child_key(within, "unit__path"))
        .values("group_path", "vulnerability")
        .annotate(tps_sum=Sum("tps"), required=Sum("police_required"))
        .order_by()
    )
    result: dict[str, dict[str, dict[str, int]]] = {}
    for row in rows:
        result.setdefault(row["group_path"], {})[row["vulnerability"]] = {
            "tps": int(row["tps_sum"]),
            "police_required": int(row["required"]),
        }
    return result


def tps_requirement_by_level(operation: Operation, within: Unit) -> dict[str, dict[str, int]]:
    """{vulnerability: {"tps": n, "police_required": m}} for the TPS below `within`."""
    rows = (
        _counts(operation, within)
        .values("vulnerability")
        .annotate(tps_sum=Sum("tps"), required=Sum("police_required"))
        .order_by()
    )
    return {
        r["vulnerability"]: {"tps": int(r["tps_sum"]), "police_required": int(r["required"])}
        for r in rows
    }


def tps_requirement_by_child(operation: Operation, within: Unit) -> dict[int, dict[str, int]]:
    """{child unit id: {"tps": n, "police_required": m}} for each direct child of `within`."""
    by_group = tps_requirement_by_group(operation, within)
    children = Unit.objects.filter(parent=within, path__in=list(by_group)).values_list("path", "pk")
    return {
        pk: {
            "tps": sum(v["tps"] for v in by_group[path].values()),
            "police_required": sum(v["police_required"] for v in by_group[path].values()),
        }
        for path, pk in children
    }
