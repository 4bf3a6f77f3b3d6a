"""manage.py generate_national: load a country-sized data set into PostgreSQL."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from testbed.generate import Options, generate
from testbed.generate.run import NotEmpty


class Command(BaseCommand):
    help = (
        "Generate the national test bed (36 Polda, ~6,062 units, 823,220 TPS, ~1.3 M "
        "reports at --scale 1) into an empty, migrated PostgreSQL database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the whole country")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--days", type=int, default=222, help="operation days so far")
        parser.add_argument(
            "--now", help="ISO instant the data ends at (default: now); fixes the output"
        )
        parser.add_argument("--summary-days", type=int, default=7)
        parser.add_argument("--reset", action="store_true", help="empty the tables first")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_national needs PostgreSQL (DATABASE_URL=postgres://…)")
        if not 0 < options["scale"] <= 2:
            raise CommandError("--scale must be in (0, 2]")
        if not 1 <= options["days"] <= 400:
            raise CommandError("--days must be in [1, 400]")
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from None
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-12-01T10:00:00+00:00")
        opts = Options(
            scale=options["scale"],
            seed=options["seed"],
            days=options["days"],
            now=now,
            summary_days=options["summary_days"],
            reset=options["reset"],
        )
        self.stdout.write(f"generate_national scale={opts.scale} seed={opts.seed} days={opts.days}")
        try:
            generate(opts, out=self.stdout)
        except NotEmpty as exc:
            raise CommandError(str(exc)) from None
