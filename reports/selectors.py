"""Reads of daily reports shared by the pages and the API. All go through `scope`."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import entries_for
from pamilu.scoping import get_in_scope_or_404, scope
from reports.models import Attachment, DailyReport, Incident, ReportActivity, ReportStatus


def reports_for(user) -> QuerySet[DailyReport]:
    """Reports the user may see, with what a list row shows (no query per row)."""
    return scope(user, DailyReport.objects.select_related("unit", "operation"))


def reports_with_items(user) -> QuerySet[DailyReport]:
    """Reports with their activities, incidents and attachments prefetched."""
    return reports_for(user).prefetch_related(
        Prefetch("activities", ReportActivity.objects.select_related("task_force")),
        Prefetch("incidents", Incident.objects.select_related("post").order_by("occurred_at")),
        Prefetch("attachments", Attachment.objects.order_by("uploaded_at")),
    )


def report_in_scope(user, pk) -> DailyReport:
    """One report the user may see, else 404 (never confirms that it exists)."""
    return get_in_scope_or_404(user, reports_with_items(user), pk=pk)


def review_queue(user) -> QuerySet[DailyReport]:
    """Submitted reports of the units strictly below the reviewer's own, oldest day first."""
    qs = reports_for(user).filter(status=ReportStatus.SUBMITTED)
    if user.unit_id is not None:
        qs = qs.exclude(unit_id=user.unit_id)
    return qs.order_by("report_date", "submitted_at", "unit__path")


def attachments_for(user) -> QuerySet[Attachment]:
    return scope(user, Attachment.objects.select_related("report__unit"), "report__unit")


def incidents_for(user) -> QuerySet[Incident]:
    return scope(user, Incident.objects.select_related("unit", "operation", "post"))


# Labels for the audit trail's field names that are not report fields.
TRAIL_LABELS = {
    "activities": _("Kegiatan"),
    "incidents": _("Kejadian menonjol"),
    "attachments": _("Lampiran"),
}


def _label(name: str) -> str:
    if name in TRAIL_LABELS:
        return str(TRAIL_LABELS[name])
    try:
        return str(DailyReport._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - any unknown key is shown as it is
        return name


def _describe(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return "; ".join(_describe(v) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("ya") if value else _("tidak"))
    return str(value)


def audit_trail(report: DailyReport) -> list[dict[str, Any]]:
    """The report's audit entries, oldest first, each with readable (field, from, to) rows."""
    entries: QuerySet[AuditEntry] = entries_for(report).order_by("at", "id")
    trail = []
    for entry in entries:
        rows = []
        for name, change in (entry.changes or {}).items():
            if isinstance(change, list) and len(change) == 2:
                old, new = change
            else:
                old, new = None, change
            rows.append({"field": _label(name), "old": _describe(old), "new": _describe(new)})
        trail.append({"entry": entry, "rows": rows})
    return trail
