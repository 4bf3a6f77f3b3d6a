"""Served configuration (gunicorn reads ./gunicorn.conf.py; README, Operations).

Overload is answered, not queued. gthread workers: each accepts at most `threads`
connections (worker_connections = threads, no keep-alive), so every accepted request
has a thread of its own at once instead of waiting in the thread pool's queue (with
gunicorn's default of 1000 connections per worker, that queue formed before
pamilu.resilience.ConcurrencyLimitMiddleware saw the request: the 42 s refusals of the
first load run). At most MAX_CONCURRENT_REQUESTS of those threads run a view; the spare
ones answer 503 with Retry-After in milliseconds. What waits beyond that waits in the
kernel's accept queue, kept short (`--backlog`), and a request that still runs too long
is cut by the worker timeout.

Environment (defaults in brackets): WEB_BIND [127.0.0.1:8000], WEB_WORKERS [2],
WEB_THREADS [8], WEB_BACKLOG [64], WEB_TIMEOUT [30]; MAX_CONCURRENT_REQUESTS defaults to
half the threads here and must stay below WEB_THREADS.
"""

from __future__ import annotations

import os


def _int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        raise SystemExit(f"{name}: an integer, not {raw!r}") from None
    if value < minimum:
        raise SystemExit(f"{name}: at least {minimum}, not {value}")
    return value


bind = os.environ.get("WEB_BIND", "127.0.0.1:8000")
wsgi_app = "pamilu.wsgi:application"
worker_class = "gthread"
workers = _int("WEB_WORKERS", 2, 1)
threads = _int("WEB_THREADS", 8, 2)
# One connection per thread: none waits in the pool's queue; no idle keep-alive
# connection holds a slot (behind a proxy, keep-alive is the proxy's business).
worker_connections = threads
keepalive = 0
backlog = _int("WEB_BACKLOG", 64, 1)
timeout = _int("WEB_TIMEOUT", 30, 5)
graceful_timeout = timeout

_limit = os.environ.setdefault("MAX_CONCURRENT_REQUESTS", str(max(1, threads // 2)))
if not 0 < _int("MAX_CONCURRENT_REQUESTS", 1, 1) < threads:
    raise SystemExit(
        f"MAX_CONCURRENT_REQUESTS={_limit} must be between 1 and WEB_THREADS-1 ({threads - 1}):"
        " the spare threads are what answers the excess with 503 at once"
    )
