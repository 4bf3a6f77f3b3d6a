"""Reads about operations and units used by more than one view."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from operations import tree
from operations.models import Operation, Phase, Unit
from pamilu.scoping import Viewer, sees_everything


def operations_for(user: Viewer | None) -> QuerySet[Operation]:
    """Operations the user takes part in: organised at or above their unit, or below it."""
    qs = Operation.objects.select_related("unit")
    if sees_everything(user):
        return qs
    if user is None or not user.is_authenticated or user.unit is None:
        return qs.none()
    unit = user.unit
    return qs.filter(Q(unit__path__in=unit.ancestor_paths()) | tree.subtree_q(unit, "unit"))


def default_operation(user: Viewer | None, day: dt.date | None = None) -> Operation | None:
    """The operation running on `day` (else the latest one) among the user's operations."""
    ops = operations_for(user)
    if day is not None:
        running = ops.filter(start_date__lte=day, end_date__gte=day).order_by("-start_date")
        first = running.first()
        if first is not None:
            return first
    return ops.order_by("-start_date").first()


def phase_on(operation: Operation, day: dt.date) -> Phase | None:
    return operation.phases.on(day).order_by("start_date").first()


def voting_day(operation: Operation) -> dt.date | None:
    phase = operation.phases.filter(is_voting_day=True).first()
    return phase.start_date if phase else None


def reporting_units(operation: Operation, within: Unit | None = None) -> QuerySet[Unit]:
    """Units that must send a daily report for `operation`, optionally below `within`."""
    qs = operation.unit.subtree().filter(kind__in=operation.reporting_kinds, is_active=True)
    if within is not None:
        qs = qs.filter(tree.subtree_q(within))
    return qs


# Police required for the TPS below a unit, by the operation's security pattern.
# TPS are grouped per responsible unit (Polsek) and vulnerability level; each group
# takes the most specific pattern (the deepest unit whose subtree holds it, else the
# operation's default) and needs ceil(tps / tps_per_group) * police officers.
# The pattern is picked by a join and ROW_NUMBER(), not a subquery per group: at
# 200,000 TPS that took 0.5-1 s per call on PostgreSQL.
_REQUIREMENT_GROUPS_SQL_TEMPLATE = """
WITH grp AS (
    SELECT p.unit_id, u.path AS unit_path, p.vulnerability, COUNT(*) AS tps
    FROM operations_post p
    JOIN operations_unit u ON u.id = p.unit_id
    WHERE p.operation_id = %(operation)s AND p.kind = 'tps' AND {subtree}
    GROUP BY p.unit_id, u.path, p.vulnerability
),
candidates AS (
    SELECT grp.unit_id, grp.vulnerability, sp.police, sp.tps_per_group,
           ROW_NUMBER() OVER (
               PARTITION BY grp.unit_id, grp.vulnerability ORDER BY COALESCE(su.depth, -1) DESC
           ) AS rn
    FROM grp
    JOIN operations_securitypattern sp
      ON sp.operation_id = %(operation)s AND sp.vulnerability = grp.vulnerability
    LEFT JOIN operations_unit su ON su.id = sp.unit_id
    WHERE sp.unit_id IS NULL OR {within}
),
req AS (
    SELECT grp.unit_id, grp.unit_path, grp.vulnerability, grp.tps,
           COALESCE(((grp.tps + c.tps_per_group - 1) / c.tps_per_group) * c.police, 0)
               AS police_required
    FROM grp
    LEFT JOIN candidates c
      ON c.unit_id = grp.unit_id AND c.vulnerability = grp.vulnerability AND c.rn = 1
)
"""
_REQUIREMENT_GROUPS_SQL = _REQUIREMENT_GROUPS_SQL_TEMPLATE.replace(
    "{subtree}", tree.subtree_sql("u.path")
).replace("{within}", tree.within_sql("grp.unit_path", "su.path"))


def tps_requirement_by_level(operation: Operation, within: Unit) -> dict[str, dict[str, int]]:
    """{vulnerability: {"tps": n, "police_required": m}} for the TPS below `within`."""
    sql = (
        _REQUIREMENT_GROUPS_SQL  # noqa: S608 - constant SQL; values are bound parameters
        + "SELECT vulnerability, SUM(tps), SUM(police_required) FROM req GROUP BY vulnerability"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"operation": operation.pk, "prefix": tree.subtree_pattern(within)})
        rows = cursor.fetchall()
    return {level: {"tps": int(tps), "police_required": int(req)} for level, tps, req in rows}


def tps_requirement_by_child(operation: Operation, within: Unit) -> dict[int, dict[str, int]]:
    """{child unit id: {"tps": n, "police_required": m}} for each direct child of `within`
    (a Polsek's own TPS count under the Polsek itself)."""
    sql = _REQUIREMENT_GROUPS_SQL + (  # noqa: S608 - constant SQL; values are bound parameters
        "SELECT c.id, SUM(req.tps), SUM(req.police_required) FROM req "
        + tree.child_join_sql("req.unit_path")
        + " GROUP BY c.id"
    )
    params: dict[str, Any] = {"operation": operation.pk, "prefix": tree.subtree_pattern(within)}
    with connection.cursor() as cursor:
        cursor.execute(sql, params | tree.child_key_params(within))
        rows = cursor.fetchall()
    return {uid: {"tps": int(tps), "police_required": int(req)} for uid, tps, req in rows}


def tps_requirement_by_group(
    operation: Operation, within: Unit
) -> dict[str, dict[str, dict[str, int]]]:
    """{child path: {vulnerability: {"tps": n, "police_required": m}}} in one query, for
    each direct child of `within` (keyed by its path) and for the TPS `within` itself
    holds (keyed by `within.path`)."""
    key = tree.child_key_sql("unit_path")
    select = f"SELECT {key} AS grp_path, vulnerability, SUM(tps), SUM(police_required) "
    sql = _REQUIREMENT_GROUPS_SQL + select + "FROM req GROUP BY grp_path, vulnerability"
    params: dict[str, Any] = {"operation": operation.pk, "prefix": tree.subtree_pattern(within)}
    params |= tree.child_key_params(within)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result: dict[str, dict[str, dict[str, int]]] = {}
    for path, level, tps, req in rows:
        result.setdefault(path, {})[level] = {"tps": int(tps), "police_required": int(req)}
    return result
