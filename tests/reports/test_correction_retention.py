"""The correction retention purge runs in beat, and running it twice purges once.

Fault (issue 14): `purge_expired_correction_files` existed but no beat schedule called
it, so files of corrected attachments were kept for good.
"""

from __future__ import annotations

import datetime as dt
import json
import os

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from audit.models import AuditEntry
from pamilu import actors
from pamilu.celery import app
from reports import corrections
from reports.models import Attachment, Correction, ReportStatus
from tests.builders import report

D = dt.date(2024, 2, 6)


def test_the_beat_schedules_contain_the_retention_purge(db):
    call_command("setup_schedules", stdout=open(os.devnull, "w"))  # noqa: SIM115
    periodic = PeriodicTask.objects.get(task="reports.purge_correction_files")
    assert periodic.enabled
    assert (periodic.interval.every, periodic.interval.period) == (60, "minutes")
    assert json.loads(periodic.kwargs) == {}
    # beat can only send what the worker knows by that name: import the task modules as
    # the worker does at start (autodiscovery of each app's tasks.py)
    app.loader.import_default_modules()
    assert "reports.purge_correction_files" in app.tasks


def _corrected_attachment(operation, tree, personas, client) -> Correction:
    r = report(
        operation,
        tree.sirimau,
        D,
        by=personas.admin,
        status=ReportStatus.ACCEPTED,
        personnel_on_duty=5,
    )
    attachment = Attachment(
        report=r,
        original_name="foto.jpg",
        content_type="image/jpeg",
        size=4,
        uploaded_by=personas.admin,
    )
    attachment.file.save("upload.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    client.force_login(personas.admin)
    response = client.post(f"/admin/reports/attachment/{attachment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    return Correction.objects.get(kind="attachment", original_id=attachment.pk)


def _run_task() -> int:
    """As the worker runs what beat sends: by the task's name."""
    app.loader.import_default_modules()
    return app.tasks["reports.purge_correction_files"].apply().get()


def test_running_the_purge_task_twice_purges_once(
    client, personas, operation, tree, settings, django_capture_on_commit_callbacks
):
    settings.PAMILU_CORRECTION_RETENTION_DAYS = 1
    correction = _corrected_attachment(operation, tree, personas, client)
    name = correction.file.name
    storage = correction.file.storage
    assert storage.exists(name)
    assert _run_task() == 0  # within retention
    assert storage.exists(name)

    Correction.objects.filter(pk=correction.pk).update(
        retain_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_task() == 1
    assert not storage.exists(name)
    correction.refresh_from_db()
    purged_at = correction.file_purged_at
    assert purged_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert _run_task() == 0  # the second run finds nothing
    correction.refresh_from_db()
    assert correction.file_purged_at == purged_at
    assert AuditEntry.objects.filter(action="correction.purge_file").count() == 1


def test_a_run_that_read_the_row_before_another_purged_it_does_nothing(
    client, personas, operation, tree, monkeypatch
):
    """Two runs at once (beat and a manual one): the second read the due rows before the
    first committed; its conditional claim finds the row taken and skips it."""
    correction = _corrected_attachment(operation, tree, personas, client)
    Correction.objects.filter(pk=correction.pk).update(
        retain_until=timezone.localdate() - dt.timedelta(days=1)
    )
    stale = list(Correction.objects.filter(pk=correction.pk).select_related("report"))
    assert corrections.purge_expired_correction_files(by=actors.TASKS, channel="system") == 1

    class StaleRows:
        """What the late run read: the rows as they were before the first run."""

        def exclude(self, **kwargs):
            return self

        def select_related(self, *args):
            return stale

    real_filter = Correction.objects.filter

    def filter_(*args, **kwargs):
        if "retain_until__lt" in kwargs:
            return StaleRows()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Correction.objects, "filter", filter_)
    assert corrections.purge_expired_correction_files(by=actors.TASKS, channel="system") == 0
    assert AuditEntry.objects.filter(action="correction.purge_file").count() == 1
