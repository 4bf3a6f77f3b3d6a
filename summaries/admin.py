"""Admin: summaries are read-only (built by Celery); notices can be browsed."""

from django.contrib import admin

from summaries.models import Notice, Summary


@admin.register(Summary)
class SummaryAdmin(admin.ModelAdmin):
    list_display = ["unit", "operation", "period_kind", "period_start", "through", "built_at"]
    list_filter = ["period_kind", "operation"]
    search_fields = ["unit__name", "unit__code"]
    date_hierarchy = "period_start"
    list_select_related = ["unit", "operation"]
    readonly_fields = [f.name for f in Summary._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["unit", "report_date", "kind", "level", "recipient_unit", "acknowledged_at"]
    list_filter = ["kind", "level"]
    search_fields = ["unit__name", "unit__code"]
    list_select_related = ["unit", "recipient_unit"]
    readonly_fields = [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
