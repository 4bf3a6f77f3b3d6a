"""Generate a national data set into PostgreSQL, step by step, in bulk.

Steps (each one or a few set-based SQL statements; Python only lays out the unit tree):

1. ``tree``: Mabes, 36 Polda, the Polres and Polsek (COPY), the operation with its
   phases, satgas and TPS pattern (ORM, a few rows), and one login per role and unit.
2. ``posts``: TPS with the vulnerability mix, warehouses and offices, TPS groups.
3. ``people``: personnel (NRP/NIP), sprin per issuing unit, assignments (BKO among them),
   voting-day deployments to TPS groups and today's warehouse shifts, apel records.
4. ``reports``: every reporting unit's report of every day so far, with activities and
   incidents; a timeline per report (created, sent, returned, sent again, accepted) drawn
   from a seeded hash and cut at ``now``, so lateness follows ``operations.clock``.
5. ``derive``: everything the services derive from those rows, one INSERT … SELECT per
   table: audit entries, reminders/escalations (``testbed.generate.derive.DERIVED``
   lists them; a new maintained table is one more entry there).
6. ``summaries``: the rekap of past days built by ``summaries.services.summary_build``.

Outside a transaction (``manage.py generate_national``) steps 1-5 up to the report audit
are committed as one stage; the rekap are then built on a second connection while the
first derives the report audit (whose ids were reserved), so both cores work; the
remaining indexes, the foreign-key check and ANALYZE follow. A failure after the first
stage empties every generated table again. Inside a transaction the same steps run one
after the other in it.

Random choices come from ``hashint8extended(key, seed)`` of stable ordinal keys, so
the same seed, scale, days and ``now`` give the same rows (ids too, on an empty database).
"""

from testbed.generate.run import Options, generate

__all__ = ["Options", "generate"]
