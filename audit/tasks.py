"""Thin Celery task: seal the audit entries written since the last block (beat)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from audit import sealing

logger = logging.getLogger(__name__)


@shared_task(
    name="audit.seal",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=6,
)
def seal() -> int:
    blocks = sealing.seal_all()
    if blocks:
        logger.info("audit: %d block(s) sealed", blocks)
    return blocks
