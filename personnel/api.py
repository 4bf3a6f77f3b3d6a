"""/api/v1/ for ranks, personnel, warrants (sprin) and their assignments.

Querysets go through pamilu.scoping (out of scope: 404); writes go through
personnel.services; a write for a unit the user may not write for is refused.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action

from pamilu.api.filters import SubtreeFilter
from pamilu.api.imports import IMPORT_RESPONSES, ImportFileSerializer, run_import
from pamilu.api.parsers import UPLOAD_PARSERS
from pamilu.api.serializers import ScopedModelSerializer
from pamilu.api.viewsets import ScopedMixin, WriteForUnitMixin
from pamilu.scoping import can_write_for_unit
from personnel import imports, services
from personnel.models import Assignment, Personnel, Rank, Warrant


class RankSerializer(ScopedModelSerializer):
    class Meta:
        model = Rank
        fields = ["id", "code", "name", "group", "order"]


class RankViewSet(viewsets.ReadOnlyModelViewSet):
    """Ranks (pangkat) and civil grades, lowest first: reference data, the same for all."""

    queryset = Rank.objects.all()
    serializer_class = RankSerializer
    filterset_fields = ["group", "code"]
    ordering_fields = ["order"]
    ordering = ["order"]
    pagination_class = None
    lookup_value_regex = r"\d+"


class PersonnelSerializer(ScopedModelSerializer):
    rank_name = serializers.CharField(source="rank.name", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Personnel
        fields = [
            "id",
            "nrp",
            "nip",
            "name",
            "rank",
            "rank_name",
            "unit",
            "unit_code",
            "position",
            "phone",
            "is_active",
        ]
        validators = []  # one identifier, uniqueness: checked by the model (full_clean)
        extra_kwargs = {"nrp": {"validators": []}, "nip": {"validators": []}}


class PersonnelFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()

    class Meta:
        model = Personnel
        fields = ["unit", "rank", "is_active", "nrp", "nip"]


class PersonnelViewSet(
    WriteForUnitMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Personnel of the units the user sees. Deactivate with `is_active: false`."""

    base_queryset = Personnel.objects.select_related("rank", "unit")
    serializer_class = PersonnelSerializer
    filterset_class = PersonnelFilter
    search_fields = ["nrp", "nip", "name", "position"]
    ordering_fields = ["name", "nrp", "rank__order"]
    ordering = ["name"]
    lookup_value_regex = r"\d+"
    create_service = staticmethod(services.personnel_create)
    update_service = staticmethod(services.personnel_update)
    instance_kwarg = "person"

    def get_serializer_class(self):
        if self.action == "import_personnel":
            return ImportFileSerializer
        return PersonnelSerializer

    @extend_schema(
        request={"multipart/form-data": ImportFileSerializer}, responses=IMPORT_RESPONSES
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=UPLOAD_PARSERS,
    )
    def import_personnel(self, request):
        """Import personnel from CSV (nrp, nama, pangkat, kode_satuan, jabatan)."""
        serializer = ImportFileSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return run_import(
            imports.import_personnel,
            raw=serializer.validated_data["file"].read(),
            only_valid=serializer.validated_data["only_valid"],
            by=request.user,
            channel="api",
        )


class AssignmentSerializer(ScopedModelSerializer):
    class Meta:
        model = Assignment
        fields = [
            "id",
            "warrant",
            "personnel",
            "operation",
            "unit",
            "task_force",
            "role",
            "is_bko",
            "home_unit",
        ]
        read_only_fields = ["operation", "is_bko", "home_unit"]
        validators = []


class NestedAssignmentSerializer(AssignmentSerializer):
    class Meta(AssignmentSerializer.Meta):
        fields = ["id", "personnel", "unit", "task_force", "role", "is_bko", "home_unit"]
        read_only_fields = ["is_bko", "home_unit"]


class WarrantSerializer(ScopedModelSerializer):
    assignments = NestedAssignmentSerializer(many=True, required=False)

    class Meta:
        model = Warrant
        fields = ["id", "number", "date", "issuing_unit", "operation", "subject", "assignments"]
        validators = []
        extra_kwargs = {"number": {"validators": []}}


class WarrantFilter(django_filters.FilterSet):
    subtree = SubtreeFilter(unit_field="issuing_unit")

    class Meta:
        model = Warrant
        fields = ["operation", "issuing_unit", "number"]


class WarrantViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Warrants (sprin) issued by units the user sees, with the assignments they make.

    POST issues a sprin with its assignments in one transaction (BKO marked by the service).
    """

    base_queryset = Warrant.objects.select_related("issuing_unit").prefetch_related("assignments")
    unit_field = "issuing_unit"
    serializer_class = WarrantSerializer
    filterset_class = WarrantFilter
    search_fields = ["number", "subject"]
    ordering_fields = ["date", "number"]
    ordering = ["-date"]
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)  # the right: checked by warrant_issue
        items = data.pop("assignments", [])
        serializer.instance = services.warrant_issue(
            assignments=items, by=self.request.user, channel="api", **data
        )


class AssignmentViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assignments to units the user sees (BKO included). POST adds one to a warrant."""

    base_queryset = Assignment.objects.select_related("warrant")
    serializer_class = AssignmentSerializer
    filterset_fields = ["warrant", "operation", "unit", "personnel", "is_bko", "task_force"]
    ordering_fields = ["id"]
    ordering = ["id"]
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        warrant = data.pop("warrant")
        if not can_write_for_unit(self.request.user, warrant.issuing_unit):
            raise exceptions.PermissionDenied("Anda tidak berwenang mengubah sprin ini.")
        serializer.instance = services.assignment_add(
            warrant=warrant, by=self.request.user, channel="api", **data
        )
