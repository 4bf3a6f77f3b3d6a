"""REST API of daily reports: reports and their transitions, incidents, attachments.

Querysets go through reports.selectors (scoped: out of scope is 404); writes through
reports.services with channel "api". A POST creating a report, a PUT or PATCH changing
(and sending) one, submit and attachments may carry an `Idempotency-Key` header (see
reports.idempotency).
"""

from __future__ import annotations

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from audit.models import Channel
from audit.services import entries_for
from pamilu.api.pagination import CappedCountPagination
from pamilu.api.parsers import UPLOAD_PARSERS
from pamilu.api.schema import ConfirmWarningsErrorSerializer
from pamilu.api.schema import error_response as _error
from reports import selectors, services
from reports.idempotency import IdempotencyKeyReused  # noqa: F401 - part of this API
from reports.idempotency import idempotent as _idempotent
from reports.models import DailyReport
from reports.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    AuditEntrySerializer,
    IncidentSerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    ReturnSerializer,
    SubmitSerializer,
)

API = Channel.API

# --- viewsets --------------------------------------------------------------------------


class ReportOrdering(OrderingFilter):
    """`?ordering=` one of report_date, submitted_at, updated_at (with `-` for newest
    first; the first term counts): each maps to an order an index serves
    (reports.selectors.API_ORDERS). Default: newest day first, then the unit's path."""

    def filter_queryset(self, request, queryset, view):
        terms = self.get_ordering(request, queryset, view) or ["-report_date"]
        return queryset.order_by(*selectors.API_ORDERS.get(terms[0], selectors.LIST_ORDER))


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Kunci unik dari klien: pengulangan dengan kunci dan isi yang sama "
        "mengembalikan tanggapan pertama tanpa membuat laporan baru."
    ),
)

UPDATE_RESPONSES = {
    200: ReportSerializer,
    400: _error("Invalid"),
    403: _error("Forbidden"),
    404: _error("Not found"),
    409: _error("Frozen"),
    422: _error(
        _(
            "Peringatan yang harus dikonfirmasi (dengan submit), atau Idempotency-Key "
            "dipakai ulang dengan isi berbeda."
        ),
        ConfirmWarningsErrorSerializer,
    ),
}

TRANSITION_RESPONSES = {
    200: ReportSerializer,
    403: _error(_("Peran pengguna tidak mengizinkan perubahan ini.")),
    404: _error(_("Laporan tidak ditemukan (atau di luar lingkup pengguna).")),
    409: _error(_("Status laporan tidak mengizinkan perubahan ini.")),
}


@extend_schema_view(
    list=extend_schema(summary=_("Laporan anev yang boleh dilihat pengguna")),
    retrieve=extend_schema(responses={200: ReportSerializer, 404: _error("Not found")}),
    update=extend_schema(
        request=ReportUpdateSerializer, parameters=[IDEMPOTENCY_KEY], responses=UPDATE_RESPONSES
    ),
    partial_update=extend_schema(
        request=ReportUpdateSerializer, parameters=[IDEMPOTENCY_KEY], responses=UPDATE_RESPONSES
    ),
)
class ReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Daily anev reports. Drafts and returned reports are editable by the unit's operators;
    reviewers of an ancestor unit accept or return submitted ones."""

    serializer_class = ReportSerializer
    filterset_fields = ["status", "report_date", "operation", "unit", "is_late"]
    filter_backends = [DjangoFilterBackend, ReportOrdering, SearchFilter]
    ordering_fields = ["report_date", "submitted_at", "updated_at"]
    ordering = ["-report_date"]
    search_fields = ["unit__name", "unit__code"]
    pagination_class = CappedCountPagination

    def get_queryset(self):
        return selectors.reports_with_items(self.request.user)

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ReportUpdateSerializer
        return ReportSerializer

    def _out(self, report: DailyReport, code: int = status.HTTP_200_OK) -> Response:
        report = selectors.report_in_scope(self.request.user, report.pk)
        return self._written(report, code)

    def _written(self, report: DailyReport, code: int = status.HTTP_200_OK) -> Response:
        """The response from the report as written (its items held by the service)."""
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data, code)

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: ReportSerializer,
            400: _error(_("Isian tidak valid, tanggal di luar operasi, atau laporan ganda.")),
            403: _error(_("Pengguna bukan operator satuan ini.")),
            422: _error(_("Idempotency-Key dipakai ulang dengan isi berbeda.")),
        },
    )
    def create(self, request, *args, **kwargs):
        return _idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        """Create the report and, with `"submit": true`, send it in the same transaction;
        the response is built from what was written, not read back."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        send = data.pop("submit", False)
        confirmed = data.pop("confirm_warnings", [])
        unit = data.pop("unit", None) or request.user.unit
        if unit is None:
            raise exceptions.ValidationError({"unit": [_("Pilih satuan pelapor.")]})
        report = services.report_create(
            operation=data.pop("operation"),
            unit=unit,
            by=request.user,
            channel=API,
            report_date=data.pop("report_date", None),
            activities=[dict(a) for a in data.pop("activities", [])],
            incidents=[dict(i) for i in data.pop("incidents", [])],
            submit=send,
            confirm_warnings=confirmed,
            **data,
        )
        return self._written(report, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change a draft or returned report; with `"submit": true`, send it in the same
        transaction. With an `Idempotency-Key`, a retry (the phone's offline queue sending
        an edited report in one request) replays the answer instead of a 409."""
        return _idempotent(request, lambda: self._update(request, partial=kwargs.get("partial")))

    def _update(self, request, *, partial) -> Response:
        report = self.get_object()
        serializer = self.get_serializer(report, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        send = data.pop("submit", False)
        confirmed = data.pop("confirm_warnings", [])
        activities = data.pop("activities", None)
        incidents = data.pop("incidents", None)
        report = services.report_update(
            report=report,
            by=request.user,
            channel=API,
            activities=None if activities is None else [dict(a) for a in activities],
            incidents=None if incidents is None else [dict(i) for i in incidents],
            submit=send,
            confirm_warnings=confirmed,
            **data,
        )
        return self._out(report)

    @extend_schema(
        request=SubmitSerializer,
        responses={
            **TRANSITION_RESPONSES,
            400: _error(
                _(
                    "Laporan belum memenuhi syarat kirim: personel bertugas, kegiatan, "
                    "ringkasan, kekuatan menurut sprin (kolom disebut di errors[].field)."
                )
            ),
            422: _error(
                _(
                    "Peringatan yang harus dikonfirmasi: kirim lagi dengan "
                    '{"confirm_warnings": ["<kode>", ...]}.'
                ),
                ConfirmWarningsErrorSerializer,
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft (or a returned report again); after the deadline it is marked late.

        The sending rules answer 400 naming the field; implausible values answer 422 with
        warning codes, which the client confirms by sending again with `confirm_warnings`.
        With an `Idempotency-Key`, a retry (the phone's offline queue) replays the answer."""
        return _idempotent(request, lambda: self._submit(request))

    def _submit(self, request) -> Response:
        report = self.get_object()
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_submit(
            report=report,
            by=request.user,
            channel=API,
            confirm_warnings=serializer.validated_data.get("confirm_warnings", []),
        )
        return self._out(report)

    @extend_schema(request=None, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a submitted report (reviewers of an ancestor unit)."""
        report = services.report_accept(report=self.get_object(), by=request.user, channel=API)
        return self._out(report)

    @extend_schema(
        request=ReturnSerializer,
        responses={**TRANSITION_RESPONSES, 400: _error(_("Alasan wajib diisi."))},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_report(self, request, pk=None):
        """Return a submitted report to its unit with a reason (reviewers of an ancestor unit)."""
        report = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_return(
            report=report,
            by=request.user,
            channel=API,
            reason=serializer.validated_data["reason"],
        )
        return self._out(report)

    @extend_schema(responses={200: AuditEntrySerializer(many=True), 404: _error("Not found")})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def audit(self, request, pk=None):
        """The report's audit trail, oldest first (read-only)."""
        entries = entries_for(self.get_object()).order_by("at", "id")
        return Response(AuditEntrySerializer(entries, many=True).data)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            400: _error(_("Jenis berkas tidak diterima atau berkas terlalu besar.")),
            403: _error("Forbidden"),
            404: _error("Not found"),
            409: _error("Frozen"),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=UPLOAD_PARSERS,
        url_path="attachments",
        url_name="attachments",
    )
    def add_attachment(self, request, pk=None):
        """Attach a photo or PDF; its type is checked from the content.

        With an `Idempotency-Key`, a retry replays the answer instead of a second file."""
        return _idempotent(request, lambda: self._add_attachment(request))

    def _add_attachment(self, request) -> Response:
        report = self.get_object()
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            report=report,
            by=request.user,
            channel=API,
            upload=serializer.validated_data["file"],
        )
        return Response(
            AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Kejadian menonjol of the reports the user may see (written through their report)."""

    serializer_class = IncidentSerializer
    filterset_fields = ["category", "severity", "operation", "unit", "report"]
    ordering_fields = ["occurred_at"]

    def get_queryset(self):
        return selectors.incidents_for(self.request.user).order_by("-occurred_at", "id")


@extend_schema_view(
    destroy=extend_schema(
        responses={
            204: None,
            403: _error("Forbidden"),
            404: _error("Not found"),
            409: _error("Frozen"),
        }
    )
)
class AttachmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Attachments of the reports the user may see. Upload through the report."""

    serializer_class = AttachmentSerializer
    filterset_fields = ["report"]

    def get_queryset(self):
        return selectors.attachments_for(self.request.user).order_by("uploaded_at", "id")

    def perform_destroy(self, instance):
        services.attachment_remove(attachment=instance, by=self.request.user, channel=API)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: _error("Not found"),
        }
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def download(self, request, pk=None):
        """The file itself, only for users who may see its report."""
        attachment = self.get_object()
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )
