"""Throttles: the login page and token endpoints get their own, stricter rates."""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle


class TokenRateThrottle(ScopedRateThrottle):
    """Rate of the "token" scope for views that set `throttle_scope = "token"`."""


class LoginRateThrottle(SimpleRateThrottle):
    """Login attempts per client address (works on a plain Django request too)."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
