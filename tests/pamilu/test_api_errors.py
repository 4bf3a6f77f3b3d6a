"""One error format across the API, also for URLs that match no route."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework.throttling import UserRateThrottle

from pamilu.api.csvfile import CsvFileError
from pamilu.api.errors import exception_handler
from pamilu.errors import NeedsConfirmation, StateError
from reports.rules import SendWarning


def test_unknown_api_url_answers_in_the_error_format(api, personas):
    response = api("reviewer").get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "not_found",
        "detail": "Tidak ditemukan.",
        "errors": [],
    }


def test_unknown_page_outside_the_api_stays_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_validation_errors_list_each_field_and_reason(api, personas, tree):
    response = api("kapolsek_a").post("/api/v1/personnel/", {"name": ""})
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"], body["detail"]) == (400, "invalid", "Data tidak valid.")
    assert sorted(e["field"] for e in body["errors"]) == ["name", "rank", "unit"]
    assert all(e["message"] and e["code"] for e in body["errors"])


def test_user_throttle_answers_429_with_retry_after(api, personas, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "1/hour"})
    monkeypatch.setattr(
        UserRateThrottle, "cache_format", f"throttle-test-{uuid.uuid4().hex}-%(scope)s-%(ident)s"
    )
    client = api("reviewer")
    client.get("/api/v1/units/")
    response = client.get("/api/v1/units/")
    assert response.status_code == 429
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert response.json()["code"] == "throttled"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (StateError("Laporan sudah dikirim."), 409, "conflict"),
        (DjangoValidationError({"nrp": ["NRP harus 8 angka."]}), 400, "invalid"),
        (DjangoPermissionDenied("Bukan pemeriksa satuan ini."), 403, "permission_denied"),
        (IntegrityError("duplicate key"), 400, "invalid"),
        (CsvFileError("Kolom wajib tidak ada: dpt", line=1, field="dpt"), 400, "invalid"),
        (NeedsConfirmation([SendWarning("low", "personnel_on_duty", "Sedikit.")]), 422, None),
        (Http404("Tidak ditemukan."), 404, "not_found"),
    ],
)
def test_every_service_error_has_one_answer(error, status, code):
    response = exception_handler(error, {})
    body = response.data
    assert (response.status_code, body["status"]) == (status, status)
    assert body["code"] == (code or "confirm_warnings")
    assert body["detail"] and isinstance(body["errors"], list)


def test_state_error_keeps_the_services_reason_and_confirmations_their_codes():
    conflict = exception_handler(StateError("Laporan sudah dikirim."), {}).data
    assert (conflict["detail"], conflict["errors"]) == ("Laporan sudah dikirim.", [])
    denied = exception_handler(DjangoPermissionDenied("Bukan pemeriksa."), {}).data
    assert denied["detail"] == "Bukan pemeriksa."
    csv = exception_handler(CsvFileError("Kolom wajib tidak ada: dpt", line=1, field="dpt"), {})
    assert csv.data["errors"] == [
        {"field": "dpt", "code": "invalid", "message": "Baris 1: Kolom wajib tidak ada: dpt"}
    ]
    warning = SendWarning("low", "personnel_on_duty", "Sedikit.")
    body = exception_handler(NeedsConfirmation([warning]), {}).data
    assert body["warnings"] == [warning.as_dict()]
    assert body["errors"] == [{"field": "personnel_on_duty", "code": "low", "message": "Sedikit."}]


def test_form_bodies_are_refused_except_by_uploads(api, personas, tree):
    client = api("kapolsek_a")
    form = client.post("/api/v1/personnel/", {"name": "Budi"}, format="multipart")
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")
    encoded = client.generic(
        "POST", "/api/v1/personnel/", "name=Budi", "application/x-www-form-urlencoded"
    )
    assert encoded.status_code == 415
    upload = client.generic(
        "POST", "/api/v1/personnel/import/", "only_valid=true", "application/x-www-form-urlencoded"
    )
    assert (upload.status_code, upload.json()["code"]) == (415, "unsupported_media_type")
