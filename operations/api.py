"""/api/v1/ for units, operations (phases, task forces, security patterns), posts, events.

Every queryset goes through pamilu.scoping; out of scope is 404. Writes go through
operations.services; a write for a unit the user may not write for is refused.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from operations import imports, services
from operations.models import Event, Operation, Phase, Post, SecurityPattern, TaskForce, Unit
from operations.selectors import operations_for
from pamilu.api.filters import SubtreeFilter
from pamilu.api.imports import IMPORT_RESPONSES, ImportFileSerializer, run_import
from pamilu.api.parsers import UPLOAD_PARSERS
from pamilu.api.serializers import ScopedModelSerializer
from pamilu.api.viewsets import WriteForUnitMixin
from pamilu.scoping import visible_units

# --- units -----------------------------------------------------------------------


class UnitSerializer(ScopedModelSerializer):
    class Meta:
        model = Unit
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "subtype",
            "parent",
            "path",
            "depth",
            "time_zone",
            "latitude",
            "longitude",
            "is_active",
        ]


class UnitFilter(django_filters.FilterSet):
    subtree = SubtreeFilter(unit_field="")

    class Meta:
        model = Unit
        fields = ["kind", "parent", "is_active", "code"]


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units the user may see; `?subtree=<id>` narrows to one unit and everything below it."""

    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    search_fields = ["code", "name"]
    ordering_fields = ["path", "code", "name", "depth"]
    ordering = ["path"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return visible_units(self.request.user)


# --- operations ------------------------------------------------------------------


class PhaseSerializer(ScopedModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "kind", "name", "start_date", "end_date", "is_voting_day"]


class TaskForceSerializer(ScopedModelSerializer):
    class Meta:
        model = TaskForce
        fields = ["id", "level", "code", "name"]


class SecurityPatternSerializer(ScopedModelSerializer):
    notation = serializers.CharField(read_only=True)

    class Meta:
        model = SecurityPattern
        fields = ["id", "unit", "vulnerability", "police", "tps_per_group", "linmas", "notation"]


class OperationSerializer(ScopedModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    task_forces = TaskForceSerializer(many=True, read_only=True)
    security_patterns = SecurityPatternSerializer(many=True, read_only=True)
    reporting_kinds = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "unit",
            "start_date",
            "end_date",
            "report_deadline_hour",
            "reporting_kinds",
            "personnel_announced",
            "description",
            "phases",
            "task_forces",
            "security_patterns",
        ]


class OperationViewSet(viewsets.ReadOnlyModelViewSet):
    """Operations the user takes part in, with their phases, task forces and TPS patterns
    (the operation's defaults and those of units the user sees). Changed in the admin."""

    serializer_class = OperationSerializer
    filterset_fields = ["kind", "unit"]
    search_fields = ["code", "name"]
    ordering_fields = ["start_date", "end_date", "name", "code"]
    ordering = ["-start_date"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user = self.request.user
        patterns = SecurityPattern.objects.filter(
            Q(unit__isnull=True) | Q(unit__in=visible_units(user))
        )
        return operations_for(user).prefetch_related(
            "phases", "task_forces", Prefetch("security_patterns", queryset=patterns)
        )


# --- posts and events --------------------------------------------------------------


class PostSerializer(ScopedModelSerializer):
    class Meta:
        model = Post
        fields = ["id", "operation", *services.POST_FIELDS[:2], "unit", *services.POST_FIELDS[2:]]
        validators = []  # uniqueness is checked by the service (full_clean) and the database


class PostFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()

    class Meta:
        model = Post
        fields = [
            "operation",
            "unit",
            "kind",
            "vulnerability",
            "is_noken",
            "round_the_clock",
            "code",
        ]


class TpsImportSerializer(ImportFileSerializer):
    operation = serializers.PrimaryKeyRelatedField(queryset=Operation.objects.all())
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        help_text="Satuan penanggung jawab TPS (kecuali kolom kode_satuan diisi).",
    )


class PostViewSet(WriteForUnitMixin, viewsets.ModelViewSet):
    """Posts (TPS, logistics warehouses, offices) of the units the user sees."""

    base_queryset = Post.objects.select_related("unit")
    serializer_class = PostSerializer
    filterset_class = PostFilter
    search_fields = ["code", "name", "village", "subdistrict", "district"]
    ordering_fields = ["code", "name", "voters", "vulnerability"]
    ordering = ["code"]
    lookup_value_regex = r"\d+"
    create_service = staticmethod(services.post_create)
    update_service = staticmethod(services.post_update)
    delete_service = staticmethod(services.post_delete)
    instance_kwarg = "post"

    def get_serializer_class(self):
        if self.action == "import_tps":
            return TpsImportSerializer
        return PostSerializer

    @extend_schema(
        request={"multipart/form-data": TpsImportSerializer},
        responses=IMPORT_RESPONSES,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=UPLOAD_PARSERS,
    )
    def import_tps(self, request):
        """Import a KPU TPS CSV (all or nothing unless `only_valid`), with a per-row report."""
        serializer = TpsImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        self.check_write_unit(data["unit"])
        return run_import(
            imports.import_tps,
            raw=data["file"].read(),
            operation=data["operation"],
            unit=data["unit"],
            only_valid=data["only_valid"],
            by=request.user,
            channel="api",
        )


class EventSerializer(ScopedModelSerializer):
    class Meta:
        model = Event
        fields = ["id", "operation", "unit", *services.EVENT_FIELDS]


class EventFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["operation", "unit", "kind", "risk"]


class EventViewSet(WriteForUnitMixin, viewsets.ModelViewSet):
    """Events to secure (rallies, registrations, debates, …) of the units the user sees."""

    base_queryset = Event.objects.select_related("unit")
    serializer_class = EventSerializer
    filterset_class = EventFilter
    search_fields = ["name", "place"]
    ordering_fields = ["starts_at", "ends_at", "expected_crowd", "name"]
    ordering = ["starts_at"]
    lookup_value_regex = r"\d+"
    create_service = staticmethod(services.event_create)
    update_service = staticmethod(services.event_update)
    delete_service = staticmethod(services.event_delete)
    instance_kwarg = "event"
