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

from contextlib import contextmanager

from django.db import connection

from operations import tree
from reports.models import DailyReport, Incident


def incident_fields(report: DailyReport, *, status: str | None = None) -> dict:
    """The copied fields a new incident of `report` is written with (`status`: the state
    the report reaches later in the same transaction)."""
    return {
        "operation_id": report.operation_id,
        "unit_id": report.unit_id,
        "report_date": report.report_date,
        "report_status": status or report.status,
    }


def hold_items(report: DailyReport, name: str, items: list) -> None:
    """Let `report.<name>.all()` return `items` (what was just written) without a query."""
    queryset = getattr(report, name).all()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    cache = getattr(report, "_prefetched_objects_cache", None)
    if cache is None:
        cache = report._prefetched_objects_cache = {}
    cache[name] = queryset


def carry_items(*, source: DailyReport, target: DailyReport) -> DailyReport:
    """`target` (the same report re-read after a transition) holds `source`'s written
    items, its incidents in the report's new state."""
    held = getattr(source, "_prefetched_objects_cache", {})
    for name in ("activities", "incidents", "attachments"):
        if name in held:
            items = list(held[name])
            if name == "incidents":
                for incident in items:
                    incident.report_status = target.status
            hold_items(target, name, items)
    return target


@contextmanager
def incidents_written_as(report: DailyReport, status: str):
    """Within this block, `report`'s incidents are known to be stored in `status` (they
    were written so in this transaction). Never longer: a kept instance goes stale."""
    report._facts_incidents_written_as = status
    try:
        yield report
    finally:
        del report._facts_incidents_written_as


def report_status_changed(*, report_id: int, status: str, held: DailyReport | None = None) -> None:
    """The report moved to `status`: its incidents follow (one UPDATE). `held`: the report
    instance passed to the transition; inside ``incidents_written_as(held, status)`` its
    incidents were just written in `status` (created and sent at once): nothing to do."""
    if getattr(held, "_facts_incidents_written_as", None) == status:
        return
    Incident.objects.filter(report_id=report_id).exclude(report_status=status).update(
        report_status=status
    )


def subtree_moved(*, new_path: str, **_kwargs) -> None:
    """Units under `new_path` have new paths: the reports' sort keys follow (one UPDATE)."""
    sql = (
        "UPDATE reports_dailyreport SET unit_path = u.path FROM operations_unit u "  # noqa: S608
        f"WHERE u.id = reports_dailyreport.unit_id AND {tree.subtree_sql('u.path', '')} "
        "AND reports_dailyreport.unit_path <> u.path"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [new_path + "%"])


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
