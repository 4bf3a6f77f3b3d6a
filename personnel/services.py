"""Writes about personnel, warrants and assignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.services import record
from operations.models import Operation, TaskForce, Unit
from personnel.models import Assignment, Personnel, Rank, Warrant


@transaction.atomic
def personnel_create(
    *,
    name: str,
    rank: Rank,
    unit: Unit,
    nrp: str | None = None,
    nip: str | None = None,
    position: str = "",
    by=None,
    channel: str = "system",
) -> Personnel:
    person = Personnel(
        name=name, rank=rank, unit=unit, nrp=nrp or None, nip=nip or None, position=position
    )
    person.full_clean()
    person.save()
    record(actor=by, channel=channel, action="personnel.create", obj=person)
    return person


@transaction.atomic
def warrant_issue(
    *,
    number: str,
    date: dt.date,
    issuing_unit: Unit,
    operation: Operation,
    subject: str = "",
    assignments: Iterable[dict] = (),
    by=None,
    channel: str = "system",
) -> Warrant:
    """Issue a sprin and assign the people it names.

    Each item of `assignments` is ``{"personnel": Personnel, "unit": Unit,
    "task_force": TaskForce | None, "role": str}``; BKO is marked when the person's
    home unit differs from the unit they serve under.
    """
    warrant = Warrant(
        number=number, date=date, issuing_unit=issuing_unit, operation=operation, subject=subject
    )
    warrant.full_clean()
    warrant.save()
    record(actor=by, channel=channel, action="warrant.issue", obj=warrant, unit=issuing_unit)
    for item in assignments:
        assignment_add(
            warrant=warrant,
            personnel=item["personnel"],
            unit=item["unit"],
            task_force=item.get("task_force"),
            role=item.get("role", ""),
            by=by,
            channel=channel,
        )
    return warrant


@transaction.atomic
def assignment_add(
    *,
    warrant: Warrant,
    personnel: Personnel,
    unit: Unit,
    task_force: TaskForce | None = None,
    role: str = "",
    by=None,
    channel: str = "system",
) -> Assignment:
    if task_force is not None and task_force.operation_id != warrant.operation_id:
        raise ValidationError({"task_force": "Satgas bukan bagian dari operasi sprin ini."})
    if Assignment.objects.filter(operation=warrant.operation, personnel=personnel).exists():
        raise ValidationError(
            {"personnel": f"{personnel} sudah ditugaskan dalam operasi ini oleh sprin lain."}
        )
    assignment = Assignment.objects.create(
        warrant=warrant,
        personnel=personnel,
        operation=warrant.operation,
        unit=unit,
        task_force=task_force,
        role=role,
        home_unit=personnel.unit,
        is_bko=personnel.unit_id != unit.pk,
    )
    record(
        actor=by,
        channel=channel,
        action="assignment.add",
        obj=assignment,
        unit=unit,
        changes={"bko": assignment.is_bko, "home_unit": str(personnel.unit)},
    )
    return assignment


@transaction.atomic
def personnel_update(*, person: Personnel, by=None, channel: str = "system", **fields) -> Personnel:
    """Change a person's record (name, rank, unit, position, phone, is_active, NRP/NIP)."""
    from audit.services import diff, snapshot

    before = snapshot(person)
    for key, value in fields.items():
        setattr(person, key, value or None if key in ("nrp", "nip") else value)
    person.full_clean()
    person.save()
    record(
        actor=by,
        channel=channel,
        action="personnel.update",
        obj=person,
        changes=diff(before, snapshot(person)),
    )
    return person
