"""A REST client obtains a token for its own user (failure 8), lists and revokes its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, SignInFailure
from audit.models import AuditEntry


def _expiry(days=30) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def _obtain(client, username="kapolsek.sirimau", password="pw", **extra):
    body = {"username": username, "password": password, "name": "HP dinas", "expiry": _expiry()}
    body.update(extra)
    return client.post("/api/v1/auth/token/", body, format="json")


@pytest.mark.outsider("auth-token")
def test_user_obtains_a_named_token_for_their_device(personas):
    response = _obtain(APIClient())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "HP dinas"
    assert len(body["token"]) == 64
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/v1/reports/").status_code == 200
    token = ApiToken.objects.get(digest=body["id"])
    assert token.user == personas.kapolsek_a
    entry = AuditEntry.objects.get(action="token.issue")
    assert body["token"] not in str(entry.changes)


def test_obtain_token_wrong_password_and_unknown_user_look_the_same(personas):
    wrong = _obtain(APIClient(), password="x")
    unknown = _obtain(APIClient(), username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert SignInFailure.objects.filter(channel="api").count() == 2


def test_obtain_token_is_under_the_signin_throttle(personas):
    client = APIClient(REMOTE_ADDR="198.51.100.80")
    statuses = [_obtain(client, password="x").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = _obtain(client)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_obtain_token_validates_expiry_and_name(personas):
    response = _obtain(APIClient(), expiry=_expiry(400), name="")
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name"}
    response = _obtain(APIClient(), expiry=_expiry(400))
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["expiry"]


@pytest.mark.outsider("own-token-list", "own-token-detail")
def test_own_tokens_listed_and_revoked_only_by_their_user(api, personas):
    mine = api("kapolsek_a")
    created = mine.post(
        "/api/v1/me/tokens/", {"name": "Tablet", "expiry": _expiry()}, format="json"
    ).json()
    names = sorted(t["name"] for t in mine.get("/api/v1/me/tokens/").json()["results"])
    assert "Tablet" in names
    other = api("outsider")
    assert all(t["name"] != "Tablet" for t in other.get("/api/v1/me/tokens/").json()["results"])
    assert other.delete(f"/api/v1/me/tokens/{created['id']}/").status_code == 404
    assert mine.delete(f"/api/v1/me/tokens/{created['id']}/").status_code == 204
    assert not ApiToken.objects.filter(digest=created["id"]).exists()


def test_administrators_keep_their_token_endpoint(api, personas):
    response = api("admin").post(
        "/api/v1/tokens/", {"user": personas.kapolsek_b.pk, "expiry": _expiry()}, format="json"
    )
    assert response.status_code == 201
