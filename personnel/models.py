"""Personnel, ranks, warrants (sprin) and the assignments they make, BKO included;
deployments to posts and events, and apel readiness checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models import Event, Operation, Post, TaskForce, Unit, Vulnerability


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


class PostGroup(models.Model):
    """Nearby TPS of one vulnerability level guarded together by the pattern (e.g. 2-8-16).

    A TPS belongs to at most one group per operation; its police are deployed to the group.
    """

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="post_groups"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan penanggung jawab"),
        on_delete=models.PROTECT,
        related_name="post_groups",
    )
    vulnerability = models.CharField(
        _("tingkat kerawanan"), max_length=20, choices=Vulnerability.choices
    )
    name = models.CharField(_("nama"), max_length=200)
    posts = models.ManyToManyField(
        Post, verbose_name=_("TPS"), through="PostGroupMember", related_name="post_groups"
    )

    class Meta:
        verbose_name = _("kelompok TPS")
        verbose_name_plural = _("kelompok TPS")
        ordering = ["operation", "unit", "name"]

    def __str__(self) -> str:
        return self.name


class PostGroupMember(models.Model):
    group = models.ForeignKey(PostGroup, on_delete=models.CASCADE, related_name="members")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        verbose_name = _("anggota kelompok TPS")
        verbose_name_plural = _("anggota kelompok TPS")
        constraints = [
            # A TPS is guarded by one group only.
            models.UniqueConstraint(fields=["post"], name="postgroup_one_group_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.group} · {self.post}"


# Name of the PostgreSQL exclusion constraint (created in migration 0003 on PostgreSQL only).
DEPLOYMENT_OVERLAP_CONSTRAINT = "deployment_no_overlap"


class Deployment(models.Model):
    """A person assigned by warrant, deployed to a post, a group of TPS or an event for a span.

    The span is half-open, [starts_at, ends_at): a shift ending at 14:00 and the next one
    starting at 14:00 do not overlap. The same person is never deployed to two overlapping
    spans: on PostgreSQL an exclusion constraint (``deployment_no_overlap``) enforces it;
    ``personnel.services.deployment_create`` also checks under a row lock and names the clash.
    """

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.PROTECT, related_name="deployments"
    )
    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("penugasan (sprin)"),
        on_delete=models.PROTECT,
        related_name="deployments",
    )
    personnel = models.ForeignKey(
        Personnel, verbose_name=_("personel"), on_delete=models.PROTECT, related_name="deployments"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan lokasi"),
        on_delete=models.PROTECT,
        related_name="deployments",
        help_text=_("Satuan penanggung jawab pos atau kegiatan."),
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("pos"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
    )
    group = models.ForeignKey(
        PostGroup,
        verbose_name=_("kelompok TPS"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("kegiatan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deployments",
    )
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    note = models.CharField(_("catatan"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("penempatan personel")
        verbose_name_plural = _("penempatan personel")
        ordering = ["starts_at", "personnel"]
        indexes = [
            models.Index(fields=["personnel", "starts_at"], name="deployment_person_idx"),
            models.Index(fields=["operation", "unit"], name="deployment_op_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="deployment_times_ordered"
            ),
            models.CheckConstraint(
                condition=(
                    Q(post__isnull=False, group__isnull=True, event__isnull=True)
                    | Q(post__isnull=True, group__isnull=False, event__isnull=True)
                    | Q(post__isnull=True, group__isnull=True, event__isnull=False)
                ),
                name="deployment_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.personnel} @ {self.target}"

    @property
    def target(self):
        return self.post or self.group or self.event


class AbsenceReason(models.TextChoices):
    SAKIT = "sick", _("Sakit")
    IZIN = "permit", _("Izin")
    CUTI = "leave", _("Cuti")
    DINAS_LUAR = "duty", _("Dinas luar")
    TANPA_KETERANGAN = "awol", _("Tanpa keterangan")


class ApelKind(models.TextChoices):
    KESIAPAN = "kesiapan", _("Apel kesiapan")
    GELAR_PASUKAN = "gelar_pasukan", _("Apel gelar pasukan")


class Apel(models.Model):
    """A readiness roll call: strength present and absent by reason, and equipment checked."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.PROTECT, related_name="apels"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("satuan"), on_delete=models.PROTECT, related_name="apels"
    )
    kind = models.CharField(
        _("jenis apel"), max_length=20, choices=ApelKind.choices, default=ApelKind.KESIAPAN
    )
    held_at = models.DateTimeField(_("waktu apel"))
    total = models.PositiveIntegerField(_("jumlah personel"))
    present = models.PositiveIntegerField(_("hadir"))
    sick = models.PositiveIntegerField(_("sakit"), default=0)
    permit = models.PositiveIntegerField(_("izin"), default=0)
    leave = models.PositiveIntegerField(_("cuti"), default=0)
    duty = models.PositiveIntegerField(_("dinas luar"), default=0)
    awol = models.PositiveIntegerField(_("tanpa keterangan"), default=0)
    commander = models.CharField(_("pimpinan apel"), max_length=200, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("dicatat oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dicatat"), auto_now_add=True)

    class Meta:
        verbose_name = _("apel kesiapan")
        verbose_name_plural = _("apel kesiapan")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["unit", "held_at"], name="apel_unit_held_idx")]
        constraints = [
            # Strength adds up: everyone is present or absent for one reason.
            models.CheckConstraint(
                condition=Q(
                    total=models.F("present")
                    + models.F("sick")
                    + models.F("permit")
                    + models.F("leave")
                    + models.F("duty")
                    + models.F("awol")
                ),
                name="apel_strength_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.held_at:%d/%m/%Y %H:%M}"

    @property
    def absent(self) -> int:
        return self.total - self.present

    @property
    def present_percent(self) -> int:
        return round(100 * self.present / self.total) if self.total else 0

    def clean(self) -> None:
        super().clean()
        parts = [self.present, self.sick, self.permit, self.leave, self.duty, self.awol]
        if None not in parts and self.total is not None and sum(parts) != self.total:
            raise ValidationError(
                {
                    "total": _(
                        "Jumlah personel (%(total)s) harus sama dengan hadir ditambah "
                        "tidak hadir (%(sum)s)."
                    )
                    % {"total": self.total, "sum": sum(parts)}
                }
            )


class EquipmentItem(models.TextChoices):
    R2 = "r2", _("Kendaraan R2 (sepeda motor)")
    R4 = "r4", _("Kendaraan R4 (mobil)")
    TRUCK = "truck", _("Truk")
    HT = "ht", _("Radio HT")
    DALMAS = "dalmas", _("Perlengkapan Dalmas")
    TENT = "tent", _("Tenda")
    APAR = "apar", _("APAR (alat pemadam api)")
    OTHER = "other", _("Lainnya")


class ApelEquipment(models.Model):
    """Equipment counted at an apel, as ready or not ready."""

    apel = models.ForeignKey(
        Apel, verbose_name=_("apel"), on_delete=models.CASCADE, related_name="equipment"
    )
    item = models.CharField(_("peralatan"), max_length=10, choices=EquipmentItem.choices)
    label = models.CharField(_("keterangan"), max_length=100, blank=True)
    ready = models.PositiveIntegerField(_("siap"), default=0)
    not_ready = models.PositiveIntegerField(_("tidak siap"), default=0)

    class Meta:
        verbose_name = _("peralatan apel")
        verbose_name_plural = _("peralatan apel")
        ordering = ["apel", "item", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["apel", "item", "label"], name="apelequipment_unique_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {self.ready}/{self.ready + self.not_ready}"


from personnel.count_models import (  # noqa: E402, F401 - registers them
    AvailableCount,
    CoveredCount,
    DeployedCount,
)
