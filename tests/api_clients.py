"""API clients for tests, authenticated the way REST clients are (with a token).

The `api` fixture (tests/conftest.py) gives one per persona."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_issue


def token_client(user) -> APIClient:
    """An APIClient sending `Authorization: Token <key>` for `user`."""
    _token, key = token_issue(
        user=user, expiry=timezone.now() + dt.timedelta(days=300), by=user, channel="system"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client
