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


def _zone_offset(user) -> str:
    if user is None or not user.is_authenticated or not user.unit_id:
        return ""
    raw = dt.datetime.now(user.unit.zone).strftime("%z")  # "+0900"
    return f"{raw[:3]}:{raw[3:]}"


def offline(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "pwa": {
            "user": user.pk if user is not None and user.is_authenticated else "",
            # Called by the template only where it is shown (base.html): partials rendered
            # with this context pay no query for the user's unit.
            "zone_offset": lambda: _zone_offset(user),
            "max_bytes": settings.PAMILU_ATTACHMENT_MAX_BYTES,
            "keepalive_url": _keepalive_url(),
        }
    }
