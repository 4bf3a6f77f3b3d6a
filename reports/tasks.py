"""Thin Celery task: purge the files of corrections past their retention (beat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from pamilu import actors
from reports import corrections

logger = logging.getLogger(__name__)


@shared_task(
    name="reports.purge_correction_files",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=6,
)
def purge_correction_files() -> int:
    """Idempotent: a second run (or a redelivery) purges nothing more."""
    purged = corrections.purge_expired_correction_files(by=actors.TASKS, channel="system")
    if purged:
        logger.info("corrections: %d file(s) past retention purged", purged)
    return purged
