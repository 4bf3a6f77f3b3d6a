"""The dashboard's aggregates: a fixed number of queries whatever the size of the tree.

Everything is computed for one operation, one *focus* unit (the user's own unit or a
unit below it, chosen by drill-down) and one day. Rows per direct child of the focus
unit are made by grouping on the child roll-up key of operations.tree, so the number of
queries never depends on how many units, posts or reports there are. A row for the focus unit itself
holds what it reports or guards directly (a Polres is itself a reporting unit).

The day. Without an explicit day, "today" is each unit's own local day (WIB/WITA/WIT,
from operations.clock): at 23:30 WIB the Maluku units are already on the next day. With
an explicit day every unit is counted for that calendar day. Each unit's deadline is
its own local deadline hour.

Compliance of a reporting unit for its day:
- on time: a report sent (reports.models.sent_q: submitted, accepted, or returned for
  correction) and not late;
- late: a sent report flagged ``is_late`` (set at its first submission);
- missing: no report, or only a draft.
A returned report counts by its first submission: the unit did report, the correction
belongs to the review workflow; ``returned`` is shown beside the counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from dashboard.results import MapIncident, MapPost, MissingUnit, TrendCategory, Trends
from operations import clock, selectors, tree
from operations.models import Operation, Post, PostKind, TimeZone, Unit, UnitKind, Vulnerability
from pamilu.scoping import Viewer, scope, visible_units
from personnel.models import Assignment
from reports import fact_selectors
from reports.models import DailyReport, Incident, IncidentCategory, ReportStatus, sent_q

MISSING_LIST_LIMIT = 50
LATEST_INCIDENTS_LIMIT = fact_selectors.LATEST_INCIDENTS_LIMIT
MAP_POST_LIMIT = 3000
# The map shows points (every post, today's incidents) only when they fit on the screen:
# a Polres or Polsek with at most this many TPS. Otherwise one marker per unit row.
MAP_POINT_LIMIT = 500
MAP_INCIDENT_LIMIT = fact_selectors.MAP_INCIDENT_LIMIT
TREND_DAYS = 30

# Most vulnerable first: when the map must be capped, these are kept.
VULNERABILITY_ORDER = [
    Vulnerability.KHUSUS,
    Vulnerability.SANGAT_RAWAN,
    Vulnerability.RAWAN,
    Vulnerability.KURANG_RAWAN,
]


def zone_days(day: dt.date | None, at: dt.datetime | None = None) -> dict[str, dt.date]:
    """The day to count in each zone: `day` everywhere, or each zone's own today."""
    if day is not None:
        return dict.fromkeys(TimeZone.values, day)
    return {zone: clock.local_date(Unit(time_zone=zone), at) for zone in TimeZone.values}


def _unit_day(days: dict[str, dt.date], prefix: str = "") -> Case:
    """SQL: the day to count for a unit, by its zone."""
    return Case(
        *(When(**{f"{prefix}time_zone": zone}, then=Value(day)) for zone, day in days.items()),
        output_field=DateField(),
    )


def _on_unit_day(days: dict[str, dt.date], unit_prefix: str, date_field: str) -> Q:
    """A filter: `date_field` is the day to count for the row's unit."""
    q = Q()
    for zone, day in days.items():
        q |= Q(**{f"{unit_prefix}time_zone": zone, date_field: day})
    return q


def _reporting_units(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> QuerySet[Unit]:
    """Reporting units below `focus`, each joined (LEFT JOIN) to its report for its day."""
    units = selectors.reporting_units(operation, within=focus) & visible_units(user)
    return units.annotate(
        day=_unit_day(days),
        todays=FilteredRelation(
            "reports",
            condition=Q(reports__operation=operation) & Q(reports__report_date=_unit_day(days)),
        ),
    )


# On the joined report (`todays`): sent means anything but a draft.
_SENT = sent_q("todays__")


def compliance_rows(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> dict[str, dict[str, int]]:
    """{group path: counts} for the focus unit and each child with reporting units."""
    rows = (
        _reporting_units(user, operation, focus, days)
        .annotate(group_path=tree.child_key(focus, "path"))
        .values("group_path")
        .annotate(
            total=Count("pk"),
            on_time=Count("todays", filter=_SENT & Q(todays__is_late=False)),
            late=Count("todays", filter=_SENT & Q(todays__is_late=True)),
            returned=Count("todays", filter=Q(todays__status=ReportStatus.RETURNED)),
            personnel_on_duty=Coalesce(Sum("todays__personnel_on_duty", filter=_SENT), 0),
        )
        .order_by("group_path")
    )
    result = {}
    for row in rows:
        row["missing"] = row["total"] - row["on_time"] - row["late"]
        result[row.pop("group_path")] = row
    return result


# Earliest deadline first; WIB last.
_ZONE_ORDER: dict[str, int] = {TimeZone.WIT: 0, TimeZone.WITA: 1}


def missing_units(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date], now: dt.datetime
) -> list[MissingUnit]:
    """The first units still missing today, earliest local deadline first.

    Per zone: the units in path order, each probed for a sent report for its zone's day
    (the reports' (unit, day) index) until the list is full: the cost follows the list
    shown, not the number of units below the focus."""
    units_below = selectors.reporting_units(operation, within=focus) & visible_units(user)
    per_zone = [
        units_below.filter(time_zone=zone)
        .filter(
            ~Exists(
                DailyReport.objects.filter(
                    sent_q(), unit=OuterRef("pk"), operation=operation, report_date=day
                )
            )
        )
        .order_by("path")
        .values_list("pk", flat=True)[:MISSING_LIST_LIMIT]
        for zone, day in sorted(days.items(), key=lambda item: _ZONE_ORDER.get(item[0], 2))
    ]
    first: Any
    if len(per_zone) == 1:
        first = per_zone[0]
    elif connection.features.supports_slicing_ordering_in_compound:
        first = per_zone[0].union(*per_zone[1:], all=True)
    else:  # SQLite (the scripts/run demo): no LIMIT inside a UNION, one query per zone
        first = [pk for zone_pks in per_zone for pk in zone_pks]
    zone_order = Case(
        *(When(time_zone=zone, then=Value(n)) for zone, n in _ZONE_ORDER.items()),
        default=Value(2),
        output_field=IntegerField(),
    )
    units = (
        Unit.objects.filter(pk__in=first)
        .select_related("parent")
        .annotate(day=_unit_day(days), zone_order=zone_order)
        .order_by("zone_order", "path")[:MISSING_LIST_LIMIT]
    )
    result = []
    for unit in units:
        day: dt.date = unit.day  # annotated by _reporting_units
        deadline = clock.report_deadline(operation, unit, day)
        result.append(
            MissingUnit(
                unit=unit,
                code=unit.code,
                name=unit.name,
                parent=unit.parent.name if unit.parent else "",
                day=day,
                deadline=deadline,
                deadline_local=deadline.astimezone(unit.zone),
                deadline_text=deadline.astimezone(unit.zone).strftime("%d/%m %H:%M"),
                zone=unit.zone_abbreviation,
                overdue=now > deadline,
            )
        )
    return result


def assignment_rows(user: Viewer, operation: Operation, focus: Unit) -> dict[str, dict[str, int]]:
    """Personnel committed on warrants: {group path: {committed, bko}}."""
    rows = (
        scope(user, Assignment.objects.filter(operation=operation))
        .filter(tree.subtree_q(focus, "unit"))
        .annotate(group_path=tree.child_key(focus, "unit__path"))
        .values("group_path")
        .annotate(committed=Count("pk"), bko=Count("pk", filter=Q(is_bko=True)))
        .order_by("group_path")
    )
    return {row.pop("group_path"): row for row in rows}


# Incidents are read through their own copies of their report's day and state
# (reports.facts): no join to the reports table (reports.fact_selectors).
def incident_rows(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> dict[str, dict[str, int]]:
    """Incidents today and so far per child: {group path: {today, total}}."""
    return fact_selectors.incident_rows(user, operation, focus, days)


def incident_breakdown(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> list[dict[str, Any]]:
    """By category and severity: today and the operation so far."""
    return fact_selectors.incident_breakdown(user, operation, focus, days)


def latest_incidents(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> list[Incident]:
    return fact_selectors.latest_incidents(user, operation, focus, days)


def map_shows_every_tps(focus: Unit) -> bool:
    """From a Polres down the map shows every TPS; above it (hundreds of thousands of
    TPS) only the rawan, sangat rawan and khusus ones, with warehouses and offices."""
    return focus.kind in (UnitKind.POLRES, UnitKind.POLSEK)


def map_posts(user: Viewer, operation: Operation, focus: Unit) -> list[MapPost]:
    """Posts with coordinates, the most vulnerable first when capped."""
    posts = scope(user, Post.objects.filter(operation=operation)).filter(
        tree.subtree_q(focus, "unit"), latitude__isnull=False
    )
    if not map_shows_every_tps(focus):
        posts = posts.exclude(kind=PostKind.TPS, vulnerability=Vulnerability.KURANG_RAWAN)
    order = Case(
        *(When(vulnerability=v, then=Value(i)) for i, v in enumerate(VULNERABILITY_ORDER)),
        default=Value(len(VULNERABILITY_ORDER)),
        output_field=IntegerField(),
    )
    rows = (
        posts.annotate(rank=order)
        .order_by("rank", "pk")
        .values("name", "kind", "vulnerability", "latitude", "longitude")[:MAP_POST_LIMIT]
    )
    return [
        MapPost(
            name=r["name"],
            kind=r["kind"],
            vulnerability=r["vulnerability"] or r["kind"],
            lat=float(r["latitude"]),
            lng=float(r["longitude"]),
        )
        for r in rows
    ]


def map_incidents(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date]
) -> list[MapIncident]:
    """Today's incidents, placed at their own point, else their post, else their unit."""
    return [
        MapIncident(**row) for row in fact_selectors.map_incidents(user, operation, focus, days)
    ]


def trend_days(operation: Operation, last_day: dt.date) -> list[dt.date]:
    """The operation's days up to `last_day`, the last TREND_DAYS of them."""
    end = min(last_day, operation.end_date)
    start = max(operation.start_date, end - dt.timedelta(days=TREND_DAYS - 1))
    if end < start:
        return []
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def unit_totals(user: Viewer, operation: Operation, focus: Unit) -> dict[str, int]:
    """{group path: reporting units} for the focus unit and each child (no reports read)."""
    rows = (
        (selectors.reporting_units(operation, within=focus) & visible_units(user))
        .annotate(group_path=tree.child_key(focus, "path"))
        .values("group_path")
        .annotate(total=Count("pk"))
        .order_by()
    )
    return {row["group_path"]: row["total"] for row in rows}


def report_days(
    user: Viewer, operation: Operation, focus: Unit, window: list[dt.date]
) -> dict[dt.date, dict[str, int]]:
    """{day: {on_time, late, personnel}} of the sent reports below `focus` in `window`."""
    if not window:
        return {}
    reports = (
        scope(user, DailyReport.objects.filter(operation=operation))
        .filter(
            tree.subtree_q(focus, "unit"),
            sent_q(),
            unit__kind__in=operation.reporting_kinds,
            unit__is_active=True,
            report_date__gte=window[0],
            report_date__lte=window[-1],
        )
        .values("report_date")
        .annotate(
            on_time=Count("pk", filter=Q(is_late=False)),
            late=Count("pk", filter=Q(is_late=True)),
            personnel=Coalesce(Sum("personnel_on_duty"), 0),
        )
        .order_by("report_date")
    )
    return {row.pop("report_date"): row for row in reports}


def trends(
    user: Viewer, operation: Operation, focus: Unit, days: dict[str, dt.date], units_total: int
) -> Trends:
    """Per day, from the source tables (the same as the tallies give: dashboard.aggregates)."""
    window = trend_days(operation, max(days.values()))
    return trends_from(
        operation,
        days,
        units_total,
        report_days(user, operation, focus, window),
        fact_selectors.incident_trend(user, operation, focus, window),
    )


def trends_from(
    operation: Operation,
    days: dict[str, dt.date],
    units_total: int,
    by_day: dict[dt.date, dict[str, int]],
    per_category: dict[str, dict[dt.date, int]],
) -> Trends:
    """Per day: reports on time/late/missing, personnel on duty, incidents by category
    (`by_day` from report_days, `per_category` from the incident trend)."""
    window = trend_days(operation, max(days.values()))
    if not window:
        return Trends()
    empty = {"on_time": 0, "late": 0, "personnel": 0}
    on_time = [by_day.get(d, empty)["on_time"] for d in window]
    late = [by_day.get(d, empty)["late"] for d in window]
    labels = dict(IncidentCategory.choices)
    return Trends(
        days=[d.isoformat() for d in window],
        on_time=on_time,
        late=late,
        missing=[max(units_total - a - b, 0) for a, b in zip(on_time, late, strict=True)],
        personnel=[by_day.get(d, empty)["personnel"] for d in window],
        incidents=[
            TrendCategory(
                category=cat,
                label=str(labels.get(cat, cat)),
                counts=[counts.get(d, 0) for d in window],
            )
            for cat, counts in sorted(per_category.items())
        ],
    )
