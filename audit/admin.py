from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry, Channel


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin that writes only through services (they check the right and write the
    audit entry in their transaction).

    `save_service` is called for an add or a change and `delete_service` for a delete, as
    ``service(<service_argument>=obj, by=request.user, channel="admin")`` (the argument
    defaults to the model's name). An admin may instead override save_model / delete_model
    to call its own services; a write with neither is not offered (the page is view only).
    Inline rows go through the services of their model's own registered admin."""

    writes_audit_trail = True  # audit.receivers leaves its log hooks alone
    save_service: Callable[..., Any] | None = None
    delete_service: Callable[..., Any] | None = None
    service_argument = ""

    def _offers(self, write: str) -> bool:
        """Whether this admin has a service for `write` ("save" or "delete")."""
        overridden = getattr(type(self), f"{write}_model") is not getattr(
            AuditedAdmin, f"{write}_model"
        )
        return overridden or getattr(type(self), f"{write}_service") is not None

    def has_add_permission(self, request):
        return self._offers("save") and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._offers("save") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._offers("delete") and super().has_delete_permission(request, obj)

    def _call(self, write: str, request, obj):
        service = getattr(type(self), f"{write}_service")
        if service is None:
            raise PermissionDenied
        argument = self.service_argument or obj._meta.model_name
        return service(**{argument: obj}, by=request.user, channel=Channel.ADMIN)

    def save_model(self, request, obj, form, change):
        saved = self._call("save", request, obj)
        if saved is not None and saved is not obj:
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        self._call("delete", request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows: built by the formset without writing (commit=False), then saved and
        deleted through the services of their own model's admin."""
        rows = formset.save(commit=False)
        if rows or formset.deleted_objects:
            row_admin = self.admin_site._registry.get(formset.model)
            if not isinstance(row_admin, AuditedAdmin):
                raise PermissionDenied
            for obj in formset.deleted_objects:
                row_admin.delete_model(request, obj)
            for obj in rows:
                row_admin._call("save", request, obj)
        formset.save_m2m()


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
