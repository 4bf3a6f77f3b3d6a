"""Writes about personnel, warrants and assignments, deployments and apel readiness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.services import record, save_audited
from operations.models import Event, Operation, Post, PostKind, TaskForce, Unit
from pamilu.actors import Actor, ChannelName, user_of
from pamilu.scoping import can_deploy, check_deploy, check_write_for_unit
from personnel import coverage_counts
from personnel.models import (
    DEPLOYMENT_OVERLAP_CONSTRAINT,
    Apel,
    ApelEquipment,
    Assignment,
    Deployment,
    Personnel,
    PostGroup,
    PostGroupMember,
    Rank,
    Warrant,
)


@transaction.atomic
def personnel_create(
    *,
    name: str,
    rank: Rank,
    unit: Unit,
    nrp: str | None = None,
    nip: str | None = None,
    position: str = "",
    phone: str = "",
    is_active: bool = True,
    by: Actor,
    channel: ChannelName,
) -> Personnel:
    check_write_for_unit(by, unit)
    ident = {"nrp": nrp or None, "nip": nip or None}
    person = Personnel(name=name, rank=rank, unit=unit, position=position, **ident)
    person.phone, person.is_active = phone, is_active
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
    assignments: Iterable[dict[str, Any]] = (),
    by: Actor,
    channel: ChannelName,
) -> Warrant:
    """Issue a sprin and assign the people it names.

    Each item of `assignments` is ``{"personnel": Personnel, "unit": Unit,
    "task_force": TaskForce | None, "role": str}``; BKO is marked when the person's
    home unit differs from the unit they serve under.
    """
    check_write_for_unit(by, issuing_unit)
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
@coverage_counts.keeps_available
def assignment_add(
    *,
    warrant: Warrant,
    personnel: Personnel,
    unit: Unit,
    task_force: TaskForce | None = None,
    role: str = "",
    by: Actor,
    channel: ChannelName,
) -> Assignment:
    check_write_for_unit(by, warrant.issuing_unit)
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
@coverage_counts.keeps_available
def personnel_update(
    *, person: Personnel, by: Actor, channel: ChannelName, **fields: Any
) -> Personnel:
    """Change a person's record (name, rank, unit, position, phone, is_active, NRP/NIP)."""
    check_write_for_unit(by, person.unit)
    if "unit" in fields:  # before anything changes, the caller's instance included
        check_write_for_unit(by, fields["unit"])
    for key, value in fields.items():
        setattr(person, key, value or None if key in ("nrp", "nip") else value)
    return save_audited(person, by=by, channel=channel, action="personnel.update")


def _span_text(deployment: Deployment) -> str:
    zone = deployment.unit.zone
    start = timezone.localtime(deployment.starts_at, zone)
    end = timezone.localtime(deployment.ends_at, zone)
    end_format = "H:i" if start.date() == end.date() else "d/m/Y H:i"
    return (
        f"{formats.date_format(start, 'd/m/Y H:i')}–{formats.date_format(end, end_format)} "
        f"{deployment.unit.zone_abbreviation}"
    )


def clash_message(existing: Deployment) -> str:
    """Who is already deployed where and when, for the form, the API and the import."""
    return _(
        "%(person)s sudah ditempatkan di %(target)s pada %(span)s (waktu bertumpang tindih)."
    ) % {
        "person": existing.personnel,
        "target": existing.target,
        "span": _span_text(existing),
    }


def overlapping(
    personnel_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> QuerySet[Deployment]:
    """Deployments of the person whose half-open span [start, end) meets [starts_at, ends_at)."""
    return (
        Deployment.objects.filter(
            personnel_id=personnel_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .select_related("personnel__rank", "unit", "post", "group", "event")
        .order_by("starts_at")
    )


def _is_overlap_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == "23P01":  # exclusion_violation
        return True
    return DEPLOYMENT_OVERLAP_CONSTRAINT in str(exc)


def _target_unit(*, post: Post | None, group: PostGroup | None, event: Event | None) -> Unit:
    targets = [t for t in (post, group, event) if t is not None]
    if len(targets) != 1:
        raise ValidationError(
            {"post": _("Pilih tepat satu tujuan: pos, kelompok TPS atau kegiatan.")}
        )
    return targets[0].unit


@transaction.atomic
@coverage_counts.keeps_deployments
def deployment_create(
    *,
    assignment: Assignment,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    post: Post | None = None,
    group: PostGroup | None = None,
    event: Event | None = None,
    note: str = "",
    by: Actor,
    channel: ChannelName,
) -> Deployment:
    """Deploy the person of `assignment` to one post, TPS group or event for [starts_at, ends_at).

    Refused, with a message naming the clash, when the person is already deployed for an
    overlapping span. The person's row is locked first, so two requests racing for the same
    person are serialised; the database's exclusion constraint (PostgreSQL) holds even for
    writes that bypass this function.
    """
    unit = _target_unit(post=post, group=group, event=event)
    check_deploy(by, unit)
    target = post or group or event
    assert target is not None  # _target_unit refused anything but exactly one
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Waktu selesai harus setelah waktu mulai.")})
    if target.operation_id != assignment.operation_id:
        raise ValidationError(
            {"assignment": _("Tujuan penempatan bukan bagian dari operasi sprin personel ini.")}
        )
    serving = assignment.unit
    if not (unit.path.startswith(serving.path) or serving.path.startswith(unit.path)):
        raise ValidationError(
            {
                "assignment": _(
                    "%(person)s bertugas di bawah %(unit)s dan tidak dapat ditempatkan di "
                    "wilayah %(target)s."
                )
                % {"person": assignment.personnel, "unit": serving, "target": unit}
            }
        )
    # One person at a time: lock their row, then look for an overlapping span.
    person = Personnel.objects.select_for_update().get(pk=assignment.personnel_id)
    existing = overlapping(person.pk, starts_at, ends_at).first()
    if existing is not None:
        raise ValidationError({"assignment": clash_message(existing)}, code="overlap")
    deployment = Deployment(
        operation_id=assignment.operation_id,
        assignment=assignment,
        personnel=person,
        unit=unit,
        post=post,
        group=group,
        event=event,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
    )
    try:
        with transaction.atomic():
            deployment.save()
    except IntegrityError as exc:
        if not _is_overlap_violation(exc):
            raise
        existing = overlapping(person.pk, starts_at, ends_at).first()
        message = (
            clash_message(existing)
            if existing
            else _("%(person)s sudah ditempatkan pada waktu yang bertumpang tindih.")
            % {"person": person}
        )
        raise ValidationError({"assignment": message}, code="overlap") from exc
    record(
        actor=by,
        channel=channel,
        action="deployment.create",
        obj=deployment,
        changes={
            "personnel": str(person),
            "target": str(target),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "bko": assignment.is_bko,
        },
    )
    return deployment


@transaction.atomic
@coverage_counts.keeps_deployments
def deployment_cancel(*, deployment: Deployment, by: Actor, channel: ChannelName) -> None:
    check_deploy(by, deployment.unit)
    record(
        actor=by,
        channel=channel,
        action="deployment.cancel",
        obj=deployment,
        changes={
            "personnel": str(deployment.personnel),
            "target": str(deployment.target),
            "starts_at": deployment.starts_at,
            "ends_at": deployment.ends_at,
        },
    )
    group = deployment.group
    deployment.delete()
    if group is not None and not group.deployments.exists():
        # A group of TPS lives only while it is staffed: its TPS become unassigned again.
        record(
            actor=by,
            channel=channel,
            action="postgroup.dissolve",
            obj=group,
            changes={"posts": list(group.posts.values_list("code", flat=True))},
        )
        group.delete()


@transaction.atomic
def post_group_create(
    *,
    operation: Operation,
    unit: Unit,
    vulnerability: str,
    name: str,
    posts: list[Post],
    by: Actor,
    channel: ChannelName,
) -> PostGroup:
    """Group nearby TPS of one level under `unit` to be guarded together."""
    check_deploy(by, unit)
    if not posts:
        raise ValidationError({"posts": _("Kelompok TPS memerlukan sedikitnya satu TPS.")})
    for post in posts:
        if (
            post.operation_id != operation.pk
            or post.kind != PostKind.TPS
            or post.vulnerability != vulnerability
            or not post.unit.path.startswith(unit.path)
        ):
            raise ValidationError(
                {"posts": _("%(post)s tidak dapat masuk kelompok ini.") % {"post": post}}
            )
    group = PostGroup.objects.create(
        operation=operation, unit=unit, vulnerability=vulnerability, name=name
    )
    try:
        with transaction.atomic():
            PostGroupMember.objects.bulk_create(
                PostGroupMember(group=group, post=post) for post in posts
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"posts": _("Sebagian TPS sudah masuk kelompok lain; muat ulang usulan.")}
        ) from exc
    record(
        actor=by,
        channel=channel,
        action="postgroup.create",
        obj=group,
        changes={"posts": [p.code for p in posts]},
    )
    return group


# --- apel kesiapan -------------------------------------------------------------------------

STRENGTH_FIELDS = ["total", "present", "sick", "permit", "leave", "duty", "awol"]


@transaction.atomic
def apel_record(
    *,
    operation: Operation,
    unit: Unit,
    held_at: dt.datetime,
    strength: dict[str, int],
    equipment: Iterable[dict[str, Any]] = (),
    kind: str = "kesiapan",
    commander: str = "",
    note: str = "",
    by: Actor,
    channel: ChannelName,
) -> Apel:
    """Record an apel: `strength` has total, present and the absences by reason; each item
    of `equipment` is ``{"item": "r2", "label": "", "ready": 10, "not_ready": 2}``."""
    if not can_deploy(by, unit):
        raise PermissionDenied(_("Anda tidak berwenang mencatat apel untuk satuan ini."))
    apel = Apel(
        operation=operation,
        unit=unit,
        kind=kind,
        held_at=held_at,
        commander=commander,
        note=note,
        created_by=user_of(by),
        **{name: strength.get(name, 0) for name in STRENGTH_FIELDS},
    )
    apel.full_clean(exclude=["created_by"])
    apel.save()
    items = [
        ApelEquipment(
            apel=apel,
            item=item["item"],
            label=item.get("label", ""),
            ready=item.get("ready", 0),
            not_ready=item.get("not_ready", 0),
        )
        for item in equipment
        if item.get("ready", 0) or item.get("not_ready", 0)
    ]
    for item in items:
        item.full_clean(exclude=["apel"], validate_unique=False)
    keys = [(i.item, i.label) for i in items]
    if len(keys) != len(set(keys)):
        raise ValidationError({"equipment": _("Peralatan yang sama disebut dua kali.")})
    ApelEquipment.objects.bulk_create(items)
    record(
        actor=by,
        channel=channel,
        action="apel.record",
        obj=apel,
        changes={
            **{name: getattr(apel, name) for name in STRENGTH_FIELDS},
            "equipment": {
                f"{i.item}{':' + i.label if i.label else ''}": [i.ready, i.not_ready] for i in items
            },
        },
    )
    return apel
