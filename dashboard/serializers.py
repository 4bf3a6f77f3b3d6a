"""Output serializers: the JSON of `/api/v1/dashboard/`, with a real schema (drf-spectacular
reads the fields), from the typed `dashboard.results.Dashboard`. Read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dashboard.results import Dashboard  # at run time: drf-spectacular reads the hints


@extend_schema_field(OpenApiTypes.DATETIME)
class IsoDateTimeField(serializers.Field[dt.datetime, str, str, Any]):
    """An instant as ISO 8601 in the offset it carries (``+00:00``, a unit's ``+09:00``),
    not converted to the server's zone."""

    def to_representation(self, value: dt.datetime) -> str:
        return value.isoformat()


class UnitRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    zone = serializers.CharField(source="zone_abbreviation", help_text="WIB, WITA or WIT")


class OperationRefSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class PhaseRefSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    name = serializers.CharField()


class ComplianceSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="Reporting units")
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    returned = serializers.IntegerField(help_text="Sent, returned for correction")


class UnitRowSerializer(ComplianceSerializer):
    unit = UnitRefSerializer()
    own_unit = serializers.BooleanField(
        source="own", help_text="What the focus unit reports or holds itself"
    )
    personnel_on_duty = serializers.IntegerField()
    committed = serializers.IntegerField()
    bko = serializers.IntegerField()
    tps = serializers.IntegerField()
    police_required = serializers.IntegerField()
    incidents_today = serializers.IntegerField()
    incidents_total = serializers.IntegerField()


class MissingUnitSerializer(serializers.Serializer[Any]):
    unit = serializers.CharField(source="code")
    name = serializers.CharField()
    parent = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.parent
    day = serializers.DateField()
    deadline = IsoDateTimeField()
    deadline_local = IsoDateTimeField()
    zone = serializers.CharField()
    overdue = serializers.BooleanField()


class LevelNeedSerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    tps = serializers.IntegerField()
    police_required = serializers.IntegerField()


class PersonnelNeedSerializer(serializers.Serializer[Any]):
    on_duty = serializers.IntegerField()
    committed = serializers.IntegerField()
    bko = serializers.IntegerField()
    police_required = serializers.IntegerField()
    tps = serializers.IntegerField()
    by_level = LevelNeedSerializer(many=True)


class CategoryCountSerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    today = serializers.IntegerField()
    total = serializers.IntegerField()
    deaths = serializers.IntegerField()
    injured = serializers.IntegerField()


class SeverityCountSerializer(serializers.Serializer[Any]):
    severity = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    today = serializers.IntegerField()
    total = serializers.IntegerField()


class IncidentSummarySerializer(serializers.Serializer[Any]):
    today = serializers.IntegerField()
    total = serializers.IntegerField()
    by_category = CategoryCountSerializer(many=True)
    by_severity = SeverityCountSerializer(many=True)


class LatestIncidentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    report = serializers.IntegerField(source="report_id")
    unit = serializers.CharField(source="unit.code")
    category = serializers.CharField()
    severity = serializers.CharField()
    occurred_at = IsoDateTimeField()
    place = serializers.CharField()
    report_url = serializers.CharField()


class TrendCategorySerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    counts = serializers.ListField(child=serializers.IntegerField())


class TrendsSerializer(serializers.Serializer[Any]):
    days = serializers.ListField(child=serializers.CharField(), help_text="ISO dates")
    on_time = serializers.ListField(child=serializers.IntegerField())
    late = serializers.ListField(child=serializers.IntegerField())
    missing = serializers.ListField(child=serializers.IntegerField())
    personnel = serializers.ListField(child=serializers.IntegerField())
    incidents = TrendCategorySerializer(many=True)


class MapPostSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    kind = serializers.CharField()
    vulnerability = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class MapIncidentSerializer(serializers.Serializer[Any]):
    category = serializers.CharField()
    severity = serializers.CharField()
    place = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()


class MapUnitSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    missing = serializers.IntegerField()
    total = serializers.IntegerField()
    tps = serializers.IntegerField(help_text="TPS in the unit's subtree")
    incidents_today = serializers.IntegerField()
    worst = serializers.CharField(
        help_text="The most vulnerable TPS level in the subtree ('' without TPS)"
    )


class MapSerializer(serializers.Serializer[Any]):
    posts = MapPostSerializer(many=True, help_text="Empty when `aggregated`")
    every_tps = serializers.BooleanField(help_text="Points shown: every TPS below the unit")
    aggregated = serializers.BooleanField(
        help_text="No points (above a Polres, or more TPS than fit on the screen): one "
        "marker per unit row (`units`) with its TPS, worst level, missing reports and "
        "today's incidents"
    )
    incidents = MapIncidentSerializer(many=True)
    units = MapUnitSerializer(many=True)


# Present only when the user has an operation and a focus unit (`Dashboard.ready`).
_WHEN_READY = (
    "phase",
    "day_number",
    "total_days",
    "voting_day",
    "days_to_vote",
    "breadcrumb",
    "compliance",
    "rows",
    "missing",
    "personnel",
    "incidents",
    "latest_incidents",
    "trends",
    "map",
)


class DashboardSerializer(serializers.Serializer[Any]):
    operation = OperationRefSerializer(allow_null=True)
    unit = UnitRefSerializer(source="focus", allow_null=True)
    day = serializers.DateField()
    each_unit_local_day = serializers.SerializerMethodField()
    generated_at = IsoDateTimeField()
    phase = PhaseRefSerializer(allow_null=True, required=False)
    day_number = serializers.IntegerField(allow_null=True, required=False)
    total_days = serializers.IntegerField(required=False)
    voting_day = serializers.DateField(allow_null=True, required=False)
    days_to_vote = serializers.IntegerField(allow_null=True, required=False)
    breadcrumb = UnitRefSerializer(many=True, required=False)
    compliance = ComplianceSerializer(required=False)
    rows = UnitRowSerializer(many=True, required=False)
    missing = MissingUnitSerializer(many=True, required=False)
    personnel = PersonnelNeedSerializer(required=False)
    incidents = IncidentSummarySerializer(required=False)
    latest_incidents = LatestIncidentSerializer(many=True, required=False)
    trends = TrendsSerializer(required=False)
    map = MapSerializer(required=False)

    def get_each_unit_local_day(self, board: Dashboard) -> bool:
        return not board.explicit_day

    def to_representation(self, instance: Dashboard) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not instance.ready:
            for name in _WHEN_READY:
                data.pop(name, None)
        return data
