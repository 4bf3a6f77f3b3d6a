"""Throttles: token endpoints get their own, stricter rate. (Sign-in attempts are counted
in PostgreSQL by accounts.signin, not here.)"""

from __future__ import annotations

from rest_framework.throttling import ScopedRateThrottle


class TokenRateThrottle(ScopedRateThrottle):
    """Rate of the "token" scope for views that set `throttle_scope = "token"`."""
