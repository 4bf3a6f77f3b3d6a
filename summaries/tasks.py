"""Thin Celery tasks: named, ids in, idempotent. The work is in summaries.services.

Delivery: acks late and rejected on worker loss (settings), so a worker killed in
the middle of a build leaves the previous version (one transaction) and the task is
delivered again. Transient database errors are retried with exponential backoff.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from operations.models import Operation, Unit
from pamilu import actors
from summaries import batch, selectors, services

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


@shared_task(name="summaries.build_for_day", **RETRY)
def build_for_day(operation_id: int, unit_id: int, day: str) -> int:
    """The daily, weekly-to-date and phase-to-date summaries of one unit for one day."""
    operation = Operation.objects.select_related("unit").filter(pk=operation_id).first()
    unit = Unit.objects.filter(pk=unit_id).first()
    if operation is None or unit is None:
        logger.info("build_for_day: operation %s or unit %s is gone", operation_id, unit_id)
        return 0
    built = services.build_for_day(
        operation=operation,
        unit=unit,
        day=dt.date.fromisoformat(day),
        by=actors.TASKS,
        channel="system",
    )
    logger.info("rekap %s %s %s: %d summaries built", operation.code, unit.code, day, len(built))
    return len(built)


@shared_task(name="summaries.rebuild_summaries", **RETRY)
def rebuild_summaries(summary_ids: list[int]) -> int:
    """Rebuild the given summaries if they are (still) stale: those a late report marked
    together (summaries.batch), the others in full."""
    return batch.rebuild(list(summary_ids))


@shared_task(name="summaries.rebuild_stale", **RETRY)
def rebuild_stale() -> int:
    """Beat: rebuild whatever is marked stale (covers rebuilds that could not be queued)."""
    return services.rebuild_stale(by=actors.TASKS, channel="system")


def _enqueue(due: list[tuple[int, int, str]]) -> int:
    for operation_id, unit_id, day in due:
        build_for_day.delay(operation_id, unit_id, day)
    return len(due)


@shared_task(name="summaries.build_due", **RETRY)
def build_due(time_zone: str) -> int:
    """Beat, per zone: queue the daily summaries due after that zone's deadline."""
    count = _enqueue(selectors.due_in_zone(time_zone))
    if count:
        logger.info("rekap %s: %d unit-days queued", time_zone, count)
    return count


@shared_task(name="summaries.build_due_national", **RETRY)
def build_due_national() -> int:
    """Beat: queue the national (Mabes) summaries once the last zone has closed."""
    return _enqueue(selectors.due_national())


@shared_task(name="summaries.send_reminders", **RETRY)
def send_reminders() -> int:
    return services.send_reminders(by=actors.TASKS, channel="system")


@shared_task(name="summaries.escalate", **RETRY)
def escalate() -> int:
    return services.escalate(by=actors.TASKS, channel="system")
