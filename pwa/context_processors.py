"""What the offline scripts need to know about the signed-in user, on every page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def _keepalive_url() -> str:
    # accounts' session keep-alive (sessions with an idle lifetime); empty until it exists.
    try:
        return reverse("keepalive")
    except NoReverseMatch:
        return ""


def offline(request) -> dict:
    user = getattr(request, "user", None)
    offset = ""
    if user is not None and user.is_authenticated and user.unit_id:
        raw = dt.datetime.now(user.unit.zone).strftime("%z")  # "+0900"
        offset = f"{raw[:3]}:{raw[3:]}"
    return {
        "pwa": {
            "user": user.pk if user is not None and user.is_authenticated else "",
            "zone_offset": offset,
            "max_bytes": settings.PAMILU_ATTACHMENT_MAX_BYTES,
            "keepalive_url": _keepalive_url(),
        }
    }
