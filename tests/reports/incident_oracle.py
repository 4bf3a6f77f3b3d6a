"""The incident aggregates as the dashboard computed them before incidents carried their
report's day and state: joined to the reports table. The oracle reports.fact_selectors
(which the dashboard now reads) is held equal to."""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from dashboard.results import MapIncident
from operations import tree
from pamilu.scoping import scope
from reports.models import Incident, IncidentCategory, sent_q


def _today(days) -> Q:
    q = Q()
    for zone, day in days.items():
        q |= Q(unit__time_zone=zone, report__report_date=day)
    return q


def _sent(user, operation, focus, last_day):
    return scope(user, Incident.objects.filter(operation=operation)).filter(
        tree.subtree_q(focus, "unit"), sent_q("report__"), report__report_date__lte=last_day
    )


def incident_rows(user, operation, focus, days) -> dict[str, dict]:
    rows = (
        _sent(user, operation, focus, max(days.values()))
        .annotate(group_path=tree.child_key(focus, "unit__path"))
        .values("group_path")
        .annotate(total=Count("pk"), today=Count("pk", filter=_today(days)))
        .order_by("group_path")
    )
    return {row.pop("group_path"): row for row in rows}


def incident_breakdown(user, operation, focus, days) -> list[dict]:
    return list(
        _sent(user, operation, focus, max(days.values()))
        .values("category", "severity")
        .annotate(
            total=Count("pk"),
            today=Count("pk", filter=_today(days)),
            deaths=Coalesce(Sum("deaths"), 0),
            injured=Coalesce(Sum(F("injured_serious") + F("injured_light")), 0),
        )
        .order_by("category", "severity")
    )


def latest_incidents(user, operation, focus, days, limit: int = 8) -> list[Incident]:
    return list(
        _sent(user, operation, focus, max(days.values()))
        .select_related("unit", "report")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def map_incidents(user, operation, focus, days, limit: int = 500) -> list[MapIncident]:
    rows = (
        _sent(user, operation, focus, max(days.values()))
        .filter(_today(days))
        .annotate(
            lat=Coalesce("latitude", "post__latitude", "unit__latitude"),
            lng=Coalesce("longitude", "post__longitude", "unit__longitude"),
        )
        .filter(lat__isnull=False)
        .order_by("-occurred_at")
        .values("category", "severity", "place", "lat", "lng")[:limit]
    )
    labels = dict(IncidentCategory.choices)
    return [
        MapIncident(
            category=str(labels.get(r["category"], r["category"])),
            severity=r["severity"],
            place=r["place"],
            lat=float(r["lat"]),
            lng=float(r["lng"]),
        )
        for r in rows
    ]


def incident_trend(user, operation, focus, window) -> dict[str, dict]:
    rows = (
        _sent(user, operation, focus, window[-1])
        .filter(report__report_date__gte=window[0])
        .values("report__report_date", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_category: dict[str, dict] = {}
    for row in rows:
        per_category.setdefault(row["category"], {})[row["report__report_date"]] = row["n"]
    return per_category
