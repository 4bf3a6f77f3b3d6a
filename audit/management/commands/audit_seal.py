"""Seal the audit entries that are due now (what the beat task `audit.seal` does)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from audit import sealing


class Command(BaseCommand):
    help = "Seal pending audit entries into signed blocks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", action="store_true", help="also seal entries younger than the margin"
        )

    def handle(self, *args, now=False, **options):
        at = None
        if now:
            at = timezone.now() + dt.timedelta(seconds=settings.PAMILU_AUDIT_SEAL_MARGIN_SECONDS)
        self.stdout.write(f"{sealing.seal_all(now=at)} block(s) sealed")
