"""One error format across the API, also for URLs that match no route."""

import uuid

from rest_framework.throttling import UserRateThrottle


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
