"""Evaluation summaries (rekap anev) and the reminders/escalations about missing reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operations.models import Operation, Phase, Unit


class PeriodKind(models.TextChoices):
    DAILY = "daily", _("Harian")
    WEEKLY = "weekly", _("Mingguan")
    PHASE = "phase", _("Per tahapan")


class Summary(models.Model):
    """The rekap anev of one unit's subtree for one period of an operation.

    What counts as reported: a DailyReport whose status is *submitted*, *accepted* or
    *returned*. A returned report was sent (the Kabag Ops sent it back for correction),
    so the unit is not missing and its figures as last sent are included; it is on time
    unless the report's own `is_late` flag is set (the reports workflow sets it from
    the first submission). The rekap lists returned reports separately. A *draft* is not
    reported: the unit is listed as missing.

    `content` is built only from the data (no timestamps), so rebuilding the same period
    gives identical content; `built_at` is kept beside it. Weekly and phase summaries are
    built "to date": `through` is the last closed day they cover.

    Stale marks: a report transition increments `stale_marks` of every summary that
    includes (or compares against) that report's day; a build stores the value it saw
    in `built_marks`. The summary is stale while `stale_marks > built_marks`, so a mark
    arriving during a build is never lost. The transition also notes its unit
    (`DirtyUnit`) where its day counts, so the rebuild re-reads only those units' rows
    (summaries.content) and swaps their parts, kept in `SummaryState`.
    """

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="summaries"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("satuan"), on_delete=models.PROTECT, related_name="summaries"
    )
    period_kind = models.CharField(_("jenis periode"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))
    through = models.DateField(_("data sampai"))
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("tahapan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="summaries",
    )
    previous_start = models.DateField(_("awal periode pembanding"), null=True, blank=True)
    previous_end = models.DateField(_("akhir periode pembanding"), null=True, blank=True)
    content = models.JSONField(_("isi"), default=dict)
    content_hash = models.CharField(_("sidik isi"), max_length=64, blank=True, editable=False)
    built_at = models.DateTimeField(_("dibuat"))
    stale_marks = models.PositiveIntegerField(_("tanda usang"), default=0)
    built_marks = models.PositiveIntegerField(_("tanda saat dibuat"), default=0)

    class Meta:
        verbose_name = _("rekap anev")
        verbose_name_plural = _("rekap anev")
        ordering = ["-period_start", "period_kind", "unit__path"]
        indexes = [
            models.Index(
                fields=["operation", "period_start", "period_end"], name="summary_period_idx"
            ),
            models.Index(fields=["stale_marks", "built_marks"], name="summary_stale_idx"),
        ]
        constraints = [
            # One row per (operation, unit, period kind, period start). Phases of the
            # election may start on the same day (pemungutan and penghitungan suara), so
            # the phase summaries are unique per phase instead.
            models.UniqueConstraint(
                fields=["operation", "unit", "period_kind", "period_start"],
                condition=~Q(period_kind="phase"),
                name="summary_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["operation", "unit", "phase"],
                condition=Q(period_kind="phase"),
                name="summary_one_per_phase",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start"))
                & Q(through__gte=models.F("period_start"))
                & Q(through__lte=models.F("period_end")),
                name="summary_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(period_kind="phase", phase__isnull=False)
                | (~Q(period_kind="phase") & Q(phase__isnull=True)),
                name="summary_phase_only_for_phase_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"Rekap {self.get_period_kind_display()} {self.unit} {self.period_start:%d/%m/%Y}"

    @property
    def is_stale(self) -> bool:
        return self.stale_marks > self.built_marks

    @property
    def is_partial(self) -> bool:
        return self.through < self.period_end


class SummaryState(models.Model):
    """What a summary adds up (the sums of its parts, summaries.accumulate).

    Kept beside the summary (not in it) so lists and pages never load it.
    """

    summary = models.OneToOneField(
        Summary, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    version = models.PositiveSmallIntegerField(default=1)
    # JSON text: only this app reads it, whole; text skips the server's jsonb parsing.
    acc = models.TextField(default="{}")

    class Meta:
        verbose_name = _("isi terhitung rekap")
        verbose_name_plural = _("isi terhitung rekap")

    def __str__(self) -> str:
        return f"State {self.summary_id}"


class SummaryPart(models.Model):
    """The parts (summaries.parts) of the units that roll up to one row of a summary
    (`key`: the child unit's path), {unit id: part}. After a late report only the bucket
    of that unit's row is rewritten; a unit without a part contributes nothing."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=500)
    data = models.TextField(default="{}")  # JSON text, read whole by this app only

    class Meta:
        verbose_name = _("bagian rekap")
        verbose_name_plural = _("bagian rekap")
        constraints = [
            models.UniqueConstraint(fields=["summary", "key"], name="summary_part_once"),
        ]

    def __str__(self) -> str:
        return f"{self.summary_id}:{self.key}"


class DirtyUnit(models.Model):
    """A unit whose report changed since the summary was built (one row per pair)."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="dirty_units")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("satuan berubah")
        verbose_name_plural = _("satuan berubah")
        constraints = [
            models.UniqueConstraint(fields=["summary", "unit"], name="dirty_unit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.summary_id}:{self.unit_id}"


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Pengingat")
    ESCALATION = "escalation", _("Eskalasi")


class Notice(models.Model):
    """A reminder (before the deadline) or an escalation (after it) about a missing report.

    `level` 0 is the reminder to the unit itself; level 1 goes to the unit above (for a
    Polsek: the Kabag Ops of its Polres), level 2 one further up (the Polda's operations
    staff). A notice stays open until someone of the recipient unit acknowledges it.
    """

    operation = models.ForeignKey(
        Operation, verbose_name=_("operasi"), on_delete=models.CASCADE, related_name="notices"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("satuan yang belum melapor"),
        on_delete=models.CASCADE,
        related_name="notices_about",
    )
    report_date = models.DateField(_("tanggal laporan"))
    level = models.PositiveSmallIntegerField(_("tingkat"))
    kind = models.CharField(_("jenis"), max_length=10, choices=NoticeKind.choices)
    recipient_unit = models.ForeignKey(
        Unit,
        verbose_name=_("ditujukan kepada"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    deadline = models.DateTimeField(_("batas waktu"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("dikirim lewat e-mail"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("ditindaklanjuti"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ditindaklanjuti oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pengingat/eskalasi")
        verbose_name_plural = _("pengingat/eskalasi")
        ordering = ["-report_date", "-level", "unit__path"]
        indexes = [
            models.Index(fields=["recipient_unit", "acknowledged_at"], name="notice_open_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "unit", "report_date", "level"], name="notice_one_per_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.report_date:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
