"""The figures of one rekap anev, computed in SQL over the unit's subtree.

A fixed number of aggregate queries per summary, whatever the size of the subtree:
the subtree is a path prefix, per-unit rows are a GROUP BY on the path of the child
unit the report falls under. The result holds only data (keys, names, numbers), so
computing it twice over the same reports gives an identical dict.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, Q, Sum, Value, When

from operations import tree
from operations.models import Operation, Unit
from operations.selectors import reporting_units
from reports.models import (
    SENT_STATUSES,
    DailyReport,
    Incident,
    ReportActivity,
    ReportStatus,
    Severity,
)
from summaries.periods import Period

REPORTED = SENT_STATUSES  # a sent report: the one definition, in reports.models
NOTABLE_LIMIT = 50


def _reports(operation: Operation, unit: Unit, first: dt.date, last: dt.date) -> dict:
    """Lookups selecting the sent reports of the subtree in [first, last] (joins, no IN)."""
    return {
        "operation": operation,
        **tree.subtree_lookup(unit, "unit"),
        "report_date__gte": first,
        "report_date__lte": last,
        "status__in": REPORTED,
    }


def _via_report(reports: dict) -> dict:
    return {f"report__{key}": value for key, value in reports.items()}


def _row_path(unit: Unit, path_field: str):
    """SQL: the path of the row a unit falls under: `unit` itself or its child on the way."""
    return tree.child_key(unit, path_field)


def percent_change(current: int, previous: int) -> float | None:
    """Change in percent of `previous`, two decimals (half up); None when previous is 0
    and current is not (a rise from nothing has no percentage)."""
    if previous == 0:
        return 0.0 if current == 0 else None
    value = (Decimal(current - previous) * 100 / Decimal(previous)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return float(value)


def trend(current: int, previous: int) -> str:
    if current > previous:
        return "naik"
    if current < previous:
        return "turun"
    return "tetap"


def _comparison_row(key: str, current: int, previous: int) -> dict[str, Any]:
    return {
        "key": key,
        "current": current,
        "previous": previous,
        "change": current - previous,
        "percent": percent_change(current, previous),
        "trend": trend(current, previous),
    }


def _totals(operation: Operation, unit: Unit, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Personnel, activities and incidents (by category) of the reported reports. 3 queries."""
    reports = _reports(operation, unit, first, last)
    head = DailyReport.objects.filter(**reports).aggregate(
        personnel=Sum("personnel_on_duty"), reports=Count("id")
    )
    activity = ReportActivity.objects.filter(**_via_report(reports)).aggregate(
        activities=Sum("count"), activity_personnel=Sum("personnel")
    )
    categories = list(
        Incident.objects.filter(**_via_report(reports))
        .values("category")
        .annotate(
            count=Count("id"),
            deaths=Sum("deaths"),
            injured_serious=Sum("injured_serious"),
            injured_light=Sum("injured_light"),
            loss_rupiah=Sum("loss_rupiah"),
        )
        .order_by("category")
    )
    by_category = [
        {key: (row[key] or 0) if key != "category" else row[key] for key in row}
        for row in categories
    ]
    return {
        "reports": head["reports"] or 0,
        "personnel": head["personnel"] or 0,
        "activities": activity["activities"] or 0,
        "activity_personnel": activity["activity_personnel"] or 0,
        "incidents": sum(r["count"] for r in by_category),
        "deaths": sum(r["deaths"] for r in by_category),
        "injured_serious": sum(r["injured_serious"] for r in by_category),
        "injured_light": sum(r["injured_light"] for r in by_category),
        "loss_rupiah": sum(r["loss_rupiah"] for r in by_category),
        "incidents_by_category": by_category,
    }


def _activities(reports: dict) -> tuple[list[dict], list[dict]]:
    base = ReportActivity.objects.filter(**_via_report(reports))
    by_kind = [
        {"kind": r["kind"], "count": r["count"] or 0, "personnel": r["personnel"] or 0}
        for r in base.values("kind")
        .annotate(count=Sum("count"), personnel=Sum("personnel"))
        .order_by("kind")
    ]
    by_task_force = [
        {
            "task_force": r["task_force__code"],
            "level": r["task_force__level"],
            "name": r["task_force__name"],
            "count": r["count"] or 0,
            "personnel": r["personnel"] or 0,
        }
        for r in base.filter(task_force__isnull=False)
        .values("task_force__code", "task_force__level", "task_force__name")
        .annotate(count=Sum("count"), personnel=Sum("personnel"))
        .order_by("task_force__level", "task_force__name", "task_force__code")
    ]
    return by_kind, by_task_force


def _notable(reports: dict) -> list[dict]:
    """Incidents rated kuning/merah or with casualties, worst and earliest first."""
    rows = (
        Incident.objects.filter(**_via_report(reports))
        .filter(
            Q(severity__in=[Severity.KUNING, Severity.MERAH])
            | Q(deaths__gt=0)
            | Q(injured_serious__gt=0)
        )
        .annotate(
            severity_order=Case(
                When(severity=Severity.MERAH, then=Value(0)),
                When(severity=Severity.KUNING, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("severity_order", "occurred_at", "id")
        .values(
            "id",
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
        )[:NOTABLE_LIMIT]
    )
    result = []
    for r in rows:
        local = r["occurred_at"].astimezone(ZoneInfo(r["unit__time_zone"]))
        result.append(
            {
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
        )
    return result


def _reporting(operation: Operation, unit: Unit, period: Period) -> dict[str, Any]:
    """Punctuality of the units that must report (operation.reporting_kinds). 3 queries."""
    first, last, days = period.first, period.through, period.days
    units = reporting_units(operation, within=unit)
    expected_units = units.count()
    in_period = Q(
        reports__operation=operation,
        reports__report_date__gte=first,
        reports__report_date__lte=last,
        reports__status__in=REPORTED,
    )
    exceptions = (
        units.annotate(
            reported_days=Count("reports", filter=in_period),
            late_days=Count("reports", filter=in_period & Q(reports__is_late=True)),
            returned_days=Count(
                "reports", filter=in_period & Q(reports__status=ReportStatus.RETURNED)
            ),
        )
        .filter(Q(reported_days__lt=days) | Q(late_days__gt=0) | Q(returned_days__gt=0))
        .order_by("path")
        .values("code", "name", "kind", "reported_days", "late_days", "returned_days")
    )
    late, missing, returned = [], [], []
    for row in exceptions:
        entry = {"code": row["code"], "name": row["name"], "kind": row["kind"]}
        if row["reported_days"] < days:
            missing.append({**entry, "days": days - row["reported_days"]})
        if row["late_days"]:
            late.append({**entry, "days": row["late_days"]})
        if row["returned_days"]:
            returned.append({**entry, "days": row["returned_days"]})
    counts = DailyReport.objects.filter(
        operation=operation,
        unit__in=units,
        report_date__gte=first,
        report_date__lte=last,
        status__in=REPORTED,
    ).aggregate(
        reported=Count("id"),
        late=Count("id", filter=Q(is_late=True)),
        returned=Count("id", filter=Q(status=ReportStatus.RETURNED)),
    )
    expected = expected_units * days
    reported = counts["reported"] or 0
    on_time = reported - (counts["late"] or 0)
    share = (
        float((Decimal(on_time) * 100 / expected).quantize(Decimal("0.01"), ROUND_HALF_UP))
        if expected
        else None
    )
    return {
        "expected_units": expected_units,
        "expected": expected,
        "reported": reported,
        "on_time": on_time,
        "late": counts["late"] or 0,
        "returned": counts["returned"] or 0,
        "missing": expected - reported,
        "on_time_percent": share,
        "late_units": late,
        "missing_units": missing,
        "returned_units": returned,
    }


def _unit_rows(operation: Operation, unit: Unit, period: Period, reports: dict) -> list[dict]:
    """One row per child unit (and the unit itself when it reports). 5 queries."""
    expected = dict(
        reporting_units(operation, within=unit)
        .annotate(row=_row_path(unit, "path"))
        .values("row")
        .annotate(n=Count("id"))
        .values_list("row", "n")
    )
    report_rows = {
        r["row"]: r
        for r in DailyReport.objects.filter(**reports)
        .annotate(row=_row_path(unit, "unit__path"))
        .values("row")
        .annotate(
            reported=Count("id"),
            late=Count("id", filter=Q(is_late=True)),
            personnel=Sum("personnel_on_duty"),
        )
        .order_by()
    }
    activities = dict(
        ReportActivity.objects.filter(**_via_report(reports))
        .annotate(row=_row_path(unit, "report__unit__path"))
        .values("row")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("row", "n")
    )
    incidents = dict(
        Incident.objects.filter(**_via_report(reports))
        .annotate(row=_row_path(unit, "report__unit__path"))
        .values("row")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("row", "n")
    )
    paths = set(expected) | set(report_rows)
    names = Unit.objects.filter(path__in=paths).order_by("path").values("path", "code", "name")
    rows = []
    for u in names:
        path = u["path"]
        rep = report_rows.get(path, {})
        exp = expected.get(path, 0) * period.days
        reported = rep.get("reported", 0)
        rows.append(
            {
                "code": u["code"],
                "name": u["name"],
                "expected": exp,
                "reported": reported,
                "on_time": reported - rep.get("late", 0),
                "missing": max(exp - reported, 0),
                "personnel": rep.get("personnel") or 0,
                "activities": activities.get(path) or 0,
                "incidents": incidents.get(path, 0),
            }
        )
    return rows


COMPARED = [
    "personnel",
    "activities",
    "incidents",
    "deaths",
    "injured_serious",
    "injured_light",
    "loss_rupiah",
]


def build_content(*, operation: Operation, unit: Unit, period: Period) -> dict[str, Any]:
    """Everything a rekap anev shows. Fixed number of queries (about 18)."""
    reports = _reports(operation, unit, period.first, period.through)
    totals = _totals(operation, unit, period.first, period.through)
    by_kind, by_task_force = _activities(reports)
    comparison = None
    if period.previous_start is not None:
        previous = _totals(operation, unit, period.previous_start, period.previous_end)
        rows = [_comparison_row(key, totals[key], previous[key]) for key in COMPARED]
        cur_cat = {r["category"]: r["count"] for r in totals["incidents_by_category"]}
        prev_cat = {r["category"]: r["count"] for r in previous["incidents_by_category"]}
        categories = [
            _comparison_row(cat, cur_cat.get(cat, 0), prev_cat.get(cat, 0))
            for cat in sorted(set(cur_cat) | set(prev_cat))
        ]
        comparison = {
            "start": period.previous_start.isoformat(),
            "end": period.previous_end.isoformat(),
            "rows": rows,
            "categories": categories,
        }
    return {
        "operation": {"code": operation.code, "name": operation.name},
        "unit": {"code": unit.code, "name": unit.name, "kind": unit.kind},
        "period": {
            "kind": period.kind,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "first": period.first.isoformat(),
            "through": period.through.isoformat(),
            "days": period.days,
            "phase": period.phase.name if period.phase else None,
            "day_number": operation.day_number(period.through),
        },
        "totals": {k: v for k, v in totals.items() if k != "incidents_by_category"},
        "incidents_by_category": totals["incidents_by_category"],
        "activities_by_kind": by_kind,
        "activities_by_task_force": by_task_force,
        "notable_incidents": _notable(reports),
        "comparison": comparison,
        "reporting": _reporting(operation, unit, period),
        "units": _unit_rows(operation, unit, period, reports),
    }
