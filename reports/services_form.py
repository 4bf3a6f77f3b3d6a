"""The phone form's one write: save a report (new or edited), attach a file, and send it if
asked, in one transaction (reports.views only parses the form and calls this)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from operations.models import Operation, Unit
from pamilu.actors import Actor, ChannelName
from reports.attachments import attachment_add
from reports.models import DailyReport, ReportStatus
from reports.services import report_create, report_submit, report_update


@transaction.atomic
def report_save(
    *,
    report: DailyReport | None,
    operation: Operation,
    unit: Unit,
    report_date: dt.date,
    by: Actor,
    channel: ChannelName,
    activities: list[dict[str, Any]],
    incidents: list[dict[str, Any]],
    attachment: UploadedFile | None = None,
    submit: bool = False,
    confirm_warnings: Iterable[str] = (),
    **fields: Any,
) -> DailyReport:
    """Create (`report` None) or update the report, add `attachment`, then send it when
    `submit`. All or nothing: a refused send leaves no new draft and no attachment behind.

    Raises what the services it chains raise (ValidationError, ReportStateError,
    rules.SendWarnings, PermissionDenied)."""
    confirmed = list(confirm_warnings)
    if report is None:
        # "Kirim" on a new report: created and sent by one call, unless an attachment must
        # first be added to the draft (then it is sent below).
        report = report_create(
            operation=operation,
            unit=unit,
            report_date=report_date,
            by=by,
            channel=channel,
            activities=activities,
            incidents=incidents,
            submit=submit and attachment is None,
            confirm_warnings=confirmed,
            **fields,
        )
    else:
        report = report_update(
            report=report,
            by=by,
            channel=channel,
            activities=activities,
            incidents=incidents,
            **fields,
        )
    if attachment is not None:
        attachment_add(report=report, by=by, channel=channel, upload=attachment)
    if submit and report.status != ReportStatus.SUBMITTED:
        report = report_submit(report=report, by=by, channel=channel, confirm_warnings=confirmed)
    return report
