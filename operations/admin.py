from django.contrib import admin

from audit.admin import AuditedAdmin
from operations.models import (
    Event,
    Operation,
    Phase,
    Post,
    SecurityPattern,
    TaskForce,
    Unit,
)
from operations.services import unit_path


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "subtype", "parent", "time_zone", "is_active"]
    list_filter = ["kind", "subtype", "time_zone", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        obj.path = unit_path(code=obj.code, parent=obj.parent)
        obj.depth = obj.parent.depth + 1 if obj.parent else 0
        if not obj.time_zone and obj.parent:
            obj.time_zone = obj.parent.time_zone
        super().save_model(request, obj, form, change)


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class TaskForceInline(admin.TabularInline):
    model = TaskForce
    extra = 0


class SecurityPatternInline(admin.TabularInline):
    model = SecurityPattern
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Operation)
class OperationAdmin(AuditedAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "unit",
        "start_date",
        "end_date",
        "report_deadline_hour",
    ]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["unit"]
    inlines = [PhaseInline, TaskForceInline, SecurityPatternInline]


@admin.register(Phase)
class PhaseAdmin(AuditedAdmin):
    list_display = ["name", "operation", "kind", "start_date", "end_date", "is_voting_day"]
    list_filter = ["operation", "kind"]
    search_fields = ["name"]


@admin.register(TaskForce)
class TaskForceAdmin(AuditedAdmin):
    list_display = ["name", "code", "level", "operation"]
    list_filter = ["operation", "level"]
    search_fields = ["name", "code"]


@admin.register(SecurityPattern)
class SecurityPatternAdmin(AuditedAdmin):
    list_display = ["operation", "unit", "vulnerability", "police", "tps_per_group", "linmas"]
    list_filter = ["operation", "vulnerability"]
    autocomplete_fields = ["unit"]


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "vulnerability", "voters", "unit", "operation"]
    list_filter = ["operation", "kind", "vulnerability", "round_the_clock"]
    search_fields = ["code", "name", "village", "subdistrict", "district"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "operation"]


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["name", "kind", "unit", "starts_at", "ends_at", "risk", "expected_crowd"]
    list_filter = ["operation", "kind", "risk"]
    search_fields = ["name", "place"]
    autocomplete_fields = ["unit"]
    date_hierarchy = "starts_at"
