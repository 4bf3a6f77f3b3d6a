"""Reads of daily reports shared by the pages and the API. All go through `scope`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import entries_for
from pamilu.scoping import Viewer, get_in_scope_or_404, scope
from reports.models import (
    ActivityKind,
    Attachment,
    DailyReport,
    FlagCode,
    Incident,
    IncidentCategory,
    ReportActivity,
    ReportStatus,
    Severity,
)

# Every order a report list offers, each served by an index of DailyReport (see its
# Meta.indexes); the unit's path is the report's own copy (reports.facts), not a join.
LIST_ORDER = ("-report_date", "unit_path", "id")  # report_list_idx, report_list_status_idx
QUEUE_ORDER = ("report_date", "submitted_at", "unit_path", "id")  # report_queue_idx
API_ORDERS = {
    "-report_date": LIST_ORDER,
    "report_date": ("report_date", "id"),  # report_date_id_idx
    "submitted_at": ("submitted_at", "id"),  # report_submitted_id_idx (both ways)
    "-submitted_at": ("-submitted_at", "-id"),
    "updated_at": ("updated_at", "id"),  # report_updated_id_idx (both ways)
    "-updated_at": ("-updated_at", "-id"),
}


def reports_for(user: Viewer | None) -> QuerySet[DailyReport]:
    """Reports the user may see, with what a list row shows (no query per row)."""
    return scope(user, DailyReport.objects.select_related("unit", "operation"))


def reports_with_items(user: Viewer | None) -> QuerySet[DailyReport]:
    """Reports with their activities, incidents and attachments prefetched."""
    return reports_for(user).prefetch_related(
        Prefetch("activities", ReportActivity.objects.select_related("task_force")),
        Prefetch("incidents", Incident.objects.select_related("post").order_by("occurred_at")),
        Prefetch("attachments", Attachment.objects.order_by("uploaded_at")),
        "flags",
    )


def report_of_day(
    user: Viewer | None, *, unit_id: int, operation_id: int, day: dt.date
) -> DailyReport | None:
    """The unit's report of that day in that operation, if the user may see it (one query)."""
    return (
        scope(user, DailyReport.objects.select_related("operation"))
        .filter(unit_id=unit_id, operation_id=operation_id, report_date=day)
        .first()
    )


def report_in_scope(user: Viewer | None, pk: int | str) -> DailyReport:
    """One report the user may see, else 404 (never confirms that it exists)."""
    return get_in_scope_or_404(user, reports_with_items(user), pk=pk)


def review_queue(user: Viewer, *, flag: str = "") -> QuerySet[DailyReport]:
    """Submitted reports of the units strictly below the reviewer's own, oldest day first,
    with their flags; `flag` keeps those carrying that flag."""
    qs = reports_for(user).filter(status=ReportStatus.SUBMITTED).prefetch_related("flags")
    if user.unit_id is not None:
        qs = qs.exclude(unit_id=user.unit_id)
    if flag:
        qs = qs.filter(flags__code=flag)
    return qs.order_by(*QUEUE_ORDER)


def attachments_for(user: Viewer | None) -> QuerySet[Attachment]:
    return scope(user, Attachment.objects.select_related("report__unit"), "report__unit")


def incidents_for(user: Viewer | None) -> QuerySet[Incident]:
    return scope(user, Incident.objects.select_related("unit", "operation", "post"))


# Labels for the audit trail's field names that are not report fields.
TRAIL_LABELS = {
    "activities": _("Kegiatan"),
    "incidents": _("Kejadian menonjol"),
    "attachments": _("Lampiran"),
    "flags": _("Tanda untuk pemeriksa"),
}
ACTION_LABELS = {
    "report.create": _("Dibuat"),
    "report.update": _("Diubah"),
    "report.submit": _("Dikirim"),
    "report.resubmit": _("Dikirim ulang"),
    "report.return": _("Dikembalikan"),
    "report.accept": _("Diterima"),
    "attachment.add": _("Lampiran ditambah"),
    "attachment.remove": _("Lampiran dihapus"),
}
# Choice values shown with their labels, whichever model they come from.
CHOICE_FIELDS = {
    "status": ReportStatus,
    "kind": ActivityKind,
    "category": IncidentCategory,
    "severity": Severity,
    "flags": FlagCode,
}


def _label(name: str) -> str:
    if name in TRAIL_LABELS:
        return str(TRAIL_LABELS[name])
    for model in (DailyReport, Incident, ReportActivity):
        try:
            return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # a concrete field
        except FieldDoesNotExist:
            continue
    return name


def _describe(value: Any, name: str = "") -> str:
    """A change's value as a person reads it: labels, local times, yes/no."""
    if value is None or value == "":
        return "–"
    if isinstance(value, list):
        return "; ".join(_describe(v, name) for v in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{_label(k)}: {_describe(v, k)}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("ya") if value else _("tidak"))
    if name in CHOICE_FIELDS and value in CHOICE_FIELDS[name].values:
        return str(CHOICE_FIELDS[name](value).label)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            return date_format(timezone.localtime(moment), "j M Y H:i T")
    return str(value)


def audit_trail(report: DailyReport) -> list[dict[str, Any]]:
    """The report's audit entries, oldest first, each with readable (field, from, to) rows."""
    entries: QuerySet[AuditEntry] = entries_for(report).order_by("at", "id")
    trail = []
    for entry in entries:
        rows = []
        for name, change in (entry.changes or {}).items():
            if name in ("activities", "incidents"):
                old, new = change if _is_pair(change) else (None, change)
            elif isinstance(change, list) and len(change) == 2:
                old, new = change
            else:
                old, new = None, change
            rows.append(
                {"field": _label(name), "old": _describe(old, name), "new": _describe(new, name)}
            )
        label = ACTION_LABELS.get(entry.action, entry.action)
        trail.append({"entry": entry, "label": str(label), "rows": rows})
    return trail


def _is_pair(change: Any) -> bool:
    """[old list, new list] (an update) rather than the list itself (a creation)."""
    return (
        isinstance(change, list)
        and len(change) == 2
        and all(isinstance(side, list) for side in change)
    )
