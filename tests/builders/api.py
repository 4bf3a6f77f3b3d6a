"""API clients authenticated the way REST clients are (a token)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_issue


def token_client(user, *, days: int = 300) -> APIClient:
    """An APIClient sending `Authorization: Token <key>` for `user`. Valid for `days` from
    now (the clock may be frozen in the past: 300 days outlive any test's travel)."""
    _token, key = token_issue(
        user=user, expiry=timezone.now() + dt.timedelta(days=days), by=user, channel="system"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
