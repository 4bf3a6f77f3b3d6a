"""Storing what a summary adds up: its sums (SummaryState) and its parts in one row per
child key (SummaryPart), so that after a late report only the changed rows move.

Both are JSON text (not jsonb): nothing queries inside them, and a national summary's
parts are about a megabyte that the server would otherwise parse on every write."""

from __future__ import annotations

import json

from django.db import connection

from summaries import rollup
from summaries.models import SummaryPart, SummaryState

VERSION = 2


def dump(value) -> str:
    return json.dumps(value, separators=(",", ":"))


def exists(summary_id: int) -> bool:
    return SummaryState.objects.filter(pk=summary_id, version=VERSION).exists()


def load_acc(summary_id: int) -> dict | None:
    """The stored sums, or None when the summary has none usable (built before). 1 query."""
    acc = (
        SummaryState.objects.filter(pk=summary_id, version=VERSION)
        .values_list("acc", flat=True)
        .first()
    )
    return None if acc is None else json.loads(acc)


def load_buckets(summary_id: int, keys: list[str]) -> dict[str, dict]:
    """The stored parts of the given child keys. 1 query."""
    return {
        key: json.loads(data)
        for key, data in SummaryPart.objects.filter(
            summary_id=summary_id, key__in=keys
        ).values_list("key", "data")
    }


def store(summary_id: int, built, *, acc_text: str | None = None) -> None:
    """Write the sums and the parts of a build: every bucket (full build) or the replaced
    ones (an incremental build). 3 queries (4 for a summary's first build)."""
    acc_text = acc_text if acc_text is not None else dump(built.acc)
    updated = SummaryState.objects.filter(pk=summary_id).update(version=VERSION, acc=acc_text)
    if not updated:
        SummaryState.objects.create(summary_id=summary_id, version=VERSION, acc=acc_text)
    rows = SummaryPart.objects.filter(summary_id=summary_id)
    if built.replaced is not None:
        rows = rows.filter(key__in=list(built.replaced))
    rows._raw_delete(rows.db)
    if built.buckets is None:  # a full build in SQL: its parts are on the server
        with connection.cursor() as cursor:
            rollup.store_parts(cursor, summary_id)
        return
    rows = [(summary_id, k, dump(v)) for k, v in built.buckets.items() if v]
    if rows:
        # executemany, not bulk_create: on PostgreSQL that sends one array literal per
        # column, and parsing a megabyte of escaped JSON in it took ten times longer.
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO summaries_summarypart (summary_id, key, data) VALUES (%s, %s, %s)",
                rows,
            )
