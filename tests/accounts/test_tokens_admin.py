"""Administrators issue, list and revoke API tokens in the admin."""

import datetime as dt
import re

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_issue
from audit.models import AuditEntry


def _expiry(days=30) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S")


def test_admin_issues_token_and_sees_key_once(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": personas.reviewer.pk, "expiry": _expiry()},
        follow=True,
    )
    body = response.content.decode()
    key = re.search(r"tidak ditampilkan lagi\): (\w+)", body).group(1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/units/").status_code == 200
    token = ApiToken.objects.get(user=personas.reviewer)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert token.token_key in listing
    assert key not in listing
    assert AuditEntry.objects.filter(action="token.issue", channel="admin").count() == 1


def test_admin_refuses_expiry_in_the_past(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/apitoken/add/",
        {"user": personas.reviewer.pk, "expiry": "2020-01-01 00:00:00"},
    )
    assert "Masa berlaku harus di masa depan." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_admin_revokes_token_and_it_fails_at_once(client, personas):
    token, key = token_issue(
        user=personas.reviewer,
        expiry=timezone.now() + dt.timedelta(days=5),
        by=personas.admin,
        channel="api",
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/units/").status_code == 200
    client.force_login(personas.admin)
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert not ApiToken.objects.exists()
    assert api.get("/api/v1/units/").status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke", channel="admin").count() == 1


def test_token_admin_closed_to_non_staff(client, personas):
    client.force_login(personas.command_center)
    response = client.get("/admin/accounts/apitoken/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
