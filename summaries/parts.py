"""Per-unit contributions to a summary, read from the period's rows only.

A summary of unit U over [first, through] (compared with [previous_start, previous_end])
is the sum of one *part* per unit of U's subtree. A part holds what the unit's sent
reports add over the period: report counts, personnel, activities by kind and task
force, incidents by category, and the same figures over the comparison period. Every
query here filters the reports by the operation, the period's dates and the sent states
(the index `report_day_idx`), or, for a few units after a late report, by the unit and
the dates (`report_unit_day_idx`); nothing reads the operation's other days.

The parts are JSON-shaped (string keys, lists of ints) so they can be stored beside the
summary and replaced one unit at a time (summaries.accumulate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When

from operations import tree
from operations.models import Operation, Unit
from reports.models import (
    SENT_STATUSES,
    DailyReport,
    Incident,
    ReportActivity,
    ReportStatus,
    Severity,
)

REPORTED = SENT_STATUSES  # a sent report: the one definition, in reports.models
NOTABLE_LIMIT = 50

# A part: {"r": [sent, late, returned, personnel],
#          "a": {kind: [count, personnel]}, "t": {task force id: [count, personnel]},
#          "i": {category: [incidents, deaths, injured serious, injured light, loss]},
#          "pp": previous personnel, "pa": previous activities,
#          "pi": {category: [...]} over the comparison period}
Part = dict[str, Any]
INCIDENT_SUMS = ["deaths", "injured_serious", "injured_light", "loss_rupiah"]


def child_key(path: str, focus_path: str) -> str:
    """The roll-up key of a unit under `focus_path`: the focus itself or its child on the way.

    The Python twin of operations.tree.child_key (the same key, for parts already read
    per unit); the one place summaries compute it."""
    if path == focus_path:
        return focus_path
    rest = path[len(focus_path) :]
    cut = rest.find("/")
    return focus_path + (rest if cut < 0 else rest[: cut + 1])


def _sent(operation: Operation, scope: Unit, first: dt.date, last: dt.date, unit_ids) -> dict:
    lookups: dict[str, Any] = {
        "operation": operation,
        "report_date__gte": first,
        "report_date__lte": last,
        "status__in": REPORTED,
    }
    if unit_ids is None:
        lookups.update(tree.subtree_lookup(scope, "unit"))
    else:
        lookups["unit_id__in"] = list(unit_ids)
    return lookups


def _via_report(lookups: dict) -> dict:
    return {f"report__{key}": value for key, value in lookups.items()}


def _part(parts: dict[str, Part], unit_id: int) -> Part:
    return parts.setdefault(str(unit_id), {})


def _add_current(parts: dict[str, Part], lookups: dict) -> None:
    """3 queries: reports, activities and incidents of the period, per unit."""
    for unit_id, n, late, returned, personnel in (
        DailyReport.objects.filter(**lookups)
        .values("unit_id")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(is_late=True)),
            returned=Count("id", filter=Q(status=ReportStatus.RETURNED)),
            personnel=Sum("personnel_on_duty"),
        )
        .order_by()
        .values_list("unit_id", "n", "late", "returned", "personnel")
    ):
        _part(parts, unit_id)["r"] = [n, late, returned, personnel or 0]
    for unit_id, kind, task_force, count, people in (
        ReportActivity.objects.filter(**_via_report(lookups))
        .values("report__unit_id", "kind", "task_force_id")
        .annotate(c=Sum("count"), p=Sum("personnel"))
        .order_by()
        .values_list("report__unit_id", "kind", "task_force_id", "c", "p")
    ):
        part = _part(parts, unit_id)
        bucket = part.setdefault("a", {}).setdefault(kind, [0, 0])
        bucket[0] += count or 0
        bucket[1] += people or 0
        if task_force is not None:
            bucket = part.setdefault("t", {}).setdefault(str(task_force), [0, 0])
            bucket[0] += count or 0
            bucket[1] += people or 0
    for unit_id, category, values in _incident_rows(lookups):
        _part(parts, unit_id).setdefault("i", {})[category] = values


def _incident_rows(lookups: dict) -> Iterable[tuple]:
    """(unit id, category, [incidents, deaths, serious, light, loss]) of the period."""
    for unit_id, category, n, *sums in (
        Incident.objects.filter(**_via_report(lookups))
        .values("report__unit_id", "category")
        .annotate(n=Count("id"), **{f: Sum(f) for f in INCIDENT_SUMS})
        .order_by()
        .values_list("report__unit_id", "category", "n", *INCIDENT_SUMS)
    ):
        yield unit_id, category, [n, *(v or 0 for v in sums)]


def _add_previous(parts: dict[str, Part], lookups: dict) -> None:
    """3 queries: what the comparison needs of the previous period, per unit."""
    for unit_id, personnel in (
        DailyReport.objects.filter(**lookups)
        .values("unit_id")
        .annotate(p=Sum("personnel_on_duty"))
        .order_by()
        .values_list("unit_id", "p")
    ):
        if personnel:
            _part(parts, unit_id)["pp"] = personnel
    for unit_id, count in (
        ReportActivity.objects.filter(**_via_report(lookups))
        .values("report__unit_id")
        .annotate(c=Sum("count"))
        .order_by()
        .values_list("report__unit_id", "c")
    ):
        if count:
            _part(parts, unit_id)["pa"] = count
    for unit_id, category, values in _incident_rows(lookups):
        _part(parts, unit_id).setdefault("pi", {})[category] = values


def unit_parts(
    operation: Operation, scope: Unit, period, *, unit_ids: Iterable[int] | None = None
) -> dict[str, Part]:
    """The parts of every unit of `scope` with something in the period (unit_ids=None), or
    of the given units only (missing ones have nothing). At most 6 queries."""
    parts: dict[str, Part] = {}
    if unit_ids is not None:
        unit_ids = list(unit_ids)
        if not unit_ids:
            return parts
    _add_current(parts, _sent(operation, scope, period.first, period.through, unit_ids))
    if period.previous_start is not None:
        _add_previous(
            parts, _sent(operation, scope, period.previous_start, period.previous_end, unit_ids)
        )
    return parts


def units_meta(queryset: QuerySet[Unit], operation: Operation) -> dict[str, dict]:
    """id -> path, code, name, kind and whether the unit must report. 1 query."""
    reporting_kinds = set(operation.reporting_kinds)
    root = operation.unit
    return {
        str(u["id"]): {
            "path": u["path"],
            "code": u["code"],
            "name": u["name"],
            "kind": u["kind"],
            "reporting": bool(
                u["is_active"] and u["kind"] in reporting_kinds and u["path"].startswith(root.path)
            ),
        }
        for u in queryset.order_by().values("id", "path", "code", "name", "kind", "is_active")
    }


def notable(
    operation: Operation, scope: Unit, period, *, unit_ids: Iterable[int] | None = None
) -> list[list]:
    """Incidents rated kuning/merah or with casualties, worst and earliest first, as
    [severity order, occurred at (UTC, fixed width), id, unit id, entry]. 1 query."""
    rows = Incident.objects.filter(
        **_via_report(_sent(operation, scope, period.first, period.through, unit_ids))
    ).filter(
        Q(severity__in=[Severity.KUNING, Severity.MERAH])
        | Q(deaths__gt=0)
        | Q(injured_serious__gt=0)
    )
    order = {Severity.MERAH: 0, Severity.KUNING: 1}
    rows = (
        rows.annotate(
            severity_order=Case(
                When(severity=Severity.MERAH, then=Value(0)),
                When(severity=Severity.KUNING, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("severity_order", "occurred_at", "id")
        .values(
            "id",
            "report__unit_id",
            "unit__code",
            "unit__name",
            "unit__time_zone",
            "category",
            "severity",
            "occurred_at",
            "place",
            "description",
            "deaths",
            "injured_serious",
            "injured_light",
            "loss_rupiah",
        )
    )
    if unit_ids is None:
        rows = rows[: NOTABLE_LIMIT + 1]
    result = []
    for r in rows:
        local = r["occurred_at"].astimezone(ZoneInfo(r["unit__time_zone"]))
        utc = r["occurred_at"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        entry = {
            "id": r["id"],
            "unit": r["unit__name"],
            "unit_code": r["unit__code"],
            "category": r["category"],
            "severity": r["severity"],
            "occurred_at": local.strftime("%Y-%m-%d %H:%M"),
            "place": r["place"],
            "description": r["description"],
            "deaths": r["deaths"],
            "injured_serious": r["injured_serious"],
            "injured_light": r["injured_light"],
            "loss_rupiah": r["loss_rupiah"],
        }
        result.append([order.get(r["severity"], 2), utc, r["id"], r["report__unit_id"], entry])
    return result
