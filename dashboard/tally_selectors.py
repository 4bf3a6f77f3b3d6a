"""The dashboard's aggregates read from the maintained tallies (dashboard.models): the rows
of the focus unit's children (what lies below each child) plus what the focus unit and
each child hold themselves (the source tables, by unit id through their unit indexes).
One query per family (reports, incidents, assignments), whatever the size of the tree:
the cost follows the children and the days shown, never the country.

Same results as the source-scanning selectors of dashboard.selectors (the tests compare
both on the same data): ``read`` returns the compliance rows, the report trends, the
incident rows, breakdown and trend, and the assignment rows in their shapes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from operations.models import Operation, Unit
from reports.models import SENT_STATUSES

_SENT = tuple(str(s) for s in SENT_STATUSES)

REPORTS_SQL = """
SELECT group_path, time_zone, day, sent, on_time, late, returned, personnel
FROM dashboard_reporttally
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s)
  AND day BETWEEN %(first)s AND %(end)s AND day = ANY(%(days)s) AND sent <> 0
UNION ALL
SELECT u.path, u.time_zone, r.report_date, 1, (NOT r.is_late)::int, r.is_late::int,
       (r.status = 'returned')::int, r.personnel_on_duty
FROM reports_dailyreport r JOIN operations_unit u ON u.id = r.unit_id
WHERE r.operation_id = %(op)s AND r.unit_id = ANY(%(own)s) AND r.report_date = ANY(%(days)s)
  AND r.status = ANY(%(sent)s) AND u.is_active AND u.kind = ANY(%(kinds)s)
"""

# part: a = per child and zone day (today's days, later days); b = per zone day, category
# and severity; c = every day per child; t = every day per category and severity;
# o = what the focus unit and its children hold themselves, up to the last day.
INCIDENTS_SQL = """
SELECT 'a', group_path, time_zone, day, '', '', SUM(n), 0, 0
FROM dashboard_incidenttally
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s)
  AND (day = ANY(%(today)s) OR day > %(last)s)
GROUP BY group_path, time_zone, day HAVING SUM(n) <> 0
UNION ALL
SELECT 'b', '', time_zone, day, category, severity, SUM(n), SUM(deaths), SUM(injured)
FROM dashboard_incidenttally
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s)
  AND (day BETWEEN %(first)s AND %(end)s AND day = ANY(%(days)s) OR day > %(last)s)
GROUP BY time_zone, day, category, severity HAVING SUM(n) <> 0
UNION ALL
SELECT 'c', group_path, '', NULL, '', '', SUM(n), 0, 0
FROM dashboard_incidenttotal
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s)
GROUP BY group_path HAVING SUM(n) <> 0
UNION ALL
SELECT 't', '', '', NULL, category, severity, SUM(n), SUM(deaths), SUM(injured)
FROM dashboard_incidenttotal
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s)
GROUP BY category, severity HAVING SUM(n) <> 0
UNION ALL
SELECT 'o', u.path, u.time_zone, i.report_date, i.category, i.severity, COUNT(*),
       COALESCE(SUM(i.deaths), 0), COALESCE(SUM(i.injured_serious + i.injured_light), 0)
FROM reports_incident i JOIN operations_unit u ON u.id = i.unit_id
WHERE i.operation_id = %(op)s AND i.unit_id = ANY(%(own)s)
  AND i.report_status = ANY(%(sent)s) AND i.report_date <= %(last)s
GROUP BY u.path, u.time_zone, i.report_date, i.category, i.severity
"""

ASSIGNMENTS_SQL = """
SELECT group_path, committed, bko FROM dashboard_assignmenttally
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s) AND committed <> 0
UNION ALL
SELECT u.path, own.committed, own.bko
FROM (
    SELECT unit_id, COUNT(*) AS committed, COUNT(*) FILTER (WHERE is_bko) AS bko
    FROM personnel_assignment
    WHERE operation_id = %(op)s AND unit_id = ANY(%(own)s)
    GROUP BY unit_id
) own JOIN operations_unit u ON u.id = own.unit_id
"""


TPS_SQL = """
SELECT group_path, vulnerability, tps, police_required FROM dashboard_tpstally
WHERE operation_id = %(op)s AND group_path = ANY(%(children)s) AND tps <> 0
UNION ALL
SELECT u.path, c.vulnerability, c.tps, c.police_required
FROM operations_tpscount c JOIN operations_unit u ON u.id = c.unit_id
WHERE c.operation_id = %(op)s AND c.unit_id = ANY(%(own)s) AND c.tps > 0
"""


def tps_requirement_by_group(
    operation: Operation, focus: Unit, children: list[Unit]
) -> dict[str, dict[str, dict[str, int]]]:
    """operations.count_selectors.tps_requirement_by_group from the TPS tally: {child path
    (or the focus unit's own): {vulnerability: {"tps": n, "police_required": m}}}."""
    params = {
        "op": operation.pk,
        "children": [c.path for c in children],
        "own": [focus.pk] + [c.pk for c in children],
    }
    result: dict[str, dict[str, dict[str, int]]] = {}
    for path, level, tps, required in _fetch(TPS_SQL, params):
        numbers = result.setdefault(path, {}).setdefault(level, {"tps": 0, "police_required": 0})
        numbers["tps"] += int(tps)
        numbers["police_required"] += int(required)
    return result


@dataclass
class TallyRead:
    """What dashboard.selectors computes from the source tables, from the tallies."""

    compliance: dict[str, dict[str, int]] = field(default_factory=dict)  # without total / missing
    report_days: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    incident_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    incident_breakdown: list[dict[str, Any]] = field(default_factory=list)
    incident_trend: dict[str, dict[dt.date, int]] = field(default_factory=dict)
    assignments: dict[str, dict[str, int]] = field(default_factory=dict)


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def read(
    operation: Operation,
    focus: Unit,
    children: list[Unit],
    days: dict[str, dt.date],
    window: list[dt.date],
) -> TallyRead:
    """Every tally-backed aggregate for `focus` (its own row keyed by its path, each
    child's by the child's path), for each zone's day in `days` and the trend `window`."""
    last = max(days.values())
    params = {
        "op": operation.pk,
        "children": [c.path for c in children],
        "own": [focus.pk] + [c.pk for c in children],
        "today": sorted(set(days.values())),
        "days": sorted(set(days.values()) | set(window)),
        "first": min(set(days.values()) | set(window)),
        "end": max(set(days.values()) | set(window)),
        "last": last,
        "sent": list(_SENT),
        "kinds": list(operation.reporting_kinds),
    }
    result = TallyRead()
    _reports(result, _fetch(REPORTS_SQL, params), days, set(window))
    _incidents(result, _fetch(INCIDENTS_SQL, params), days, set(window), last)
    assignments: dict[str, dict[str, int]] = {}
    for path, committed, bko in _fetch(ASSIGNMENTS_SQL, params):
        row = assignments.setdefault(path, {"committed": 0, "bko": 0})
        row["committed"] += committed
        row["bko"] += bko
    result.assignments = assignments
    return result


def _reports(
    result: TallyRead,
    rows: list[tuple[Any, ...]],
    days: dict[str, dt.date],
    window: set[dt.date],
) -> None:
    for path, zone, day, _sent, on_time, late, returned, personnel in rows:
        if days.get(zone) == day:
            row = result.compliance.setdefault(
                path, {"on_time": 0, "late": 0, "returned": 0, "personnel_on_duty": 0}
            )
            row["on_time"] += on_time
            row["late"] += late
            row["returned"] += returned
            row["personnel_on_duty"] += personnel
        if day in window:
            per_day = result.report_days.setdefault(day, {"on_time": 0, "late": 0, "personnel": 0})
            per_day["on_time"] += on_time
            per_day["late"] += late
            per_day["personnel"] += personnel


def _incidents(
    result: TallyRead,
    rows: list[tuple[Any, ...]],
    days: dict[str, dt.date],
    window: set[dt.date],
    last: dt.date,
) -> None:
    today: dict[str, int] = defaultdict(int)
    total: dict[str, int] = defaultdict(int)
    combo_today: dict[tuple[str, str], int] = defaultdict(int)
    combo_total: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    trend: dict[str, dict[dt.date, int]] = {}

    def on_day(
        zone: str,
        day: dt.date,
        combo: tuple[str, str],
        n: int,
        deaths: int,
        injured: int,
        *,
        own_row: bool = False,
    ) -> None:
        if day > last:  # in the every-day totals, after the day shown: taken out
            if not own_row:
                for i, v in enumerate((n, deaths, injured)):
                    combo_total[combo][i] -= v
            return
        if own_row:
            for i, v in enumerate((n, deaths, injured)):
                combo_total[combo][i] += v
        if days.get(zone) == day:
            combo_today[combo] += n
        if day in window and n:
            per = trend.setdefault(combo[0], {})
            per[day] = per.get(day, 0) + n

    for part, path, zone, day, category, severity, n, deaths, injured in rows:
        if part == "a":
            if day > last:
                total[path] -= n
            elif days.get(zone) == day:
                today[path] += n
        elif part == "b":
            on_day(zone, day, (category, severity), n, deaths, injured)
        elif part == "c":
            total[path] += n
        elif part == "t":
            for i, v in enumerate((n, deaths, injured)):
                combo_total[(category, severity)][i] += v
        else:  # own rows of the focus unit and its children
            total[path] += n
            if days.get(zone) == day:
                today[path] += n
            on_day(zone, day, (category, severity), n, deaths, injured, own_row=True)
    result.incident_rows = {
        path: {"total": n, "today": today.get(path, 0)} for path, n in total.items() if n
    }
    result.incident_breakdown = [
        {
            "category": category,
            "severity": severity,
            "total": numbers[0],
            "today": combo_today.get((category, severity), 0),
            "deaths": numbers[1],
            "injured": numbers[2],
        }
        for (category, severity), numbers in sorted(combo_total.items())
        if numbers[0]
    ]
    result.incident_trend = {cat: per for cat, per in trend.items() if any(per.values())}
