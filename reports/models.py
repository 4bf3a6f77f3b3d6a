"""The daily anev report of a unit, with its activities, incidents and attachments."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from operations.models import Operation, Post, TaskForce, Unit
from reports import limits


def _text(label, limit: int, **kwargs) -> models.TextField:
    """A TextField whose limit the form, the API and full_clean see (and a constraint holds)."""
    return models.TextField(
        label, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs
    )


def _count(label, limit: int, **kwargs) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, validators=[MaxValueValidator(limit)], **kwargs)


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
    personnel_on_duty = _count(_("personel bertugas"), limits.PERSONNEL_MAX, default=0)
    summary = _text(_("ringkasan kegiatan"), limits.SUMMARY_MAX, blank=True)
    obstacles = _text(_("hambatan"), limits.OBSTACLES_MAX, blank=True)
    next_day_plan = _text(_("rencana kegiatan esok hari"), limits.NEXT_DAY_PLAN_MAX, blank=True)
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
    return_reason = _text(_("alasan pengembalian"), limits.RETURN_REASON_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)
    # Denormalised sort key: the unit's path, so that lists order by an index of this
    # table alone. Kept by reports.facts (on create and on every unit move).
    unit_path = models.CharField(max_length=500, editable=False, default="")

    class Meta:
        verbose_name = _("laporan anev harian")
        verbose_name_plural = _("laporan anev harian")
        ordering = ["-report_date", "unit_path", "id"]
        indexes = [
            models.Index(fields=["operation", "report_date", "status"], name="report_day_idx"),
            models.Index(fields=["unit", "report_date"], name="report_unit_day_idx"),
            # One index per order a list offers (reports.selectors.LIST_ORDERS).
            models.Index(fields=["-report_date", "unit_path", "id"], name="report_list_idx"),
            models.Index(
                fields=["status", "-report_date", "unit_path", "id"],
                name="report_list_status_idx",
            ),
            models.Index(fields=["report_date", "id"], name="report_date_id_idx"),
            models.Index(fields=["submitted_at", "id"], name="report_submitted_id_idx"),
            models.Index(fields=["updated_at", "id"], name="report_updated_id_idx"),
            models.Index(
                fields=["report_date", "submitted_at", "unit_path", "id"],
                condition=Q(status="submitted"),
                name="report_queue_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit", "report_date"], name="report_one_per_unit_day"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="report_sent_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=Q(personnel_on_duty__lte=limits.PERSONNEL_MAX),
                name="report_personnel_bounded",
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("summary"), limits.SUMMARY_MAX))
                & Q(LessThanOrEqual(Length("obstacles"), limits.OBSTACLES_MAX))
                & Q(LessThanOrEqual(Length("next_day_plan"), limits.NEXT_DAY_PLAN_MAX))
                & Q(LessThanOrEqual(Length("return_reason"), limits.RETURN_REASON_MAX)),
                name="report_text_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"Anev {self.unit} {self.report_date:%d/%m/%Y}"


class FlagCode(models.TextChoices):
    """What the reviewer is told about a sent report (warnings the sender confirmed, and
    facts worth a second look that never need confirming)."""

    PERSONNEL_DROP = "personnel_drop", _("Personel kurang dari separuh hari sebelumnya")
    INCIDENTS_ELSEWHERE = "incidents_elsewhere", _("Tanpa kejadian, padahal pos satuan mencatat")
    ACTIVITY_PERSONNEL_SUM = (
        "activity_personnel_sum",
        _("Jumlah personel kegiatan melebihi personel bertugas"),
    )


class ReportFlag(models.Model):
    """One flag on a sent report, written when it is sent (and rewritten when sent again)."""

    report = models.ForeignKey(
        DailyReport, verbose_name=_("laporan"), on_delete=models.CASCADE, related_name="flags"
    )
    code = models.CharField(_("tanda"), max_length=30, choices=FlagCode.choices)
    detail = models.CharField(_("rincian"), max_length=255, blank=True)
    confirmed = models.BooleanField(_("dikonfirmasi pengirim"), default=False)

    class Meta:
        verbose_name = _("tanda laporan")
        verbose_name_plural = _("tanda laporan")
        ordering = ["report", "code"]
        indexes = [models.Index(fields=["code", "report"], name="report_flag_code_idx")]
        constraints = [models.UniqueConstraint(fields=["report", "code"], name="report_flag_once")]

    def __str__(self) -> str:
        return self.get_code_display()


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
    count = models.PositiveIntegerField(
        _("jumlah kegiatan"),
        validators=[MinValueValidator(1), MaxValueValidator(limits.ACTIVITY_COUNT_MAX)],
    )
    personnel = _count(_("jumlah personel"), limits.PERSONNEL_MAX, default=0)
    notes = models.CharField(_("keterangan"), max_length=limits.ACTIVITY_NOTES_MAX, blank=True)

    class Meta:
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")
        ordering = ["report", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="activity_count_positive"),
            models.CheckConstraint(
                condition=Q(count__lte=limits.ACTIVITY_COUNT_MAX)
                & Q(personnel__lte=limits.PERSONNEL_MAX),
                name="activity_counts_bounded",
            ),
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
    # Denormalised from the report (kept by reports.facts in the report's transactions),
    # so day and state filters need no join to the reports table. NULL only for rows
    # bulk-loaded past the services until `manage.py rebuild_counts` fills them.
    report_date = models.DateField(editable=False, null=True)
    report_status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, editable=False
    )
    category = models.CharField(_("kategori"), max_length=30, choices=IncidentCategory.choices)
    severity = models.CharField(
        _("tingkat"), max_length=10, choices=Severity.choices, default=Severity.HIJAU
    )
    occurred_at = models.DateTimeField(_("waktu kejadian"))
    place = models.CharField(_("tempat"), max_length=limits.INCIDENT_PLACE_MAX)
    post = models.ForeignKey(
        Post, verbose_name=_("pos/TPS"), on_delete=models.SET_NULL, null=True, blank=True
    )
    description = _text(_("uraian kejadian"), limits.INCIDENT_DESCRIPTION_MAX)
    action_taken = _text(_("tindakan"), limits.INCIDENT_ACTION_MAX, blank=True)
    deaths = _count(_("meninggal dunia (MD)"), limits.CASUALTIES_MAX, default=0)
    injured_serious = _count(_("luka berat (LB)"), limits.CASUALTIES_MAX, default=0)
    injured_light = _count(_("luka ringan (LR)"), limits.CASUALTIES_MAX, default=0)
    loss_rupiah = models.PositiveBigIntegerField(
        _("kerugian materiil (Rp)"),
        default=0,
        validators=[MaxValueValidator(limits.LOSS_RUPIAH_MAX)],
    )
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
            models.Index(
                fields=["operation", "report_date", "report_status"], name="incident_op_day_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(deaths__lte=limits.CASUALTIES_MAX)
                & Q(injured_serious__lte=limits.CASUALTIES_MAX)
                & Q(injured_light__lte=limits.CASUALTIES_MAX)
                & Q(loss_rupiah__lte=limits.LOSS_RUPIAH_MAX),
                name="incident_counts_bounded",
            ),
            models.CheckConstraint(
                condition=Q(LessThanOrEqual(Length("description"), limits.INCIDENT_DESCRIPTION_MAX))
                & Q(LessThanOrEqual(Length("action_taken"), limits.INCIDENT_ACTION_MAX)),
                name="incident_text_bounded",
            ),
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
    # Who removed it: a user, or (removed_by empty) a system actor named by removed_by_name,
    # as the audit trail records an actor (pamilu.actors).
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    removed_by_name = models.CharField(_("nama yang menghapus"), max_length=150, blank=True)
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
