"""Maintained coverage numbers (``personnel.count_models``), read by the coverage page:

- ``DeployedCount``: per (operation, anchor unit, level or ``*``, own/BKO) the distinct
  personnel with a TPS-duty deployment in the anchor's subtree. A person counts once per
  subtree however many shifts or units they stand in, so every ancestor of the
  deployment's unit carries its own row (a Polsek deployment touches four anchors);
- ``CoveredCount``: per (operation, unit) the TPS of that unit with somebody deployed,
  directly or through their group;
- ``AvailableCount``: per (operation, unit) the active police assigned there (own and
  BKO): kept by ``person_change`` around an assignment added or a person's record edited.

Every write that changes them calls in here inside its own transaction:

- a deployment created or cancelled (with its group dissolved): ``deployment_change``
  before the write, ``Pending.apply`` after it. The numbers change by what the persons
  and posts touched contribute after minus before (distinct counts of disjoint persons
  add up), ``UPDATE … SET n = n + d`` under the rows' locks;
- a TPS edited or deleted (kind, vulnerability): ``post_changed`` (through
  ``operations.services.post_tps_changed``);
- a unit move: ``subtree_moved`` (through ``operations.services.unit_subtree_moved``)
  recomputes the anchors whose subtree changed (old and new ancestors, not the shared ones).

Locks: a deployment write holds the person (``FOR UPDATE``), then the group of its post
or its group, then its post, then a shared advisory lock; a TPS edit or a unit move holds
that advisory lock exclusively, so it reads after every deployment write in flight and
before the next. Count rows are locked in key order (no deadlock between two writers).
``rebuild`` recomputes the tables in one statement each; ``drift`` compares.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from operations import tree
from operations.models import Unit
from personnel.count_models import DeployedCount
from personnel.models import PostGroupMember

ALL = DeployedCount.ALL_LEVELS
_ADVISORY_KEY = 0x636F76  # "cov"
_NO_OVERRIDE: dict[str, int | str] = {"opost": 0, "okind": "", "olevel": ""}

# Distinct persons per (operation, anchor, level, bko) over the TPS-duty deployments
# matching {who}. Ancestors come from the parent chain (indexed), never a path scan.
# The override replaces the kind and level of one post (its state before an edit).
_DEPLOYED_SQL = """
WITH RECURSIVE dep AS (
    SELECT d.operation_id, d.unit_id, d.personnel_id, a.is_bko,
           COALESCE(CASE WHEN d.post_id = %(opost)s THEN %(olevel)s ELSE p.vulnerability END,
                    g.vulnerability) AS level
    FROM personnel_deployment d
    JOIN personnel_assignment a ON a.id = d.assignment_id
    LEFT JOIN operations_post p ON p.id = d.post_id
    LEFT JOIN personnel_postgroup g ON g.id = d.group_id
    WHERE {who} AND (d.group_id IS NOT NULL
          OR (CASE WHEN d.post_id = %(opost)s THEN %(okind)s ELSE p.kind END) = 'tps')
),
anc(unit_id, anchor_id) AS (
    SELECT id, id FROM operations_unit WHERE id IN (SELECT unit_id FROM dep)
    UNION ALL
    SELECT anc.unit_id, u.parent_id FROM anc JOIN operations_unit u ON u.id = anc.anchor_id
    WHERE u.parent_id IS NOT NULL
),
lv AS (
    SELECT operation_id, unit_id, personnel_id, is_bko, level FROM dep
    UNION ALL SELECT operation_id, unit_id, personnel_id, is_bko, '*' FROM dep
)
SELECT lv.operation_id, anc.anchor_id, lv.level, lv.is_bko, COUNT(DISTINCT lv.personnel_id)
FROM lv JOIN anc ON anc.unit_id = lv.unit_id {anchors}
GROUP BY lv.operation_id, anc.anchor_id, lv.level, lv.is_bko
"""

# TPS with somebody deployed, directly or through their group, per (operation, unit).
_COVERED_SQL = """
SELECT p.operation_id, p.unit_id, COUNT(*) FROM operations_post p
WHERE {which} AND p.kind = 'tps' AND (
    EXISTS (SELECT 1 FROM personnel_deployment d WHERE d.post_id = p.id)
    OR EXISTS (SELECT 1 FROM personnel_postgroupmember m
               JOIN personnel_deployment d ON d.group_id = m.group_id WHERE m.post_id = p.id))
GROUP BY p.operation_id, p.unit_id
"""


# Active police assigned to an operation, per (operation, assignment unit).
_AVAILABLE_SQL = """
SELECT a.operation_id, a.unit_id, COUNT(*) FROM personnel_assignment a
JOIN personnel_personnel pe ON pe.id = a.personnel_id
JOIN personnel_rank r ON r.id = pe.rank_id
WHERE {who} AND pe.is_active AND r."group" <> 'pns'
GROUP BY a.operation_id, a.unit_id
"""


def _fetch(sql: str, params: dict | list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(name: str, ids: Iterable[int], params: dict) -> str:
    marks = []
    for index, value in enumerate(sorted(set(ids))):
        params[f"{name}{index}"] = value
        marks.append(f"%({name}{index})s")
    return f"({', '.join(marks)})" if marks else "(NULL)"


def _deployed(persons: Iterable[int], override: dict | None = None) -> Counter:
    params = dict(override or _NO_OVERRIDE)
    who = "d.personnel_id IN " + _in("person", persons, params)
    sql = _DEPLOYED_SQL.format(who=who, anchors="")
    return Counter({tuple(r[:4]): r[4] for r in _fetch(sql, params)})


def _covered(posts: Iterable[int]) -> Counter:
    params: dict = {}
    sql = _COVERED_SQL.format(which="p.id IN " + _in("post", posts, params))
    return Counter({tuple(r[:2]): r[2] for r in _fetch(sql, params)})


def _available(persons: Iterable[int]) -> Counter:
    params: dict = {}
    sql = _AVAILABLE_SQL.format(who="a.personnel_id IN " + _in("person", persons, params))
    return Counter({tuple(r[:2]): r[2] for r in _fetch(sql, params)})


def _advisory(*, exclusive: bool) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite serialises writers with its database lock
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [_ADVISORY_KEY])


def _lock_rows(table: str, ids: Iterable[int]) -> set[int]:
    """Lock the rows (in id order); returns the ids found (a deleted row is missing)."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return set()
    params: dict = {}
    marks = _in("row", ids, params)
    lock = " ORDER BY id FOR UPDATE" if connection.vendor == "postgresql" else ""
    sql = f"SELECT id FROM {table} WHERE id IN {marks}{lock}"  # noqa: S608 - constant table
    return {row[0] for row in _fetch(sql, params)}


def _diff(after: Counter, before: Counter) -> Counter:
    return Counter({k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before)})


def _apply(table: str, key_columns: list[str], column: str, delta: Counter) -> None:
    """Add `delta` (key → change) to `table`: rows created when missing, locked in key order."""
    items = sorted((k, n) for k, n in delta.items() if n)
    if not items:
        return
    width = len(key_columns)
    values = ", ".join(["(" + ", ".join(["%s"] * (width + 1)) + ")"] * len(items))
    params: list = []
    for key, n in items:
        params += [*key, n]
    keys = ", ".join(key_columns)
    vcols = ", ".join(f"v.column{i + 1}" for i in range(width))
    join = " AND ".join(f"t.{c} = v.column{i + 1}" for i, c in enumerate(key_columns))
    lock = "ORDER BY " + ", ".join(f"t.{c}" for c in key_columns) + " FOR UPDATE"
    if connection.vendor != "postgresql":
        lock = ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({keys}, {column}) SELECT {vcols}, 0 "  # noqa: S608 - constants
            f"FROM (VALUES {values}) v WHERE 1 = 1 ON CONFLICT ({keys}) DO NOTHING",
            params,
        )
        cursor.execute(
            f"SELECT t.id FROM {table} t JOIN (VALUES {values}) v ON {join} {lock}",  # noqa: S608
            params,
        )
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + v.column{width + 1} "  # noqa: S608
            f"FROM (VALUES {values}) v WHERE "
            + " AND ".join(f"{table}.{c} = v.column{i + 1}" for i, c in enumerate(key_columns)),
            params,
        )


_DEPLOYED_KEY = ["operation_id", "unit_id", "vulnerability", "is_bko"]
_COVERED_KEY = ["operation_id", "unit_id"]


@dataclass
class Pending:
    """What a deployment write touches, read before it; ``apply`` after it."""

    persons: list[int]
    posts: list[int]
    deployed: Counter = field(default_factory=Counter)
    covered: Counter = field(default_factory=Counter)

    def apply(self) -> None:
        _apply(
            "personnel_deployedcount",
            _DEPLOYED_KEY,
            "personnel",
            _diff(_deployed(self.persons), self.deployed),
        )
        _apply(
            "personnel_coveredcount", _COVERED_KEY, "tps", _diff(_covered(self.posts), self.covered)
        )


def deployment_change(*, personnel_id: int, post_id: int | None, group_id: int | None) -> Pending:
    """Before a deployment of `personnel_id` to `post_id` or `group_id` is created or
    cancelled (an event's: nothing to keep, but harmless): takes the locks and reads what
    the person and the TPS concerned contribute now."""
    _lock_rows("personnel_personnel", [personnel_id])
    if post_id is not None:
        member = PostGroupMember.objects.filter(post_id=post_id).values_list("group_id", flat=True)
        group_of_post = member.first()
        _lock_rows("personnel_postgroup", [group_of_post] if group_of_post else [])
        if not _lock_rows("operations_post", [post_id]):
            raise ValidationError({"post": _("Pos ini sudah dihapus.")}, code="gone")
        posts = [post_id]
    elif group_id is not None:
        if not _lock_rows("personnel_postgroup", [group_id]):
            raise ValidationError({"group": _("Kelompok TPS ini sudah dibubarkan.")}, code="gone")
        posts = list(
            PostGroupMember.objects.filter(group_id=group_id).values_list("post_id", flat=True)
        )
    else:
        posts = []
    _advisory(exclusive=False)
    return Pending(
        persons=[personnel_id],
        posts=posts,
        deployed=_deployed([personnel_id]),
        covered=_covered(posts),
    )


@dataclass
class PendingPerson:
    """A person's assignments or record (active, rank) about to change; ``apply`` after."""

    person: int
    available: Counter

    def apply(self) -> None:
        delta = _diff(_available([self.person]), self.available)
        _apply("personnel_availablecount", _COVERED_KEY, "police", delta)


def person_change(*, personnel_id: int) -> PendingPerson:
    """Before a person's assignment is added or their record changed: locks the person
    and reads what they add to the police available."""
    _lock_rows("personnel_personnel", [personnel_id])
    return PendingPerson(person=personnel_id, available=_available([personnel_id]))


def keeps_deployments(service: Callable) -> Callable:
    """Around a deployment service (inside its transaction): the numbers follow what it
    wrote. Reads the target from its keyword arguments: ``deployment=`` (a cancel) or
    ``assignment=`` with ``post=`` / ``group=`` (a create)."""

    @functools.wraps(service)
    def keeping(*args, **kwargs):
        deployment = kwargs.get("deployment")
        if deployment is not None:
            person, post_id, group_id = (
                deployment.personnel_id,
                deployment.post_id,
                deployment.group_id,
            )
        else:
            post, group = kwargs.get("post"), kwargs.get("group")
            person = kwargs["assignment"].personnel_id
            post_id, group_id = getattr(post, "pk", None), getattr(group, "pk", None)
        pending = deployment_change(personnel_id=person, post_id=post_id, group_id=group_id)
        result = service(*args, **kwargs)
        pending.apply()
        return result

    return keeping


def keeps_available(service: Callable) -> Callable:
    """Around a service that adds a person's assignment (``personnel=``) or edits their
    record (``person=``), inside its transaction."""

    @functools.wraps(service)
    def keeping(*args, **kwargs):
        person = kwargs.get("person") or kwargs["personnel"]
        pending = person_change(personnel_id=person.pk)
        result = service(*args, **kwargs)
        pending.apply()
        return result

    return keeping


# --- TPS edits and unit moves (signals of operations.services) -----------------------------


def _recount_covered(operation_id: int, unit_ids: Iterable[int]) -> None:
    unit_ids = sorted(set(unit_ids))
    params: dict = {"operation": operation_id}
    which = "p.operation_id = %(operation)s AND p.unit_id IN " + _in("unit", unit_ids, params)
    now = Counter({tuple(r[:2]): r[2] for r in _fetch(_COVERED_SQL.format(which=which), params)})
    kept = Counter(
        {
            (operation_id, u): n
            for u, n in _fetch(
                "SELECT unit_id, tps FROM personnel_coveredcount "  # noqa: S608 - placeholders only
                "WHERE operation_id = %(operation)s AND unit_id IN "
                + _in("unit", unit_ids, params),
                params,
            )
        }
    )
    _apply("personnel_coveredcount", _COVERED_KEY, "tps", _diff(now, kept))


def post_changed(*, post_id: int, before, after, **_kwargs) -> None:
    """A post's TPS key changed (``operations.counts`` keys: (operation, unit, level) or
    None when not a TPS), or the post was deleted (`after` None)."""
    if before == after:
        return
    _advisory(exclusive=True)
    units = {k[1] for k in (before, after) if k is not None}
    operation_id = (before or after)[0]
    _recount_covered(operation_id, units)
    persons: list[int] = [
        p
        for (p,) in _fetch(
            "SELECT DISTINCT personnel_id FROM personnel_deployment WHERE post_id = %s", [post_id]
        )
    ]
    if not persons:
        return
    old = {
        "opost": post_id,
        "okind": "tps" if before else "",
        "olevel": before[2] if before else "",
    }
    delta = _diff(_deployed(persons), _deployed(persons, old))
    _apply("personnel_deployedcount", _DEPLOYED_KEY, "personnel", delta)


def _ancestor_paths(path: str) -> set[str]:
    parts = path.rstrip("/").split("/")
    return {"/".join(parts[:i]) + "/" for i in range(1, len(parts))}


def subtree_moved(*, old_path: str, new_path: str, **_kwargs) -> None:
    """The subtree at `old_path` now sits at `new_path`: the anchors that gained or lost it
    (old and new ancestors not in common) are recomputed."""
    changed = _ancestor_paths(old_path) ^ _ancestor_paths(new_path)
    if not changed:
        return
    _advisory(exclusive=True)
    anchors = list(Unit.objects.filter(path__in=changed).values_list("pk", flat=True))
    if not anchors:
        return
    params = dict(_NO_OVERRIDE)
    marks = _in("anchor", anchors, params)
    # Every deployment under an anchor: by path prefix of the anchor (a handful of anchors).
    join = f"JOIN operations_unit x ON x.id IN {marks} AND " + tree.within_sql("u.path", "x.path")
    who = "d.unit_id IN (SELECT u.id FROM operations_unit u " + join + ")"  # noqa: S608 - placeholders only
    sql = _DEPLOYED_SQL.format(who=who, anchors="AND anc.anchor_id IN " + marks)
    now = Counter({tuple(r[:4]): r[4] for r in _fetch(sql, params)})
    kept = Counter(
        {
            tuple(r[:4]): r[4]
            for r in _fetch(
                "SELECT operation_id, unit_id, vulnerability, is_bko, personnel "
                "FROM personnel_deployedcount WHERE unit_id IN " + marks,
                params,
            )
        }
    )
    _apply("personnel_deployedcount", _DEPLOYED_KEY, "personnel", _diff(now, kept))


# --- from scratch ----------------------------------------------------------------------------


def expected() -> tuple[Counter, Counter, Counter]:
    """The three tables recomputed from the deployments and assignments."""
    deployed = Counter(
        {
            tuple(r[:4]): r[4]
            for r in _fetch(_DEPLOYED_SQL.format(who="1 = 1", anchors=""), dict(_NO_OVERRIDE))
        }
    )
    covered = Counter({tuple(r[:2]): r[2] for r in _fetch(_COVERED_SQL.format(which="1 = 1"), {})})
    available = Counter(
        {tuple(r[:2]): r[2] for r in _fetch(_AVAILABLE_SQL.format(who="1 = 1"), {})}
    )
    return deployed, covered, available


def _kept() -> tuple[Counter, Counter, Counter]:
    deployed = Counter(
        {
            tuple(r[:4]): r[4]
            for r in _fetch(
                "SELECT operation_id, unit_id, vulnerability, is_bko, personnel "
                "FROM personnel_deployedcount WHERE personnel <> 0",
                [],
            )
        }
    )
    covered = Counter(
        {
            tuple(r[:2]): r[2]
            for r in _fetch(
                "SELECT operation_id, unit_id, tps FROM personnel_coveredcount WHERE tps <> 0", []
            )
        }
    )
    available = Counter(
        {
            tuple(r[:2]): r[2]
            for r in _fetch(
                "SELECT operation_id, unit_id, police FROM personnel_availablecount "
                "WHERE police <> 0",
                [],
            )
        }
    )
    return deployed, covered, available


def rebuild() -> int:
    """Recompute both tables from scratch (a backfill after a bulk load); returns the rows."""
    _advisory(exclusive=True)
    final = "SELECT lv.operation_id, anc.anchor_id"
    deployed_sql = _DEPLOYED_SQL.format(who="1 = 1", anchors="").replace(
        final,
        "INSERT INTO personnel_deployedcount (operation_id, unit_id, vulnerability, is_bko, "
        "personnel) " + final,
    )
    covered_sql = (
        "INSERT INTO personnel_coveredcount (operation_id, unit_id, tps) "
        + _COVERED_SQL.format(which="1 = 1")
    )
    available_sql = (
        "INSERT INTO personnel_availablecount (operation_id, unit_id, police) "
        + _AVAILABLE_SQL.format(who="1 = 1")
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM personnel_deployedcount", [])
        cursor.execute("DELETE FROM personnel_coveredcount", [])
        cursor.execute("DELETE FROM personnel_availablecount", [])
        cursor.execute(deployed_sql, dict(_NO_OVERRIDE))
        rows = cursor.rowcount
        cursor.execute(covered_sql, [])
        rows += cursor.rowcount
        cursor.execute(available_sql, [])
        return rows + cursor.rowcount


def drift() -> list[tuple]:
    """Keys whose maintained number differs from a full recomputation ([] when exact):
    (table, key, maintained, expected)."""
    wrong = []
    for name, have, want in zip(
        ("deployed", "covered", "available"), _kept(), expected(), strict=True
    ):
        for key in sorted(set(have) | set(want)):
            if have.get(key, 0) != want.get(key, 0):
                wrong.append((name, key, have.get(key, 0), want.get(key, 0)))
    return wrong
