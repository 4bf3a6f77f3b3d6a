"""Recompute every maintained number from scratch (one SQL statement per table).

    manage.py rebuild_counts            # rebuild, then check that nothing drifts
    manage.py rebuild_counts --check    # only compare; exit 1 when a number is wrong

The services keep these numbers in the transactions of the writes that change them; this
command is the backfill after a bulk load that bypassed the services (a generator, a
restore) and the proof that the maintained numbers are exact. The dashboard's tallies
(dashboard.tallies; kept by triggers on PostgreSQL) are rebuilt and checked too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dashboard import tallies
from operations import counts
from personnel import coverage_counts
from reports import facts


class Command(BaseCommand):
    help = (
        "Recompute TPS counts/requirements, coverage counts, the reports' copied fields "
        "and the dashboard tallies from scratch."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare only, change nothing")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if not check:
            with transaction.atomic():
                rows = counts.rebuild()
                fixed = facts.rebuild()
                coverage_rows = coverage_counts.rebuild()
                tallied = tallies.rebuild()  # after the facts: the incidents' copies feed it
            self.stdout.write(
                f"TPS counts: {rows} rows; incidents corrected: {fixed['incidents']}; "
                f"report sort keys corrected: {fixed['reports']}; "
                f"coverage counts: {coverage_rows} rows; dashboard tallies: {tallied}"
            )
        wrong_counts = counts.drift()
        wrong_facts = facts.drift()
        wrong_coverage = coverage_counts.drift()
        wrong_tallies = tallies.drift()
        if (
            wrong_counts
            or any(wrong_facts.values())
            or wrong_coverage
            or any(wrong_tallies.values())
        ):
            for row in wrong_counts[:20]:
                self.stderr.write(f"TPS count differs: {row}")
            for row in wrong_coverage[:20]:
                self.stderr.write(f"coverage count differs: {row}")
            raise CommandError(
                f"{len(wrong_counts)} TPS counts, {len(wrong_coverage)} coverage counts, "
                f"{wrong_facts} copied fields and {wrong_tallies} dashboard tally rows "
                "differ from a full recomputation"
            )
        self.stdout.write("every maintained number equals a full recomputation")
