"""The offline queue repeats a step when an answer was lost: submit and attachments
take an Idempotency-Key like create does, so a repeat changes nothing."""

from __future__ import annotations

from io import BytesIO

from PIL import Image

from audit.models import AuditEntry
from reports.models import Attachment, DailyReport
from tests.reports.test_api import _body, token_client

REPORTS = "/api/v1/reports/"


def _jpeg() -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return out.getvalue()


def _photo(content: bytes):
    upload = BytesIO(content)
    upload.name = "foto.jpg"
    return upload


def test_submit_repeated_with_its_key_replays_instead_of_409(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    report = client.post(REPORTS, _body(op), format="json").json()
    first = client.post(f"{REPORTS}{report['id']}/submit/", HTTP_IDEMPOTENCY_KEY="q1:submit")
    again = client.post(f"{REPORTS}{report['id']}/submit/", HTTP_IDEMPOTENCY_KEY="q1:submit")
    other = client.post(f"{REPORTS}{report['id']}/submit/", HTTP_IDEMPOTENCY_KEY="q2:submit")
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["status"] == first.json()["status"] == "submitted"
    assert AuditEntry.objects.filter(action="report.submit").count() == 1


def test_attachment_repeated_with_its_key_stores_one_file(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    report = client.post(REPORTS, _body(op), format="json").json()
    url = f"{REPORTS}{report['id']}/attachments/"
    content = _jpeg()
    first = client.post(
        url, {"file": _photo(content)}, format="multipart", HTTP_IDEMPOTENCY_KEY="q1:attach"
    )
    again = client.post(
        url, {"file": _photo(content)}, format="multipart", HTTP_IDEMPOTENCY_KEY="q1:attach"
    )
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert again.json()["id"] == first.json()["id"]
    assert Attachment.objects.filter(report_id=report["id"]).count() == 1
    assert DailyReport.objects.count() == 1


def test_attachment_refused_then_repeated_with_the_same_key_runs_again(personas, op, frozen):
    client = token_client(personas.kapolsek_a)
    report = client.post(REPORTS, _body(op), format="json").json()
    url = f"{REPORTS}{report['id']}/attachments/"
    bad = BytesIO(b"<html>not a photo</html>")
    bad.name = "foto.jpg"
    refused = client.post(url, {"file": bad}, format="multipart", HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "file"
    good = client.post(url, {"file": _photo(_jpeg())}, format="multipart", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_edit_sent_in_one_patch_repeated_with_its_key_replays_instead_of_409(personas, op, frozen):
    # The offline queue sends an edited draft (or a returned report) in one PATCH with
    # "submit": true; the answer lost and the PATCH repeated, the report is sent once.
    client = token_client(personas.kapolsek_a)
    report = client.post(REPORTS, _body(op), format="json").json()
    url = f"{REPORTS}{report['id']}/"
    body = {"summary": "Diperbaiki di ponsel.", "submit": True}
    first = client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="q1:send")
    again = client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="q1:send")
    other = client.patch(url, body, format="json", HTTP_IDEMPOTENCY_KEY="q2:send")
    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert (first.json()["status"], first.json()["summary"]) == ("submitted", body["summary"])
    assert AuditEntry.objects.filter(action="report.submit").count() == 1
    reused = client.patch(url, {"summary": "Lain."}, format="json", HTTP_IDEMPOTENCY_KEY="q1:send")
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
