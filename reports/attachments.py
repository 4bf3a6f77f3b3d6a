"""Attachments of daily reports: the content check, adding and removing.

Each write is one transaction that writes an audit entry; callers may use them as
reports.services.X (re-exported there).
"""

from __future__ import annotations

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from pamilu.actors import Actor, ChannelName, user_of
from reports.models import Attachment, DailyReport


def _locked_editable(report: DailyReport) -> DailyReport:
    """The report's row locked, if it is a draft or returned; else ReportStateError."""
    from reports.services import EDITABLE, ReportStateError  # noqa: PLC0415 - cycle: reports.services re-exports this module's services

    locked = DailyReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in EDITABLE:
        raise ReportStateError(
            _("Laporan berstatus %(status)s tidak dapat diubah.")
            % {"status": locked.get_status_display()},
            code="frozen",
        )
    return locked


# Accepted attachment types, detected from the content: MIME type → extension.
ATTACHMENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


def attachment_check(upload) -> tuple[str, str]:
    """(MIME type, extension) of an upload, detected from its content; else a clear error."""
    limit = settings.PAMILU_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("Berkas %(name)s terlalu besar (%(size)s); batasnya %(limit)s.")
                % {
                    "name": upload.name,
                    "size": _human_size(upload.size),
                    "limit": _human_size(limit),
                }
            },
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": _(
                    "Isi berkas %(name)s bukan foto (JPEG, PNG, WebP) atau PDF, "
                    "apa pun nama berkasnya."
                )
                % {"name": upload.name}
            },
            code="bad_type",
        )
    return kind.mime, ATTACHMENT_TYPES[kind.mime]


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.0f} KB"


@transaction.atomic
def attachment_add(*, report: DailyReport, by: Actor, channel: ChannelName, upload) -> Attachment:
    """Attach a photo or PDF to a draft or returned report, under a server-chosen name."""
    from reports.services import _check_writer  # noqa: PLC0415 - cycle: reports.services re-exports this module's services

    _check_writer(by, report.unit)
    mime, extension = attachment_check(upload)
    locked = _locked_editable(report)
    original = (getattr(upload, "name", "") or "lampiran")[-255:]
    upload.seek(0)
    attachment = Attachment(
        report=locked,
        original_name=original,
        content_type=mime,
        size=upload.size,
        uploaded_by=user_of(by),
    )
    attachment.file.save(f"upload.{extension}", ContentFile(upload.read()), save=False)
    attachment.save()
    record(
        actor=by,
        channel=channel,
        action="attachment.add",
        obj=locked,
        changes={"attachments": [None, f"{original} ({mime}, {upload.size} B)"]},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: Actor, channel: ChannelName) -> None:
    from reports.services import _check_writer  # noqa: PLC0415 - cycle: reports.services re-exports this module's services

    report = attachment.report
    _check_writer(by, report.unit)
    locked = _locked_editable(report)
    name = attachment.file.name
    description = f"{attachment.original_name} ({attachment.content_type}, {attachment.size} B)"
    attachment.delete()
    storage = attachment.file.storage
    transaction.on_commit(lambda: storage.delete(name))
    record(
        actor=by,
        channel=channel,
        action="attachment.remove",
        obj=locked,
        changes={"attachments": [description, None]},
    )
