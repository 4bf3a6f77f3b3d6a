"""Serializers of the reports API. They check shapes only; rules live in reports.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from audit.models import AuditEntry
from operations.models import Operation, Post, TaskForce, Unit
from pamilu.api.serializers import ScopedModelSerializer, ScopedSerializer
from reports import limits
from reports.models import Attachment, DailyReport, FlagCode, Incident, ReportActivity


def confirm_warnings_field(**kwargs) -> serializers.ListField:
    """The warning codes (from a 422) a sender confirms: on submit, and on create or
    update with `"submit": true`."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices=FlagCode.choices),
        required=False,
        max_length=len(FlagCode.choices),
        **kwargs,
    )


class ActivitySerializer(ScopedModelSerializer):
    task_force = serializers.PrimaryKeyRelatedField(
        queryset=TaskForce.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = ReportActivity
        fields = ["kind", "task_force", "count", "personnel", "notes"]


class IncidentSerializer(ScopedModelSerializer):
    post = serializers.PrimaryKeyRelatedField(
        queryset=Post.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "report",
            "operation",
            "unit",
            "category",
            "severity",
            "occurred_at",
            "place",
            "post",
            "description",
            "action_taken",
            "deaths",
            "injured_serious",
            "injured_light",
            "loss_rupiah",
            "forwarded_to_gakkumdu",
            "latitude",
            "longitude",
        ]
        read_only_fields = ["id", "report", "operation", "unit"]


class AttachmentSerializer(ScopedModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "report", "original_name", "content_type", "size", "uploaded_at"]
        fields += ["download_url"]
        read_only_fields = fields

    def get_download_url(self, obj: Attachment) -> str:
        return reverse("attachment-download", args=[obj.pk], request=self.context.get("request"))


class AttachmentUploadSerializer(ScopedSerializer):
    file = serializers.FileField(help_text=_("JPEG, PNG, WebP atau PDF (dicek dari isinya)."))


class ReportSerializer(ScopedModelSerializer):
    # The service reads the operation's unit: loaded with it (one query, as before).
    operation = serializers.PrimaryKeyRelatedField(
        queryset=Operation.objects.select_related("unit")
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text=_("Kosongkan untuk satuan pengguna."),
    )
    report_date = serializers.DateField(
        required=False, help_text=_("Kosongkan untuk hari ini di zona waktu satuan.")
    )
    activities = ActivitySerializer(many=True, required=False, max_length=limits.ACTIVITIES_MAX)
    incidents = IncidentSerializer(many=True, required=False, max_length=limits.INCIDENTS_MAX)
    flags = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    submit = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "true: kirim laporan ke pemeriksa dalam permintaan yang sama (satu transaksi: "
            "tersimpan dan terkirim, atau tidak sama sekali)."
        ),
    )
    confirm_warnings = confirm_warnings_field(
        write_only=True,
        help_text=_(
            "Dengan submit: kode peringatan (dari tanggapan 422) yang dikonfirmasi pengirim."
        ),
    )

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "operation",
            "unit",
            "unit_name",
            "report_date",
            "status",
            "personnel_on_duty",
            "summary",
            "obstacles",
            "next_day_plan",
            "is_late",
            "first_submitted_at",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "return_reason",
            "activities",
            "incidents",
            "attachments",
            "flags",
            "created_at",
            "updated_at",
            "submit",
            "confirm_warnings",
        ]
        read_only_fields = [
            "status",
            "is_late",
            "first_submitted_at",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
            "return_reason",
            "created_at",
            "updated_at",
        ]
        # Uniqueness is the database's job (report_one_per_unit_day), under concurrency too.
        validators = []

    def get_flags(self, obj: DailyReport) -> list[str]:
        """Codes the reviewer is shown (set when the report was sent)."""
        return [flag.code for flag in obj.flags.all()]


class ReportUpdateSerializer(ReportSerializer):
    operation = serializers.PrimaryKeyRelatedField(read_only=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True)
    report_date = serializers.DateField(read_only=True)


class ReturnSerializer(ScopedSerializer):
    reason = serializers.CharField(max_length=limits.RETURN_REASON_MAX)


class SubmitSerializer(ScopedSerializer):
    confirm_warnings = confirm_warnings_field(
        help_text=_("Kode peringatan (dari tanggapan 422) yang dikonfirmasi pengirim."),
    )


class AuditEntrySerializer(ScopedModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["at", "actor_name", "channel", "action", "changes"]
