import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from audit.models import AuditEntry
from pamilu.api.throttles import TokenRateThrottle


def _issue(api, user, days=30):
    expiry = (timezone.now() + dt.timedelta(days=days)).isoformat()
    return api("admin").post("/api/v1/tokens/", {"user": user.pk, "expiry": expiry})


def _fresh_cache_key() -> str:
    """Throttle counters of this test only (the cache may be a Redis shared by workers)."""
    return f"throttle-test-{uuid.uuid4().hex}-%(scope)s-%(ident)s"


def _with_key(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_issue_by_administrator_gives_a_working_key(api, personas, tree):
    response = _issue(api, personas.kapolsek_a)
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "kapolsek.sirimau"
    assert body["token"].startswith(body["token_key"])
    units = _with_key(body["token"]).get("/api/v1/units/").json()
    assert [u["code"] for u in units["results"]] == ["POLSEK-SIRIMAU"]
    entry = AuditEntry.objects.filter(action="token.issue").order_by("-id").first()
    assert (entry.actor, entry.channel, entry.changes["token_key"]) == (
        personas.admin,
        "api",
        body["token_key"],
    )


def test_token_list_never_shows_the_key(api, personas):
    key = _issue(api, personas.kapolsek_a).json()["token"]
    listing = api("admin").get("/api/v1/tokens/", {"user": personas.kapolsek_a.pk}).json()
    assert [t["username"] for t in listing["results"]] == ["kapolsek.sirimau"]
    assert "token" not in listing["results"][0]
    assert key not in str(listing)


def test_token_revoked_gets_401_at_once(api, personas):
    body = _issue(api, personas.kapolsek_a).json()
    client = _with_key(body["token"])
    assert client.get("/api/v1/units/").status_code == 200
    assert api("admin").delete(f"/api/v1/tokens/{body['id']}/").status_code == 204
    response = client.get("/api/v1/units/")
    assert response.status_code == 401
    assert (response.json()["status"], response.json()["code"]) == (401, "authentication_failed")
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1


def test_token_expired_gets_401(api, personas):
    key = _issue(api, personas.kapolsek_a, days=1).json()["token"]
    client = _with_key(key)
    assert client.get("/api/v1/units/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        response = client.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["status"] == 401
    assert not ApiToken.objects.filter(token_key=key[:15]).exists()


def test_token_expiry_required_in_future_and_within_a_year(api, personas):
    client = api("admin")
    missing = client.post("/api/v1/tokens/", {"user": personas.kapolsek_a.pk})
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["expiry"]
    past = client.post(
        "/api/v1/tokens/",
        {"user": personas.kapolsek_a.pk, "expiry": "2020-01-01T00:00:00Z"},
    )
    assert past.status_code == 400
    assert past.json()["errors"][0]["field"] == "expiry"
    too_long = _issue(api, personas.kapolsek_a, days=400)
    assert too_long.json()["errors"][0]["message"] == "Masa berlaku paling lama satu tahun."


@pytest.mark.outsider("token-list", "token-detail")
@pytest.mark.parametrize(
    "persona", ["kapolsek_a", "reviewer", "command_center", "outsider", "national"]
)
def test_token_endpoints_refused_to_non_administrators(api, personas, persona):
    body = _issue(api, personas.kapolsek_a).json()
    client = api(persona)
    assert client.get("/api/v1/tokens/").status_code == 403
    assert client.get(f"/api/v1/tokens/{body['id']}/").status_code == 403
    assert client.delete(f"/api/v1/tokens/{body['id']}/").status_code == 403
    created = client.post(
        "/api/v1/tokens/",
        {"user": getattr(personas, persona).pk, "expiry": "2099-01-01T00:00:00Z"},
    )
    assert created.status_code == 403
    assert ApiToken.objects.filter(user=personas.kapolsek_a).count() == 1 + (
        persona == "kapolsek_a"
    )


def test_token_anonymous_gets_401_with_error_format(client, db):
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_token_endpoint_throttled_with_retry_after(api, personas, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/min", "user": "99/min"})
    monkeypatch.setattr(TokenRateThrottle, "cache_format", _fresh_cache_key())
    client = api("admin")
    statuses = [client.get("/api/v1/tokens/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/tokens/")
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["status"] == 429
