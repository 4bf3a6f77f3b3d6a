from django.contrib import admin

from audit.admin import AuditedAdmin
from personnel.models import Assignment, Personnel, Rank, Warrant


@admin.register(Rank)
class RankAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "group"]
    list_filter = ["group"]
    ordering = ["order"]


@admin.register(Personnel)
class PersonnelAdmin(AuditedAdmin):
    list_display = ["nrp", "nip", "name", "rank", "position", "unit", "is_active"]
    list_filter = ["rank__group", "rank", "is_active"]
    search_fields = ["nrp", "nip", "name", "position"]
    autocomplete_fields = ["unit"]
    list_select_related = ["rank", "unit"]
    change_list_template = "admin/imports/personnel_change_list.html"

    def get_urls(self):
        from django.urls import path

        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="personnel_personnel_import"), *super().get_urls()]

    def import_view(self, request):
        """Bulk import of personnel from CSV (personnel.imports), with the per-row report."""
        from django.utils.translation import gettext as _

        from pamilu.api.admin_import import ImportForm, import_page
        from personnel.imports import import_personnel

        return import_page(
            self,
            request,
            form_class=ImportForm,
            title=_("Impor personel dari CSV"),
            help_text=_("Kolom: nrp (atau nip), nama, pangkat, kode_satuan; opsional: jabatan."),
            run=lambda data, raw: import_personnel(
                raw=raw, only_valid=data["only_valid"], by=request.user, channel="admin"
            ),
        )


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["personnel", "unit", "task_force", "role", "is_bko"]
    readonly_fields = ["personnel", "unit", "task_force", "role", "is_bko"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # New assignments go through personnel.services.assignment_add (BKO marking).
        return False


@admin.register(Warrant)
class WarrantAdmin(AuditedAdmin):
    list_display = ["number", "date", "issuing_unit", "operation"]
    list_filter = ["operation"]
    search_fields = ["number", "subject"]
    autocomplete_fields = ["issuing_unit"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["personnel", "warrant", "unit", "task_force", "is_bko", "home_unit"]
    list_filter = ["is_bko", "operation", "task_force__level"]
    search_fields = ["personnel__name", "personnel__nrp", "warrant__number"]
    list_select_related = ["personnel", "warrant", "unit", "task_force", "home_unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
