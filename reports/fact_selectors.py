"""Dashboard aggregates over incidents that read the incidents' own copies of their
report's day and state (reports.facts): no join to the reports table, grouped by the
child-prefix key of the focus unit.

Drop-in replacements for the incident aggregates of the dashboard (same arguments and
result shapes as ``incident_rows``, ``incident_breakdown``, ``latest_incidents``,
``map_incidents`` and the incidents part of ``trends``). `days` maps each zone to the day
counted there (``{"Asia/Jakarta": date, ...}``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from operations import tree
from operations.models import Operation, Unit
from pamilu.scoping import scope
from reports.models import SENT_STATUSES, Incident, IncidentCategory

LATEST_INCIDENTS_LIMIT = 8
MAP_INCIDENT_LIMIT = 500


def on_unit_day(days: dict[str, dt.date]) -> Q:
    """The incident's report is for the day counted in its unit's zone."""
    q = Q()
    for zone, day in days.items():
        q |= Q(unit__time_zone=zone, report_date=day)
    return q


def sent_incidents(user, operation: Operation, focus: Unit, last_day: dt.date) -> QuerySet:
    """Incidents of sent reports (not drafts) below `focus` for days up to `last_day`."""
    return scope(user, Incident.objects.filter(operation=operation)).filter(
        tree.subtree_q(focus, "unit"), report_status__in=SENT_STATUSES, report_date__lte=last_day
    )


def incident_rows(user, operation, focus, days) -> dict[str, dict]:
    """{group path: {"total": n, "today": m}}: incidents so far and today per child."""
    rows = (
        sent_incidents(user, operation, focus, max(days.values()))
        .annotate(group_path=tree.child_key(focus, "unit__path"))
        .values("group_path")
        .annotate(total=Count("pk"), today=Count("pk", filter=on_unit_day(days)))
        .order_by("group_path")
    )
    return {row.pop("group_path"): row for row in rows}


def incident_breakdown(user, operation, focus, days) -> list[dict]:
    """By category and severity: today and so far, with deaths and injured."""
    return list(
        sent_incidents(user, operation, focus, max(days.values()))
        .values("category", "severity")
        .annotate(
            total=Count("pk"),
            today=Count("pk", filter=on_unit_day(days)),
            deaths=Coalesce(Sum("deaths"), 0),
            injured=Coalesce(Sum(F("injured_serious") + F("injured_light")), 0),
        )
        .order_by("category", "severity")
    )


def latest_incidents(user, operation, focus, days) -> list[Incident]:
    return list(
        sent_incidents(user, operation, focus, max(days.values()))
        .select_related("unit")
        .order_by("-occurred_at", "-pk")[:LATEST_INCIDENTS_LIMIT]
    )


def map_incidents(user, operation, focus, days) -> list[dict]:
    """Today's incidents, placed at their own point, else their post, else their unit
    (the fields of dashboard.results.MapIncident: ``MapIncident(**row)``)."""
    rows = (
        sent_incidents(user, operation, focus, max(days.values()))
        .filter(on_unit_day(days))
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


def incident_trend(user, operation, focus, window: list[dt.date]) -> dict[str, dict]:
    """{category: {day: n}} for the days of `window` (the trend chart's incidents)."""
    if not window:
        return {}
    rows = (
        sent_incidents(user, operation, focus, window[-1])
        .filter(report_date__gte=window[0])
        .values("report_date", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_category: dict[str, dict[dt.date, int]] = {}
    for row in rows:
        per_category.setdefault(row["category"], {})[row["report_date"]] = row["n"]
    return per_category
