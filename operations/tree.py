"""The unit tree as the reads use it: the one home of "in the subtree" and "under which
child of the focus unit", each as an ORM expression and as its raw-SQL twin.

A unit's ``path`` is the materialized path of codes (``MABES/POLDA-MALUKU/``), so

- *in the subtree of U* is a prefix match on ``U.path`` (one indexed ``LIKE 'prefix%'``,
  never a list of ids);
- *the child of the focus F that a unit lies under* is the path up to the first separator
  after ``F.path``: ``SUBSTR(path, 1, len(F.path) + STRPOS(SUBSTR(path, len(F.path) + 1),
  '/'))``. For F itself the rest is empty, STRPOS is 0 and the key is ``F.path``: the row
  of what the focus unit holds or reports itself. Grouping by this key is one GROUP BY,
  whatever the number of units below F.

Nothing else in pamilu spells either idea (``tests/pamilu/test_architecture.py`` holds it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import CharField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import StrIndex, Substr

if TYPE_CHECKING:
    from operations.models import Unit


def _path_lookup(field: str) -> str:
    return f"{field}__path" if field else "path"


def _path_of(unit):
    """A unit's path; a path given as such (a string, an ``OuterRef("path")``) as it is."""
    return getattr(unit, "path", unit)


def subtree_lookup(unit: Unit | str | OuterRef, field: str = "") -> dict[str, Any]:
    """The same filter as keyword arguments (for lookups kept in a dict)."""
    return {f"{_path_lookup(field)}__startswith": _path_of(unit)}


def subtree_q(unit: Unit | str | OuterRef, field: str = "") -> Q:
    """A filter: the row's unit (reached by the lookup `field`, "" for a Unit itself) lies
    in `unit`'s subtree, `unit` included. `unit` may also be a path or an expression that
    yields one (``OuterRef("path")``)."""
    return Q(**subtree_lookup(unit, field))


def in_subtree(queryset: QuerySet, unit: Unit, field: str = "unit") -> QuerySet:
    """`queryset` narrowed to rows whose unit (lookup `field`) lies in `unit`'s subtree."""
    return queryset.filter(subtree_q(unit, field))


def is_within(unit: Unit, ancestor: Unit) -> bool:
    """Whether `unit` lies in `ancestor`'s subtree (no query)."""
    return unit.path.startswith(ancestor.path)


def child_key(focus: Unit, path_field: str = "path") -> Substr:
    """SQL (ORM): the path of `focus`'s child that the row's `path_field` lies under, or
    `focus.path` itself for the focus unit's own rows."""
    length = len(focus.path)
    rest = Substr(path_field, length + 1)
    return Substr(
        path_field,
        1,
        Value(length) + StrIndex(rest, Value("/")),
        output_field=CharField(),
    )


# --- the raw-SQL twins ------------------------------------------------------------------


def subtree_sql(column: str, param: str = "prefix") -> str:
    """Raw SQL: `column` (a unit path) lies in the subtree given by the bound `param`
    (a named parameter; "" for a positional one)."""
    placeholder = f"%({param})s" if param else "%s"
    return f"{column} LIKE {placeholder}"


def subtree_pattern(unit: Unit) -> str:
    """The value to bind for `subtree_sql` (codes hold no LIKE wildcards)."""
    return unit.path + "%"


def within_sql(column: str, ancestor_path: str) -> str:
    """Raw SQL: the path in `column` lies in the subtree whose path is in the column
    `ancestor_path` (for SQL run with bound parameters: the wildcard is escaped)."""
    return f"{column} LIKE {ancestor_path} || '%%'"


def child_key_sql(column: str) -> str:
    """Raw SQL twin of `child_key`; bind `child_key_params(focus)` with it. Only a fixed
    function name is formatted in; every value is bound."""
    position = "INSTR" if connection.vendor == "sqlite" else "STRPOS"
    return (
        f"SUBSTR({column}, 1, %(tree_length)s + {position}(SUBSTR({column}, %(tree_start)s), '/'))"
    )


def child_join_sql(column: str, alias: str = "c") -> str:
    """Raw SQL: join, as `alias`, the focus unit's child that the row's `column` lies under
    (rows of the focus unit itself find none). Bind `child_key_params(focus)`."""
    return (
        f"JOIN operations_unit {alias} ON {alias}.parent_id = %(tree_focus)s "
        f"AND {alias}.path = {child_key_sql(column)}"
    )


def child_key_params(focus: Unit) -> dict[str, int]:
    return {
        "tree_length": len(focus.path),
        "tree_start": len(focus.path) + 1,
        "tree_focus": focus.pk,
    }
