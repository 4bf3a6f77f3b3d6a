"""Personnel, ranks, warrants (sprin) and the assignments they make, BKO included."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models import Operation, TaskForce, Unit


class RankGroup(models.TextChoices):
    TAMTAMA = "tamtama", _("Tamtama")
    BINTARA = "bintara", _("Bintara")
    PAMA = "pama", _("Perwira pertama")
    PAMEN = "pamen", _("Perwira menengah")
    PATI = "pati", _("Perwira tinggi")
    PNS = "pns", _("PNS Polri")


class Rank(models.Model):
    """A pangkat (Perkap 3/2016) or a civil grade; `order` sorts lowest first."""

    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("pangkat"), max_length=60)
    group = models.CharField(_("golongan"), max_length=10, choices=RankGroup.choices)
    order = models.PositiveSmallIntegerField(_("urutan"), unique=True)

    class Meta:
        verbose_name = _("pangkat")
        verbose_name_plural = _("pangkat")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_police(self) -> bool:
        return self.group != RankGroup.PNS


nrp_validator = RegexValidator(r"^\d{8}$", _("NRP harus 8 angka."))
nip_validator = RegexValidator(r"^\d{18}$", _("NIP harus 18 angka."))


class Personnel(models.Model):
    """A member of Polri (NRP) or a civil staff member (NIP)."""

    nrp = models.CharField(
        _("NRP"), max_length=8, unique=True, null=True, blank=True, validators=[nrp_validator]
    )
    nip = models.CharField(
        _("NIP"), max_length=18, unique=True, null=True, blank=True, validators=[nip_validator]
    )
    name = models.CharField(_("nama"), max_length=200)
    rank = models.ForeignKey(Rank, verbose_name=_("pangkat"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("satuan induk"), on_delete=models.PROTECT, related_name="personnel"
    )
    position = models.CharField(_("jabatan"), max_length=200, blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("personel")
        verbose_name_plural = _("personel")
        ordering = ["unit", "-rank__order", "name"]
        indexes = [models.Index(fields=["unit", "is_active"], name="personnel_unit_idx")]
        constraints = [
            # Exactly one identifier: police carry an NRP, civil staff an NIP.
            models.CheckConstraint(
                condition=(Q(nrp__isnull=False) & Q(nip__isnull=True))
                | (Q(nrp__isnull=True) & Q(nip__isnull=False)),
                name="personnel_one_identifier",
            ),
            models.CheckConstraint(
                condition=Q(nrp__isnull=True) | Q(nrp__regex=r"^[0-9]{8}$"),
                name="personnel_nrp_format",
            ),
            models.CheckConstraint(
                condition=Q(nip__isnull=True) | Q(nip__regex=r"^[0-9]{18}$"),
                name="personnel_nip_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.name} ({self.identifier})"

    @property
    def identifier(self) -> str:
        return self.nrp or self.nip or ""

    def clean(self) -> None:
        super().clean()
        if self.nrp == "":
            self.nrp = None
        if self.nip == "":
            self.nip = None
        if bool(self.nrp) == bool(self.nip):
            raise ValidationError(
                {"nrp": _("Isi NRP (anggota Polri) atau NIP (PNS Polri), salah satu saja.")}
            )
        if self.rank_id and self.nrp and not self.rank.is_police:
            raise ValidationError({"rank": _("Pemegang NRP harus berpangkat Polri.")})
        if self.rank_id and self.nip and self.rank.is_police:
            raise ValidationError({"rank": _("Pemegang NIP harus bergolongan PNS.")})


sprin_number_validator = RegexValidator(
    r"^Sprin/\d{1,6}/(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)/[A-Z0-9.\-]+/\d{4}$",
    _("Format nomor Sprin: Sprin/2439/VIII/OPS.1.1/2023."),
)


class Warrant(models.Model):
    """A surat perintah (sprin) naming personnel for an operation."""

    number = models.CharField(
        _("nomor"), max_length=80, unique=True, validators=[sprin_number_validator]
    )
    date = models.DateField(_("tanggal"))
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("satuan penerbit"), on_delete=models.PROTECT, related_name="warrants"
    )
    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.PROTECT, related_name="warrants"
    )
    subject = models.CharField(_("perihal"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("surat perintah (sprin)")
        verbose_name_plural = _("surat perintah (sprin)")
        ordering = ["-date", "number"]

    def __str__(self) -> str:
        return self.number


class Assignment(models.Model):
    """One person named in a warrant, serving under `unit` (BKO when not their home unit)."""

    warrant = models.ForeignKey(
        Warrant, verbose_name=_("sprin"), on_delete=models.CASCADE, related_name="assignments"
    )
    personnel = models.ForeignKey(
        Personnel,
        verbose_name=_("personel"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    operation = models.ForeignKey(
        Operation,
        verbose_name=_("operasi"),
        on_delete=models.PROTECT,
        related_name="assignments",
        editable=False,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan penugasan"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    task_force = models.ForeignKey(
        TaskForce, verbose_name=_("satgas"), on_delete=models.PROTECT, null=True, blank=True
    )
    role = models.CharField(_("jabatan dalam operasi"), max_length=200, blank=True)
    is_bko = models.BooleanField(
        _("BKO"),
        default=False,
        editable=False,
        help_text=_("Dipinjamkan oleh satuan induk ke satuan lain (Bawah Kendali Operasi)."),
    )
    home_unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan induk saat sprin"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        ordering = ["warrant", "personnel"]
        indexes = [models.Index(fields=["operation", "unit"], name="assignment_op_unit_idx")]
        constraints = [
            # A person serves an operation under one warrant at a time.
            models.UniqueConstraint(
                fields=["operation", "personnel"], name="assignment_one_per_operation"
            ),
            # BKO exactly when the person serves outside their home unit.
            models.CheckConstraint(
                condition=(Q(is_bko=True) & ~Q(home_unit=models.F("unit")))
                | (Q(is_bko=False) & Q(home_unit=models.F("unit"))),
                name="assignment_bko_iff_other_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.personnel} → {self.unit}{' (BKO)' if self.is_bko else ''}"
