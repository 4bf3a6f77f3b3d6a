"""API test helpers: a client per persona, authenticated the way REST clients are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_issue


def token_client(user) -> APIClient:
    """An APIClient sending `Authorization: Token <key>` for `user`."""
    _token, key = token_issue(
        user=user, expiry=timezone.now() + dt.timedelta(days=30), by=user, channel="system"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(personas):
    """api("kapolsek_a") → an APIClient logged in (token) as that persona."""
    cache: dict[str, APIClient] = {}

    def client_for(name: str) -> APIClient:
        if name not in cache:
            cache[name] = token_client(getattr(personas, name))
        return cache[name]

    return client_for
