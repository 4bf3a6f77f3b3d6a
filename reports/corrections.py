"""Corrections: removing a record of a report without losing it.

An incident or attachment removed in the admin is not hard-deleted: its values (and
the attachment's file, under its stored name) move to a `Correction`, the removal is
audited, and the summaries that counted it are marked stale (rebuilt on commit, or by
beat while Redis is down). Files of corrections are kept for
CORRECTION_RETENTION_DAYS, then `purge_expired_correction_files` removes them (audited).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record, snapshot
from pamilu.actors import Actor, ChannelName, user_of
from reports.models import Attachment, Correction, CorrectionKind, DailyReport, Incident
from summaries.services import mark_stale_for_report


def _retain_until() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=settings.PAMILU_CORRECTION_RETENTION_DAYS)


@transaction.atomic
def incident_correct_away(
    *, incident: Incident, by: Actor, channel: ChannelName, reason: str
) -> Correction:
    """Remove `incident` from its report as an audited correction."""
    report = DailyReport.objects.select_for_update().get(pk=incident.report_id)
    data = snapshot(incident)
    correction = Correction.objects.create(
        report=report,
        kind=CorrectionKind.INCIDENT,
        original_id=incident.pk,
        data=data,
        reason=reason,
        removed_by=user_of(by),
        removed_by_name=by.get_username()[:150],
        retain_until=_retain_until(),
    )
    incident.delete()
    record(
        actor=by,
        channel=channel,
        action="incident.correct",
        obj=report,
        changes={"incidents": [data, None], "reason": reason, "correction": correction.pk},
    )
    mark_stale_for_report(report=report, by=by, channel=channel)
    return correction


@transaction.atomic
def attachment_correct_away(
    *, attachment: Attachment, by: Actor, channel: ChannelName, reason: str
) -> Correction:
    """Remove `attachment` from its report; its file stays, owned by the correction."""
    report = DailyReport.objects.select_for_update().get(pk=attachment.report_id)
    data = snapshot(attachment)
    correction = Correction.objects.create(
        report=report,
        kind=CorrectionKind.ATTACHMENT,
        original_id=attachment.pk,
        data=data,
        file=attachment.file.name,
        reason=reason,
        removed_by=user_of(by),
        removed_by_name=by.get_username()[:150],
        retain_until=_retain_until(),
    )
    attachment.delete()  # the row only: a FileField never deletes its file
    record(
        actor=by,
        channel=channel,
        action="attachment.correct",
        obj=report,
        changes={"attachments": [data, None], "reason": reason, "correction": correction.pk},
    )
    mark_stale_for_report(report=report, by=by, channel=channel)
    return correction


def purge_expired_correction_files(
    *, by: Actor, channel: ChannelName, today: dt.date | None = None
) -> int:
    """Delete the files of corrections past their retention date. Returns how many.

    Safe to run twice, also at the same time (beat and a manual run): each correction is
    claimed by a conditional UPDATE (`file_purged_at IS NULL`), so a second run, or one
    that read the same rows before the first committed, finds nothing to claim and
    neither deletes nor audits again. The file goes inside the claim's transaction: if
    the commit fails the next run claims the row again (deleting a missing file is a
    no-op), so no file outlives its retention by more than a run.
    """
    today = today or timezone.localdate()
    count = 0
    due = Correction.objects.filter(retain_until__lt=today, file_purged_at__isnull=True)
    for correction in due.exclude(file="").select_related("report"):
        with transaction.atomic():
            claimed = Correction.objects.filter(
                pk=correction.pk, file_purged_at__isnull=True
            ).update(file_purged_at=timezone.now())
            if not claimed:
                continue  # another run purged it meanwhile
            name = correction.file.name
            record(
                actor=by,
                channel=channel,
                action="correction.purge_file",
                obj=correction.report,
                changes={"correction": correction.pk, "file": name},
            )
            correction.file.storage.delete(name)
        count += 1
    return count
