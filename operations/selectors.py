"""Reads about operations and units used by more than one view."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from operations.models import Operation, Phase, Unit
from pamilu.scoping import sees_everything


def operations_for(user) -> QuerySet[Operation]:
    """Operations the user takes part in: organised at or above their unit, or below it."""
    qs = Operation.objects.select_related("unit")
    if sees_everything(user):
        return qs
    if not user.is_authenticated or user.unit_id is None:
        return qs.none()
    unit = user.unit
    return qs.filter(Q(unit__path__in=unit.ancestor_paths()) | Q(unit__path__startswith=unit.path))


def default_operation(user, day: dt.date | None = None) -> Operation | None:
    """The operation running on `day` (else the latest one) among the user's operations."""
    ops = operations_for(user)
    if day is not None:
        running = ops.filter(start_date__lte=day, end_date__gte=day).order_by("-start_date")
        first = running.first()
        if first is not None:
            return first
    return ops.order_by("-start_date").first()


def phase_on(operation: Operation, day: dt.date) -> Phase | None:
    return operation.phases.on(day).order_by("start_date").first()


def voting_day(operation: Operation) -> dt.date | None:
    phase = operation.phases.filter(is_voting_day=True).first()
    return phase.start_date if phase else None


def reporting_units(operation: Operation, within: Unit | None = None) -> QuerySet[Unit]:
    """Units that must send a daily report for `operation`, optionally below `within`."""
    qs = Unit.objects.filter(
        path__startswith=operation.unit.path,
        kind__in=operation.reporting_kinds,
        is_active=True,
    )
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs
