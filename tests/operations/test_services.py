"""operations.services check who writes: rights inside the service, by and channel required."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from operations.models import Event, EventKind, Post, PostKind, Unit, UnitKind, Vulnerability
from operations.services import (
    event_create,
    post_create,
    post_delete,
    post_update,
    unit_create,
    unit_update,
)
from pamilu import actors


def _tps(operation, unit, by, code="T-1"):
    return post_create(
        operation=operation,
        unit=unit,
        kind=PostKind.TPS,
        code=code,
        name=f"TPS {code}",
        vulnerability=Vulnerability.RAWAN,
        voters=200,
        by=by,
        channel="api",
    )


def test_post_create_only_for_a_unit_the_user_writes_for(tree, operation, personas):
    for who in (personas.kapolsek_b, personas.reviewer, personas.command_center):
        with pytest.raises(PermissionDenied):
            _tps(operation, tree.sirimau, who)
    assert not Post.objects.exists()
    post = _tps(operation, tree.sirimau, personas.kapolsek_a)
    entry = AuditEntry.objects.get(action="post.create")
    assert (entry.actor, entry.channel) == (personas.kapolsek_a, "api")
    with pytest.raises(PermissionDenied):  # moving it to a unit they may not write for
        post_update(post=post, unit=tree.nusaniwe, by=personas.kapolsek_a, channel="api")
    with pytest.raises(PermissionDenied):
        post_delete(post=post, by=personas.kapolsek_b, channel="api")
    post.refresh_from_db()
    assert post.unit == tree.sirimau


def test_event_create_refuses_outsider(tree, operation, personas):
    with pytest.raises(PermissionDenied):
        event_create(
            operation=operation,
            unit=tree.sirimau,
            kind=EventKind.RALLY,
            name="Kampanye",
            by=personas.outsider,
            channel="api",
        )
    assert not Event.objects.exists()


def test_unit_changes_only_by_an_administrator(tree, personas):
    with pytest.raises(PermissionDenied):
        unit_create(
            code="POLSEK-X",
            name="Polsek X",
            kind=UnitKind.POLSEK,
            parent=tree.ambon,
            by=personas.reviewer,
            channel="admin",
        )
    with pytest.raises(PermissionDenied):
        unit_update(unit=tree.sirimau, name="Lain", by=personas.kapolsek_a, channel="admin")
    assert not Unit.objects.filter(code="POLSEK-X").exists()
    unit = unit_create(
        code="POLSEK-X",
        name="Polsek X",
        kind=UnitKind.POLSEK,
        parent=tree.ambon,
        by=actors.SYSTEM,
        channel="system",
    )
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(unit.pk))
    assert (entry.actor, entry.actor_name) == (None, "sistem")
