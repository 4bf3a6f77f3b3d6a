"""The version of what a dashboard shows, derived cheaply, for the 60 s htmx poll: a poll
whose version matches its ``If-None-Match`` is answered 304 without building anything.

The version covers every input of the numbers: who asks (their scope) and for what focus
and day (the query string, the language), each zone's day and whether its deadline has
passed (the missing list's overdue marks, the late counts), and the written data through
cheap maxima and sums: the reports' latest ``updated_at`` and id (index scans of one row;
a report's incidents are written with it), the latest assignment, and a signature of the
maintained TPS counts of the operation (a few rows per unit). Three queries, none
scanning reports or posts.
"""

from __future__ import annotations

import hashlib

from django.db.models import Count, F, Max, Sum
from django.utils import timezone, translation

from accounts.http import AuthenticatedRequest
from dashboard import selectors as agg
from operations import clock
from operations.focus import Focus
from operations.models import TpsCount, Unit
from personnel.models import Assignment
from reports.models import DailyReport


def dashboard_version(request: AuthenticatedRequest, query: Focus) -> str:
    now = timezone.now()
    parts: list[object] = [
        request.user.pk,
        request.user.unit_id,
        request.GET.urlencode(),
        translation.get_language(),
    ]
    operation = query.operation
    if operation is not None and query.unit is not None:
        for zone, day in sorted(agg.zone_days(query.day, now).items()):
            deadline = clock.report_deadline(operation, Unit(time_zone=zone), day)
            parts += [zone, day, now > deadline]
        parts.append(tuple(DailyReport.objects.aggregate(Max("updated_at"), Max("pk")).values()))
        parts.append(Assignment.objects.aggregate(Max("pk"))["pk__max"])
        parts.append(
            tuple(
                TpsCount.objects.filter(operation=operation)
                .aggregate(
                    n_rows=Count("pk"),
                    n_tps=Sum("tps"),
                    n_required=Sum("police_required"),
                    placed=Sum(F("tps") * F("unit_id")),
                    levels=Sum(F("police_required") * F("unit_id")),
                )
                .values()
            )
        )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
