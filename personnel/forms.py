"""Forms for deployments, the proposed plotting, guard gaps and apel. They only parse input;
the writes go through personnel.services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from operations.models import Event
from pamilu.api.scoped import ScopedChoicesMixin
from personnel.models import ApelKind, EquipmentItem

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Bootstrap classes on every widget (no inline style: the CSP forbids it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def style_widgets(self) -> None:
        for name, field in self.fields.items():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if self._errors is not None and name in self._errors:
                css += " is-invalid"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        self.style_widgets()


class DeploymentForm(ScopedChoicesMixin, BootstrapForm):
    """Deploy one person (by NRP) to a post (by code) or an event, for a span in local time."""

    nrp = forms.CharField(
        label=_("NRP personel"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    post_code = forms.CharField(
        label=_("Kode pos (TPS, gudang, kantor)"),
        max_length=40,
        required=False,
        help_text=_("Isi kode pos atau pilih kegiatan."),
    )
    event = forms.ModelChoiceField(
        label=pgettext_lazy("acara yang diamankan", "Kegiatan"),
        queryset=Event.objects.none(),
        required=False,
    )
    starts_at = forms.DateTimeField(label=_("Mulai"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=_("Selesai"), widget=DATETIME_WIDGET)
    note = forms.CharField(label=_("Catatan"), max_length=255, required=False)

    def __init__(self, *args, events=None, **kwargs):
        super().__init__(*args, **kwargs)
        if events is not None:
            self.fields["event"].queryset = events

    def clean(self):
        data = super().clean()
        if bool(data.get("post_code")) == bool(data.get("event")):
            self.add_error("post_code", _("Isi kode pos atau pilih kegiatan, salah satu saja."))
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("Waktu selesai harus setelah waktu mulai."))
        return data


class ImportForm(BootstrapForm):
    file = forms.FileField(
        label=_("Berkas CSV"),
        help_text=_("Kolom: nrp, pos, kegiatan, mulai, selesai, catatan (waktu lokal satuan)."),
    )
    only_valid = forms.BooleanField(
        label=_("Tulis baris yang valid saja"),
        required=False,
        help_text=_("Tanpa centang: tidak ada yang ditulis bila satu baris ditolak."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("Berkas lebih dari 5 MB."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Berkas harus teks UTF-8.")) from exc


class SpanForm(BootstrapForm):
    """A local day and hours (default: 07:00 to 19:00 the same day, voting hours and count)."""

    day = forms.DateField(label=_("Tanggal"), widget=DATE_WIDGET)
    start_hour = forms.IntegerField(label=_("Dari jam"), min_value=0, max_value=23, initial=6)
    hours = forms.IntegerField(label=_("Lama (jam)"), min_value=1, max_value=72, initial=18)

    def span(self, zone) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        start = dt.datetime.combine(data["day"], dt.time(data["start_hour"]), tzinfo=zone)
        return start, start + dt.timedelta(hours=data["hours"])


class GapsForm(BootstrapForm):
    day = forms.DateField(label=_("Mulai tanggal"), widget=DATE_WIDGET)
    days = forms.IntegerField(label=_("Jumlah hari"), min_value=1, max_value=14, initial=1)


class ApelForm(BootstrapForm):
    """Strength and equipment of one apel; equipment rows are fixed (ready / not ready)."""

    kind = forms.ChoiceField(label=_("Jenis apel"), choices=ApelKind.choices)
    held_at = forms.DateTimeField(label=_("Waktu apel"), widget=DATETIME_WIDGET)
    commander = forms.CharField(label=_("Pimpinan apel"), max_length=200, required=False)
    total = forms.IntegerField(label=_("Jumlah personel"), min_value=0)
    present = forms.IntegerField(label=_("Hadir"), min_value=0)
    sick = forms.IntegerField(label=_("Sakit"), min_value=0, initial=0, required=False)
    permit = forms.IntegerField(label=_("Izin"), min_value=0, initial=0, required=False)
    leave = forms.IntegerField(label=_("Cuti"), min_value=0, initial=0, required=False)
    duty = forms.IntegerField(label=_("Dinas luar"), min_value=0, initial=0, required=False)
    awol = forms.IntegerField(label=_("Tanpa keterangan"), min_value=0, initial=0, required=False)
    other_label = forms.CharField(
        label=_("Peralatan lainnya (sebutkan)"), max_length=100, required=False
    )
    note = forms.CharField(
        label=_("Catatan"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    ABSENCE_FIELDS = ["sick", "permit", "leave", "duty", "awol"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in EquipmentItem:
            for suffix, label in (("ready", _("siap")), ("not_ready", _("tidak siap"))):
                self.fields[f"{item.value}_{suffix}"] = forms.IntegerField(
                    label=f"{item.label} — {label}",
                    min_value=0,
                    initial=0,
                    required=False,
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
        self.style_widgets()

    def equipment_rows(self):
        """(label, ready field, not-ready field) for the template."""
        return [
            (item.label, self[f"{item.value}_ready"], self[f"{item.value}_not_ready"])
            for item in EquipmentItem
        ]

    def absence_fields(self):
        return [self[name] for name in self.ABSENCE_FIELDS]

    def clean(self):
        data = super().clean()
        for name in self.ABSENCE_FIELDS:
            if data.get(name) is None and name not in self.errors:
                data[name] = 0
        parts = [data.get(name) for name in ["present", *self.ABSENCE_FIELDS]]
        if data.get("total") is not None and None not in parts and sum(parts) != data["total"]:
            self.add_error(
                "total",
                _(
                    "Jumlah personel (%(total)s) harus sama dengan hadir ditambah tidak hadir (%(sum)s)."
                )
                % {"total": data["total"], "sum": sum(parts)},
            )
        return data

    def strength(self) -> dict[str, int]:
        return {
            name: self.cleaned_data.get(name) or 0
            for name in ["total", "present", *self.ABSENCE_FIELDS]
        }

    def equipment(self) -> list[dict]:
        rows = []
        for item in EquipmentItem:
            rows.append(
                {
                    "item": item.value,
                    "label": self.cleaned_data.get("other_label", "")
                    if item == EquipmentItem.OTHER
                    else "",
                    "ready": self.cleaned_data.get(f"{item.value}_ready") or 0,
                    "not_ready": self.cleaned_data.get(f"{item.value}_not_ready") or 0,
                }
            )
        return rows
