"""GET /api/v1/coverage/ and /api/v1/guard-gaps/: TPS coverage by the security pattern and
the hours a round-the-clock post is short of guards, with output serializers so the schema
names every field. The focus (unit, operation) comes from operations.focus."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from operations import focus
from operations.models import Operation, Unit
from personnel import selectors


def _unit_and_operation(request) -> tuple[Unit, Operation]:
    """?unit= (code or id, default the user's own) and the required ?operation= (code), by
    the one resolver (operations.focus): out of scope or missing is a 404."""
    query = focus.resolve(request, default_operation=False)
    if query.operation is None:
        raise Http404
    return focus.require_unit(query), query.operation


def _instant(request, name: str) -> dt.datetime | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise exceptions.ValidationError(
            {name: ["Waktu ISO 8601, mis. 2024-02-14T00:00+09:00."]}
        ) from None
    if parsed.tzinfo is None:
        raise exceptions.ValidationError({name: ["Sertakan zona waktu (mis. +09:00 atau Z)."]})
    return parsed


UNIT_OPERATION_PARAMS = [
    OpenApiParameter(
        "unit", OpenApiTypes.STR, description="Kode atau ID satuan (bawaan: satuan Anda)."
    ),
    OpenApiParameter("operation", OpenApiTypes.STR, required=True, description="Kode operasi."),
]


# --- output serializers ----------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantField(serializers.Field):
    """An instant handed to the JSON renderer as it is: ISO 8601 in the offset it carries
    (UTC as ``Z``), not converted to the server's zone as DRF's DateTimeField would."""

    def to_representation(self, value):
        return value


class CoverageRowSerializer(serializers.Serializer):
    unit = serializers.SerializerMethodField(help_text="Kode satuan; null untuk total per tingkat")
    tps = serializers.IntegerField()
    required = serializers.IntegerField()
    deployed = serializers.IntegerField()
    deployed_own = serializers.IntegerField()
    deployed_bko = serializers.IntegerField()
    bko_filling = serializers.IntegerField()
    shortfall = serializers.IntegerField()
    uncovered_tps = serializers.IntegerField()
    available = serializers.IntegerField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_unit(self, row) -> str | None:
        if self.context.get("without_unit") or row.unit is None:
            return None
        return row.unit.code


class CoverageSerializer(serializers.Serializer):
    total = CoverageRowSerializer()
    children = CoverageRowSerializer(many=True)
    by_level = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=CoverageRowSerializer()))
    def get_by_level(self, coverage) -> dict:
        rows = CoverageRowSerializer(context={"without_unit": True})
        return {level: rows.to_representation(row) for level, row in coverage.by_level.items()}


class GapRangeSerializer(serializers.Serializer):
    start = InstantField()
    end = InstantField()
    guards = serializers.IntegerField()


class PostGapsSerializer(serializers.Serializer):
    post = serializers.IntegerField(source="post.pk")
    code = serializers.CharField(source="post.code")
    guards_required = serializers.IntegerField(source="post.guards_required")
    gaps = serializers.SerializerMethodField()

    @extend_schema_field(GapRangeSerializer(many=True))
    def get_gaps(self, post_gaps) -> list:
        return GapRangeSerializer(
            [{"start": s, "end": e, "guards": n} for s, e, n in post_gaps.ranges()], many=True
        ).data


class HourGapSerializer(serializers.Serializer):
    hour = InstantField()
    posts_short = serializers.IntegerField()
    guards_missing = serializers.IntegerField()


class GuardGapsSerializer(serializers.Serializer):
    start = InstantField()
    end = InstantField()
    posts_checked = serializers.IntegerField()
    missing_guard_hours = serializers.IntegerField()
    posts = PostGapsSerializer(many=True)
    by_hour = serializers.SerializerMethodField()

    @extend_schema_field(HourGapSerializer(many=True))
    def get_by_hour(self, gaps) -> list:
        return HourGapSerializer(
            [{"hour": h, "posts_short": n, "guards_missing": m} for h, n, m in gaps.by_hour()],
            many=True,
        ).data


# --- endpoints ---------------------------------------------------------------------------------


@extend_schema(
    parameters=[
        *UNIT_OPERATION_PARAMS,
        OpenApiParameter("start", OpenApiTypes.DATETIME, description="Hanya penempatan sejak…"),
        OpenApiParameter("end", OpenApiTypes.DATETIME, description="…hingga (dengan start)."),
    ],
    responses={200: CoverageSerializer},
)
@api_view(["GET"])
def coverage(request):
    """Police required by the TPS pattern vs deployed, for the unit, each child and level."""
    unit, operation = _unit_and_operation(request)
    start, end = _instant(request, "start"), _instant(request, "end")
    result = selectors.coverage(operation, unit, (start, end) if start and end else None)
    return Response(CoverageSerializer(result).data)


@extend_schema(
    parameters=[
        *UNIT_OPERATION_PARAMS,
        OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
        OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
    ],
    responses={200: GuardGapsSerializer},
)
@api_view(["GET"])
def guard_gaps(request):
    """Hours in which a round-the-clock post has fewer guards than needed, per post and hour."""
    unit, operation = _unit_and_operation(request)
    start, end = _instant(request, "start"), _instant(request, "end")
    if start is None or end is None or end <= start:
        raise exceptions.ValidationError({"end": ["Isi start dan end, end setelah start."]})
    result = selectors.guard_gaps(operation, unit, start, end)
    return Response(GuardGapsSerializer(result).data)
