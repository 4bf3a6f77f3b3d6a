"""The dashboard's tallies (dashboard.models) from scratch: ``rebuild`` refills them from the
``*_expected`` views of the source tables, ``drift`` counts the rows that differ (0 when
every maintained number is exact). PostgreSQL only: the triggers that keep them live
there (dashboard/migrations/0002_tally_triggers.py)."""

from __future__ import annotations

from django.db import connection

# table: (key columns, number columns)
TABLES = {
    "dashboard_reporttally": (
        ("operation_id", "group_path", "time_zone", "day"),
        ("sent", "on_time", "late", "returned", "personnel"),
    ),
    "dashboard_incidenttally": (
        ("operation_id", "group_path", "time_zone", "day", "category", "severity"),
        ("n", "deaths", "injured"),
    ),
    "dashboard_incidenttotal": (
        ("operation_id", "group_path", "category", "severity"),
        ("n", "deaths", "injured"),
    ),
    "dashboard_assignmenttally": (("operation_id", "group_path"), ("committed", "bko")),
    "dashboard_tpstally": (
        ("operation_id", "group_path", "vulnerability"),
        ("tps", "police_required"),
    ),
}


def _fill(table: str) -> str:
    keys, numbers = TABLES[table]
    columns = ", ".join(keys + numbers)
    return f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_expected"  # noqa: S608


# One statement per tally: its rows from the source tables (into an empty table).
FILL_SQL = {table: _fill(table) for table in TABLES}


def maintained() -> bool:
    """Whether the tallies are kept here (the triggers exist on PostgreSQL only)."""
    return connection.vendor == "postgresql"


def rebuild() -> dict[str, int]:
    """Refill every tally from its source rows; returns the rows written per table."""
    if not maintained():
        return {}
    written = {}
    with connection.cursor() as cursor:
        for table, fill in FILL_SQL.items():
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constant table names
            cursor.execute(fill)
            written[table] = cursor.rowcount
    return written


def drift() -> dict[str, int]:
    """Per tally, the rows whose kept numbers differ from a full recomputation (rows at
    zero count as absent)."""
    if not maintained():
        return {}
    wrong = {}
    with connection.cursor() as cursor:
        for table, (keys, numbers) in TABLES.items():
            columns = ", ".join(keys + numbers)
            nonzero = " OR ".join(f"{n} <> 0" for n in numbers)
            kept = f"SELECT {columns} FROM {table} WHERE {nonzero}"  # noqa: S608
            expected = f"SELECT {columns} FROM {table}_expected WHERE {nonzero}"  # noqa: S608
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {expected}) a) "  # noqa: S608
                f"+ (SELECT COUNT(*) FROM ({expected} EXCEPT {kept}) b)"
            )
            wrong[table] = cursor.fetchone()[0]
    return wrong
