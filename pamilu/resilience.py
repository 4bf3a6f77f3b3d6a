"""Degraded modes: a clear answer instead of a 500 or a queue of seconds.

- `DatabaseUnavailableMiddleware`: PostgreSQL unreachable → 503 with Retry-After, in the
  API's JSON error format on /api/ paths and a short Indonesian page elsewhere. The
  answer is rendered without touching the database (no context processors, no session,
  no user). Django opens a new connection on the next request, so recovery needs no
  restart.
- `ConcurrencyLimitMiddleware`: at most PAMILU_MAX_CONCURRENT_REQUESTS requests run the
  view at once in one process; the next ones get 503 with Retry-After at once. It can
  only refuse what reaches it: the served configuration (gunicorn.conf.py: gthread,
  one connection per thread, more threads than the limit, a short backlog) gives every
  accepted request a thread at once, so the spare threads answer the excess in
  milliseconds instead of letting it queue in the worker (README, Operations).
"""

from __future__ import annotations

import logging
import sys
import threading

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.defaults import server_error

logger = logging.getLogger(__name__)

# SQLSTATEs that mean "no server to talk to": connection exceptions (class 08) and the
# server shutting down or starting up (57P01..57P03).
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03")


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` says the database cannot be reached (not a bad query or a lock)."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    state = getattr(cause, "sqlstate", None)
    if state is None:
        # psycopg sets no SQLSTATE when it never reached a server (refused, reset,
        # timeout); SQLite's OperationalError (locked, unreadable file) has none either.
        return True
    return state.startswith(_UNAVAILABLE_STATES)


def retry_after_seconds() -> int:
    return settings.PAMILU_RETRY_AFTER_SECONDS


def unavailable_response(request, *, code: str, detail: str, template: str) -> HttpResponse:
    wait = retry_after_seconds()
    if request.path.startswith("/api/"):
        body = {"status": 503, "code": code, "detail": detail, "errors": []}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        # No request in the context: context processors (notices, user) query the database.
        html = loader.get_template(template).render({"retry_after": wait})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(wait)
    response["Cache-Control"] = "no-store"
    return response


def database_unavailable(request) -> HttpResponse:
    return unavailable_response(
        request,
        code="database_unavailable",
        detail="Basis data sedang tidak dapat dihubungi. Coba lagi sebentar lagi.",
        template="errors/503_database.html",
    )


def _mark_connections_broken() -> None:
    """Close the failed connections so the next request opens fresh ones."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


class DatabaseUnavailableMiddleware:
    """Answer 503 when the database cannot be reached, before and during the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Placed after WhiteNoise: static files never get here.
        conn = connections["default"]
        try:
            if conn.connection is not None and not conn.is_usable():
                # A kept connection whose server went away (CONN_MAX_AGE > 0, tests): open
                # a new one now rather than fail in a middleware below. is_usable() runs
                # on the driver's cursor, so it is no query of Django's (query counts).
                conn.close()
            conn.ensure_connection()
        except (OperationalError, InterfaceError) as exc:
            if not is_database_unavailable(exc):
                raise
            logger.error("database unavailable: %s", exc)
            _mark_connections_broken()
            if request.path == "/health/":
                from pamilu.health import health  # noqa: PLC0415 - cycle: pamilu.health imports this module

                return health(request)  # each dependency's state, in its own format
            return database_unavailable(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            logger.error("database became unavailable during %s: %s", request.path, exception)
            _mark_connections_broken()
            return database_unavailable(request)
        return None


def handler500(request):
    """The 500 handler: a database outage raised outside a view is a 503 too."""
    exc = sys.exc_info()[1]
    if is_database_unavailable(exc):
        _mark_connections_broken()
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        body = {"status": 500, "code": "server_error", "detail": "Kesalahan server.", "errors": []}
        return JsonResponse(body, status=500)

    return server_error(request)


class ConcurrencyLimitMiddleware:
    """Refuse, at once, the requests beyond what this process should run at the same time."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.PAMILU_MAX_CONCURRENT_REQUESTS
        self.slots = threading.BoundedSemaphore(self.limit) if self.limit else None

    def __call__(self, request):
        if self.slots is None:
            return self.get_response(request)
        if not self.slots.acquire(blocking=False):
            logger.warning("busy: refused %s %s", request.method, request.path)
            response = unavailable_response(
                request,
                code="busy",
                detail="Server sedang sibuk. Coba lagi sebentar lagi.",
                template="errors/503_busy.html",
            )
            # One log line per refusal (the warning above), not a second ERROR from
            # django.request: under overload the refusals must stay cheap.
            response._has_been_logged = True
            return response
        try:
            return self.get_response(request)
        finally:
            self.slots.release()
