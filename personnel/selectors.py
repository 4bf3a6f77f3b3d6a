"""Reads about deployments and readiness used by pages, the API and the dashboard.

Every aggregate is computed in SQL over the unit's materialized path: a fixed number of
queries whatever the size of the subtree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from operations import clock, count_selectors, tree
from operations.models import Operation, Post, Unit, Vulnerability
from pamilu.scoping import Viewer, scope
from personnel.models import (
    Apel,
    AvailableCount,
    CoveredCount,
    DeployedCount,
    Deployment,
    RankGroup,
)

# --- coverage by the TPS security pattern -------------------------------------------------


@dataclass
class CoverageRow:
    """Required vs deployed police at TPS for one unit's subtree."""

    unit: Unit | None
    tps: int = 0
    required: int = 0
    deployed_own: int = 0
    deployed_bko: int = 0
    uncovered_tps: int = 0
    available: int = 0

    @property
    def deployed(self) -> int:
        return self.deployed_own + self.deployed_bko

    @property
    def shortfall(self) -> int:
        return max(self.required - self.deployed, 0)

    @property
    def gap_without_bko(self) -> int:
        return max(self.required - self.deployed_own, 0)

    @property
    def bko_filling(self) -> int:
        """BKO personnel standing where the unit's own would not have reached the pattern."""
        return min(self.deployed_bko, self.gap_without_bko)

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(100, round(100 * self.deployed / self.required))


@dataclass
class Coverage:
    total: CoverageRow
    children: list[CoverageRow] = field(default_factory=list)
    by_level: dict[str, CoverageRow] = field(default_factory=dict)


# TPS-duty deployments below a unit: to a TPS directly or to a group of TPS. A person is
# counted once per unit (and level) however many shifts they stand.
_TPS_DEPLOYMENTS_SQL = """
WITH dep AS (
    SELECT d.personnel_id, a.is_bko, u.path AS unit_path,
           COALESCE(p.vulnerability, g.vulnerability) AS vulnerability
    FROM personnel_deployment d
    JOIN personnel_assignment a ON a.id = d.assignment_id
    JOIN operations_unit u ON u.id = d.unit_id
    LEFT JOIN operations_post p ON p.id = d.post_id
    LEFT JOIN personnel_postgroup g ON g.id = d.group_id
    WHERE d.operation_id = %(operation)s AND {subtree}
      AND (p.kind = 'tps' OR d.group_id IS NOT NULL)
      {span}
)
"""

# TPS below a unit with somebody deployed, directly or through their group: driven by the
# deployments (what is deployed), never by every post of the subtree. Uncovered TPS are
# the maintained TPS count minus these (every TPS has a vulnerability level: a check
# constraint, so operations.TpsCount counts them all).
_COVERED_SQL = """
WITH cov AS (
    SELECT d.post_id FROM personnel_deployment d WHERE d.post_id IS NOT NULL {span}
    UNION
    SELECT m.post_id FROM personnel_postgroupmember m
    JOIN personnel_deployment d ON d.group_id = m.group_id WHERE TRUE {span}
),
covu AS (
    SELECT u.path AS unit_path
    FROM cov
    JOIN operations_post p ON p.id = cov.post_id
    JOIN operations_unit u ON u.id = p.unit_id
    WHERE p.operation_id = %(operation)s AND p.kind = 'tps' AND {subtree}
)
"""


def _span_sql(span: tuple[dt.datetime, dt.datetime] | None, params: dict[str, Any]) -> str:
    if span is None:
        return ""
    params["span_start"], params["span_end"] = (
        connection.ops.adapt_datetimefield_value(span[0]),
        connection.ops.adapt_datetimefield_value(span[1]),
    )
    return "AND d.starts_at < %(span_end)s AND d.ends_at > %(span_start)s"


def _fetch(sql: str, params: dict[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def coverage(
    operation: Operation, within: Unit, span: tuple[dt.datetime, dt.datetime] | None = None
) -> Coverage:
    """Police required by the pattern vs deployed at TPS, for `within`, each direct child
    and each vulnerability level; uncovered TPS; own vs BKO; personnel available.

    Without `span`, deployed and covered come from the maintained numbers
    (personnel.coverage_counts); `span` limits deployments to those overlapping it (e.g.
    voting day), read from the deployments. Five queries.
    """
    params = {"operation": operation.pk, "prefix": tree.subtree_pattern(within)}
    params |= tree.child_key_params(within)
    span_sql = _span_sql(span, params)
    subtree = tree.subtree_sql("u.path")
    dep = _TPS_DEPLOYMENTS_SQL.format(span=span_sql, subtree=subtree)
    cov = _COVERED_SQL.format(span=span_sql, subtree=subtree)

    total = CoverageRow(unit=within)
    children = {u.path: CoverageRow(unit=u) for u in Unit.objects.filter(parent=within)}
    levels = {level: CoverageRow(unit=None) for level in Vulnerability.values}

    # TPS and police required from the maintained counts (operations.counts).
    for path, by_level in count_selectors.tps_requirement_by_group(operation, within).items():
        for level, req in by_level.items():
            levels[level].tps += req["tps"]
            levels[level].required += req["police_required"]
            if path in children:
                children[path].tps += req["tps"]
                children[path].required += req["police_required"]
    total.tps = sum(r.tps for r in levels.values())
    total.required = sum(r.required for r in levels.values())

    # Deployed, own and BKO: the whole, per level and per child in one pass (grouping sets).
    deployed = (
        dep  # noqa: S608 - constant SQL fragments; values are bound parameters
        + "SELECT GROUPING(dep.vulnerability), GROUPING(c.path), dep.vulnerability, c.path, "
        "COUNT(DISTINCT CASE WHEN NOT is_bko THEN personnel_id END), "
        "COUNT(DISTINCT CASE WHEN is_bko THEN personnel_id END) FROM dep LEFT "
        + tree.child_join_sql("dep.unit_path")
        + " GROUP BY GROUPING SETS ((), (dep.vulnerability), (c.path))"
    )
    total.uncovered_tps = total.tps
    for child in children.values():
        child.uncovered_tps = child.tps
    if span is None:
        _maintained_deployed(operation, within, total, children, levels)
        _maintained_covered(operation, within, total, children)
    else:
        row: CoverageRow | None
        for no_level, no_child, level, path, own, bko in _fetch(deployed, params):
            if no_level and no_child:
                row = total
            elif not no_level:
                row = levels.get(level)
            else:
                row = children.get(path)
            if row is not None:
                row.deployed_own, row.deployed_bko = own, bko
        covered = (
            cov  # noqa: S608 - constant SQL fragments; values are bound parameters
            + "SELECT GROUPING(c.path), c.path, COUNT(*) FROM covu LEFT "
            + tree.child_join_sql("covu.unit_path")
            + " GROUP BY GROUPING SETS ((), (c.path))"
        )
        for no_child, path, count in _fetch(covered, params):
            row = total if no_child else children.get(path)
            if row is not None:
                row.uncovered_tps -= count

    if span is None:
        _maintained_available(operation, within, total, children)
    else:
        available = _available_personnel(operation, within)
        by_id = {row.unit.pk: row for row in children.values() if row.unit is not None}
        for uid, count in available.items():
            if uid is None:
                total.available = count
            elif uid in by_id:
                by_id[uid].available = count

    ordered = sorted(children.values(), key=lambda r: r.unit.path if r.unit else "")
    return Coverage(
        total=total, children=ordered, by_level={k: v for k, v in levels.items() if v.tps}
    )


def _maintained_deployed(
    operation: Operation,
    within: Unit,
    total: CoverageRow,
    children: dict[str, CoverageRow],
    levels: dict[str, CoverageRow],
) -> None:
    """Deployed own/BKO from the maintained distinct counts (personnel.coverage_counts):
    the focus unit's rows (whole and per level) and each child's whole, one query."""
    rows = DeployedCount.objects.filter(
        Q(unit=within) | Q(unit__parent=within, vulnerability=DeployedCount.ALL_LEVELS),
        operation=operation,
    ).values_list("unit_id", "unit__path", "vulnerability", "is_bko", "personnel")
    for unit_id, path, level, is_bko, count in rows:
        if unit_id == within.pk:
            row = total if level == DeployedCount.ALL_LEVELS else levels.get(level)
        else:
            row = children.get(path)
        if row is not None:
            if is_bko:
                row.deployed_bko = count
            else:
                row.deployed_own = count


def _maintained_covered(
    operation: Operation, within: Unit, total: CoverageRow, children: dict[str, CoverageRow]
) -> None:
    """Covered TPS from the maintained per-unit counts, whole and per child, one query."""
    rows = (
        CoveredCount.objects.filter(tree.subtree_q(within, "unit"), operation=operation, tps__gt=0)
        .annotate(group_path=tree.child_key(within, "unit__path"))
        .values("group_path")
        .annotate(covered=Sum("tps"))
        .order_by()
    )
    for row in rows:
        total.uncovered_tps -= row["covered"]
        if row["group_path"] in children:
            children[row["group_path"]].uncovered_tps -= row["covered"]


def _maintained_available(
    operation: Operation, within: Unit, total: CoverageRow, children: dict[str, CoverageRow]
) -> None:
    """Police assigned under `within` and per child, from the maintained per-unit numbers."""
    rows = (
        AvailableCount.objects.filter(tree.subtree_q(within, "unit"), operation=operation)
        .annotate(group_path=tree.child_key(within, "unit__path"))
        .values("group_path")
        .annotate(police_sum=Sum("police"))
        .order_by()
    )
    for row in rows:
        total.available += row["police_sum"]
        if row["group_path"] in children:
            children[row["group_path"]].available = row["police_sum"]


_AVAILABLE_SQL = """
WITH av AS (
    SELECT u.path AS unit_path
    FROM personnel_assignment a
    JOIN operations_unit u ON u.id = a.unit_id
    JOIN personnel_personnel pe ON pe.id = a.personnel_id
    JOIN personnel_rank r ON r.id = pe.rank_id
    WHERE a.operation_id = %(operation)s AND {subtree}
      AND pe.is_active AND r."group" <> %(pns)s
)
SELECT NULL, COUNT(*) FROM av UNION ALL
SELECT c.id, COUNT(*) FROM av """


def _available_personnel(operation: Operation, within: Unit) -> dict[int | None, int]:
    """Police assigned to the operation under `within` (own and BKO), total and per child."""
    params = {
        "operation": operation.pk,
        "prefix": tree.subtree_pattern(within),
        "pns": RankGroup.PNS.value,
    } | tree.child_key_params(within)
    sql = (
        _AVAILABLE_SQL.replace("{subtree}", tree.subtree_sql("u.path"))
        + tree.child_join_sql("av.unit_path")
        + " GROUP BY c.id"
    )
    return dict(_fetch(sql, params))


# --- round-the-clock posts -----------------------------------------------------------------

MAX_GAP_HOURS = 24 * 14


@dataclass
class PostGaps:
    post: Post
    hours: list[tuple[dt.datetime, int]]  # (hour start UTC, guards on duty) where short

    @property
    def short_hours(self) -> int:
        return len(self.hours)

    @property
    def missing_guard_hours(self) -> int:
        return sum(self.post.guards_required - guards for _h, guards in self.hours)

    def ranges(self) -> list[tuple[dt.datetime, dt.datetime, int]]:
        """Consecutive short hours with the same number of guards, as (start, end, guards)."""
        merged: list[list[Any]] = []
        for hour, guards in self.hours:
            if merged and merged[-1][1] == hour and merged[-1][2] == guards:
                merged[-1][1] = hour + dt.timedelta(hours=1)
            else:
                merged.append([hour, hour + dt.timedelta(hours=1), guards])
        return [tuple(m) for m in merged]


@dataclass
class GuardGaps:
    start: dt.datetime
    end: dt.datetime
    posts: list[PostGaps]
    posts_checked: int

    @property
    def short_posts(self) -> int:
        return len(self.posts)

    @property
    def missing_guard_hours(self) -> int:
        return sum(p.missing_guard_hours for p in self.posts)

    def by_hour(self) -> list[tuple[dt.datetime, int, int]]:
        """Rolled up: (hour, posts short, guards missing) for every hour with a gap."""
        hours: dict[dt.datetime, list[int]] = {}
        for post_gaps in self.posts:
            for hour, guards in post_gaps.hours:
                slot = hours.setdefault(hour, [0, 0])
                slot[0] += 1
                slot[1] += post_gaps.post.guards_required - guards
        return [(h, n, missing) for h, (n, missing) in sorted(hours.items())]


def guard_gaps(
    operation: Operation, within: Unit, start: dt.datetime, end: dt.datetime
) -> GuardGaps:
    """Every hour in [start, end) in which a round-the-clock post below `within` has fewer
    guards on duty (deployed for the whole hour) than it needs. Two queries."""
    start = start.replace(minute=0, second=0, microsecond=0)
    hours: list[dt.datetime] = []
    at = start
    while at < end and len(hours) < MAX_GAP_HOURS:
        hours.append(at)
        at += dt.timedelta(hours=1)
    posts = {
        p.pk: p
        for p in Post.objects.filter(
            tree.subtree_q(within, "unit"), operation=operation, round_the_clock=True
        ).select_related("unit")
    }
    if not hours or not posts:
        return GuardGaps(start=start, end=end, posts=[], posts_checked=len(posts))
    adapt = connection.ops.adapt_datetimefield_value
    values = ", ".join(["(%s, %s, %s)"] * len(hours))
    params: list[Any] = []
    for index, hour in enumerate(hours):
        params += [index, adapt(hour), adapt(hour + dt.timedelta(hours=1))]
    params += [operation.pk, tree.subtree_pattern(within)]
    sql = (
        f"WITH hours(idx, h_start, h_end) AS (VALUES {values}) "  # noqa: S608 - placeholders only
        # COUNT(d.id) counts people: nobody has two overlapping deployments (the exclusion
        # constraint), so two covering the same whole hour cannot be one person's.
        "SELECT p.id, hours.idx, COUNT(d.id) "
        "FROM operations_post p JOIN operations_unit u ON u.id = p.unit_id "
        "CROSS JOIN hours "
        "LEFT JOIN personnel_deployment d ON d.post_id = p.id "
        "AND d.starts_at <= hours.h_start AND d.ends_at >= hours.h_end "
        "WHERE p.operation_id = %s AND p.round_the_clock AND "
        + tree.subtree_sql("u.path", "")
        + " "
        "GROUP BY p.id, hours.idx, p.guards_required "
        "HAVING COUNT(d.id) < p.guards_required "
        "ORDER BY p.id, hours.idx"
    )
    if connection.vendor == "postgresql":
        sql = sql.replace("(%s, %s, %s)", "(%s, %s::timestamptz, %s::timestamptz)")
    gaps: dict[int, PostGaps] = {}
    for post_id, index, guards in _fetch(sql, params):
        gaps.setdefault(post_id, PostGaps(post=posts[post_id], hours=[]))
        gaps[post_id].hours.append((hours[index], guards))
    ordered = sorted(gaps.values(), key=lambda g: (g.post.unit.path, g.post.code))
    return GuardGaps(start=start, end=end, posts=ordered, posts_checked=len(posts))


# --- readiness (apel) --------------------------------------------------------------------


def _latest_apels(
    within: Unit, operation: Operation | None, user: Viewer | None = None
) -> QuerySet[Apel]:
    newer = Apel.objects.filter(unit=OuterRef("unit")).filter(
        Q(held_at__gt=OuterRef("held_at")) | Q(held_at=OuterRef("held_at"), pk__gt=OuterRef("pk"))
    )
    qs = Apel.objects.filter(tree.subtree_q(within, "unit"))
    if operation is not None:
        qs = qs.filter(operation=operation)
        newer = newer.filter(operation=operation)
    qs = qs.filter(~Exists(newer))
    return scope(user, qs) if user is not None else qs


def latest_apels(
    within: Unit, operation: Operation | None = None, user: Viewer | None = None
) -> QuerySet[Apel]:
    """The latest apel of each unit below `within` (and visible to `user`, when given),
    newest first, with equipment totals."""
    return (
        _latest_apels(within, operation, user)
        .select_related("unit")
        .annotate(
            equipment_ready=Sum("equipment__ready"),
            equipment_not_ready=Sum("equipment__not_ready"),
        )
        .order_by("-held_at", "-pk")
    )


def readiness_totals(
    within: Unit, operation: Operation | None = None, user: Viewer | None = None
) -> dict[str, int]:
    """Strength summed over the latest apel of each unit below `within` (one query)."""
    totals = _latest_apels(within, operation, user).aggregate(
        units=Count("pk"), total=Sum("total"), present=Sum("present")
    )
    return {key: value or 0 for key, value in totals.items()}


# --- duty roster ---------------------------------------------------------------------------


def roster(unit: Unit, day: dt.date, operation: Operation | None = None) -> QuerySet[Deployment]:
    """Deployments below `unit` overlapping its local `day` (zone from operations.clock)."""
    start = clock.day_start(unit, day)
    end = clock.day_start(unit, day + dt.timedelta(days=1))
    qs = Deployment.objects.filter(
        tree.subtree_q(unit, "unit"), starts_at__lt=end, ends_at__gt=start
    )
    if operation is not None:
        qs = qs.filter(operation=operation)
    return qs.select_related(
        "personnel__rank", "unit", "post", "group", "event", "assignment"
    ).order_by("unit__path", "starts_at", "-personnel__rank__order", "personnel__name")
