"""/api/v1/summaries/ (rekap anev, read-only) and /api/v1/notices/ (reminders, escalations).

Summaries are scoped by pamilu.scoping (out of scope: 404). Notices are those addressed
to the user's unit; acknowledging one goes through summaries.services.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from pamilu.api.filters import SubtreeFilter
from pamilu.api.serializers import ScopedModelSerializer
from pamilu.api.viewsets import not_found
from summaries import selectors, services
from summaries.models import Notice, Summary


class SummaryListSerializer(ScopedModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    operation_code = serializers.CharField(source="operation.code", read_only=True)
    phase_name = serializers.CharField(source="phase.name", read_only=True, default=None)
    is_stale = serializers.BooleanField(read_only=True)
    is_partial = serializers.BooleanField(read_only=True)

    class Meta:
        model = Summary
        fields = [
            "id",
            "operation",
            "operation_code",
            "unit",
            "unit_code",
            "unit_name",
            "period_kind",
            "period_start",
            "period_end",
            "through",
            "phase",
            "phase_name",
            "previous_start",
            "previous_end",
            "built_at",
            "is_stale",
            "is_partial",
        ]


class SummarySerializer(SummaryListSerializer):
    content = serializers.JSONField(read_only=True)

    class Meta(SummaryListSerializer.Meta):
        fields = [*SummaryListSerializer.Meta.fields, "content"]


class SummaryFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    period_start_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Summary
        fields = ["operation", "unit", "period_kind", "period_start", "phase"]


class SummaryViewSet(viewsets.ReadOnlyModelViewSet):
    """Rekap anev of the units the user may see. The list omits `content`; the detail has it."""

    filterset_class = SummaryFilter
    ordering_fields = ["period_start", "through", "built_at"]
    ordering = ["-period_start", "period_kind", "unit__path"]

    def get_queryset(self):
        qs = selectors.summaries_for(self.request.user)
        if self.action == "list":
            qs = qs.defer("content")
        return qs.order_by("-period_start", "period_kind", "unit__path", "pk")

    def get_serializer_class(self):
        return SummaryListSerializer if self.action == "list" else SummarySerializer


class NoticeSerializer(ScopedModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "operation",
            "unit",
            "unit_code",
            "unit_name",
            "report_date",
            "level",
            "kind",
            "recipient_unit",
            "deadline",
            "created_at",
            "emailed_at",
            "acknowledged_at",
            "acknowledged_by",
            "is_open",
        ]
        read_only_fields = fields


class NoticeFilter(django_filters.FilterSet):
    is_open = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull")

    class Meta:
        model = Notice
        fields = ["operation", "kind", "level", "report_date"]


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reminders and escalations addressed to the user's unit (open until acknowledged)."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    lookup_value_regex = r"[0-9]+"  # /notices/null/ is a 404 from the router, not a 500
    ordering_fields = ["report_date", "created_at", "level"]

    def get_queryset(self):
        return selectors.notices_for(self.request.user).order_by(
            "acknowledged_at", "-report_date", "-level", "pk"
        )

    def get_object(self):
        notice = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if notice is None:
            raise not_found()
        return notice

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        notice = self.get_object()
        services.notice_acknowledge(notice=notice, by=request.user, channel="api")
        notice.refresh_from_db()
        return Response(NoticeSerializer(notice).data)
