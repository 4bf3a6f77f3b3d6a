"""Operations with their phases and task forces (satgas)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models.units import Unit, UnitKind


class OperationKind(models.TextChoices):
    PEMILU = "pemilu", _("Pemilu")
    PILKADA = "pilkada", _("Pilkada")
    COOLING = "cooling", _("Cooling system")


operation_code_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,49}$", _("Kode operasi: huruf kecil, angka, tanda hubung.")
)


def default_reporting_kinds() -> list[str]:
    return [UnitKind.POLRES.value, UnitKind.POLSEK.value]


class Operation(models.Model):
    """A police operation such as Operasi Mantap Brata 2023-2024."""

    code = models.CharField(
        _("kode"), max_length=50, unique=True, validators=[operation_code_validator]
    )
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=OperationKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan penyelenggara"),
        on_delete=models.PROTECT,
        related_name="operations",
        help_text=_("Semua satuan di bawahnya ikut serta."),
    )
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("selesai"))
    report_deadline_hour = models.PositiveSmallIntegerField(
        _("batas waktu laporan harian (jam lokal)"),
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    reporting_kinds = models.JSONField(
        _("jenis satuan pelapor"),
        default=default_reporting_kinds,
        help_text=_("Jenis satuan yang wajib mengirim laporan anev harian."),
    )
    personnel_announced = models.PositiveIntegerField(
        _("personel (apel gelar pasukan)"), null=True, blank=True
    )
    description = models.TextField(_("keterangan"), blank=True)

    class Meta:
        verbose_name = _("operasi")
        verbose_name_plural = _("operasi")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="operation_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(report_deadline_hour__gte=0) & Q(report_deadline_hour__lte=23),
                name="operation_deadline_hour_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Tanggal selesai sebelum tanggal mulai.")})
        kinds = self.reporting_kinds or []
        if not isinstance(kinds, list) or any(k not in UnitKind.values for k in kinds):
            raise ValidationError(
                {"reporting_kinds": _("Daftar jenis satuan tidak dikenal: %s") % kinds}
            )

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date

    def day_number(self, day: dt.date) -> int | None:
        """'Hari ke-N' of the operation, or None outside its dates."""
        if not self.covers(day):
            return None
        return (day - self.start_date).days + 1

    @property
    def total_days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class PhaseKind(models.TextChoices):
    PENDAFTARAN = "pendaftaran", _("Pendaftaran")
    PENETAPAN_CALON = "penetapan_calon", _("Penetapan calon")
    KAMPANYE = "kampanye", _("Kampanye")
    MASA_TENANG = "masa_tenang", _("Masa tenang")
    PEMUNGUTAN = "pemungutan", _("Pemungutan suara")
    PENGHITUNGAN = "penghitungan", _("Penghitungan suara")
    REKAPITULASI = "rekapitulasi", _("Rekapitulasi")
    PENETAPAN_HASIL = "penetapan_hasil", _("Penetapan hasil")
    LAINNYA = "lainnya", _("Lainnya")


class PhaseQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> PhaseQuerySet:
        return self.filter(start_date__lte=day, end_date__gte=day)


class Phase(models.Model):
    """A tahapan of the election within an operation."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=PhaseKind.choices)
    name = models.CharField(_("nama"), max_length=200)
    start_date = models.DateField(_("mulai"))
    end_date = models.DateField(_("selesai"))
    is_voting_day = models.BooleanField(_("hari pemungutan suara"), default=False)

    objects = PhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("tahapan")
        verbose_name_plural = _("tahapan")
        ordering = ["operation", "start_date", "end_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="phase_dates_ordered"
            ),
            models.UniqueConstraint(
                fields=["operation"],
                condition=Q(is_voting_day=True),
                name="phase_one_voting_day_per_operation",
            ),
            models.UniqueConstraint(
                fields=["operation", "kind", "start_date"], name="phase_unique_kind_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y})"

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Tanggal selesai sebelum tanggal mulai.")})


class TaskForce(models.Model):
    """A satgas of an operation at one level (Satgaspus at Mabes, Satgasda at Polda, Polres)."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="task_forces"
    )
    level = models.CharField(
        _("tingkat"),
        max_length=10,
        choices=[(k, v) for k, v in UnitKind.choices if k != UnitKind.POLSEK],
    )
    code = models.CharField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=120)

    class Meta:
        verbose_name = _("satgas")
        verbose_name_plural = _("satgas")
        ordering = ["operation", "level", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "level", "code"], name="taskforce_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_level_display()})"
