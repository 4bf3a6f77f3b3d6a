"""The unit tree, operations with their phases, task forces and settings, and posts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (UTC+7)")
    WITA = "Asia/Makassar", _("WITA (UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (UTC+9)")


TIME_ZONE_ABBREVIATION = {
    TimeZone.WIB: "WIB",
    TimeZone.WITA: "WITA",
    TimeZone.WIT: "WIT",
}


class UnitKind(models.TextChoices):
    MABES = "mabes", _("Mabes Polri")
    POLDA = "polda", _("Polda")
    POLRES = "polres", _("Polres")
    POLSEK = "polsek", _("Polsek")


# Order of the kinds: a parent is always of a lower rank than its child.
UNIT_KIND_RANK = {UnitKind.MABES: 0, UnitKind.POLDA: 1, UnitKind.POLRES: 2, UnitKind.POLSEK: 3}


class PolresType(models.TextChoices):
    POLRESTABES = "polrestabes", _("Polrestabes (tipe A)")
    POLRES_METRO = "polres_metro", _("Polres Metro (tipe B)")
    POLRESTA = "polresta", _("Polresta (tipe C)")
    POLRES = "polres", _("Polres (tipe D)")


unit_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,39}$",
    _("Kode satuan hanya huruf besar, angka dan tanda hubung (maks. 40)."),
)

PATH_SEPARATOR = "/"


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """Every unit below `unit` in one indexed prefix query (materialized path)."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)

    def children_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(parent=unit)


class Unit(models.Model):
    """A Polri unit. `path` is the materialized path of codes, e.g. ``MABES/POLDA-MALUKU/``."""

    code = models.CharField(_("kode"), max_length=40, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=UnitKind.choices)
    subtype = models.CharField(
        _("tipe Polres"), max_length=20, choices=PolresType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("satuan atas"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    path = models.CharField(_("jalur"), max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("kedalaman"), editable=False)
    time_zone = models.CharField(
        _("zona waktu"),
        max_length=20,
        choices=TimeZone.choices,
        help_text=_("Kosongkan untuk mengikuti zona satuan atas (Polda)."),
    )
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("satuan")
        verbose_name_plural = _("satuan")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern opclass to use the index.
            models.Index(
                fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="unit_kind_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.MABES) & Q(parent__isnull=True))
                | (~Q(kind=UnitKind.MABES) & Q(parent__isnull=False)),
                name="unit_only_mabes_is_root",
            ),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.POLRES) | Q(subtype=""),
                name="unit_subtype_only_for_polres",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def zone_abbreviation(self) -> str:
        return TIME_ZONE_ABBREVIATION.get(self.time_zone, self.time_zone)

    def clean(self) -> None:
        super().clean()
        check_parent_kind(kind=self.kind, parent=self.parent)
        if self.subtype and self.kind != UnitKind.POLRES:
            raise ValidationError({"subtype": _("Tipe hanya untuk Polres.")})

    def subtree(self, *, include_self: bool = True) -> UnitQuerySet:
        return Unit.objects.subtree_of(self, include_self=include_self)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every unit above it, root first."""
        parts = self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR for i in range(len(parts))]

    def ancestors(self, *, include_self: bool = False) -> UnitQuerySet:
        paths = self.ancestor_paths()
        if not include_self:
            paths = paths[:-1]
        return Unit.objects.filter(path__in=paths)

    def is_descendant_of(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.zone)

    def local_today(self) -> dt.date:
        return self.local_now().date()


def check_parent_kind(*, kind: str, parent: Unit | None) -> None:
    """The kinds' order: Mabes → Polda → Polres → Polsek, each under a lower rank."""
    if kind == UnitKind.MABES:
        if parent is not None:
            raise ValidationError({"parent": _("Mabes Polri tidak memiliki satuan atas.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("Satuan ini memerlukan satuan atas.")})
    if UNIT_KIND_RANK[UnitKind(parent.kind)] >= UNIT_KIND_RANK[UnitKind(kind)]:
        raise ValidationError(
            {
                "parent": _("%(parent)s tidak dapat menjadi satuan atas %(kind)s.")
                % {"parent": parent.get_kind_display(), "kind": UnitKind(kind).label}
            }
        )


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
