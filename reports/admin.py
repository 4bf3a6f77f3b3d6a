from django.contrib import admin

from reports.models import Attachment, DailyReport, IdempotencyKey, Incident, ReportActivity


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
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "category", "severity", "unit", "place"]
    list_filter = ["category", "severity", "forwarded_to_gakkumdu", "operation"]
    search_fields = ["place", "description"]
    list_select_related = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Files are served only by the scoped download view, never by a MEDIA_URL link."""

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
