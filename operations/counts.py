"""Maintained TPS numbers: per (operation, unit, vulnerability) the TPS count, the PAM TPS
pattern that applies and the police it requires (``operations.models.TpsCount``).

Every write that changes them calls in here inside its own transaction:

- TPS create / edit (vulnerability, unit, kind) / delete / import: ``apply`` a delta per
  key, ``UPDATE … SET tps = tps + d`` under the row lock, exact under concurrency;
- a pattern change: ``pattern_changed`` re-resolves the pattern of the operation's rows;
- a unit move or code change: ``subtree_moved`` re-resolves the rows of the subtree.

Locks, so that a new row never resolves its pattern from a state a concurrent writer is
about to change: a TPS write holds its operation and its units ``FOR SHARE``; a pattern
change holds the operation ``FOR UPDATE`` (``lock_for_pattern_change``); a unit move holds
the moved units through its own path UPDATE. Each then reads after the other committed.

The requirement of a row is ``ceil(tps / tps_per_group) * police`` of the most specific
pattern (the deepest unit at or above the row's unit with a pattern for that level, else
the operation's default; none: 0), the rule of ``operations.selectors``.
``rebuild`` recomputes the table from scratch in one statement; ``drift`` compares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection

from operations import tree
from operations.models import Operation, Post, PostKind

Key = tuple[int, int, str]  # (operation id, unit id, vulnerability)

# The most specific pattern for the count row `c` (correlated; one row at most).
_PATTERN_FOR_ROW = """(
    SELECT sp.{column} FROM operations_securitypattern sp
    LEFT JOIN operations_unit su ON su.id = sp.unit_id
    JOIN operations_unit cu ON cu.id = operations_tpscount.unit_id
    WHERE sp.operation_id = operations_tpscount.operation_id
      AND sp.vulnerability = operations_tpscount.vulnerability
      AND (sp.unit_id IS NULL OR {within_cu})
    ORDER BY COALESCE(su.depth, -1) DESC LIMIT 1
)"""
_WITHIN_CU = tree.within_sql("cu.path", "su.path")  # the pattern's unit holds the row's
_SET_PATTERN = (
    "police = COALESCE("
    + _PATTERN_FOR_ROW.format(column="police", within_cu=_WITHIN_CU)
    + ", 0), tps_per_group = COALESCE("
    + _PATTERN_FOR_ROW.format(column="tps_per_group", within_cu=_WITHIN_CU)
    + ", 1)"
)
_REQUIRED = "((tps + tps_per_group - 1) / tps_per_group) * police"


def key_of(post: Post) -> Key | None:
    """The count a post belongs to, or None (not a TPS)."""
    if post.kind != PostKind.TPS or not post.vulnerability:
        return None
    return (post.operation_id, post.unit_id, post.vulnerability)


def delta_of(before: Key | None, after: Key | None) -> Counter:
    delta: Counter = Counter()
    if before is not None:
        delta[before] -= 1
    if after is not None:
        delta[after] += 1
    return delta


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _share_lock(table: str, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    if not ids or not _is_postgres():
        return  # SQLite serialises writers with its database lock
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id IN ({marks}) ORDER BY id FOR SHARE",  # noqa: S608 - table is a constant
            ids,
        )


def lock_for_pattern_change(operation_id: int) -> None:
    """Call before changing an operation's patterns: waits for TPS writes in flight and
    holds new ones until this transaction ends."""
    list(Operation.objects.select_for_update().filter(pk=operation_id).values_list("pk"))


def apply(delta: Counter | dict[Key, int]) -> None:
    """Add `delta` (key → change in TPS) to the counts: three statements for any number
    of keys. The keys' rows are created when missing, their pattern resolved again."""
    items = [(k, n) for k, n in delta.items() if n]
    if not items:
        return
    _share_lock("operations_operation", (k[0] for k, _n in items))
    _share_lock("operations_unit", (k[1] for k, _n in items))
    values = ", ".join(["(%s, %s, %s, %s)"] * len(items))
    params: list = []
    for (operation_id, unit_id, level), n in items:
        params += [operation_id, unit_id, level, n]
    join = (
        "operations_tpscount.operation_id = v.column1 AND operations_tpscount.unit_id = v.column2 "
        "AND operations_tpscount.vulnerability = v.column3"
    )
    with connection.cursor() as cursor:
        # WHERE 1 = 1: SQLite needs it to parse INSERT … SELECT … ON CONFLICT.
        cursor.execute(
            "INSERT INTO operations_tpscount "  # noqa: S608 - only placeholders are formatted
            "(operation_id, unit_id, vulnerability, tps, police, tps_per_group, police_required) "
            f"SELECT v.column1, v.column2, v.column3, 0, 0, 1, 0 FROM (VALUES {values}) v "
            "WHERE 1 = 1 ON CONFLICT (operation_id, unit_id, vulnerability) DO NOTHING",
            params,
        )
        cursor.execute(
            f"UPDATE operations_tpscount SET tps = tps + v.column4, {_SET_PATTERN} "  # noqa: S608
            f"FROM (VALUES {values}) v WHERE {join}",
            params,
        )
        cursor.execute(
            f"UPDATE operations_tpscount SET police_required = {_REQUIRED} "  # noqa: S608
            f"FROM (VALUES {values}) v WHERE {join}",
            params,
        )


def post_changed(*, before: Key | None, after: Key | None) -> None:
    apply(delta_of(before, after))


def posts_added(posts: Iterable[Post]) -> None:
    """Bulk-created posts (an import): one delta for all of them."""
    apply(Counter(k for k in map(key_of, posts) if k is not None))


def _recompute(where: str, params: list) -> int:
    """Re-resolve the pattern and requirement of the rows matching `where` (a constant
    condition of this module; values are bound)."""
    pattern_sql = f"UPDATE operations_tpscount SET {_SET_PATTERN} WHERE {where}"  # noqa: S608
    required_sql = f"UPDATE operations_tpscount SET police_required = {_REQUIRED} WHERE {where}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(pattern_sql, params)
        changed = cursor.rowcount
        cursor.execute(required_sql, params)
    return changed


def pattern_changed(operation_id: int) -> None:
    """The operation's patterns changed (after ``lock_for_pattern_change``)."""
    lock_for_pattern_change(operation_id)
    _recompute("operation_id = %s", [operation_id])


def subtree_moved(*, new_path: str, **_kwargs) -> None:
    """Units under `new_path` have new ancestors: their patterns may differ now."""
    in_subtree = tree.subtree_sql("path", "")
    where = f"unit_id IN (SELECT id FROM operations_unit WHERE {in_subtree})"  # noqa: S608
    _recompute(where, [new_path + "%"])


# --- from scratch ----------------------------------------------------------------------

# Every (operation, unit, level) with TPS, its most specific pattern and requirement,
# from the posts alone (the rule above; one statement, no query per unit).
EXPECTED_SQL = """
WITH grp AS (
    SELECT p.operation_id, p.unit_id, u.path AS unit_path, p.vulnerability, COUNT(*) AS tps
    FROM operations_post p JOIN operations_unit u ON u.id = p.unit_id
    WHERE p.kind = 'tps' AND p.vulnerability <> '' {where}
    GROUP BY p.operation_id, p.unit_id, u.path, p.vulnerability
),
candidates AS (
    SELECT grp.operation_id, grp.unit_id, grp.vulnerability, sp.police, sp.tps_per_group,
           ROW_NUMBER() OVER (
               PARTITION BY grp.operation_id, grp.unit_id, grp.vulnerability
               ORDER BY COALESCE(su.depth, -1) DESC
           ) AS rn
    FROM grp
    JOIN operations_securitypattern sp
      ON sp.operation_id = grp.operation_id AND sp.vulnerability = grp.vulnerability
    LEFT JOIN operations_unit su ON su.id = sp.unit_id
    WHERE sp.unit_id IS NULL OR {within_grp}
)
{insert}
SELECT grp.operation_id, grp.unit_id, grp.vulnerability, grp.tps,
       COALESCE(c.police, 0), COALESCE(c.tps_per_group, 1),
       COALESCE(((grp.tps + c.tps_per_group - 1) / c.tps_per_group) * c.police, 0)
FROM grp
LEFT JOIN candidates c ON c.operation_id = grp.operation_id AND c.unit_id = grp.unit_id
     AND c.vulnerability = grp.vulnerability AND c.rn = 1
"""


def _expected(*, where: str, insert: str) -> str:
    within = tree.within_sql("grp.unit_path", "su.path")
    return EXPECTED_SQL.format(where=where, insert=insert, within_grp=within)


_INSERT = (
    "INSERT INTO operations_tpscount "
    "(operation_id, unit_id, vulnerability, tps, police, tps_per_group, police_required)"
)


def rebuild(operation_id: int | None = None) -> int:
    """Recompute the counts of one operation (or all) from the posts; returns the rows."""
    where, params = ("AND p.operation_id = %s", [operation_id]) if operation_id else ("", [])
    ops = Operation.objects.select_for_update().order_by("pk")
    list((ops.filter(pk=operation_id) if operation_id else ops).values_list("pk"))
    with connection.cursor() as cursor:
        if operation_id:
            cursor.execute("DELETE FROM operations_tpscount WHERE operation_id = %s", params)
        else:
            cursor.execute("DELETE FROM operations_tpscount", [])
        cursor.execute(_expected(where=where, insert=_INSERT), params)
        return cursor.rowcount


def drift() -> list[tuple]:
    """Keys whose maintained numbers differ from a full recomputation ([] when exact):
    (operation, unit, level, maintained tps, required, expected tps, required)."""
    with connection.cursor() as cursor:
        cursor.execute(_expected(where="", insert=""), [])
        expected = {(r[0], r[1], r[2]): (r[3], r[6]) for r in cursor.fetchall()}
        cursor.execute(
            "SELECT operation_id, unit_id, vulnerability, tps, police_required "
            "FROM operations_tpscount",
            [],
        )
        kept = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
    wrong = []
    for key in sorted(set(expected) | set(kept)):
        have, want = kept.get(key, (0, 0)), expected.get(key, (0, 0))
        if have != want:
            wrong.append((*key, *have, *want))
    return wrong
