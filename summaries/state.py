"""Storing a summary's parts and sums (SummaryState) without moving the whole of them.

A national summary has one part per unit of the country; after a late report only the
changed units' parts cross the wire, both ways (jsonb operators on the server).
"""

from __future__ import annotations

import json

from django.db import connection

from summaries.models import SummaryState

VERSION = 1


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def exists(summary_id: int) -> bool:
    return SummaryState.objects.filter(pk=summary_id, version=VERSION).exists()


def load(summary_id: int, unit_ids: list[int]) -> tuple[dict, dict] | None:
    """(sums, parts of `unit_ids`) of a summary, or None when it has no usable state. 1 query."""
    keys = [str(u) for u in unit_ids]
    if connection.vendor != "postgresql":
        row = SummaryState.objects.filter(pk=summary_id, version=VERSION).first()
        if row is None:
            return None
        return row.acc, {k: row.parts[k] for k in keys if k in row.parts}
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT acc, version,
                       (SELECT COALESCE(jsonb_object_agg(k, parts -> k), '{}'::jsonb)
                        FROM unnest(%s::text[]) AS k WHERE parts ? k)
                FROM summaries_summarystate WHERE summary_id = %s""",
            [keys, summary_id],
        )
        row = cursor.fetchone()
    if row is None or row[1] != VERSION:
        return None
    return _json(row[0]), _json(row[2])


def store(summary_id: int, built, *, replace: bool) -> None:
    """Write the state of a build: all parts (full build) or the changed units' parts
    (`replace`: built.parts holds them; a unit missing there has nothing left). 1 query."""
    if connection.vendor != "postgresql":
        _store_portable(summary_id, built, replace=replace)
        return
    acc = json.dumps(built.acc, separators=(",", ":"))
    with connection.cursor() as cursor:
        if replace:
            removed = [str(u) for u in built.acc_units]
            cursor.execute(
                """UPDATE summaries_summarystate SET acc = %s::jsonb,
                           parts = (parts - %s::text[]) || %s::jsonb
                    WHERE summary_id = %s""",
                [acc, removed, json.dumps(built.parts, separators=(",", ":")), summary_id],
            )
            return
        cursor.execute(
            """INSERT INTO summaries_summarystate (summary_id, version, acc, parts)
                VALUES (%s, %s, %s::jsonb, %s::jsonb)
                ON CONFLICT (summary_id) DO UPDATE
                SET version = EXCLUDED.version, acc = EXCLUDED.acc, parts = EXCLUDED.parts""",
            [summary_id, VERSION, acc, json.dumps(built.parts, separators=(",", ":"))],
        )


def _store_portable(summary_id: int, built, *, replace: bool) -> None:
    """The same on SQLite (the development database): the whole JSON, read and written."""
    parts = built.parts
    if replace:
        row = SummaryState.objects.get(pk=summary_id)
        parts = {k: v for k, v in row.parts.items() if int(k) not in set(built.acc_units)}
        parts.update(built.parts)
    SummaryState.objects.update_or_create(
        summary_id=summary_id, defaults={"version": VERSION, "acc": built.acc, "parts": parts}
    )
