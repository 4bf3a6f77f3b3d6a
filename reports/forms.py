"""The phone form of the daily report: the report, its activities, incidents, a file."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from operations.models import Operation, TaskForce, Unit
from pamilu.api.scoped import ScopedChoicesMixin
from reports import limits
from reports.models import ActivityKind, DailyReport, IncidentCategory, Severity
from reports.services import attachment_check


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (the templates render fields one by one)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


class ReportForm(ScopedChoicesMixin, forms.ModelForm):
    attachment = forms.FileField(
        label=_("Lampiran (foto atau PDF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )

    class Meta:
        model = DailyReport
        fields = [
            "operation",
            "report_date",
            "personnel_on_duty",
            "summary",
            "obstacles",
            "next_day_plan",
        ]
        widgets = {
            "report_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "personnel_on_duty": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "obstacles": forms.Textarea(attrs={"rows": 2}),
            "next_day_plan": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, operations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operation"].queryset = operations or Operation.objects.none()
        self.fields["operation"].empty_label = None
        self.fields["report_date"].required = False
        self.fields["report_date"].help_text = _("Kosongkan untuk hari ini (waktu setempat).")
        if editing:
            self.fields["operation"].disabled = True
            self.fields["report_date"].disabled = True
        on_duty = self.fields["personnel_on_duty"]
        on_duty.required = False  # a draft may be incomplete; sending needs at least 1
        on_duty.validators.append(MaxValueValidator(limits.PERSONNEL_MAX))
        on_duty.widget.attrs["max"] = limits.PERSONNEL_MAX
        style_widgets(self)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload:
            try:
                attachment_check(upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from None
        return upload

    def _post_clean(self):
        # The service validates the report itself (dates, uniqueness); skip the model's.
        pass


class ActivityForm(ScopedChoicesMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Jenis kegiatan"), choices=[("", "—"), *ActivityKind.choices], required=True
    )
    task_force = forms.ModelChoiceField(
        label=_("Satgas"), queryset=TaskForce.objects.none(), required=False
    )
    count = forms.IntegerField(
        label=_("Berapa kali"),
        min_value=1,
        max_value=limits.ACTIVITY_COUNT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    personnel = forms.IntegerField(
        label=_("Personel"),
        min_value=0,
        max_value=limits.PERSONNEL_MAX,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("Keterangan"), max_length=limits.ACTIVITY_NOTES_MAX, required=False
    )

    def __init__(self, *args, task_forces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = task_forces or TaskForce.objects.none()
        self.fields["task_force"].empty_label = _("(tanpa satgas)")
        style_widgets(self)

    def as_item(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "task_force": data.get("task_force"),
            "count": data["count"],
            "personnel": data.get("personnel") or 0,
            "notes": data.get("notes", ""),
        }


class IncidentForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Kategori"), choices=[("", "—"), *IncidentCategory.choices]
    )
    severity = forms.ChoiceField(label=_("Tingkat"), choices=Severity.choices, initial="hijau")
    time = forms.TimeField(
        label=_("Pukul (waktu setempat)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("Tempat / pos"), max_length=limits.INCIDENT_PLACE_MAX)
    description = forms.CharField(
        label=_("Uraian kejadian"),
        max_length=limits.INCIDENT_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    action_taken = forms.CharField(
        label=_("Tindakan"),
        max_length=limits.INCIDENT_ACTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    deaths = forms.IntegerField(
        label=_("Meninggal dunia (MD)"),
        min_value=0,
        max_value=limits.CASUALTIES_MAX,
        initial=0,
        required=False,
    )
    injured_serious = forms.IntegerField(
        label=_("Luka berat (LB)"),
        min_value=0,
        max_value=limits.CASUALTIES_MAX,
        initial=0,
        required=False,
    )
    injured_light = forms.IntegerField(
        label=_("Luka ringan (LR)"),
        min_value=0,
        max_value=limits.CASUALTIES_MAX,
        initial=0,
        required=False,
    )
    loss_rupiah = forms.IntegerField(
        label=_("Kerugian materiil (Rp)"),
        min_value=0,
        max_value=limits.LOSS_RUPIAH_MAX,
        initial=0,
        required=False,
    )
    forwarded_to_gakkumdu = forms.BooleanField(
        label=_("Diteruskan ke Sentra Gakkumdu"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def as_item(self, *, unit: Unit, day: dt.date) -> dict:
        data = self.cleaned_data
        occurred = dt.datetime.combine(day, data["time"], tzinfo=unit.zone).astimezone(dt.UTC)
        return {
            "category": data["category"],
            "severity": data["severity"],
            "occurred_at": occurred,
            "place": data["place"],
            "description": data["description"],
            "action_taken": data.get("action_taken", ""),
            "deaths": data.get("deaths") or 0,
            "injured_serious": data.get("injured_serious") or 0,
            "injured_light": data.get("injured_light") or 0,
            "loss_rupiah": data.get("loss_rupiah") or 0,
            "forwarded_to_gakkumdu": data.get("forwarded_to_gakkumdu", False),
        }


ActivityFormSet = forms.formset_factory(
    ActivityForm, extra=2, can_delete=True, max_num=limits.ACTIVITIES_MAX, validate_max=True
)
IncidentFormSet = forms.formset_factory(
    IncidentForm, extra=1, can_delete=True, max_num=limits.INCIDENTS_MAX, validate_max=True
)


def incident_initial(report: DailyReport) -> list[dict]:
    zone = report.unit.zone
    return [
        {
            "category": i.category,
            "severity": i.severity,
            "time": i.occurred_at.astimezone(zone).time().replace(second=0, microsecond=0),
            "place": i.place,
            "description": i.description,
            "action_taken": i.action_taken,
            "deaths": i.deaths,
            "injured_serious": i.injured_serious,
            "injured_light": i.injured_light,
            "loss_rupiah": i.loss_rupiah,
            "forwarded_to_gakkumdu": i.forwarded_to_gakkumdu,
        }
        for i in report.incidents.all()
    ]


def activity_initial(report: DailyReport) -> list[dict]:
    return [
        {
            "kind": a.kind,
            "task_force": a.task_force_id,
            "count": a.count,
            "personnel": a.personnel,
            "notes": a.notes,
        }
        for a in report.activities.all()
    ]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pengembalian"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.RETURN_REASON_MAX,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
