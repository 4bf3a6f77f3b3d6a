"""The daily anev report of a unit, with its activities, incidents and attachments."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models import Operation, Post, TaskForce, Unit


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    RETURNED = "returned", _("Dikembalikan")
    ACCEPTED = "accepted", _("Diterima")


# The one definition of a *sent* report: submitted at least once. A report returned for
# correction was sent (its unit did report; the correction belongs to the review), only a
# draft is not. The dashboard, the summaries and the exports count by it.
SENT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.ACCEPTED)


def sent_q(prefix: str = "") -> Q:
    """A filter: the report (reached by the lookup `prefix`, e.g. ``"report__"``) is sent."""
    return Q(**{f"{prefix}status__in": SENT_STATUSES})


class DailyReport(models.Model):
    """One unit's anev for one local day of an operation."""

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.PROTECT, related_name="reports"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("satuan"), on_delete=models.PROTECT, related_name="reports"
    )
    report_date = models.DateField(_("tanggal laporan (waktu setempat)"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    personnel_on_duty = models.PositiveIntegerField(_("personel bertugas"), default=0)
    summary = models.TextField(_("ringkasan kegiatan"), blank=True)
    obstacles = models.TextField(_("hambatan"), blank=True)
    next_day_plan = models.TextField(_("rencana kegiatan esok hari"), blank=True)
    is_late = models.BooleanField(_("terlambat"), default=False)
    first_submitted_at = models.DateTimeField(_("pertama dikirim"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("diperiksa"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("diperiksa oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.TextField(_("alasan pengembalian"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    class Meta:
        verbose_name = _("laporan anev harian")
        verbose_name_plural = _("laporan anev harian")
        ordering = ["-report_date", "unit__path"]
        indexes = [
            models.Index(fields=["operation", "report_date", "status"], name="report_day_idx"),
            models.Index(fields=["unit", "report_date"], name="report_unit_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit", "report_date"], name="report_one_per_unit_day"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="report_sent_has_submitted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Anev {self.unit} {self.report_date:%d/%m/%Y}"


class ActivityKind(models.TextChoices):
    PATROLI = "patroli", _("Patroli")
    PAM_KAMPANYE = "pam_kampanye", _("Pengamanan kampanye")
    PAM_LOGISTIK = "pam_logistik", _("Pengawalan/penjagaan logistik")
    SAMBANG = "sambang", _("Sambang")
    COOLING = "cooling", _("Penggalangan/cooling system")
    LALU_LINTAS = "lalu_lintas", _("Pengaturan lalu lintas")
    APEL = "apel", _("Apel")
    PAM_TPS = "pam_tps", _("Pengamanan TPS")
    LAINNYA = "lainnya", _("Lainnya")


class ReportActivity(models.Model):
    report = models.ForeignKey(
        DailyReport, verbose_name=_("laporan"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("jenis kegiatan"), max_length=20, choices=ActivityKind.choices)
    task_force = models.ForeignKey(
        TaskForce, verbose_name=_("satgas"), on_delete=models.PROTECT, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("jumlah kegiatan"), validators=[MinValueValidator(1)])
    personnel = models.PositiveIntegerField(_("jumlah personel"), default=0)
    notes = models.CharField(_("keterangan"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")
        ordering = ["report", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="activity_count_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ×{self.count}"


class IncidentCategory(models.TextChoices):
    KEJAHATAN = "kejahatan", _("Kejahatan")
    PELANGGARAN = "pelanggaran", _("Pelanggaran")
    GANGGUAN = "gangguan", _("Gangguan")
    BENCANA = "bencana", _("Bencana")
    LAKA_LANTAS = "laka_lantas", _("Laka lantas")
    UNJUK_RASA = "unjuk_rasa", _("Unjuk rasa")
    POLITIK_UANG = "politik_uang", _("Politik uang")
    PEMALSUAN = "pemalsuan", _("Pemalsuan")
    KAMPANYE_LUAR_JADWAL = "kampanye_luar_jadwal", _("Kampanye di luar jadwal")
    NETRALITAS = "netralitas", _("Pelanggaran netralitas")
    HOAKS_SARA = "hoaks_sara", _("Hoaks/SARA")


class Severity(models.TextChoices):
    HIJAU = "hijau", _("Hijau")
    KUNING = "kuning", _("Kuning")
    MERAH = "merah", _("Merah")


class Incident(models.Model):
    """A kejadian menonjol reported in a daily report."""

    report = models.ForeignKey(
        DailyReport, verbose_name=_("laporan"), on_delete=models.CASCADE, related_name="incidents"
    )
    # Denormalised from the report so dashboards aggregate without a join.
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="incidents", editable=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="incidents", editable=False
    )
    category = models.CharField(_("kategori"), max_length=30, choices=IncidentCategory.choices)
    severity = models.CharField(
        _("tingkat"), max_length=10, choices=Severity.choices, default=Severity.HIJAU
    )
    occurred_at = models.DateTimeField(_("waktu kejadian"))
    place = models.CharField(_("tempat"), max_length=255)
    post = models.ForeignKey(
        Post, verbose_name=_("pos/TPS"), on_delete=models.SET_NULL, null=True, blank=True
    )
    description = models.TextField(_("uraian kejadian"))
    action_taken = models.TextField(_("tindakan"), blank=True)
    deaths = models.PositiveIntegerField(_("meninggal dunia (MD)"), default=0)
    injured_serious = models.PositiveIntegerField(_("luka berat (LB)"), default=0)
    injured_light = models.PositiveIntegerField(_("luka ringan (LR)"), default=0)
    loss_rupiah = models.PositiveBigIntegerField(_("kerugian materiil (Rp)"), default=0)
    forwarded_to_gakkumdu = models.BooleanField(_("diteruskan ke Sentra Gakkumdu"), default=False)
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("kejadian menonjol")
        verbose_name_plural = _("kejadian menonjol")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["operation", "occurred_at"], name="incident_op_time_idx"),
            models.Index(fields=["unit", "occurred_at"], name="incident_unit_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.place}"


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A server-chosen name: a random uuid and the extension of the detected type."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A photo or PDF attached to a report, stored under a server-chosen name."""

    report = models.ForeignKey(
        DailyReport,
        verbose_name=_("laporan"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("berkas"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("nama asli"), max_length=255)
    content_type = models.CharField(_("jenis isi"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (byte)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now_add=True)

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class IdempotencyKey(models.Model):
    """The first response to a POST sent with an `Idempotency-Key` header, per user and key.

    The unique constraint is what makes a concurrent retry wait for, then replay, the first.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("kunci"), max_length=255)
    method_path = models.CharField(_("permintaan"), max_length=255)
    body_hash = models.CharField(_("hash isi"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("status tanggapan"))
    response_body = models.JSONField(_("isi tanggapan"), default=dict)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("kunci idempotensi")
        verbose_name_plural = _("kunci idempotensi")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class CorrectionKind(models.TextChoices):
    INCIDENT = "incident", _("Kejadian menonjol")
    ATTACHMENT = "attachment", _("Lampiran")


class Correction(models.Model):
    """A record removed from a sent report, kept as it was (reports.corrections).

    Records of a report that has been sent are never hard-deleted: removing one (in the
    admin) moves it here with all its values and, for an attachment, the stored file,
    which is kept until `retain_until` and then purged.
    """

    report = models.ForeignKey(
        DailyReport, verbose_name=_("laporan"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("jenis"), max_length=20, choices=CorrectionKind.choices)
    original_id = models.BigIntegerField(_("ID asal"))
    data = models.JSONField(_("isi"), default=dict)
    file = models.FileField(_("berkas"), max_length=200, blank=True)
    reason = models.CharField(_("alasan"), max_length=255)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("oleh"), on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(_("waktu"), auto_now_add=True)
    retain_until = models.DateField(_("disimpan sampai"))
    file_purged_at = models.DateTimeField(_("berkas dimusnahkan"), null=True, blank=True)

    class Meta:
        verbose_name = _("koreksi")
        verbose_name_plural = _("koreksi")
        ordering = ["-removed_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "original_id"], name="correction_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.original_id}"
