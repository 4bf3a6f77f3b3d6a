from django import forms
from django.contrib import admin
from django.db import transaction
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from operations import counts
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
from operations.services import rewrite_subtree_paths, unit_path
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
        locked = Unit.objects.select_for_update().filter(pk=obj.pk)
        old = locked.values("path", "depth").first() if change else None
        obj.path = unit_path(code=obj.code, parent=obj.parent)
        obj.depth = obj.parent.depth + 1 if obj.parent else 0
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if old and old["path"] != obj.path:
                # A new code or parent moves the whole subtree: one UPDATE in SQL.
                rewrite_subtree_paths(old["path"], obj.path, depth_shift=obj.depth - old["depth"])


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

    def save_related(self, request, form, formsets, change):
        # The patterns inline may change the requirement of every TPS of the operation.
        counts.lock_for_pattern_change(form.instance.pk)
        super().save_related(request, form, formsets, change)
        counts.pattern_changed(form.instance.pk)


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

    def save_model(self, request, obj, form, change):
        old = SecurityPattern.objects.filter(pk=obj.pk).values_list("operation_id", flat=True)
        affected = {obj.operation_id, *(old if change else [])}
        for operation_id in sorted(affected):
            counts.lock_for_pattern_change(operation_id)
        super().save_model(request, obj, form, change)
        for operation_id in sorted(affected):
            counts.pattern_changed(operation_id)

    def delete_model(self, request, obj):
        with transaction.atomic():  # the bulk delete action runs outside the admin's
            counts.lock_for_pattern_change(obj.operation_id)
            super().delete_model(request, obj)
            counts.pattern_changed(obj.operation_id)


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["code", "name", "kind", "vulnerability", "voters", "unit", "operation"]
    list_filter = ["operation", "kind", "vulnerability", "round_the_clock"]
    search_fields = ["code", "name", "village", "subdistrict", "district"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit", "operation"]
    change_list_template = "admin/imports/post_change_list.html"

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            stored = Post.objects.select_for_update().filter(pk=obj.pk).first()
            before = counts.key_of(stored) if stored else None
        super().save_model(request, obj, form, change)
        counts.post_changed(before=before, after=counts.key_of(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():  # the bulk delete action runs outside the admin's
            stored = Post.objects.select_for_update().filter(pk=obj.pk).first()
            super().delete_model(request, obj)
            counts.post_changed(before=counts.key_of(stored) if stored else None, after=None)

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
