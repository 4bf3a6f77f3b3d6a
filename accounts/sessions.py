"""Session lifetimes: an idle limit and an absolute one; a read-only display session.

- A normal session ends after `PAMILU_SESSION_IDLE_MINUTES` without activity (default 30)
  and `PAMILU_SESSION_MAX_HOURS` after sign-in whatever happens (default 12).
- Activity is any request but an htmx GET (the dashboard's polls must not keep an unattended
  screen signed in); `POST /accounts/keepalive/` is activity (a report's autosave calls it).
- A display session ("mode layar", command center only) has no idle limit, lasts
  `PAMILU_DISPLAY_SESSION_HOURS` (default 24) and may only read: any other method than
  GET/HEAD/OPTIONS is refused with 403, except signing out and choosing the language.
- The time of the last activity is written at most once a minute (one session save).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseForbidden
from django.urls import reverse
from django.utils.translation import gettext as _

STARTED = "pamilu_started"
SEEN = "pamilu_seen"
DISPLAY = "pamilu_display"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SEEN_RESOLUTION = 60  # seconds


def begin(request, *, display: bool = False) -> None:
    """Call right after login(): stamp the new session (its key is already new)."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    if display:
        request.session[DISPLAY] = True
        request.session.set_expiry(settings.PAMILU_DISPLAY_SESSION_HOURS * 3600)
    else:
        request.session.set_expiry(settings.PAMILU_SESSION_MAX_HOURS * 3600)


def stamp_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        begin(request)


def touch(request) -> None:
    request.session[SEEN] = int(time.time())


def is_display(request) -> bool:
    return bool(request.session.get(DISPLAY))


def expired(session, now: float) -> bool:
    started = session[STARTED]
    if session.get(DISPLAY):
        return now - started > settings.PAMILU_DISPLAY_SESSION_HOURS * 3600
    if now - started > settings.PAMILU_SESSION_MAX_HOURS * 3600:
        return True
    return now - session.get(SEEN, started) > settings.PAMILU_SESSION_IDLE_MINUTES * 60


def _is_poll(request) -> bool:
    """An htmx GET (the dashboard's periodic refresh) is not the user's activity."""
    return request.method == "GET" and bool(request.headers.get("HX-Request"))


class SessionLifetimeMiddleware:
    """After AuthenticationMiddleware: ends an expired session (the request then goes on as
    anonymous: pages redirect to the login, the API answers 401) and keeps displays read-only."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._writable_paths: set[str] | None = None

    def writable_paths(self) -> set[str]:
        if self._writable_paths is None:
            self._writable_paths = {reverse("logout"), reverse("set_language")}
        return self._writable_paths

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and "_auth_user_id" in session:
            now = time.time()
            if STARTED not in session:  # signed in by other means (force_login, older code)
                begin(request)
            elif expired(session, now):
                logout(request)
            elif session.get(DISPLAY):
                if request.method not in SAFE_METHODS and request.path not in self.writable_paths():
                    return HttpResponseForbidden(_("Sesi layar hanya dapat membaca."))
            elif not _is_poll(request) and now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
                touch(request)
        return self.get_response(request)
