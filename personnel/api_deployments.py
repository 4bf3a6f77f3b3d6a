"""/api/v1/ for deployments (with their CSV import), an event's deployments, TPS coverage,
round-the-clock guard gaps and apel readiness.

Querysets go through pamilu.scoping (out of scope: 404); writes go through personnel.services
and need `pamilu.scoping.can_deploy` for the unit (else 403, nothing written). A clash
(the same person in two overlapping spans) is a 400 whose message names the clash.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from operations.models import Event, Operation, Unit
from pamilu import scoping
from pamilu.api.filters import SubtreeFilter
from pamilu.api.parsers import UPLOAD_PARSERS
from pamilu.api.serializers import ScopedModelSerializer, ScopedSerializer
from pamilu.api.viewsets import ScopedMixin
from pamilu.scoping import get_in_scope_or_404, scope
from personnel import imports, services
from personnel.models import Apel, ApelEquipment, Deployment, EquipmentItem

# --- deployments ---------------------------------------------------------------------------


class DeploymentSerializer(ScopedModelSerializer):
    nrp = serializers.CharField(source="personnel.identifier", read_only=True)
    name = serializers.CharField(source="personnel.name", read_only=True)
    rank = serializers.CharField(source="personnel.rank.name", read_only=True)
    is_bko = serializers.BooleanField(source="assignment.is_bko", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = Deployment
        fields = [
            "id",
            "operation",
            "assignment",
            "personnel",
            "nrp",
            "name",
            "rank",
            "is_bko",
            "unit",
            "unit_code",
            "post",
            "group",
            "event",
            "starts_at",
            "ends_at",
            "note",
            "created_at",
        ]
        read_only_fields = ["operation", "personnel", "unit", "created_at"]


class DeploymentFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt")
    ends_after = django_filters.IsoDateTimeFilter(field_name="ends_at", lookup_expr="gt")

    class Meta:
        model = Deployment
        fields = ["operation", "unit", "post", "group", "event", "personnel", "assignment"]


class DeploymentImportSerializer(ScopedSerializer):
    file = serializers.FileField(
        help_text="CSV UTF-8: nrp, pos, kegiatan, mulai, selesai, catatan (waktu lokal satuan)."
    )
    operation = serializers.SlugRelatedField(slug_field="code", queryset=Operation.objects.all())
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all())
    only_valid = serializers.BooleanField(
        default=False,
        help_text="false (bawaan): tidak ada yang ditulis bila satu baris ditolak. "
        "true: tulis baris yang valid saja.",
    )


DEPLOYMENT_IMPORT_RESPONSE = inline_serializer(
    "DeploymentImportResult",
    {
        "created": serializers.IntegerField(),
        "errors": inline_serializer(
            "DeploymentImportError",
            {"line": serializers.IntegerField(), "message": serializers.CharField()},
            many=True,
        ),
    },
)


class DeploymentViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Personnel deployed to a post, a group of TPS or an event for a span [starts_at, ends_at).

    Exactly one of `post`, `group`, `event`. The same person in two overlapping spans is
    refused (400) with a message naming the clash; adjacent spans are accepted.
    """

    base_queryset = Deployment.objects.select_related(
        "personnel__rank", "unit", "assignment", "post", "group", "event"
    )
    serializer_class = DeploymentSerializer
    filterset_class = DeploymentFilter
    search_fields = ["personnel__nrp", "personnel__name"]
    ordering_fields = ["starts_at", "ends_at", "personnel__name"]
    ordering = ["starts_at"]
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action == "import_deployments":
            return DeploymentImportSerializer
        return DeploymentSerializer

    def _check_deploy(self, unit: Unit) -> None:
        # The services check it too; checked here first because their counts decorator
        # (personnel.coverage_counts.keeps_deployments) locks the person's rows before the
        # service's own check, and the import reads the file before it: a user without the
        # right is refused before any lock or read.
        if not scoping.can_deploy(self.request.user, unit):
            raise exceptions.PermissionDenied(
                "Anda tidak berwenang menempatkan personel untuk satuan ini."
            )

    def perform_create(self, serializer):
        data = serializer.validated_data
        targets = [data.get(k) for k in ("post", "group", "event") if data.get(k)]
        if len(targets) != 1:
            raise exceptions.ValidationError(
                {"post": ["Pilih tepat satu tujuan: post, group atau event."]}
            )
        self._check_deploy(targets[0].unit)
        serializer.instance = services.deployment_create(
            assignment=data["assignment"],
            post=data.get("post"),
            group=data.get("group"),
            event=data.get("event"),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data.get("note", ""),
            by=self.request.user,
            channel="api",
        )

    def perform_destroy(self, instance):
        self._check_deploy(instance.unit)
        services.deployment_cancel(deployment=instance, by=self.request.user, channel="api")

    @extend_schema(
        request={"multipart/form-data": DeploymentImportSerializer},
        responses={200: DEPLOYMENT_IMPORT_RESPONSE},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=UPLOAD_PARSERS,
    )
    def import_deployments(self, request):
        """Import deployments from CSV; each refused line (e.g. a clash) is reported."""
        serializer = DeploymentImportSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        unit = serializer.validated_data["unit"]
        self._check_deploy(unit)
        try:
            text = serializer.validated_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise exceptions.ValidationError({"file": ["Berkas harus teks UTF-8."]}) from None
        report = imports.deployments_import(
            raw=text.encode("utf-8"),
            operation=serializer.validated_data["operation"],
            within=unit,
            by=request.user,
            channel="api",
            only_valid=serializer.validated_data["only_valid"],
        )
        return Response(
            {
                "created": report.written,
                "errors": [{"line": e.line, "message": e.message} for e in report.errors],
            }
        )


class EventDeploymentsView(ListAPIView):
    """The deployments securing one event (404 when the event is out of scope)."""

    serializer_class = DeploymentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deployment.objects.none()
        event = get_in_scope_or_404(self.request.user, Event.objects.all(), pk=self.kwargs["pk"])
        return scope(
            self.request.user,
            Deployment.objects.filter(event=event).select_related(
                "personnel__rank", "unit", "assignment", "post", "group", "event"
            ),
        ).order_by("starts_at", "pk")


# --- apel ------------------------------------------------------------------------------------


class ApelEquipmentSerializer(ScopedModelSerializer):
    item = serializers.ChoiceField(choices=EquipmentItem.choices)

    class Meta:
        model = ApelEquipment
        fields = ["item", "label", "ready", "not_ready"]


class ApelSerializer(ScopedModelSerializer):
    equipment = ApelEquipmentSerializer(many=True, required=False)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    operation = serializers.SlugRelatedField(slug_field="code", queryset=Operation.objects.all())

    class Meta:
        model = Apel
        fields = [
            "id",
            "operation",
            "unit",
            "unit_code",
            "kind",
            "held_at",
            "total",
            "present",
            "sick",
            "permit",
            "leave",
            "duty",
            "awol",
            "commander",
            "note",
            "equipment",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ApelFilter(django_filters.FilterSet):
    subtree = SubtreeFilter()
    operation = django_filters.CharFilter(field_name="operation__code")
    held_after = django_filters.IsoDateTimeFilter(field_name="held_at", lookup_expr="gte")

    class Meta:
        model = Apel
        fields = ["unit", "kind"]


class ApelViewSet(
    ScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Apel kesiapan: strength (total = present + absences by reason) and equipment."""

    base_queryset = Apel.objects.select_related("unit", "operation").prefetch_related("equipment")
    serializer_class = ApelSerializer
    filterset_class = ApelFilter
    ordering_fields = ["held_at"]
    ordering = ["-held_at"]
    lookup_value_regex = r"\d+"

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)  # the right: checked by apel_record
        serializer.instance = services.apel_record(
            operation=data["operation"],
            unit=data["unit"],
            kind=data.get("kind", "kesiapan"),
            held_at=data["held_at"],
            strength={name: data.get(name, 0) for name in services.STRENGTH_FIELDS},
            equipment=data.get("equipment", []),
            commander=data.get("commander", ""),
            note=data.get("note", ""),
            by=self.request.user,
            channel="api",
        )
