import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry, Channel
from reports import services
from reports.models import Attachment
from tests.reports.test_api import token_client
from tests.reports.test_views import _form_data

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"0" * 100
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


def _upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_attachment_png_is_stored_under_a_server_chosen_name(personas, make_report):
    report = make_report(personas.kapolsek_a)
    attachment = services.attachment_add(
        report=report,
        by=personas.kapolsek_a,
        channel=Channel.WEB,
        upload=_upload("../../etc/foto apel.png", PNG, "text/plain"),
    )
    assert re.fullmatch(r"attachments/[0-9a-f]{32}\.png", attachment.file.name)
    assert attachment.content_type == "image/png"  # from the content, not the client's claim
    assert attachment.original_name == "foto apel.png"
    assert attachment.size == len(PNG)
    entry = AuditEntry.objects.get(action="attachment.add")
    assert entry.changes["attachments"][1].startswith("foto apel.png (image/png")


def test_attachment_pdf_is_accepted(personas, make_report):
    report = make_report(personas.kapolsek_a)
    attachment = services.attachment_add(
        report=report, by=personas.kapolsek_a, channel=Channel.WEB, upload=_upload("sprin", PDF)
    )
    assert attachment.file.name.endswith(".pdf")


def test_attachment_html_disguised_as_jpg_is_refused_with_a_clear_error(personas, make_report):
    report = make_report(personas.kapolsek_a)
    with pytest.raises(ValidationError) as info:
        services.attachment_add(
            report=report,
            by=personas.kapolsek_a,
            channel=Channel.WEB,
            upload=_upload("foto.jpg", HTML),
        )
    message = info.value.message_dict["file"][0]
    assert "foto.jpg" in message and "bukan foto (JPEG, PNG, WebP) atau PDF" in message
    assert Attachment.objects.count() == 0


def test_attachment_over_the_configured_size_is_refused_with_a_clear_error(
    personas, make_report, settings
):
    settings.PAMILU_ATTACHMENT_MAX_BYTES = 2048
    report = make_report(personas.kapolsek_a)
    big = PNG + b"\x00" * 3000
    with pytest.raises(ValidationError) as info:
        services.attachment_add(
            report=report,
            by=personas.kapolsek_a,
            channel=Channel.WEB,
            upload=_upload("besar.png", big),
        )
    assert info.value.message_dict["file"] == [
        "Berkas besar.png terlalu besar (3 KB); batasnya 2 KB."
    ]
    assert Attachment.objects.count() == 0


def test_attachment_on_a_submitted_report_is_refused(personas, make_report):
    report = make_report(personas.kapolsek_a, status="submitted")
    with pytest.raises(services.ReportStateError):
        services.attachment_add(
            report=report, by=personas.kapolsek_a, channel=Channel.WEB, upload=_upload("a.png", PNG)
        )


def test_form_shows_the_disguised_file_error_beside_the_field_and_keeps_the_rest(
    client, personas, op, frozen
):
    client.force_login(personas.kapolsek_a)
    data = _form_data(op, attachment=_upload("foto.jpg", HTML))
    response = client.post(reverse("reports:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_attachment_error"' in html
    assert "bukan foto" in html
    assert "Patroli ke gudang logistik KPU." in html
    assert Attachment.objects.count() == 0


def test_form_saves_a_valid_photo_with_the_report(client, personas, op, frozen):
    client.force_login(personas.kapolsek_a)
    client.post(reverse("reports:create"), _form_data(op, attachment=_upload("apel.png", PNG)))
    assert Attachment.objects.get().original_name == "apel.png"


def test_api_upload_refuses_a_disguised_and_an_oversized_file(personas, make_report, settings):
    report = make_report(personas.kapolsek_a)
    client = token_client(personas.kapolsek_a)
    url = f"/api/v1/reports/{report.pk}/attachments/"
    response = client.post(url, {"file": _upload("foto.jpg", HTML)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert "bukan foto" in response.json()["errors"][0]["message"]
    settings.PAMILU_ATTACHMENT_MAX_BYTES = 1024
    response = client.post(url, {"file": _upload("b.png", PNG * 10)}, format="multipart")
    assert response.status_code == 400
    assert "terlalu besar" in response.json()["detail"]
    response = client.post(url, {"file": _upload("a.png", PNG)}, format="multipart")
    assert response.status_code == 201
    assert response.json()["content_type"] == "image/png"


@pytest.fixture
def stored(personas, make_report):
    report = make_report(personas.kapolsek_a)
    return services.attachment_add(
        report=report, by=personas.kapolsek_a, channel=Channel.WEB, upload=_upload("apel.png", PNG)
    )


def test_download_serves_the_file_to_those_who_see_the_report(client, personas, stored):
    for persona in ("kapolsek_a", "reviewer", "command_center"):
        client.force_login(getattr(personas, persona))
        response = client.get(reverse("reports:attachment", args=[stored.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png"
    api = token_client(personas.reviewer)
    response = api.get(f"/api/v1/attachments/{stored.pk}/download/")
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.outsider(
    "reports:attachment",
    "reports:attachment_delete",
    "attachment-list",
    "attachment-detail",
    "attachment-download",
)
@pytest.mark.parametrize("persona", ["kapolsek_b", "outsider", "outsider_operator"])
def test_download_and_delete_are_404_outside_the_scope(client, personas, stored, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    assert client.get(reverse("reports:attachment", args=[stored.pk])).status_code == 404
    assert client.post(reverse("reports:attachment_delete", args=[stored.pk])).status_code == 404
    api = token_client(user)
    assert api.get("/api/v1/attachments/").json()["results"] == []
    assert api.get(f"/api/v1/attachments/{stored.pk}/").status_code == 404
    assert api.get(f"/api/v1/attachments/{stored.pk}/download/").status_code == 404
    assert api.delete(f"/api/v1/attachments/{stored.pk}/").status_code == 404
    assert Attachment.objects.filter(pk=stored.pk).exists()


def test_delete_by_the_operator_is_audited(client, personas, stored):
    client.force_login(personas.kapolsek_a)
    client.post(reverse("reports:attachment_delete", args=[stored.pk]))
    assert not Attachment.objects.exists()
    entry = AuditEntry.objects.get(action="attachment.remove")
    assert entry.changes["attachments"][0].startswith("apel.png")


def test_media_url_does_not_serve_attachments(client, personas, stored):
    client.force_login(personas.kapolsek_a)
    assert client.get(f"/media/{stored.file.name}").status_code == 404
