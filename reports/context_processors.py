"""The count of the unit's returned reports, shown in an operator's navigation bar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from reports.models import DailyReport, ReportStatus


def returned_reports(request) -> dict:
    """`returned_report_count`: counted (one query) only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.unit_id is None:
        return {"returned_report_count": 0}
    return {
        "returned_report_count": SimpleLazyObject(
            lambda: DailyReport.objects.filter(
                unit_id=user.unit_id, status=ReportStatus.RETURNED
            ).count()
        )
    }
