"""The dashboard for one focus: `build` puts the selectors' aggregates together into a
typed `Dashboard`; `chart_payload` is what dashboard.js draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard import aggregates
from dashboard import selectors as agg
from dashboard.results import (
    CategoryCount,
    Compliance,
    Dashboard,
    IncidentSummary,
    LevelNeed,
    MapData,
    MapUnit,
    PersonnelNeed,
    SeverityCount,
    UnitRow,
)
from operations import selectors
from operations.focus import Focus
from operations.models import Operation, PostKind, Unit, Vulnerability
from pamilu.scoping import Viewer, visible_units
from reports.models import IncidentCategory, Severity

_COMPLIANCE_KEYS = ("total", "on_time", "late", "missing", "returned")


def report_url(report_id: int) -> str:
    try:
        return reverse("reports:detail", args=[report_id])
    except NoReverseMatch:
        return reverse("reports:list")


def level_total(by_level: dict[str, dict[str, int]]) -> dict[str, int]:
    return {
        "tps": sum(v["tps"] for v in by_level.values()),
        "police_required": sum(v["police_required"] for v in by_level.values()),
    }


def build(user: Viewer, query: Focus, now: dt.datetime | None = None) -> Dashboard:
    """Every number of the dashboard for `query` (operation, focus unit, day)."""
    now = now or timezone.now()
    operation, focus = query.operation, query.unit
    header_day = query.day or query.user_today
    board = Dashboard(
        operation=operation,
        focus=focus,
        day=header_day,
        explicit_day=query.day is not None,
        generated_at=now,
    )
    if operation is None or focus is None:
        return board

    vote = selectors.voting_day(operation)
    board.phase = selectors.phase_on(operation, header_day)
    board.day_number = operation.day_number(header_day)
    board.total_days = operation.total_days
    board.voting_day = vote
    board.days_to_vote = (vote - header_day).days if vote else None
    board.days_after_vote = (header_day - vote).days if vote else None

    days = agg.zone_days(query.day, now)
    board.breadcrumb = list(
        focus.ancestors(include_self=True).filter(pk__in=visible_units(user)).order_by("depth")
    )
    children = list(Unit.objects.filter(parent=focus).order_by("name"))
    # TPS and police required per child (and for the focus unit's own TPS), by level.
    # From the maintained counts (operations.counts), never from the posts.
    requirement = aggregates.requirement(user, operation, focus, children)
    numbers = aggregates.compute(user, operation, focus, children, days)
    board.rows = _rows(focus, children, numbers, requirement)
    requirement_levels = _by_level(requirement)

    board.compliance = Compliance(
        **{key: sum(getattr(row, key) for row in board.rows) for key in _COMPLIANCE_KEYS}
    )
    latest = agg.latest_incidents(user, operation, focus, days)
    for incident in latest:
        incident.report_url = report_url(incident.report_id)  # type: ignore[attr-defined]  # for the panel
    board.missing = agg.missing_units(user, operation, focus, days, now)
    board.personnel = PersonnelNeed(
        on_duty=sum(row.personnel_on_duty for row in board.rows),
        committed=sum(row.committed for row in board.rows),
        bko=sum(row.bko for row in board.rows),
        police_required=sum(v["police_required"] for v in requirement_levels.values()),
        tps=sum(v["tps"] for v in requirement_levels.values()),
        by_level=[
            LevelNeed(level=level, label=str(label), **requirement_levels[level])
            for level, label in Vulnerability.choices
            if level in requirement_levels
        ],
    )
    board.incidents = _incident_summary(numbers.breakdown)
    board.latest_incidents = latest
    board.trends = agg.trends_from(
        operation, days, board.compliance.total, numbers.report_days, numbers.incident_trend
    )
    board.map = _map(user, operation, focus, days, board.rows, requirement)
    return board


def _map(
    user: Viewer,
    operation: Operation,
    focus: Unit,
    days: dict[str, dt.date],
    rows: list[UnitRow],
    requirement: dict[str, dict[str, dict[str, int]]],
) -> MapData:
    """Points where they fit (a Polres or Polsek with at most MAP_POINT_LIMIT TPS: its
    posts and today's incidents); otherwise one marker per unit row (each child, and the
    focus unit's own) with its counts and its worst state, at the unit's seat."""
    tps = sum(n["tps"] for levels in requirement.values() for n in levels.values())
    points = agg.map_shows_every_tps(focus) and tps <= agg.MAP_POINT_LIMIT
    data = MapData(every_tps=points, aggregated=not points)
    if points:
        data.posts = agg.map_posts(user, operation, focus)
        data.incidents = agg.map_incidents(user, operation, focus, days)
    data.units = [
        MapUnit(
            code=row.unit.code,
            name=row.unit.name,
            lat=float(row.unit.latitude),
            lng=float(row.unit.longitude),
            missing=row.missing,
            total=row.total,
            tps=row.tps,
            incidents_today=row.incidents_today,
            worst=_worst_level(requirement.get(row.unit.path, {})),
        )
        for row in rows
        if row.unit.latitude is not None and row.unit.longitude is not None
    ]
    return data


def _worst_level(levels: dict[str, dict[str, int]]) -> str:
    """The most vulnerable TPS level present ("" without TPS)."""
    for level in agg.VULNERABILITY_ORDER:
        if levels.get(level, {}).get("tps"):
            return str(level)
    return ""


def _by_level(requirement: dict[str, dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    by_level: dict[str, dict[str, int]] = {}
    for levels in requirement.values():
        for level, numbers in levels.items():
            total = by_level.setdefault(level, {"tps": 0, "police_required": 0})
            total["tps"] += numbers["tps"]
            total["police_required"] += numbers["police_required"]
    return by_level


def _rows(
    focus: Unit,
    children: list[Unit],
    numbers: aggregates.Aggregates,
    requirement: dict[str, dict[str, dict[str, int]]],
) -> list[UnitRow]:
    """A row for the focus unit's own (when it reports or holds anything) and each child."""
    compliance, assignments = numbers.compliance, numbers.assignments
    incidents = numbers.incidents
    rows = []
    for unit, own in [(focus, True)] + [(child, False) for child in children]:
        c = compliance.get(unit.path, {})
        a = assignments.get(unit.path, {})
        i = incidents.get(unit.path, {})
        req = level_total(requirement.get(unit.path, {}))
        row = UnitRow(
            unit=unit,
            own=own,
            **{key: c.get(key, 0) for key in _COMPLIANCE_KEYS},
            personnel_on_duty=c.get("personnel_on_duty") or 0,
            committed=a.get("committed", 0),
            bko=a.get("bko", 0),
            tps=req.get("tps", 0),
            police_required=req.get("police_required", 0),
            incidents_today=i.get("today", 0),
            incidents_total=i.get("total", 0),
        )
        if own and not (row.total or row.committed or row.incidents_total or row.tps):
            continue  # the focus unit itself neither reports nor holds anything
        rows.append(row)
    return rows


def _incident_summary(breakdown: list[dict[str, Any]]) -> IncidentSummary:
    categories = dict(IncidentCategory.choices)
    severities = dict(Severity.choices)
    by_category: dict[str, CategoryCount] = {}
    by_severity = {s: [0, 0] for s in Severity.values}
    for row in breakdown:
        cat = by_category.setdefault(
            row["category"],
            CategoryCount(
                category=row["category"],
                label=str(categories.get(row["category"], row["category"])),
            ),
        )
        cat.today += row["today"]
        cat.total += row["total"]
        cat.deaths += row["deaths"]
        cat.injured += row["injured"]
        sev = by_severity.setdefault(row["severity"], [0, 0])
        sev[0] += row["today"]
        sev[1] += row["total"]
    return IncidentSummary(
        today=sum(row["today"] for row in breakdown),
        total=sum(row["total"] for row in breakdown),
        by_category=sorted(by_category.values(), key=lambda c: (-c.total, c.label)),
        by_severity=[
            SeverityCount(severity=s, label=str(severities.get(s, s)), today=t, total=n)
            for s, (t, n) in by_severity.items()
        ],
    )


def chart_payload(board: Dashboard) -> dict[str, Any]:
    """What dashboard.js draws: trends and map markers, with translated labels."""
    return {
        "trends": asdict(board.trends),
        "map": asdict(board.map),
        "labels": {
            "on_time": _("Tepat waktu"),
            "late": _("Terlambat"),
            "missing": _("Belum lapor"),
            "personnel": _("Personel bertugas"),
            "incidents": _("Kejadian"),
            "vulnerability": {k: str(v) for k, v in Vulnerability.choices},
            "post_kind": {k: str(v) for k, v in PostKind.choices},
            "severity": {k: str(v) for k, v in Severity.choices},
        },
        "tile_url": settings.PAMILU_MAP_TILE_URL,
    }
