"""Sign-in throttle counted in PostgreSQL: per account + client address, and per address.

- The client address comes from `X-Forwarded-For` only as far as the configured number of
  trusted proxies (`PAMILU_TRUSTED_PROXY_COUNT`, env `TRUSTED_PROXY_COUNT`, default 0: the
  socket's REMOTE_ADDR). A client cannot choose its own address by sending the header.
- Only failures count. An account is slowed at one address (another address, a real user's,
  is not affected); an address that fails for many accounts is slowed for all of them, but a
  NAT whose staff sign in correctly never is. Nothing here needs Redis.
- A refused attempt never reaches the password hasher, so a burst costs one indexed count.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone

from accounts.models import SignInFailure

KEEP_FAILURES = dt.timedelta(days=7)


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or the entry of X-Forwarded-For that the outermost
    trusted proxy wrote (the n-th from the right for n trusted proxies)."""
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104 (a key, not a bind)
    count = settings.PAMILU_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote  # not through all our proxies: the nearest peer is all we know
    return _valid(forwarded[-count]) or remote


def _valid(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()[:64]))
    except ValueError:
        return ""


def normalize_username(raw) -> str:
    return str(raw or "").strip().lower()[:150]


@dataclass(frozen=True)
class Limits:
    per_account_address: int
    per_address: int
    window: dt.timedelta

    @classmethod
    def current(cls) -> Limits:
        return cls(
            per_account_address=settings.PAMILU_SIGNIN_FAILURES_PER_ACCOUNT_ADDRESS,
            per_address=settings.PAMILU_SIGNIN_FAILURES_PER_ADDRESS,
            window=dt.timedelta(seconds=settings.PAMILU_SIGNIN_WINDOW_SECONDS),
        )


def retry_after(*, username: str, address: str) -> int:
    """Seconds to wait before this account may try again from this address (0: go ahead)."""
    limits = Limits.current()
    now = timezone.now()
    counts = SignInFailure.objects.filter(address=address, at__gte=now - limits.window).aggregate(
        pair=Count("id", filter=Q(username=username)),
        pair_oldest=Min("at", filter=Q(username=username)),
        address=Count("id"),
        address_oldest=Min("at"),
    )
    waits = [0.0]
    if counts["pair"] >= limits.per_account_address:
        waits.append((counts["pair_oldest"] + limits.window - now).total_seconds())
    if counts["address"] >= limits.per_address:
        waits.append((counts["address_oldest"] + limits.window - now).total_seconds())
    return max(0, math.ceil(max(waits)))


def failed(*, username: str, address: str, channel: str = "web") -> SignInFailure:
    now = timezone.now()
    SignInFailure.objects.filter(at__lt=now - KEEP_FAILURES).delete()
    return SignInFailure.objects.create(username=username, address=address, channel=channel)


def succeeded(*, username: str, address: str) -> None:
    """A correct password from this address clears this account's failures there."""
    SignInFailure.objects.filter(username=username, address=address).delete()
