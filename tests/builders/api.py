"""API clients authenticated the way REST clients are (a token)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
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


def csv_file(text: str | bytes, name: str = "data.csv") -> SimpleUploadedFile:
    raw = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def upload_csv(client, url: str, text: str | bytes, **data):
    """POST `text` as the multipart `file` of an import endpoint, with the other fields."""
    return client.post(url, {"file": csv_file(text), **data}, format="multipart")
