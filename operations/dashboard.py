"""The command-center dashboard's numbers: a fixed number of aggregate queries.

Everything is computed for one operation, one *focus* unit (the user's own unit or a
unit below it, chosen by drill-down) and one day. Rows per direct child of the focus
unit are made by grouping on the child's path prefix: for a unit below the focus, the
first path segment after the focus path names its child ancestor, so SQL groups by
``SUBSTR(path, 1, len(focus.path) + STRPOS(rest, '/'))`` and the number of queries never
depends on how many units, posts or reports there are. A row for the focus unit itself
holds what it reports or guards directly (a Polres is itself a reporting unit).

The day. Without an explicit day, "today" is each unit's own local day (WIB/WITA/WIT,
from operations.clock): at 23:30 WIB the Maluku units are already on the next day. With
an explicit day every unit is counted for that calendar day. Each unit's deadline is
its own local deadline hour.

Compliance of a reporting unit for its day:
- on time: a report sent (submitted, accepted, or returned for correction) and not late;
- late: a sent report flagged ``is_late`` (set at its first submission);
- missing: no report, or only a draft.
A returned report counts by its first submission: the unit did report, the correction
belongs to the review workflow; ``returned`` is shown beside the counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, StrIndex, Substr
from django.http import Http404, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from operations import clock, selectors
from operations.models import (
    Operation,
    Phase,
    Post,
    PostKind,
    TimeZone,
    Unit,
    UnitKind,
    Vulnerability,
)
from pamilu.scoping import scope, sees_everything, visible_units
from personnel.models import Assignment
from reports.models import DailyReport, Incident, IncidentCategory, ReportStatus, Severity

MISSING_LIST_LIMIT = 50
LATEST_INCIDENTS_LIMIT = 8
MAP_POST_LIMIT = 3000
MAP_INCIDENT_LIMIT = 500
TREND_DAYS = 30

# Most vulnerable first: when the map must be capped, these are kept.
VULNERABILITY_ORDER = [
    Vulnerability.KHUSUS,
    Vulnerability.SANGAT_RAWAN,
    Vulnerability.RAWAN,
    Vulnerability.KURANG_RAWAN,
]


@dataclass
class DashboardQuery:
    """What the user asked for, checked against their scope."""

    operation: Operation | None
    focus: Unit | None
    day: dt.date | None  # explicit day, or None for "each unit's own today"
    user_today: dt.date
    operations: list[Operation] = field(default_factory=list)


def parse_day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _user_today(user) -> dt.date:
    if user.unit_id:
        return clock.local_date(user.unit)
    return timezone.localdate()


def resolve_query(user, params: QueryDict) -> DashboardQuery:
    """The operation (`operation` code), focus unit (`unit` code or id) and `day` (ISO).

    A unit outside the user's scope, or an operation they do not take part in, is a 404.
    An unreadable day falls back to each unit's own today.
    """
    user_today = _user_today(user)
    day = parse_day(params.get("day"))
    operations = list(selectors.operations_for(user).order_by("-start_date", "name"))
    code = params.get("operation")
    if code:
        operation = next((op for op in operations if op.code == code), None)
        if operation is None:
            raise Http404
    else:
        operation = selectors.default_operation(user, day or user_today)

    unit_param = (params.get("unit") or "").strip()
    if unit_param:
        lookup = Q(code=unit_param.upper())
        if unit_param.isascii() and unit_param.isdigit():  # "²".isdigit() is True
            lookup |= Q(pk=int(unit_param))
        focus = visible_units(user).filter(lookup).first()
        if focus is None:
            raise Http404
    elif user.unit_id:
        focus = user.unit
    elif operation is not None and sees_everything(user):
        focus = operation.unit
    else:
        focus = None
    return DashboardQuery(
        operation=operation, focus=focus, day=day, user_today=user_today, operations=operations
    )


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


def _group_key(path_field: str, focus: Unit) -> Substr:
    """SQL: the path of the focus unit's child that `path_field` lies under (or the
    focus path itself for the focus unit)."""
    length = len(focus.path)
    rest = Substr(path_field, length + 1)
    return Substr(
        path_field,
        1,
        Value(length) + StrIndex(rest, Value("/")),
        output_field=CharField(),
    )


def _reporting_units(user, operation: Operation, focus: Unit, days) -> QuerySet[Unit]:
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
_SENT = ~Q(todays__status=ReportStatus.DRAFT)
_MISSING = Q(todays__isnull=True) | Q(todays__status=ReportStatus.DRAFT)


def compliance_rows(user, operation: Operation, focus: Unit, days) -> dict[str, dict]:
    """{group path: counts} for the focus unit and each child with reporting units."""
    rows = (
        _reporting_units(user, operation, focus, days)
        .annotate(group_path=_group_key("path", focus))
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


def missing_units(user, operation: Operation, focus: Unit, days, now: dt.datetime) -> list[dict]:
    """The first units still missing today, earliest local deadline first."""
    zone_order = Case(
        When(time_zone=TimeZone.WIT, then=Value(0)),
        When(time_zone=TimeZone.WITA, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    units = (
        _reporting_units(user, operation, focus, days)
        .filter(_MISSING)
        .select_related("parent")
        .annotate(zone_order=zone_order)
        .order_by("zone_order", "path")[:MISSING_LIST_LIMIT]
    )
    result = []
    for unit in units:
        deadline = clock.report_deadline(operation, unit, unit.day)
        result.append(
            {
                "unit": unit,
                "code": unit.code,
                "name": unit.name,
                "parent": unit.parent.name if unit.parent else "",
                "day": unit.day,
                "deadline": deadline,
                "deadline_local": deadline.astimezone(unit.zone),
                "deadline_text": deadline.astimezone(unit.zone).strftime("%d/%m %H:%M"),
                "zone": unit.zone_abbreviation,
                "overdue": now > deadline,
            }
        )
    return result


def assignment_rows(user, operation: Operation, focus: Unit) -> dict[str, dict]:
    """Personnel committed on warrants: {group path: {committed, bko}}."""
    rows = (
        scope(user, Assignment.objects.filter(operation=operation))
        .filter(unit__path__startswith=focus.path)
        .annotate(group_path=_group_key("unit__path", focus))
        .values("group_path")
        .annotate(committed=Count("pk"), bko=Count("pk", filter=Q(is_bko=True)))
        .order_by("group_path")
    )
    return {row.pop("group_path"): row for row in rows}


def _sent_incidents(user, operation: Operation, focus: Unit, last_day: dt.date):
    return (
        scope(user, Incident.objects.filter(operation=operation))
        .filter(unit__path__startswith=focus.path, report__report_date__lte=last_day)
        .exclude(report__status=ReportStatus.DRAFT)
    )


def incident_rows(user, operation, focus, days) -> dict[str, dict]:
    """Incidents today and so far per child: {group path: {today, total}}."""
    today = _on_unit_day(days, "unit__", "report__report_date")
    rows = (
        _sent_incidents(user, operation, focus, max(days.values()))
        .annotate(group_path=_group_key("unit__path", focus))
        .values("group_path")
        .annotate(total=Count("pk"), today=Count("pk", filter=today))
        .order_by("group_path")
    )
    return {row.pop("group_path"): row for row in rows}


def incident_breakdown(user, operation, focus, days) -> list[dict]:
    """By category and severity: today and the operation so far."""
    today = _on_unit_day(days, "unit__", "report__report_date")
    return list(
        _sent_incidents(user, operation, focus, max(days.values()))
        .values("category", "severity")
        .annotate(
            total=Count("pk"),
            today=Count("pk", filter=today),
            deaths=Coalesce(Sum("deaths"), 0),
            injured=Coalesce(Sum(F("injured_serious") + F("injured_light")), 0),
        )
        .order_by("category", "severity")
    )


def latest_incidents(user, operation, focus, days) -> list[Incident]:
    return list(
        _sent_incidents(user, operation, focus, max(days.values()))
        .select_related("unit", "report")
        .order_by("-occurred_at", "-pk")[:LATEST_INCIDENTS_LIMIT]
    )


def map_shows_every_tps(focus: Unit) -> bool:
    """From a Polres down the map shows every TPS; above it (hundreds of thousands of
    TPS) only the rawan, sangat rawan and khusus ones, with warehouses and offices."""
    return focus.kind in (UnitKind.POLRES, UnitKind.POLSEK)


def map_posts(user, operation, focus) -> list[dict]:
    """Posts with coordinates, the most vulnerable first when capped."""
    posts = scope(user, Post.objects.filter(operation=operation)).filter(
        unit__path__startswith=focus.path, latitude__isnull=False
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
        {
            "name": r["name"],
            "kind": r["kind"],
            "vulnerability": r["vulnerability"] or r["kind"],
            "lat": float(r["latitude"]),
            "lng": float(r["longitude"]),
        }
        for r in rows
    ]


def map_incidents(user, operation, focus, days) -> list[dict]:
    """Today's incidents, placed at their own point, else their post, else their unit."""
    today = _on_unit_day(days, "unit__", "report__report_date")
    rows = (
        _sent_incidents(user, operation, focus, max(days.values()))
        .filter(today)
        .annotate(
            lat=Coalesce("latitude", "post__latitude", "unit__latitude"),
            lng=Coalesce("longitude", "post__longitude", "unit__longitude"),
        )
        .filter(lat__isnull=False)
        .order_by("-occurred_at")
        .values("category", "severity", "place", "lat", "lng")[:MAP_INCIDENT_LIMIT]
    )
    labels = dict(IncidentCategory.choices)
    return [
        {
            "category": str(labels.get(r["category"], r["category"])),
            "severity": r["severity"],
            "place": r["place"],
            "lat": float(r["lat"]),
            "lng": float(r["lng"]),
        }
        for r in rows
    ]


def trend_days(operation: Operation, last_day: dt.date) -> list[dt.date]:
    """The operation's days up to `last_day`, the last TREND_DAYS of them."""
    end = min(last_day, operation.end_date)
    start = max(operation.start_date, end - dt.timedelta(days=TREND_DAYS - 1))
    if end < start:
        return []
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def trends(user, operation, focus, days, units_total: int) -> dict:
    """Per day: reports on time/late/missing, personnel on duty, incidents by category."""
    window = trend_days(operation, max(days.values()))
    if not window:
        return {"days": [], "on_time": [], "late": [], "missing": [], "personnel": []}
    reports = (
        scope(user, DailyReport.objects.filter(operation=operation))
        .filter(
            unit__path__startswith=focus.path,
            unit__kind__in=operation.reporting_kinds,
            unit__is_active=True,
            report_date__gte=window[0],
            report_date__lte=window[-1],
        )
        .exclude(status=ReportStatus.DRAFT)
        .values("report_date")
        .annotate(
            on_time=Count("pk", filter=Q(is_late=False)),
            late=Count("pk", filter=Q(is_late=True)),
            personnel=Coalesce(Sum("personnel_on_duty"), 0),
        )
        .order_by("report_date")
    )
    by_day = {row["report_date"]: row for row in reports}
    incidents = (
        _sent_incidents(user, operation, focus, window[-1])
        .filter(report__report_date__gte=window[0])
        .values("report__report_date", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_category: dict[str, dict[dt.date, int]] = {}
    for row in incidents:
        per_category.setdefault(row["category"], {})[row["report__report_date"]] = row["n"]
    empty = {"on_time": 0, "late": 0, "personnel": 0}
    on_time = [by_day.get(d, empty)["on_time"] for d in window]
    late = [by_day.get(d, empty)["late"] for d in window]
    labels = dict(IncidentCategory.choices)
    return {
        "days": [d.isoformat() for d in window],
        "on_time": on_time,
        "late": late,
        "missing": [max(units_total - a - b, 0) for a, b in zip(on_time, late, strict=True)],
        "personnel": [by_day.get(d, empty)["personnel"] for d in window],
        "incidents": [
            {
                "category": cat,
                "label": str(labels.get(cat, cat)),
                "counts": [counts.get(d, 0) for d in window],
            }
            for cat, counts in sorted(per_category.items())
        ],
    }


def report_url(report_id: int) -> str:
    try:
        return reverse("reports:detail", args=[report_id])
    except NoReverseMatch:
        return reverse("reports:list")


def _zero_compliance() -> dict:
    return {"total": 0, "on_time": 0, "late": 0, "missing": 0, "returned": 0}


def build(user, query: DashboardQuery, now: dt.datetime | None = None) -> dict:
    """Every number of the dashboard for `query` (operation, focus unit, day)."""
    now = now or timezone.now()
    operation, focus = query.operation, query.focus
    header_day = query.day or query.user_today
    data: dict = {
        "operation": operation,
        "focus": focus,
        "day": header_day,
        "explicit_day": query.day is not None,
        "generated_at": now,
    }
    if operation is None or focus is None:
        return data

    vote = selectors.voting_day(operation)
    phase: Phase | None = selectors.phase_on(operation, header_day)
    data.update(
        phase=phase,
        day_number=operation.day_number(header_day),
        total_days=operation.total_days,
        voting_day=vote,
        days_to_vote=(vote - header_day).days if vote else None,
        days_after_vote=(header_day - vote).days if vote else None,
    )
    days = zone_days(query.day, now)
    breadcrumb = list(
        focus.ancestors(include_self=True).filter(pk__in=visible_units(user)).order_by("depth")
    )
    children = list(Unit.objects.filter(parent=focus).order_by("name"))

    compliance = compliance_rows(user, operation, focus, days)
    assignments = assignment_rows(user, operation, focus)
    incidents = incident_rows(user, operation, focus, days)
    # TPS and police required per child (and for the focus unit's own TPS), by level.
    requirement = selectors.tps_requirement_by_group(operation, focus)
    by_level: dict[str, dict[str, int]] = {}
    for levels in requirement.values():
        for level, numbers in levels.items():
            total = by_level.setdefault(level, {"tps": 0, "police_required": 0})
            total["tps"] += numbers["tps"]
            total["police_required"] += numbers["police_required"]
    groups = [(focus, True)] + [(child, False) for child in children]
    rows = []
    for unit, own in groups:
        c = compliance.get(unit.path, {})
        a = assignments.get(unit.path, {})
        i = incidents.get(unit.path, {})
        req = level_total(requirement.get(unit.path, {}))
        row = {
            "unit": unit,
            "own": own,
            **_zero_compliance(),
            **{k: v for k, v in c.items() if k != "personnel_on_duty"},
            "personnel_on_duty": c.get("personnel_on_duty") or 0,
            "committed": a.get("committed", 0),
            "bko": a.get("bko", 0),
            "tps": req.get("tps", 0),
            "police_required": req.get("police_required", 0),
            "incidents_today": i.get("today", 0),
            "incidents_total": i.get("total", 0),
        }
        if own and not any(row[k] for k in ("total", "committed", "incidents_total", "tps")):
            continue  # the focus unit itself neither reports nor holds anything
        rows.append(row)

    totals = _zero_compliance()
    for key in totals:
        totals[key] = sum(row[key] for row in rows)
    breakdown = incident_breakdown(user, operation, focus, days)
    latest = latest_incidents(user, operation, focus, days)
    for incident in latest:
        incident.report_url = report_url(incident.report_id)
    data.update(
        breadcrumb=breadcrumb,
        rows=rows,
        compliance=totals,
        missing=missing_units(user, operation, focus, days, now),
        personnel={
            "on_duty": sum(row["personnel_on_duty"] for row in rows),
            "committed": sum(row["committed"] for row in rows),
            "bko": sum(row["bko"] for row in rows),
            "police_required": sum(v["police_required"] for v in by_level.values()),
            "tps": sum(v["tps"] for v in by_level.values()),
            "by_level": [
                {"level": level, "label": str(label), **by_level[level]}
                for level, label in Vulnerability.choices
                if level in by_level
            ],
        },
        incidents=_incident_summary(breakdown),
        latest_incidents=latest,
        map={
            "posts": map_posts(user, operation, focus),
            "every_tps": map_shows_every_tps(focus),
        },
        trends=trends(user, operation, focus, days, totals["total"]),
    )
    data["map"]["incidents"] = map_incidents(user, operation, focus, days)
    data["map"]["units"] = [
        {
            "code": row["unit"].code,
            "name": row["unit"].name,
            "lat": float(row["unit"].latitude),
            "lng": float(row["unit"].longitude),
            "missing": row["missing"],
            "total": row["total"],
        }
        for row in rows
        if row["unit"].latitude is not None and row["unit"].longitude is not None
    ]
    return data


def level_total(by_level: dict[str, dict[str, int]]) -> dict[str, int]:
    return {
        "tps": sum(v["tps"] for v in by_level.values()),
        "police_required": sum(v["police_required"] for v in by_level.values()),
    }


def _incident_summary(breakdown: list[dict]) -> dict:
    categories = dict(IncidentCategory.choices)
    severities = dict(Severity.choices)
    by_category: dict[str, dict] = {}
    by_severity = {s: {"today": 0, "total": 0} for s in Severity.values}
    for row in breakdown:
        cat = by_category.setdefault(
            row["category"],
            {
                "category": row["category"],
                "label": str(categories.get(row["category"], row["category"])),
                "today": 0,
                "total": 0,
                "deaths": 0,
                "injured": 0,
            },
        )
        for key in ("today", "total", "deaths", "injured"):
            cat[key] += row[key]
        sev = by_severity.setdefault(row["severity"], {"today": 0, "total": 0})
        sev["today"] += row["today"]
        sev["total"] += row["total"]
    return {
        "today": sum(row["today"] for row in breakdown),
        "total": sum(row["total"] for row in breakdown),
        "by_category": sorted(by_category.values(), key=lambda c: (-c["total"], c["label"])),
        "by_severity": [
            {"severity": s, "label": str(severities.get(s, s)), **v} for s, v in by_severity.items()
        ],
    }


def chart_payload(data: dict) -> dict:
    """What dashboard.js draws: trends and map markers, with translated labels."""
    return {
        "trends": data.get("trends", {}),
        "map": data.get("map", {"posts": [], "incidents": []}),
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


def as_json(data: dict) -> dict:
    """The dashboard's numbers for REST clients (plain values, no model instances)."""
    operation, focus = data.get("operation"), data.get("focus")
    result: dict = {
        "operation": {"code": operation.code, "name": operation.name} if operation else None,
        "unit": _unit_json(focus) if focus else None,
        "day": data["day"].isoformat(),
        "each_unit_local_day": not data["explicit_day"],
        "generated_at": data["generated_at"].isoformat(),
    }
    if operation is None or focus is None:
        return result
    phase = data.get("phase")
    result.update(
        phase={"kind": phase.kind, "name": phase.name} if phase else None,
        day_number=data["day_number"],
        total_days=data["total_days"],
        voting_day=data["voting_day"].isoformat() if data["voting_day"] else None,
        days_to_vote=data["days_to_vote"],
        breadcrumb=[_unit_json(u) for u in data["breadcrumb"]],
        compliance=data["compliance"],
        rows=[
            {
                "unit": _unit_json(row["unit"]),
                "own_unit": row["own"],
                **{k: v for k, v in row.items() if k not in ("unit", "own")},
            }
            for row in data["rows"]
        ],
        missing=[
            {
                "unit": m["code"],
                "name": m["name"],
                "parent": m["parent"],
                "day": m["day"].isoformat(),
                "deadline": m["deadline"].isoformat(),
                "deadline_local": m["deadline_local"].isoformat(),
                "zone": m["zone"],
                "overdue": m["overdue"],
            }
            for m in data["missing"]
        ],
        personnel=data["personnel"],
        incidents=data["incidents"],
        latest_incidents=[
            {
                "id": inc.pk,
                "report": inc.report_id,
                "unit": inc.unit.code,
                "category": inc.category,
                "severity": inc.severity,
                "occurred_at": inc.occurred_at.isoformat(),
                "place": inc.place,
                "report_url": inc.report_url,
            }
            for inc in data["latest_incidents"]
        ],
        trends=data["trends"],
        map=data["map"],
    )
    return result


def _unit_json(unit: Unit) -> dict:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "zone": unit.zone_abbreviation,
    }
