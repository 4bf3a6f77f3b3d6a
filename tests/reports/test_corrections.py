"""Admin deletes of a sent report's records are audited corrections, never hard deletes.

Fault (issue 14, 4): the admin deleted incidents and attachments of an accepted report
with no audit entry; the file stayed on disk and the summaries kept counting the incident.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from audit.models import AuditEntry
from pamilu import actors
from reports import corrections
from reports.models import Attachment, Correction, Incident, ReportStatus
from summaries import services as summary_services
from summaries.models import Summary
from tests.builders import report

D = dt.date(2024, 2, 6)


def _accepted_with_incident(operation, tree, personas):
    r = report(
        operation,
        tree.sirimau,
        D,
        by=personas.admin,
        status=ReportStatus.ACCEPTED,
        personnel_on_duty=5,
        incidents=[{"category": "kejahatan", "severity": "kuning", "deaths": 1}],
    )
    summary_services.build_for_day(
        operation=operation, unit=tree.sirimau, day=D, by=actors.TASKS, channel="system"
    )
    return r


def test_admin_delete_of_an_incident_is_an_audited_correction(
    client, personas, operation, tree, django_capture_on_commit_callbacks
):
    r = _accepted_with_incident(operation, tree, personas)
    incident = r.incidents.get()
    daily = Summary.objects.get(unit=tree.sirimau, period_kind="daily", period_start=D)
    assert not daily.is_stale
    assert (daily.content["totals"]["incidents"], daily.content["totals"]["deaths"]) == (1, 1)
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/admin/reports/incident/{incident.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()
    correction = Correction.objects.get(kind="incident", original_id=incident.pk)
    assert correction.data["deaths"] == 1
    assert correction.data["category"] == "kejahatan"
    assert (correction.report_id, correction.removed_by) == (r.pk, personas.admin)
    assert correction.removed_by_name == "admin"
    entry = AuditEntry.objects.get(action="incident.correct")
    assert (entry.actor_name, entry.channel, entry.unit_code) == (
        "admin",
        "admin",
        "POLSEK-SIRIMAU",
    )
    assert entry.changes["incidents"][0]["deaths"] == 1
    daily.refresh_from_db()
    assert daily.is_stale  # the rebuild (on commit, or beat) stops counting it
    summary_services.rebuild_stale(by=actors.TASKS, channel="system")
    daily.refresh_from_db()
    assert not daily.is_stale
    assert (daily.content["totals"]["incidents"], daily.content["totals"]["deaths"]) == (0, 0)


def test_admin_delete_of_an_attachment_keeps_the_file_under_retention(
    client, personas, operation, tree, settings
):
    settings.PAMILU_CORRECTION_RETENTION_DAYS = 30
    r = _accepted_with_incident(operation, tree, personas)
    attachment = Attachment(
        report=r,
        original_name="foto.jpg",
        content_type="image/jpeg",
        size=4,
        uploaded_by=personas.admin,
    )
    attachment.file.save("upload.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=True)
    name = attachment.file.name
    client.force_login(personas.admin)
    response = client.post(f"/admin/reports/attachment/{attachment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    correction = Correction.objects.get(kind="attachment", original_id=attachment.pk)
    assert correction.file.name == name
    assert correction.file.storage.exists(name)  # kept
    assert AuditEntry.objects.filter(action="attachment.correct", actor_name="admin").count() == 1

    # Within retention nothing is purged; after it, the file goes (audited).
    assert corrections.purge_expired_correction_files(by=actors.TASKS, channel="system") == 0
    assert correction.file.storage.exists(name)
    later = correction.retain_until + dt.timedelta(days=1)
    assert (
        corrections.purge_expired_correction_files(today=later, by=actors.TASKS, channel="system")
        == 1
    )
    correction.refresh_from_db()
    assert correction.file_purged_at is not None
    assert AuditEntry.objects.filter(action="correction.purge_file").count() == 1


def test_bulk_admin_delete_corrects_each(client, personas, operation, tree):
    r = _accepted_with_incident(operation, tree, personas)
    second = Incident.objects.create(
        report=r,
        operation=operation,
        unit=tree.sirimau,
        category="kejahatan",
        occurred_at=r.submitted_at,
        place="Pasar",
        description="x",
    )
    client.force_login(personas.admin)
    ids = list(r.incidents.values_list("pk", flat=True))
    response = client.post(
        "/admin/reports/incident/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert sorted(Correction.objects.values_list("original_id", flat=True)) == sorted(ids)
    assert second.pk in ids
    assert AuditEntry.objects.filter(action="incident.correct").count() == 2


def test_a_system_actor_corrects_an_incident_away_named_as_in_the_audit(personas, operation, tree):
    r = _accepted_with_incident(operation, tree, personas)
    incident = r.incidents.get()
    correction = corrections.incident_correct_away(
        incident=incident, by=actors.SYSTEM, channel="system", reason="Data ganda"
    )
    correction.refresh_from_db()
    assert (correction.removed_by, correction.removed_by_name, correction.reason) == (
        None,
        "sistem",
        "Data ganda",
    )
    assert not Incident.objects.filter(pk=incident.pk).exists()
    entry = AuditEntry.objects.get(action="incident.correct")
    assert (entry.actor, entry.actor_name, entry.channel) == (None, "sistem", "system")
