"""The audit trail is append-only at the database: UPDATE and DELETE are refused.

The one UPDATE allowed is Django's ON DELETE SET NULL of `actor_id` / `unit_id` when a
user or unit is removed: every other column must stay as it was (the seal covers the
actor's name and the unit's code, not the ids). TRUNCATE is not a row operation: test
flushes (and a deliberate restore) still work; the chain then verifies from scratch.
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_auditentry' THEN
        IF (to_jsonb(NEW) - 'actor_id' - 'unit_id') = (to_jsonb(OLD) - 'actor_id' - 'unit_id')
           AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
           AND (NEW.unit_id IS NULL OR NEW.unit_id = OLD.unit_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;
"""

PG_TRIGGERS = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_block_append_only BEFORE UPDATE OR DELETE ON audit_auditblock
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

PG_DROP = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_block_append_only ON audit_auditblock;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry
       WHEN NOT (NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_name IS OLD.actor_name
                 AND NEW.channel IS OLD.channel AND NEW.action IS OLD.action
                 AND NEW.content_type_id IS OLD.content_type_id
                 AND NEW.object_id IS OLD.object_id AND NEW.object_repr IS OLD.object_repr
                 AND NEW.unit_code IS OLD.unit_code AND NEW.changes IS OLD.changes
                 AND (NEW.actor_id IS NULL OR NEW.actor_id IS OLD.actor_id)
                 AND (NEW.unit_id IS NULL OR NEW.unit_id IS OLD.unit_id))
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
    """CREATE TRIGGER audit_block_no_delete BEFORE DELETE ON audit_auditblock
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
    """CREATE TRIGGER audit_block_no_update BEFORE UPDATE ON audit_auditblock
       BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_block_no_delete;",
    "DROP TRIGGER IF EXISTS audit_block_no_update;",
]


def backfill_unit_codes(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Unit = apps.get_model("operations", "Unit")
    AuditEntry.objects.filter(unit__isnull=False).update(
        unit_code=models_subquery(Unit)
    )


def models_subquery(Unit):
    from django.db.models import OuterRef, Subquery

    return Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("code")[:1])


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        schema_editor.execute(PG_TRIGGERS, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_unit_code_and_seal_blocks"),
        ("operations", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(backfill_unit_codes, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
