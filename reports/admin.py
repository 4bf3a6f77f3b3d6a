from django.contrib import admin

from reports import corrections
from reports.models import (
    Attachment,
    Correction,
    DailyReport,
    IdempotencyKey,
    Incident,
    ReportActivity,
)

ADMIN_REASON = "Dihapus melalui admin"


class CorrectingDeleteMixin:
    """Deleting in the admin is an audited correction (reports.corrections), never a
    hard delete: the record and its file are kept, the summaries marked stale."""

    writes_audit_trail = True
    correct = None  # the corrections service for this model

    def delete_model(self, request, obj):
        type(self).correct(
            **{self.model._meta.model_name: obj},
            by=request.user,
            channel="admin",
            reason=ADMIN_REASON,
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ActivityInline(admin.TabularInline):
    model = ReportActivity
    extra = 0


class IncidentInline(admin.StackedInline):
    model = Incident
    extra = 0


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    """Read-only here: reports change only through the workflow (reports.services)."""

    list_display = ["report_date", "unit", "operation", "status", "is_late", "submitted_at"]
    list_filter = ["status", "is_late", "operation"]
    search_fields = ["unit__name", "unit__code"]
    date_hierarchy = "report_date"
    list_select_related = ["unit", "operation"]
    inlines = [ActivityInline, IncidentInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Incident)
class IncidentAdmin(CorrectingDeleteMixin, admin.ModelAdmin):
    correct = corrections.incident_correct_away
    list_display = ["occurred_at", "category", "severity", "unit", "place"]
    list_filter = ["category", "severity", "forwarded_to_gakkumdu", "operation"]
    search_fields = ["place", "description"]
    list_select_related = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(CorrectingDeleteMixin, admin.ModelAdmin):
    """Files are served only by the scoped download view, never by a MEDIA_URL link."""

    correct = corrections.attachment_correct_away

    list_display = ["original_name", "report", "content_type", "size", "uploaded_at"]
    exclude = ["file"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "method_path", "response_status", "created_at"]
    search_fields = ["key", "user__username"]
    exclude = ["response_body"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    """Read-only: what was removed from which report, by whom and why."""

    list_display = [
        "removed_at", "kind", "original_id", "report", "removed_by_name", "retain_until",
    ]  # fmt: skip
    list_filter = ["kind"]
    exclude = ["file"]
    list_select_related = ["report__unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
