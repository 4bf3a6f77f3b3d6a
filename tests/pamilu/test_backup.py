"""Backup and restore (scripts/backup, scripts/restore) into a fresh database and media
folder: every report, attachment file and audit entry is back, the audit chain verifies."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from audit import sealing
from audit.models import AuditEntry
from audit.services import record
from reports.models import Attachment, DailyReport
from tests.builders import report
from tests.servers import pg_tool, run

ROOT = Path(__file__).resolve().parents[2]


def _url(name: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT']}/{name}"


@pytest.fixture
def fresh_database():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (scripts/test)")
    name = f"restore_{os.getpid()}"
    s = connection.settings_dict
    args = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"]), "-U", s["USER"] or "postgres"]
    run([pg_tool("createdb"), *args, name])
    yield name
    run([pg_tool("dropdb"), *args, "--if-exists", name])


def test_backup_restores_reports_files_and_a_verifying_audit_chain(
    transactional_db, personas, operation, tree, tmp_path, fresh_database
):
    reports = [
        report(operation, unit, dt.date(2024, 2, 6), by=personas.admin)
        for unit in (tree.sirimau, tree.nusaniwe, tree.labuan)
    ]
    for r in reports:
        record(actor=personas.admin, channel="system", action="report.submit", obj=r)
        attachment = Attachment(
            report=r,
            original_name=f"foto-{r.pk}.jpg",
            content_type="image/jpeg",
            size=6,
            uploaded_by=personas.admin,
        )
        attachment.file.save("upload.jpg", ContentFile(b"\xff\xd8\xff" + bytes([r.pk % 256]) * 3))
    sealing.seal_all(now=timezone.now() + dt.timedelta(days=1))
    sealed = AuditEntry.objects.count()
    record(actor=personas.admin, channel="system", action="after.seal", obj=reports[0])
    expected_reports = sorted(DailyReport.objects.values_list("pk", flat=True))
    expected_entries = sorted(AuditEntry.objects.values_list("pk", flat=True))
    files = {a.file.name: a.file.read() for a in Attachment.objects.all()}
    assert len(files) == 3

    env = {
        **os.environ,
        "DATABASE_URL": _url(connection.settings_dict["NAME"]),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    made = run(
        [str(ROOT / "scripts/backup"), str(tmp_path / "backups")], env=env, capture_output=True
    )
    backup = Path(made.stdout.decode().strip())
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar"]

    restored_media = tmp_path / "restored-media"
    restored = run(
        [str(ROOT / "scripts/restore"), str(backup)],
        env={
            **env,
            "DATABASE_URL": _url(fresh_database),
            "MEDIA_ROOT": str(restored_media),
            "DJANGO_SETTINGS_MODULE": "pamilu.settings_test",
        },
        capture_output=True,
    )
    out = restored.stdout.decode()
    assert f"OK: 1 blocks, {sealed} entries sealed, 1 not sealed yet" in out, out

    with psycopg.connect(_url(fresh_database)) as conn:
        got_reports = [r[0] for r in conn.execute("SELECT id FROM reports_dailyreport ORDER BY id")]
        got_entries = [r[0] for r in conn.execute("SELECT id FROM audit_auditentry ORDER BY id")]
        got_files = [r[0] for r in conn.execute("SELECT file FROM reports_attachment")]
    assert got_reports == expected_reports
    assert got_entries == expected_entries
    assert sorted(got_files) == sorted(files)
    for name, content in files.items():
        assert (restored_media / name).read_bytes() == content
