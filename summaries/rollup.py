"""A full build's sums in SQL: the period's rows grouped per unit on the server, rolled up
by the child-prefix key of the summary's unit (operations.tree), and only the sums sent
to Python.

The per-unit totals land in three temporary tables (dropped at commit, or by the next
build in the same transaction): reports per unit, activities per unit, kind and task
force, incidents per unit and category, each for the period (`cur`) and the comparison
period. Everything the summary adds up (summaries.accumulate's accumulator) is a
GROUP BY over them: the rows per child key, the maps by kind, task force and category,
the reporting figures and the units with missing, late or returned days. The parts a
late report later swaps (summaries.parts' shape, one JSON object per unit) are written
from the same tables by `store_parts`, grouped by child key, without leaving the server.

The same accumulator as ``accumulate.fold`` over ``parts.unit_parts`` (the Python build
the tests compare with on random data), so the rendered content is identical.
"""

from __future__ import annotations

from django.db import connection

from operations import tree
from operations.models import Operation, Unit
from reports.models import SENT_STATUSES, ReportStatus
from summaries import accumulate, parts

TABLES = ("_summary_r", "_summary_a", "_summary_i", "_summary_u")

KEY = tree.child_key_sql("u.path")
IN_SCOPE = tree.subtree_sql("u.path", "prefix")

# One row per unit of the subtree: its roll-up key and whether it must report.
UNITS_SQL = f"""
CREATE TEMP TABLE _summary_u ON COMMIT DROP AS
SELECT u.id AS unit_id, u.path, u.code, u.name, u.kind, {KEY} AS key,
       (u.is_active AND u.kind = ANY(%(kinds)s) AND {tree.subtree_sql("u.path", "root")})
           AS reporting
FROM operations_unit u WHERE {IN_SCOPE}
"""  # noqa: S608 - only fixed SQL is formatted in

# Both periods in one statement: CREATE TABLE AS may run in parallel, INSERT never does.
# The comparison period always ends before `first`.
# `lo`..`through` spans both, so a small subtree's reports are a range of the unit-day index.
_SENT = f"""r.operation_id = %(op)s AND r.status = ANY(%(sent)s) AND {IN_SCOPE}
  AND r.report_date BETWEEN %(lo)s AND %(through)s
  AND (r.report_date BETWEEN %(first)s AND %(through)s
       OR r.report_date BETWEEN %(pfirst)s AND %(plast)s)"""
_CUR = "r.report_date >= %(first)s"

REPORTS_SQL = f"""
SELECT r.unit_id, {_CUR} AS cur, COUNT(*) AS n,
       COUNT(*) FILTER (WHERE r.is_late) AS late,
       COUNT(*) FILTER (WHERE r.status = %(returned)s) AS returned,
       COALESCE(SUM(r.personnel_on_duty), 0) AS personnel
FROM reports_dailyreport r JOIN operations_unit u ON u.id = r.unit_id
WHERE {_SENT}
GROUP BY r.unit_id, cur
"""  # noqa: S608

ACTIVITIES_SQL = f"""
SELECT r.unit_id, {_CUR} AS cur, a.kind, a.task_force_id AS tf,
       SUM(a.count) AS c, SUM(a.personnel) AS p
FROM reports_reportactivity a JOIN reports_dailyreport r ON r.id = a.report_id
JOIN operations_unit u ON u.id = r.unit_id
WHERE {_SENT}
GROUP BY r.unit_id, cur, a.kind, a.task_force_id
"""  # noqa: S608

INCIDENTS_SQL = f"""
SELECT r.unit_id, {_CUR} AS cur, i.category, COUNT(*) AS n, SUM(i.deaths) AS d,
       SUM(i.injured_serious) AS ss, SUM(i.injured_light) AS sl, SUM(i.loss_rupiah) AS loss
FROM reports_incident i JOIN reports_dailyreport r ON r.id = i.report_id
JOIN operations_unit u ON u.id = r.unit_id
WHERE {_SENT}
GROUP BY r.unit_id, cur, i.category
"""  # noqa: S608

# Per child key: [code, name, expected units, reported, late, personnel, activities,
# incidents] and the reporting units' [reported, late, returned].
ROWS_SQL = """
SELECT s.key, k.code, k.name, COUNT(*) FILTER (WHERE s.reporting),
       COALESCE(SUM(r.n), 0), COALESCE(SUM(r.late), 0), COALESCE(SUM(r.personnel), 0),
       COALESCE(SUM(a.c), 0), COALESCE(SUM(i.n), 0),
       COALESCE(SUM(r.n) FILTER (WHERE s.reporting), 0),
       COALESCE(SUM(r.late) FILTER (WHERE s.reporting), 0),
       COALESCE(SUM(r.returned) FILTER (WHERE s.reporting), 0)
FROM _summary_u s
JOIN _summary_u k ON k.path = s.key
LEFT JOIN _summary_r r ON r.unit_id = s.unit_id AND r.cur
LEFT JOIN (SELECT unit_id, SUM(c) AS c FROM _summary_a WHERE cur GROUP BY unit_id) a
       ON a.unit_id = s.unit_id
LEFT JOIN (SELECT unit_id, SUM(n) AS n FROM _summary_i WHERE cur GROUP BY unit_id) i
       ON i.unit_id = s.unit_id
GROUP BY s.key, k.code, k.name
HAVING COUNT(*) FILTER (WHERE s.reporting) > 0 OR SUM(r.n) > 0
ORDER BY s.key
"""

# The maps: by kind and task force (this period), by category (both periods), and the
# comparison period's personnel and activities.
MAPS_SQL = """
SELECT 'kind', kind, SUM(c), SUM(p), 0, 0, 0 FROM _summary_a WHERE cur
GROUP BY kind HAVING SUM(c) <> 0
UNION ALL
SELECT 'tf', tf::text, SUM(c), SUM(p), 0, 0, 0 FROM _summary_a WHERE cur AND tf IS NOT NULL
GROUP BY tf HAVING SUM(c) <> 0
UNION ALL
SELECT CASE WHEN cur THEN 'cat' ELSE 'pcat' END, category, SUM(n), SUM(d), SUM(ss), SUM(sl),
       SUM(loss)
FROM _summary_i GROUP BY cur, category HAVING SUM(n) <> 0
UNION ALL
SELECT 'prev', 'personnel', COALESCE(SUM(personnel), 0), 0, 0, 0, 0 FROM _summary_r WHERE NOT cur
UNION ALL
SELECT 'prev', 'activities', COALESCE(SUM(c), 0), 0, 0, 0, 0 FROM _summary_a WHERE NOT cur
ORDER BY 1, 2
"""

# Reporting units with a missing, late or returned day.
EXCEPTIONS_SQL = """
SELECT s.unit_id, s.path, s.code, s.name, s.kind, COALESCE(r.n, 0), COALESCE(r.late, 0),
       COALESCE(r.returned, 0)
FROM _summary_u s LEFT JOIN _summary_r r ON r.unit_id = s.unit_id AND r.cur
WHERE s.reporting AND (COALESCE(r.n, 0) < %(days)s OR r.late > 0 OR r.returned > 0)
ORDER BY s.unit_id
"""

# Every unit's part (summaries.parts.Part) as JSON text, one row of parts per child key.
# Written by concatenation, in no order (JSON objects): the json_build_* functions and
# sorting by text cost several times more per unit.
_PAIR = "'[' || c || ',' || p || ']'"
PARTS_SQL = f"""
WITH a AS (
    SELECT unit_id, '{{' || string_agg(to_json(kind)::text || ':' || {_PAIR}, ',') || '}}' AS v
    FROM (SELECT unit_id, kind, SUM(c) AS c, SUM(p) AS p FROM _summary_a WHERE cur
          GROUP BY unit_id, kind) x
    GROUP BY unit_id
), t AS (
    SELECT unit_id, '{{' || string_agg('"' || tf || '":' || {_PAIR}, ',')
                    || '}}' AS v
    FROM (SELECT unit_id, tf, SUM(c) AS c, SUM(p) AS p FROM _summary_a
          WHERE cur AND tf IS NOT NULL GROUP BY unit_id, tf) x
    GROUP BY unit_id
), i AS (
    SELECT unit_id, cur,
           '{{' || string_agg(to_json(category)::text || ':[' || concat_ws(',', n, d, ss, sl,
                              loss) || ']', ',') || '}}' AS v
    FROM _summary_i GROUP BY unit_id, cur
), pa AS (
    SELECT unit_id, SUM(c) AS v FROM _summary_a WHERE NOT cur GROUP BY unit_id
    HAVING SUM(c) <> 0
)
INSERT INTO summaries_summarypart (summary_id, key, data)
SELECT %(summary)s, s.key, '{{' || string_agg('"' || s.unit_id || '":{{' || concat_ws(',',
    CASE WHEN r.unit_id IS NOT NULL
         THEN '"r":[' || concat_ws(',', r.n, r.late, r.returned, r.personnel) || ']' END,
    '"a":' || a.v, '"t":' || t.v, '"i":' || i.v, '"pp":' || NULLIF(pr.personnel, 0),
    '"pa":' || pa.v, '"pi":' || pi.v) || '}}', ',') || '}}'
FROM _summary_u s
LEFT JOIN _summary_r r ON r.unit_id = s.unit_id AND r.cur
LEFT JOIN _summary_r pr ON pr.unit_id = s.unit_id AND NOT pr.cur
LEFT JOIN a ON a.unit_id = s.unit_id
LEFT JOIN t ON t.unit_id = s.unit_id
LEFT JOIN i ON i.unit_id = s.unit_id AND i.cur
LEFT JOIN i pi ON pi.unit_id = s.unit_id AND NOT pi.cur
LEFT JOIN pa ON pa.unit_id = s.unit_id
WHERE r.unit_id IS NOT NULL OR pr.personnel <> 0 OR pa.unit_id IS NOT NULL
   OR pi.unit_id IS NOT NULL
GROUP BY s.key
"""  # noqa: S608 - only fixed SQL is formatted in


def _drop(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)}")


def _collect(cursor, operation: Operation, unit: Unit, period) -> dict:
    params = {
        "op": operation.pk,
        "prefix": tree.subtree_pattern(unit),
        "root": tree.subtree_pattern(operation.unit),
        "kinds": list(operation.reporting_kinds),
        "sent": [str(s) for s in SENT_STATUSES],
        "returned": str(ReportStatus.RETURNED),
        "days": period.days,
        "first": period.first,
        "through": period.through,
        "lo": min(period.first, period.previous_start or period.first),
        "pfirst": period.previous_start,
        "plast": period.previous_end,
        **tree.child_key_params(unit),
    }
    _drop(cursor)
    cursor.execute(UNITS_SQL, params)
    for table, sql in (
        ("_summary_r", REPORTS_SQL),
        ("_summary_a", ACTIVITIES_SQL),
        ("_summary_i", INCIDENTS_SQL),
    ):
        cursor.execute(f"CREATE TEMP TABLE {table} ON COMMIT DROP AS {sql}", params)
    return params


def build_acc(*, operation: Operation, unit: Unit, period) -> accumulate.Acc:
    """The accumulator of a full build, summed in SQL. The per-unit tables stay for
    `store_parts` until the transaction ends. 10 queries,
    whatever the number of units and days."""
    with connection.cursor() as cursor:
        params = _collect(cursor, operation, unit, period)
        acc = accumulate.empty()
        cursor.execute(ROWS_SQL)
        rep = [0, 0, 0]
        for key, code, name, *sums in cursor.fetchall():
            units, n, late, personnel, acts, incidents, *mine = (int(v) for v in sums)
            acc["rows"][key] = [code, name, units, n, late, personnel, acts, incidents]
            acc["expected_units"] += units
            rep = [a + b for a, b in zip(rep, mine, strict=True)]
        acc["rep"] = rep
        cursor.execute(MAPS_SQL)
        prev = {}
        for map_name, key, *values in cursor.fetchall():
            values = [int(v) for v in values]
            if map_name == "prev":
                prev[key] = values[0]
            elif map_name in ("kind", "tf"):
                acc[map_name][key] = values[:2]
            else:
                acc[map_name][key] = values
        acc["prev"] = [prev.get("personnel", 0), prev.get("activities", 0)]
        kinds = acc["kind"].values()
        acc["tot"] = [
            sum(row[3] for row in acc["rows"].values()),
            sum(row[5] for row in acc["rows"].values()),
            sum(v[0] for v in kinds),
            sum(v[1] for v in kinds),
        ]
        cursor.execute(EXCEPTIONS_SQL, params)
        acc["exc"] = {
            str(unit_id): [path, code, name, kind, n, late, returned]
            for unit_id, path, code, name, kind, n, late, returned in cursor.fetchall()
        }
    accumulate.set_notable(acc, parts.notable(operation, unit, period))
    return acc


def store_parts(cursor, summary_id: int) -> None:
    """Write the parts of the last `build_acc` in this transaction (one row per child key)
    and drop its tables. 2 queries."""
    cursor.execute(PARTS_SQL, {"summary": summary_id})
    _drop(cursor)
