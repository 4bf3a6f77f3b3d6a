"""Request types for the type checker (Django itself builds plain HttpRequests)."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request past `login_required`: its user is signed in (a User, never anonymous).
    For annotations only: a view behind `login_required` takes `request: AuthenticatedRequest`."""

    user: User
