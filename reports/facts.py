"""Numbers about reports kept in the same transaction as the writes that change them.

- An incident carries its report's day and state (``Incident.report_date`` and
  ``report_status``), so dashboard aggregates over incidents never join the reports.
- A report carries its unit's path (``DailyReport.unit_path``), so every list order is
  served by an index of the reports table alone.

reports.services calls these inside its transactions, after it has locked or claimed the
report row, so a concurrent write to the same report waits and the copies stay exact.
A unit move reaches ``subtree_moved`` through ``operations.services.unit_subtree_moved``
(operations cannot import reports). ``rebuild`` recomputes everything from scratch, one
SQL statement per table (``manage.py rebuild_counts``).
"""

from __future__ import annotations

from django.db import connection

from reports.models import DailyReport, Incident


def incident_fields(report: DailyReport) -> dict:
    """The copied fields a new incident of `report` is written with."""
    return {
        "operation_id": report.operation_id,
        "unit_id": report.unit_id,
        "report_date": report.report_date,
        "report_status": report.status,
    }


def report_status_changed(*, report_id: int, status: str) -> None:
    """The report moved to `status`: its incidents follow (one UPDATE)."""
    Incident.objects.filter(report_id=report_id).exclude(report_status=status).update(
        report_status=status
    )


def subtree_moved(*, new_path: str, **_kwargs) -> None:
    """Units under `new_path` have new paths: the reports' sort keys follow (one UPDATE)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_dailyreport SET unit_path = u.path FROM operations_unit u "
            "WHERE u.id = reports_dailyreport.unit_id AND u.path LIKE %s "
            "AND reports_dailyreport.unit_path <> u.path",
            [new_path + "%"],
        )


# --- from scratch ----------------------------------------------------------------------

REBUILD_INCIDENTS_SQL = (
    "UPDATE reports_incident SET report_date = r.report_date, report_status = r.status "
    "FROM reports_dailyreport r WHERE r.id = reports_incident.report_id "
    "AND (reports_incident.report_date IS NULL OR reports_incident.report_date <> r.report_date "
    "OR reports_incident.report_status <> r.status)"
)
REBUILD_REPORT_PATHS_SQL = (
    "UPDATE reports_dailyreport SET unit_path = u.path FROM operations_unit u "
    "WHERE u.id = reports_dailyreport.unit_id AND reports_dailyreport.unit_path <> u.path"
)


def rebuild() -> dict[str, int]:
    """Recompute every copied field from its source; returns the rows that were wrong."""
    with connection.cursor() as cursor:
        cursor.execute(REBUILD_INCIDENTS_SQL)
        incidents = cursor.rowcount
        cursor.execute(REBUILD_REPORT_PATHS_SQL)
        reports = cursor.rowcount
    return {"incidents": incidents, "reports": reports}


def drift() -> dict[str, int]:
    """Rows whose copies differ from their source (0 and 0 when everything is exact)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM reports_incident i JOIN reports_dailyreport r "
            "ON r.id = i.report_id WHERE i.report_date IS NULL OR i.report_date <> r.report_date "
            "OR i.report_status <> r.status OR i.unit_id <> r.unit_id "
            "OR i.operation_id <> r.operation_id"
        )
        incidents = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM reports_dailyreport r JOIN operations_unit u "
            "ON u.id = r.unit_id WHERE r.unit_path <> u.path"
        )
        reports = cursor.fetchone()[0]
    return {"incidents": incidents, "reports": reports}
