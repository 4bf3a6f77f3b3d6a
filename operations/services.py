"""Every write to the unit tree and operations goes through here (one transaction each)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal

from audit.services import delete_audited, diff, record, save_audited, snapshot
from operations import counts, tree
from operations.counts import Key
from operations.models import (
    PATH_SEPARATOR,
    Event,
    Operation,
    Post,
    SecurityPattern,
    Unit,
    UnitKind,
    check_parent_kind,
)
from pamilu.actors import Actor, ChannelName
from pamilu.scoping import check_manage_unit, check_write_for_unit

# Sent inside the transaction of a unit move (or code change) once every path under
# `new_path` is rewritten, so higher rooms can follow (reports.facts: the reports' sort
# key) without operations importing them.
unit_subtree_moved = Signal()
# A post's TPS count key changed or it was deleted (post_id, before, after: counts keys).
post_tps_changed = Signal()


def unit_path(*, code: str, parent: Unit | None) -> str:
    return (parent.path if parent else "") + code + PATH_SEPARATOR


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None,
    time_zone: str = "",
    subtype: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    is_active: bool = True,
    by: Actor,
    channel: ChannelName,
) -> Unit:
    """Create a unit under `parent`. Its time zone defaults to the parent's (its Polda's)."""
    check_manage_unit(by, parent)
    check_parent_kind(kind=kind, parent=parent)
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        subtype=subtype,
        parent=parent,
        path=unit_path(code=code, parent=parent),
        depth=parent.depth + 1 if parent else 0,
        time_zone=time_zone or (parent.time_zone if parent else ""),
        latitude=latitude,
        longitude=longitude,
        is_active=is_active,
    )
    unit.full_clean()
    unit.save()
    record(actor=by, channel=channel, action="unit.create", obj=unit, unit=unit)
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, by: Actor, channel: ChannelName, **fields: Any) -> Unit:
    """Change a unit; a new code or parent rewrites the paths of its whole subtree in SQL."""
    # The stored row, locked: a concurrent move of the same unit waits, and the old path
    # is the committed one (a stale instance would leave its subtree behind).
    stored = Unit.objects.select_for_update().get(pk=unit.pk)
    check_manage_unit(by, stored)
    before = snapshot(stored)
    old_path = stored.path
    if fields.get("parent") is not None:
        fields["parent"] = Unit.objects.select_for_update().get(pk=fields["parent"].pk)
    if "parent" in fields:
        check_manage_unit(by, fields["parent"])
    for key, value in fields.items():
        setattr(unit, key, value)
    if "parent" not in fields and unit.parent_id:
        unit.parent = Unit.objects.get(pk=unit.parent_id)
    check_parent_kind(kind=unit.kind, parent=unit.parent)
    if unit.parent and unit.parent.path.startswith(old_path):
        raise ValidationError({"parent": "Satuan tidak dapat dipindah ke bawah dirinya sendiri."})
    new_path = unit_path(code=unit.code, parent=unit.parent)
    unit.depth = unit.parent.depth + 1 if unit.parent else 0
    unit.path = new_path
    unit.full_clean()
    unit.save()
    if new_path != old_path:
        _rewrite_subtree_paths(old_path, new_path, depth_shift=unit.depth - before["depth"])
    record(
        actor=by,
        channel=channel,
        action="unit.update",
        obj=unit,
        changes=diff(before, snapshot(unit)),
    )
    return unit


@transaction.atomic
def unit_delete(*, unit: Unit, by: Actor, channel: ChannelName) -> None:
    """Delete a unit nothing refers to (the database protects one in use)."""
    check_manage_unit(by, unit)
    delete_audited(unit, by=by, channel=channel, action="unit.delete", unit=unit.parent)


def _rewrite_subtree_paths(old: str, new: str, *, depth_shift: int) -> None:
    Unit.objects.filter(tree.subtree_q(old)).exclude(path=new).update(
        path=Concat(Value(new), Substr("path", len(old) + 1)),
        depth=F("depth") + depth_shift,
    )
    counts.subtree_moved(new_path=new)
    unit_subtree_moved.send(sender=Unit, old_path=old, new_path=new)


def is_leaf_kind(kind: str) -> bool:
    return kind == UnitKind.POLSEK


# --- Posts and events (written by the API; bulk TPS imports are in operations.imports) ---

POST_FIELDS = [
    "kind",
    "code",
    "name",
    "village",
    "subdistrict",
    "district",
    "address",
    "voters",
    "vulnerability",
    "is_noken",
    "linmas",
    "round_the_clock",
    "guards_required",
    "latitude",
    "longitude",
]
EVENT_FIELDS = [
    "kind",
    "name",
    "place",
    "starts_at",
    "ends_at",
    "expected_crowd",
    "risk",
    "personnel_required",
    "latitude",
    "longitude",
]


@transaction.atomic
def post_create(
    *, operation: Operation, unit: Unit, by: Actor, channel: ChannelName, **fields: Any
) -> Post:
    check_write_for_unit(by, unit)
    post = Post(operation=operation, unit=unit, **fields)
    post = save_audited(post, by=by, channel=channel, action="post.create")
    counts.post_changed(before=None, after=counts.key_of(post))
    return post


def _locked_key(post: Post) -> Key | None:
    """The post's count key as committed, read under its row lock."""
    locked = (
        Post.objects.select_for_update()
        .only("operation_id", "unit_id", "kind", "vulnerability")
        .filter(pk=post.pk)
        .first()
    )
    if locked is None:  # deleted meanwhile: saving would insert it again
        raise ValidationError({"post": "Pos ini sudah dihapus."}, code="gone")
    return counts.key_of(locked)


@transaction.atomic
def post_update(*, post: Post, by: Actor, channel: ChannelName, **fields: Any) -> Post:
    check_write_for_unit(by, post.unit)
    if "unit" in fields:  # before anything changes, the caller's instance included
        check_write_for_unit(by, fields["unit"])
    before = _locked_key(post)
    for key, value in fields.items():
        setattr(post, key, value)
    post = save_audited(post, by=by, channel=channel, action="post.update")
    counts.post_changed(before=before, after=counts.key_of(post))
    post_tps_changed.send(
        sender=type(post), post_id=post.pk, before=before, after=counts.key_of(post)
    )
    return post


@transaction.atomic
def post_delete(*, post: Post, by: Actor, channel: ChannelName) -> None:
    check_write_for_unit(by, post.unit)
    try:
        before = _locked_key(post)
    except ValidationError:
        return  # already deleted
    post_id = post.pk
    delete_audited(post, by=by, channel=channel, action="post.delete")
    counts.post_changed(before=before, after=None)
    post_tps_changed.send(sender=type(post), post_id=post_id, before=before, after=None)


@transaction.atomic
def event_create(
    *, operation: Operation, unit: Unit, by: Actor, channel: ChannelName, **fields: Any
) -> Event:
    check_write_for_unit(by, unit)
    event = Event(operation=operation, unit=unit, **fields)
    return save_audited(event, by=by, channel=channel, action="event.create")


@transaction.atomic
def event_update(*, event: Event, by: Actor, channel: ChannelName, **fields: Any) -> Event:
    check_write_for_unit(by, event.unit)
    if "unit" in fields:
        check_write_for_unit(by, fields["unit"])
    for key, value in fields.items():
        setattr(event, key, value)
    return save_audited(event, by=by, channel=channel, action="event.update")


@transaction.atomic
def event_delete(*, event: Event, by: Actor, channel: ChannelName) -> None:
    check_write_for_unit(by, event.unit)
    delete_audited(event, by=by, channel=channel, action="event.delete")


# --- security patterns (the TPS guard requirement of an operation) ---------------------


@transaction.atomic
def security_pattern_save(
    *, pattern: SecurityPattern, by: Actor, channel: ChannelName
) -> SecurityPattern:
    """Create or change a pattern; the requirement counts of the operations it was and is
    part of are recomputed (their TPS writes wait meanwhile)."""
    check_write_for_unit(by, pattern.unit or pattern.operation.unit)
    old = SecurityPattern.objects.filter(pk=pattern.pk).values_list("operation_id", flat=True)
    affected = sorted({pattern.operation_id, *(old if pattern.pk else [])})
    for operation_id in affected:
        counts.lock_for_pattern_change(operation_id)
    pattern = save_audited(
        pattern,
        by=by,
        channel=channel,
        action="securitypattern.update" if pattern.pk else "securitypattern.create",
    )
    for operation_id in affected:
        counts.pattern_changed(operation_id)
    return pattern


@transaction.atomic
def security_pattern_delete(*, pattern: SecurityPattern, by: Actor, channel: ChannelName) -> None:
    check_write_for_unit(by, pattern.unit or pattern.operation.unit)
    counts.lock_for_pattern_change(pattern.operation_id)
    delete_audited(
        pattern, by=by, channel=channel, action="securitypattern.delete", unit=pattern.unit
    )
    counts.pattern_changed(pattern.operation_id)
