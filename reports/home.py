"""The kapolsek's home: what to do today.

Returned reports first (with the reviewer's reason), then today's report of every
operation the unit reports in: its state, the local deadline (operations.clock) and the
time left, with a notice when the deadline nears. The deadline reminder itself (an
in-app Notice and its e-mail) is summaries' (send_reminders); a return's e-mail is
reports.notify's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from operations import clock
from operations.models import Operation, Unit
from operations.selectors import operations_for
from pamilu.scoping import can_write_for_unit
from reports.models import DailyReport, ReportStatus


@dataclass
class TodayItem:
    operation: Operation
    report: DailyReport | None
    deadline: dt.datetime
    left: dt.timedelta

    @property
    def sent(self) -> bool:
        return self.report is not None and self.report.status in (
            ReportStatus.SUBMITTED,
            ReportStatus.ACCEPTED,
        )

    @property
    def overdue(self) -> bool:
        return self.left <= dt.timedelta(0) and not self.sent

    @property
    def near(self) -> bool:
        window = dt.timedelta(minutes=settings.PAMILU_REMINDER_MINUTES_BEFORE_DEADLINE)
        return not self.sent and dt.timedelta(0) < self.left <= window

    @property
    def left_text(self) -> str:
        return duration_text(abs(self.left))


def duration_text(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return (
            ngettext("%(h)d jam", "%(h)d jam", hours) % {"h": hours}
            + " "
            + ngettext("%(m)d menit", "%(m)d menit", minutes) % {"m": minutes}
        )
    return ngettext("%(m)d menit", "%(m)d menit", minutes) % {"m": minutes}


def returned_reports(unit: Unit) -> QuerySet[DailyReport]:
    return (
        DailyReport.objects.filter(unit=unit, status=ReportStatus.RETURNED)
        .select_related("operation", "reviewed_by")
        .order_by("-report_date", "operation_id")
    )


def today_items(user, unit: Unit, now: dt.datetime) -> list[TodayItem]:
    """Today's report per operation running in the unit's zone (two queries)."""
    today = clock.local_date(unit, now)
    operations = [
        op
        for op in operations_for(user)
        .filter(unit__path__in=unit.ancestor_paths(), start_date__lte=today, end_date__gte=today)
        .order_by("-start_date", "pk")
        if unit.kind in (op.reporting_kinds or [])
    ]
    reports = {
        r.operation_id: r
        for r in DailyReport.objects.filter(
            unit=unit, report_date=today, operation__in=[op.pk for op in operations]
        )
    }
    items = []
    for op in operations:
        deadline = clock.report_deadline(op, unit, today)
        items.append(TodayItem(op, reports.get(op.pk), deadline, deadline - now))
    return items


@login_required
def kapolsek_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    unit = user.unit
    if unit is None or not can_write_for_unit(user, unit):
        raise PermissionDenied
    now = timezone.now()
    items = today_items(user, unit, now)
    returned = list(returned_reports(unit)[:20])
    notices = []
    for item in items:
        if item.near:
            notices.append(
                _("Batas kirim laporan %(operation)s tinggal %(left)s.")
                % {"operation": item.operation.name, "left": item.left_text}
            )
    return render(
        request,
        "reports/home.html",
        {
            "unit": unit,
            "today": clock.local_date(unit, now),
            "items": items,
            "returned": returned,
            "notices": notices,
        },
    )
