"""Writes to an operation's reference records (the operation itself, its phases and task
forces), as the admin makes them: one transaction each, the right checked here (an
administrator of the organising unit's scope), the change audited (audit.save_audited).

Posts, events and security patterns have their own services in operations.services.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import delete_audited, save_audited
from operations.models import Operation, Phase, TaskForce, Unit
from pamilu.actors import Actor, ChannelName
from pamilu.scoping import check_manage_operation


def _stored_unit(operation: Operation) -> Unit | None:
    """The organising unit as committed (None for a new operation)."""
    if operation.pk is None:
        return None
    return Unit.objects.filter(operations__pk=operation.pk).first()


def _check_operation(by: Actor, operation: Operation) -> None:
    stored = _stored_unit(operation)
    if stored is not None:
        check_manage_operation(by, stored)
    check_manage_operation(by, operation.unit)


def _action(obj: Operation | Phase | TaskForce, verb: str) -> str:
    return f"{obj._meta.model_name}.{verb}"


@transaction.atomic
def operation_save(*, operation: Operation, by: Actor, channel: ChannelName) -> Operation:
    """Create or change an operation (both the old and the new organising unit must be
    within the administrator's scope)."""
    _check_operation(by, operation)
    verb = "update" if operation.pk else "create"
    return save_audited(operation, by=by, channel=channel, action=_action(operation, verb))


@transaction.atomic
def operation_delete(*, operation: Operation, by: Actor, channel: ChannelName) -> None:
    """Delete an operation (the database refuses one that records refer to)."""
    _check_operation(by, operation)
    delete_audited(operation, by=by, channel=channel, action=_action(operation, "delete"))


def _check_part(by: Actor, part: Phase | TaskForce) -> None:
    model = type(part)
    if part.pk is not None:
        stored = model.objects.select_related("operation__unit").filter(pk=part.pk).first()
        if stored is not None:
            check_manage_operation(by, stored.operation.unit)
    check_manage_operation(by, part.operation.unit)


@transaction.atomic
def phase_save(*, phase: Phase, by: Actor, channel: ChannelName) -> Phase:
    """Create or change a phase (tahapan) of an operation."""
    _check_part(by, phase)
    verb = "update" if phase.pk else "create"
    return save_audited(phase, by=by, channel=channel, action=_action(phase, verb))


@transaction.atomic
def phase_delete(*, phase: Phase, by: Actor, channel: ChannelName) -> None:
    _check_part(by, phase)
    delete_audited(phase, by=by, channel=channel, action=_action(phase, "delete"))


@transaction.atomic
def task_force_save(*, task_force: TaskForce, by: Actor, channel: ChannelName) -> TaskForce:
    """Create or change a task force (satgas) of an operation."""
    _check_part(by, task_force)
    verb = "update" if task_force.pk else "create"
    return save_audited(task_force, by=by, channel=channel, action=_action(task_force, verb))


@transaction.atomic
def task_force_delete(*, task_force: TaskForce, by: Actor, channel: ChannelName) -> None:
    _check_part(by, task_force)
    delete_audited(task_force, by=by, channel=channel, action=_action(task_force, "delete"))
