"""Writing a report's activities and incidents (called by reports.services inside its
transactions). The report then holds what was written (reports.facts.hold_items), so the
audit state and the API response need no read-back."""

from __future__ import annotations

from reports import facts
from reports.models import DailyReport, Incident, ReportActivity


def write_items(
    report: DailyReport,
    activities,
    incidents,
    *,
    activity_fields: list[str],
    incident_fields: list[str],
    new: bool = False,
    incident_status: str | None = None,
) -> None:
    """Replace the report's items (None: keep them). `new`: the report was just created
    (nothing to delete). `incident_status`: the state the report reaches later in this
    same transaction (created and sent at once)."""
    if activities is not None:
        if not new:
            report.activities.all().delete()
        written = ReportActivity.objects.bulk_create(
            ReportActivity(report=report, **{k: v for k, v in a.items() if k in activity_fields})
            for a in activities
        )
        facts.hold_items(report, "activities", sorted(written, key=lambda a: a.kind))
    if incidents is not None:
        if not new:
            report.incidents.all().delete()
        written = Incident.objects.bulk_create(
            Incident(
                report=report,
                **facts.incident_fields(report, status=incident_status),
                **{k: v for k, v in i.items() if k in incident_fields},
            )
            for i in incidents
        )
        facts.hold_items(report, "incidents", sorted(written, key=lambda i: i.occurred_at))
    if new:
        facts.hold_items(report, "attachments", [])
