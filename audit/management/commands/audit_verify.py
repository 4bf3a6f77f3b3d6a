"""Verify the audit chain: every block's hash and signature, every sealed entry's digest.

Exit status 0 when the chain holds; 1 naming the first broken entry (or block) otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit import sealing


class Command(BaseCommand):
    help = "Verify the sealed audit chain and name the first broken entry."

    def handle(self, *args, **options):
        verdict = sealing.verify()
        if not verdict.ok:
            where = f" (entry {verdict.broken_entry_id})" if verdict.broken_entry_id else ""
            raise CommandError(f"BROKEN in block {verdict.broken_block}{where}: {verdict.problem}")
        self.stdout.write(
            f"OK: {verdict.blocks} blocks, {verdict.sealed_entries} entries sealed, "
            f"{verdict.unsealed_entries} not sealed yet"
        )
