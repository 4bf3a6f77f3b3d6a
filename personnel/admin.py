from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext as _

from audit.admin import AuditedAdmin
from pamilu.api.admin_import import ImportForm, import_page
from personnel import services as personnel_services
from personnel.imports import import_personnel
from personnel.models import (
    Apel,
    ApelEquipment,
    Assignment,
    Deployment,
    Personnel,
    PostGroup,
    PostGroupMember,
    Rank,
    Warrant,
)
from personnel.services_reference import (
    apel_delete,
    personnel_delete,
    rank_delete,
    rank_save,
    warrant_delete,
    warrant_save,
)


@admin.register(Rank)
class RankAdmin(AuditedAdmin):
    list_display = ["order", "code", "name", "group"]
    list_filter = ["group"]
    ordering = ["order"]
    save_service = rank_save
    delete_service = rank_delete


@admin.register(Personnel)
class PersonnelAdmin(AuditedAdmin):
    list_display = ["nrp", "nip", "name", "rank", "position", "unit", "is_active"]
    list_filter = ["rank__group", "rank", "is_active"]
    search_fields = ["nrp", "nip", "name", "position"]
    autocomplete_fields = ["unit"]
    list_select_related = ["rank", "unit"]
    change_list_template = "admin/imports/personnel_change_list.html"
    delete_service = personnel_delete
    service_argument = "person"

    def save_model(self, request, obj, form, change):
        """Through personnel.services (audited there, the right to write checked)."""
        by = {"by": request.user, "channel": "admin"}
        if change:
            fields = {name: getattr(obj, name) for name in form.changed_data}
            personnel_services.personnel_update(person=obj, **fields, **by)
            return
        person = personnel_services.personnel_create(
            name=obj.name, rank=obj.rank, unit=obj.unit, nrp=obj.nrp, nip=obj.nip,
            position=obj.position, **by,
        )  # fmt: skip
        if obj.phone or not obj.is_active:
            person = personnel_services.personnel_update(
                person=person, phone=obj.phone, is_active=obj.is_active, **by
            )
        obj.pk = person.pk

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="personnel_personnel_import"), *super().get_urls()]

    def import_view(self, request):
        """Bulk import of personnel from CSV (personnel.imports), with the per-row report."""
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
    save_service = warrant_save
    delete_service = warrant_delete


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    """View only: assignments are added by personnel.services.assignment_add (BKO marking,
    the police available); there is no service to remove one yet."""

    list_display = ["personnel", "warrant", "unit", "task_force", "is_bko", "home_unit"]
    list_filter = ["is_bko", "operation", "task_force__level"]
    search_fields = ["personnel__name", "personnel__nrp", "warrant__number"]
    list_select_related = ["personnel", "warrant", "unit", "task_force", "home_unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- deployments and apel (issue 7) ------------------------------------------------------------


class DeploymentAddForm(forms.ModelForm):
    """Adding goes through personnel.services.deployment_create; a clash is shown on the form."""

    class Meta:
        model = Deployment
        fields = ["assignment", "post", "group", "event", "starts_at", "ends_at", "note"]

    def clean(self):
        data = super().clean()
        assignment, start, end = data.get("assignment"), data.get("starts_at"), data.get("ends_at")
        if assignment and start and end:
            clash = personnel_services.overlapping(assignment.personnel_id, start, end).first()
            if clash is not None:
                raise ValidationError(personnel_services.clash_message(clash))
        return data

    def _post_clean(self):
        # The model's own checks run in the service (which also fills personnel and unit).
        pass


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin):
    list_display = ["personnel", "target", "unit", "starts_at", "ends_at", "operation"]
    list_filter = ["operation", "assignment__is_bko", "post__kind"]
    search_fields = ["personnel__name", "personnel__nrp", "post__code", "event__name"]
    list_select_related = ["personnel__rank", "unit", "post", "group", "event", "operation"]
    raw_id_fields = ["assignment", "post", "group", "event"]
    date_hierarchy = "starts_at"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = DeploymentAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in Deployment._meta.fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = personnel_services.deployment_create(
            assignment=data["assignment"],
            post=data.get("post"),
            group=data.get("group"),
            event=data.get("event"),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data.get("note", ""),
            by=request.user,
            channel="admin",
        )
        # The admin logs and redirects with `obj`: make it the row the service wrote.
        obj.__dict__.update(created.__dict__)

    def delete_model(self, request, obj):
        personnel_services.deployment_cancel(deployment=obj, by=request.user, channel="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class PostGroupMemberInline(admin.TabularInline):
    model = PostGroupMember
    extra = 0
    raw_id_fields = ["post"]
    readonly_fields = ["post"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PostGroup)
class PostGroupAdmin(AuditedAdmin):
    """View only: groups are made by the proposed plotting (personnel.services_plotting);
    there is no service to dissolve one yet."""

    list_display = ["name", "unit", "vulnerability", "operation"]
    list_filter = ["operation", "vulnerability"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit", "operation"]
    readonly_fields = ["operation", "unit", "vulnerability", "name"]
    inlines = [PostGroupMemberInline]

    def has_add_permission(self, request):
        # Groups are made by the proposed plotting (personnel.plotting.confirm).
        return False


class ApelEquipmentInline(admin.TabularInline):
    model = ApelEquipment
    extra = 0
    fields = ["item", "label", "ready", "not_ready"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Apel)
class ApelAdmin(AuditedAdmin):
    """Apel are recorded through the apel page or the API (personnel.services.apel_record)."""

    list_display = ["held_at", "unit", "kind", "total", "present", "operation"]
    list_filter = ["operation", "kind"]
    search_fields = ["unit__name", "unit__code", "commander"]
    list_select_related = ["unit", "operation"]
    date_hierarchy = "held_at"
    inlines = [ApelEquipmentInline]
    delete_service = apel_delete  # no save service: view only

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Apel._meta.fields]
