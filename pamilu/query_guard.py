"""Hostile query parameters get a 400 before any view sees them.

A NUL byte cannot be stored or compared by PostgreSQL (psycopg raises DataError: a 500), so
a query string carrying one, in a name or a value, is refused here for every page and
endpoint: a 400 naming the parameter (in the API's error format under /api/).
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def hostile_parameter(query) -> str | None:
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "\\0")
    return None


class QueryGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = hostile_parameter(request.GET)
        if name is not None:
            message = _("Parameter %(name)s berisi karakter NUL.") % {"name": name}
            if request.path.startswith("/api/"):
                error = {"field": name, "code": "invalid", "message": message}
                body = {"status": 400, "code": "invalid", "detail": message, "errors": [error]}
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
