"""Load the demo: units, operations, posts, personnel, logins, then each app's own part.

Running it twice changes nothing. Each app has its step, a module of this room
(`demo.operations`, `demo.personnel`, ...) with a `load(ctx)`; the
steps run in order inside one transaction.
"""

from __future__ import annotations

import importlib
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.accounts import DEMO_PASSWORD, credentials
from demo.operations import DemoContext

STEPS = [
    "demo.operations",
    "demo.personnel",
    "demo.accounts",
    "demo.reports",
    "demo.summaries",
]


class Command(BaseCommand):
    help = "Load the pamilu demo (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load even when DEBUG is off (the demo creates logins with a known password).",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "The demo creates logins with a published password; run it with DEBUG=true "
                "or pass --allow-production."
            )
        started = time.monotonic()
        ctx = DemoContext(today=timezone.localdate(), stdout=self.stdout)
        with transaction.atomic():
            for name in STEPS:
                try:
                    module = importlib.import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name == name:
                        continue
                    raise
                module.load(ctx)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded in {time.monotonic() - started:.1f} s."))
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, unit in credentials():
            self.stdout.write(f"  {username:<22} {role:<40} {unit}")
