"""Small helpers for the generator's SQL: seeded hash randoms, COPY, timing."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from django.db import connection

RANDOM_FUNCTIONS = """
CREATE OR REPLACE FUNCTION pg_temp.rnd(k bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(k, salt::bigint * 7919 + {seed}) & 9007199254740991)::float8
          / 9007199254740992.0 $$;
CREATE OR REPLACE FUNCTION pg_temp.rint(k bigint, salt integer, lo integer, hi integer)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lo + floor(pg_temp.rnd(k, salt) * (hi - lo + 1))::integer $$;
"""


def execute(sql: str, params: dict | Sequence | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: dict | Sequence | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return row[0] if row else None


def rows(sql: str, params: dict | Sequence | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_rows(table: str, columns: Sequence[str], data: Iterable[Sequence]) -> None:
    """COPY rows into `table` (psycopg 3 copy protocol)."""
    cols = ", ".join(columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)


def install_functions(seed: int) -> None:
    execute(RANDOM_FUNCTIONS.format(seed=int(seed)))


class Timer:
    """Prints how long each step took."""

    def __init__(self, out) -> None:
        self.out = out
        self.started = time.monotonic()
        self.times: dict[str, float] = {}

    def step(self, name: str, fn, *args, **kwargs):
        t0 = time.monotonic()
        result = fn(*args, **kwargs)
        elapsed = time.monotonic() - t0
        self.times[name] = elapsed
        if self.out is not None:
            shown = len(result) if isinstance(result, list) else result
            self.out.write(f"  {name:<28} {elapsed:7.1f} s  {shown if shown is not None else ''}")
        return result

    @property
    def total(self) -> float:
        return time.monotonic() - self.started
