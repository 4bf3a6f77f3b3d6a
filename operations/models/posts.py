"""The TPS security pattern, posts (TPS, warehouses, offices) and events to secure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models.operation import Operation
from operations.models.units import Unit


class Vulnerability(models.TextChoices):
    KURANG_RAWAN = "kurang_rawan", _("Kurang rawan")
    RAWAN = "rawan", _("Rawan")
    SANGAT_RAWAN = "sangat_rawan", _("Sangat rawan")
    KHUSUS = "khusus", _("Khusus")


class SecurityPattern(models.Model):
    """PAM TPS pattern: `police` officers guard every `tps_per_group` TPS of one level.

    Written police–TPS–Linmas (e.g. 2-8-16). A row without a unit is the operation's
    default; a unit's own row overrides it for that unit's subtree.
    """

    operation = models.ForeignKey(
        Operation,
        verbose_name=_("operasi"),
        on_delete=models.CASCADE,
        related_name="security_patterns",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Kosong: berlaku untuk seluruh operasi."),
    )
    vulnerability = models.CharField(
        _("tingkat kerawanan"), max_length=20, choices=Vulnerability.choices
    )
    police = models.PositiveSmallIntegerField(
        _("personel Polri"), validators=[MinValueValidator(1)]
    )
    tps_per_group = models.PositiveSmallIntegerField(
        _("jumlah TPS"), validators=[MinValueValidator(1)]
    )
    linmas = models.PositiveSmallIntegerField(_("Linmas"), default=0)

    class Meta:
        verbose_name = _("pola pengamanan TPS")
        verbose_name_plural = _("pola pengamanan TPS")
        ordering = ["operation", "unit", "vulnerability"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "vulnerability"],
                condition=Q(unit__isnull=True),
                name="pattern_unique_default",
            ),
            models.UniqueConstraint(
                fields=["operation", "unit", "vulnerability"],
                condition=Q(unit__isnull=False),
                name="pattern_unique_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(police__gte=1) & Q(tps_per_group__gte=1), name="pattern_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_vulnerability_display()}: {self.notation}"

    @property
    def notation(self) -> str:
        return f"{self.police}-{self.tps_per_group}-{self.linmas}"

    def required_police(self, tps_count: int) -> int:
        """Police needed for `tps_count` TPS of this level (whole groups, rounded up)."""
        groups = -(-tps_count // self.tps_per_group)
        return groups * self.police


class TpsCount(models.Model):
    """Maintained number: the TPS one unit is responsible for at one vulnerability level in
    one operation, with the pattern that applies to them and the police they require.

    Kept exact by ``operations.counts`` in the transaction of every write that changes it
    (TPS create/edit/delete/import, vulnerability change, unit move, pattern change);
    ``manage.py rebuild_counts`` recomputes it from scratch. Dashboards read it instead of
    counting posts.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    vulnerability = models.CharField(max_length=20, choices=Vulnerability.choices)
    tps = models.IntegerField(default=0)
    # The most specific pattern for this unit and level (police 0: no pattern applies).
    police = models.PositiveSmallIntegerField(default=0)
    tps_per_group = models.PositiveSmallIntegerField(default=1)
    police_required = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("jumlah TPS (terpelihara)")
        verbose_name_plural = _("jumlah TPS (terpelihara)")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit", "vulnerability"], name="tpscount_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.vulnerability}: {self.tps}"


class PostKind(models.TextChoices):
    TPS = "tps", _("TPS")
    WAREHOUSE = "warehouse", _("Gudang logistik")
    OFFICE = "office", _("Kantor KPU/Bawaslu/PPK/PPS")


class Post(models.Model):
    """A place to secure during an operation: a TPS, a logistics warehouse or an office."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="posts"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan penanggung jawab"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=PostKind.choices)
    code = models.CharField(
        _("kode"), max_length=40, help_text=_("Untuk TPS: kode wilayah KPU dan nomor TPS.")
    )
    name = models.CharField(_("nama"), max_length=200)
    village = models.CharField(_("desa/kelurahan"), max_length=120, blank=True)
    subdistrict = models.CharField(_("kecamatan"), max_length=120, blank=True)
    district = models.CharField(_("kabupaten/kota"), max_length=120, blank=True)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    voters = models.PositiveIntegerField(_("jumlah pemilih (DPT)"), default=0)
    vulnerability = models.CharField(
        _("tingkat kerawanan"), max_length=20, choices=Vulnerability.choices, blank=True
    )
    is_noken = models.BooleanField(_("sistem noken"), default=False)
    linmas = models.PositiveSmallIntegerField(_("Linmas"), default=0)
    round_the_clock = models.BooleanField(_("dijaga 24 jam"), default=False)
    guards_required = models.PositiveSmallIntegerField(
        _("penjaga yang dibutuhkan per jam"), default=0
    )
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("pos pengamanan")
        verbose_name_plural = _("pos pengamanan")
        ordering = ["operation", "unit", "kind", "code"]
        indexes = [
            models.Index(fields=["operation", "kind", "vulnerability"], name="post_kind_vuln_idx"),
            models.Index(fields=["unit", "kind"], name="post_unit_kind_idx"),
            # Guard gaps: the few round-the-clock posts, without scanning every TPS.
            models.Index(
                fields=["operation", "unit"],
                name="post_round_the_clock_idx",
                condition=models.Q(round_the_clock=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="post_unique_code"),
            models.CheckConstraint(
                condition=~Q(kind=PostKind.TPS) | ~Q(vulnerability=""),
                name="post_tps_has_vulnerability",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True)
                | (Q(latitude__gte=-90) & Q(latitude__lte=90) & Q(longitude__isnull=False)),
                name="post_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        if self.kind == PostKind.TPS and not self.vulnerability:
            raise ValidationError({"vulnerability": _("TPS wajib memiliki tingkat kerawanan.")})


class EventKind(models.TextChoices):
    RALLY = "rally", _("Kampanye rapat umum")
    REGISTRATION = "registration", _("Pendaftaran calon di KPU")
    DEBATE = "debate", _("Debat kandidat")
    LOGISTICS = "logistics", _("Distribusi logistik")
    RECAP = "recap", _("Rapat pleno rekapitulasi")
    OTHER = "other", _("Lainnya")


class RiskLevel(models.TextChoices):
    HIJAU = "hijau", _("Hijau (Dalmas Awal)")
    KUNING = "kuning", _("Kuning (Dalmas Lanjut)")
    MERAH = "merah", _("Merah (Brimob PHH)")


class Event(models.Model):
    """An event to secure: a campaign rally, a registration at the KPU, a debate, …"""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="events"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("satuan"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=EventKind.choices)
    name = models.CharField(_("nama kegiatan"), max_length=200)
    place = models.CharField(_("tempat"), max_length=200)
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    expected_crowd = models.PositiveIntegerField(_("perkiraan massa"), default=0)
    risk = models.CharField(
        _("tingkat risiko"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.HIJAU
    )
    personnel_required = models.PositiveIntegerField(_("personel dibutuhkan"), default=0)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("kegiatan yang diamankan")
        verbose_name_plural = _("kegiatan yang diamankan")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_times_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name
