"""The Redis cache, degraded to a per-process memory cache while Redis is unreachable.

The cache holds nothing anyone's work depends on: API rate-limit counters and the like.
When Redis stops answering, each call goes to a local `LocMemCache` instead (so the API
rate limits become per-process limits) and Redis is tried again after
`RETRY_SECONDS`, so an outage costs one failed connection attempt per few seconds, not
one per call.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
_REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)

# Shared by every thread's cache instance of one process (Django makes one per thread).
_down_until: dict[str, float] = {}
_lock = threading.Lock()


def _method(name: str):
    def call(self, *args, **kwargs):
        if time.monotonic() >= _down_until.get(self._location_key, 0.0):
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except _REDIS_DOWN as exc:
                with _lock:
                    first = _down_until.get(self._location_key, 0.0) == 0.0
                    _down_until[self._location_key] = time.monotonic() + RETRY_SECONDS
                if first:
                    logger.warning("cache: Redis unreachable (%s); using per-process memory", exc)
        return getattr(self._fallback, name)(*args, **kwargs)

    call.__name__ = name
    return call


def redis_is_down(location: str) -> bool:
    return time.monotonic() < _down_until.get(location, 0.0)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._location_key = server if isinstance(server, str) else ",".join(server)
        fallback_params = {k: v for k, v in params.items() if k != "OPTIONS"}
        self._fallback = LocMemCache(f"pamilu-fallback:{self._location_key}", fallback_params)

    def mark_up(self) -> None:
        """Forget a past failure (tests, and /health/ after a successful ping)."""
        with _lock:
            _down_until.pop(self._location_key, None)


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(ResilientRedisCache, _name, _method(_name))
