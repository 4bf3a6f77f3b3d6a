"""The audit trail as evidence: no secrets, append-only at the database, sealed and signed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from accounts.models import User
from audit import sealing
from audit.models import AuditBlock, AuditEntry
from audit.receivers import OUT_OF_SCOPE_PER_HOUR
from audit.services import record
from pamilu import actors
from tests import builders
from tests.builders import report, token_client

LATER = timezone.now() + dt.timedelta(days=1)


def test_admin_user_creation_writes_no_password_hash(client, personas, tree):
    """Fault (issue 14, 3): the admin's user-create entry held the password hash."""
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "kapolsek.baru",
            "password1": "Rahasia-Sekali-2024",
            "password2": "Rahasia-Sekali-2024",
            "usable_password": "true",
            "full_name": "Kapolsek Baru",
            "unit": tree.labuan.pk,
            "role": "operator",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="kapolsek.baru")
    entry = AuditEntry.objects.get(action="user.create")
    text = json.dumps(entry.changes)
    assert user.password not in text
    assert user.password.split("$")[-1] not in text
    assert entry.changes["password"] == "[disembunyikan]"
    assert entry.changes["username"] == "kapolsek.baru"
    assert entry.unit_code == "POLSEK-LABUAN"


def test_record_scrubs_secret_fields_nested(personas):
    entry = record(
        actor=personas.admin,
        channel="system",
        action="test.secret",
        obj=personas.reviewer,
        changes={
            "password": ["pbkdf2$old", "pbkdf2$new"],
            "token": {"digest": "abc", "token_key": "public-prefix"},
            "session_key": "s3cr3t",
            "role": ["operator", "reviewer"],
        },
    )
    assert entry.changes == {
        "password": ["[disembunyikan]", "[disembunyikan]"],
        "token": "[disembunyikan]",
        "session_key": "[disembunyikan]",
        "role": ["operator", "reviewer"],
    }


def _an_entry(personas) -> AuditEntry:
    return record(actor=personas.admin, channel="system", action="test.x", obj=personas.reviewer)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_database_refuses_update_and_delete_of_entries(personas):
    entry = _an_entry(personas)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_database_lets_a_deleted_actor_become_null_and_nothing_else(personas, tree):
    temp = builders.user("operator", tree.labuan, "sementara")
    entry = record(actor=temp, channel="system", action="test.y", obj=tree.labuan, unit=tree.labuan)
    temp.delete()  # ON DELETE SET NULL: the one UPDATE allowed
    entry.refresh_from_db()
    assert (entry.actor_id, entry.actor_name, entry.unit_code) == (
        None,
        "sementara",
        "POLSEK-LABUAN",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_database_refuses_update_and_delete_of_blocks(personas):
    _an_entry(personas)
    block = sealing.seal_pending(now=LATER)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditBlock.objects.filter(pk=block.pk).update(hash="0" * 64)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditBlock.objects.filter(pk=block.pk).delete()


def test_seal_chains_blocks_and_verify_holds(personas):
    first = [_an_entry(personas) for _ in range(3)]
    b1 = sealing.seal_pending(now=LATER)
    assert sealing.seal_pending(now=LATER) is None  # nothing new
    second = [_an_entry(personas) for _ in range(2)]
    b2 = sealing.seal_pending(now=LATER)
    assert (b1.number, b1.previous_hash, b1.last_entry_id) == (1, sealing.GENESIS, first[-1].pk)
    assert (b2.number, b2.previous_hash, b2.last_entry_id) == (2, b1.hash, second[-1].pk)
    assert [pk for pk, _d in b2.entry_digests] == [e.pk for e in second]
    verdict = sealing.verify()
    assert (verdict.ok, verdict.blocks) == (True, 2)
    assert verdict.sealed_entries == AuditEntry.objects.filter(pk__lte=b2.last_entry_id).count()


def test_recent_entries_wait_for_the_margin(personas, settings):
    settings.PAMILU_AUDIT_SEAL_MARGIN_SECONDS = 60
    _an_entry(personas)
    assert sealing.seal_pending() is None  # its transaction might still be open
    assert sealing.seal_pending(now=LATER) is not None


def test_verify_with_another_key_fails(personas):
    _an_entry(personas)
    sealing.seal_pending(now=LATER)
    verdict = sealing.verify(key="not-the-key")
    assert not verdict.ok
    assert verdict.problem == "tanda tangan blok #1 tidak sah"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_verify_command_names_the_first_edited_entry(personas, capsys):
    entries = [_an_entry(personas) for _ in range(4)]
    sealing.seal_all(now=LATER)
    call_command("audit_verify")
    assert capsys.readouterr().out.startswith("OK: 1 blocks")
    victim = entries[1]
    # Someone with database rights switches the trigger off and edits an entry.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(
            "UPDATE audit_auditentry SET actor_name = 'orang lain' WHERE id IN (%s, %s)",
            [victim.pk, entries[3].pk],
        )
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    with pytest.raises(CommandError) as error:
        call_command("audit_verify")
    assert str(error.value) == f"BROKEN in block 1 (entry {victim.pk}): catatan #{victim.pk} diubah"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_verify_notices_a_deleted_entry(personas):
    entries = [_an_entry(personas) for _ in range(3)]
    sealing.seal_all(now=LATER)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before ALTER
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[0].pk])
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
    verdict = sealing.verify()
    assert (verdict.ok, verdict.broken_entry_id) == (False, entries[0].pk)
    assert verdict.problem == f"catatan #{entries[0].pk} hilang"


def test_out_of_scope_access_is_recorded_and_capped(personas, operation, tree):
    other = report(operation, tree.nusaniwe, dt.date(2024, 2, 6), by=personas.admin)
    api = token_client(personas.kapolsek_a)
    for _ in range(OUT_OF_SCOPE_PER_HOUR + 5):
        assert api.get(f"/api/v1/reports/{other.pk}/").status_code == 404
    entries = AuditEntry.objects.filter(action="access.out_of_scope")
    assert entries.count() == OUT_OF_SCOPE_PER_HOUR
    entry = entries.order_by("pk").first()
    assert (entry.actor_name, entry.channel, entry.object_id, entry.unit_code) == (
        "kapolsek.sirimau",
        "api",
        str(other.pk),
        "POLSEK-NUSANIWE",
    )
    # A record that does not exist at all is no evidence of anything: not recorded.
    assert api.get("/api/v1/reports/999999/").status_code == 404
    assert AuditEntry.objects.filter(action="access.out_of_scope").count() == OUT_OF_SCOPE_PER_HOUR


def test_admin_action_of_an_unaudited_admin_is_recorded(client, personas):
    client.force_login(personas.admin)
    # Django's own group admin (ranks, the example before, now go through services)
    response = client.post("/admin/auth/group/add/", {"name": "Piket Uji"})
    assert response.status_code == 302, response.content.decode()[:1000]
    entry = AuditEntry.objects.get(action="group.admin_add")
    assert (entry.actor_name, entry.channel, entry.object_repr) == ("admin", "admin", "Piket Uji")


def test_entry_names_a_system_actor_and_refuses_none(tree):
    entry = record(actor=actors.TASKS, channel="system", action="test.sys", obj=tree.labuan)
    assert (entry.actor, entry.actor_name) == (None, "sistem:tugas-latar")
    with pytest.raises(TypeError):
        record(actor=None, channel="system", action="test.none", obj=tree.labuan)
    assert not AuditEntry.objects.filter(action="test.none").exists()
