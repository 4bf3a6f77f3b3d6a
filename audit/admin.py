from django.contrib import admin

from audit.models import AuditEntry, Channel
from audit.services import diff, record, snapshot


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every save and delete is written to the audit trail."""

    writes_audit_trail = True  # audit.receivers leaves its log hooks alone

    def save_model(self, request, obj, form, change):
        before = {}
        if change and obj.pk:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = snapshot(old) if old else {}
        super().save_model(request, obj, form, change)
        after = snapshot(obj)
        record(
            actor=request.user,
            channel=Channel.ADMIN,
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            obj=obj,
            changes=diff(before, after) if change else after,
            unit=_unit_of(obj),
        )

    def delete_model(self, request, obj):
        record(
            actor=request.user,
            channel=Channel.ADMIN,
            action=f"{obj._meta.model_name}.delete",
            obj=obj,
            changes=snapshot(obj),
            unit=_unit_of(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _unit_of(obj):
    # The unit model as the trail's own foreign key names it: audit sits below operations
    # and does not import it (docs/architecture.md).
    unit_model = AuditEntry._meta.get_field("unit").related_model
    if isinstance(obj, unit_model):
        return obj
    unit = getattr(obj, "unit", None)
    return unit if isinstance(unit, unit_model) else None


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail cannot be edited through the app."""

    list_display = ["at", "actor_name", "channel", "action", "object_repr", "unit"]
    list_filter = ["channel", "action"]
    search_fields = ["actor_name", "object_repr", "action"]
    date_hierarchy = "at"
    list_select_related = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
