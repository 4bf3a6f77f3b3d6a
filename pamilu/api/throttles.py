"""Throttles: the login page and token endpoints get their own, stricter rates."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle


class TokenRateThrottle(ScopedRateThrottle):
    """Rate of the "token" scope for views that set `throttle_scope = "token"`."""


class LoginRateThrottle(SimpleRateThrottle):
    """Login attempts per account and client address (works on a plain Django request too).

    Keyed on both, so guessing one account's password is slowed down while a command
    center whose staff share one NAT address can still all sign in at shift change.
    """

    scope = "login"

    def get_cache_key(self, request, view):
        username = (request.POST.get("username") or "").strip().lower()[:150]
        ident = f"{self.get_ident(request)}:{username}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
