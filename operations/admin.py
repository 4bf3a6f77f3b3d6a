from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from operations.imports import import_tps
from operations.models import (
    Event,
    Operation,
    Phase,
    Post,
    SecurityPattern,
    TaskForce,
    Unit,
)
from operations.selectors import operations_for
from operations.services import (
    event_create,
    event_delete,
    event_update,
    post_create,
    post_delete,
    post_update,
    security_pattern_delete,
    security_pattern_save,
    unit_create,
    unit_delete,
    unit_update,
)
from operations.services_reference import (
    operation_delete,
    operation_save,
    phase_delete,
    phase_save,
    task_force_delete,
    task_force_save,
)
from pamilu.api.admin_import import ImportForm, import_page
from pamilu.scoping import visible_units


class TpsImportForm(ImportForm):
    operation = forms.ModelChoiceField(label=_("Operasi"), queryset=None)
    unit = forms.ModelChoiceField(
        label=_("Satuan penanggung jawab"),
        queryset=None,
        help_text=_("Dipakai untuk baris tanpa kolom kode_satuan."),
    )
    field_order = ["operation", "unit", "file", "only_valid"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["operation"].queryset = operations_for(user)
        self.fields["unit"].queryset = visible_units(user)


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "code", "name", "kind", "subtype", "parent", "time_zone",
            "latitude", "longitude", "is_active",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Empty: inherit the parent's (the Polda's) zone.
        self.fields["time_zone"].required = False

    def clean(self):
        cleaned = super().clean()
        parent = cleaned.get("parent")
        if self.instance.pk and parent and parent.path.startswith(self.instance.path):
            raise forms.ValidationError(
                {"parent": _("Satuan tidak dapat dipindah ke bawah dirinya sendiri.")}
            )
        if not cleaned.get("time_zone") and parent:
            cleaned["time_zone"] = parent.time_zone
            self.instance.time_zone = parent.time_zone
        return cleaned


UNIT_CREATE_FIELDS = [
    "code", "name", "kind", "subtype", "parent", "time_zone", "latitude", "longitude", "is_active",
]  # fmt: skip


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    form = UnitAdminForm
    list_display = ["code", "name", "kind", "subtype", "parent", "time_zone", "is_active"]
    list_filter = ["kind", "subtype", "time_zone", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    list_select_related = ["parent"]

    def save_model(self, request, obj, form, change):
        # Through the services (audited there): a new code or parent moves the whole
        # subtree in SQL (operations.services.unit_update).
        if change:
            fields = {name: getattr(obj, name) for name in form.changed_data}
            unit = unit_update(unit=obj, by=request.user, channel="admin", **fields)
        else:
            unit = unit_create(
                **{name: getattr(obj, name) for name in UNIT_CREATE_FIELDS},
                by=request.user,
                channel="admin",
            )
        for field in Unit._meta.concrete_fields:  # the admin goes on with `obj`
            setattr(obj, field.attname, getattr(unit, field.attname))

    def delete_model(self, request, obj):
        unit_delete(unit=obj, by=request.user, channel="admin")


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
    # The inline rows go through phase_save, task_force_save and security_pattern_save
    # (AuditedAdmin.save_formset); the last keeps the TPS requirement counts.
    save_service = operation_save
    delete_service = operation_delete


@admin.register(Phase)
class PhaseAdmin(AuditedAdmin):
    list_display = ["name", "operation", "kind", "start_date", "end_date", "is_voting_day"]
    list_filter = ["operation", "kind"]
    search_fields = ["name"]
    save_service = phase_save
    delete_service = phase_delete


@admin.register(TaskForce)
class TaskForceAdmin(AuditedAdmin):
    list_display = ["name", "code", "level", "operation"]
    list_filter = ["operation", "level"]
    search_fields = ["name", "code"]
    save_service = task_force_save
    delete_service = task_force_delete
    service_argument = "task_force"


@admin.register(SecurityPattern)
class SecurityPatternAdmin(AuditedAdmin):
    list_display = ["operation", "unit", "vulnerability", "police", "tps_per_group", "linmas"]
    list_filter = ["operation", "vulnerability"]
    autocomplete_fields = ["unit"]
    save_service = security_pattern_save
    delete_service = security_pattern_delete
    service_argument = "pattern"


POST_KEYS = {"operation", "unit"}


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "vulnerability", "voters", "unit", "operation"]
    list_filter = ["operation", "kind", "vulnerability", "round_the_clock"]
    search_fields = ["code", "name", "village", "subdistrict", "district"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "operation"]
    change_list_template = "admin/imports/post_change_list.html"

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: getattr(obj, name) for name in form.changed_data}
            post_update(post=obj, by=request.user, channel="admin", **fields)
        else:
            fields = {name: getattr(obj, name) for name in form.fields if name not in POST_KEYS}
            post = post_create(
                operation=obj.operation, unit=obj.unit, by=request.user, channel="admin", **fields
            )
            obj.pk = post.pk

    def delete_model(self, request, obj):
        post_delete(post=obj, by=request.user, channel="admin")

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="operations_post_import"), *super().get_urls()]

    def import_view(self, request):
        """Bulk import of a KPU TPS CSV (operations.imports), with the per-row report."""
        return import_page(
            self,
            request,
            form_class=TpsImportForm,
            title=gettext("Impor TPS dari CSV KPU"),
            help_text=gettext(
                "Kolom: kode_tps, desa, kecamatan, kabupaten, dpt; opsional: nama_tps, "
                "latitude, longitude, kerawanan, kode_satuan."
            ),
            run=lambda data, raw: import_tps(
                raw=raw,
                operation=data["operation"],
                unit=data["unit"],
                only_valid=data["only_valid"],
                by=request.user,
                channel="admin",
            ),
        )


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["name", "kind", "unit", "starts_at", "ends_at", "risk", "expected_crowd"]
    list_filter = ["operation", "kind", "risk"]
    search_fields = ["name", "place"]
    autocomplete_fields = ["unit"]
    date_hierarchy = "starts_at"

    def save_model(self, request, obj, form, change):
        if change:
            # The stored row: the right is checked for its unit as committed.
            stored = Event.objects.select_related("unit").get(pk=obj.pk)
            fields = {name: getattr(obj, name) for name in form.changed_data}
            saved = event_update(event=stored, by=request.user, channel="admin", **fields)
        else:
            fields = {name: getattr(obj, name) for name in form.fields if name not in POST_KEYS}
            saved = event_create(
                operation=obj.operation, unit=obj.unit, by=request.user, channel="admin", **fields
            )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        event_delete(event=obj, by=request.user, channel="admin")
