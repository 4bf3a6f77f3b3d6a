"""/health/: each dependency's state, and 503 when the one that matters is down.

The database matters: without it nothing works, so a load balancer should stop sending
this instance traffic. Redis, beat and stale summaries are reported but answer 200
("degraded"): without them pamilu still accepts every report and sign-in (rate limits go
per-process, rebuilds wait in the database), and pulling every instance out of the
pool because a shared Redis is down would turn a degraded service into an outage.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import F, Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_celery_beat.models import PeriodicTask

from pamilu.resilience import retry_after_seconds
from summaries.models import Summary


def _database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return {"ok": False}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}

    started = time.monotonic()
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return {"ok": False, "configured": True}
    finally:
        client.close()
    return {"ok": True, "configured": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def _beat(now) -> dict:
    last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    max_age = settings.PAMILU_HEALTH_BEAT_MAX_AGE_SECONDS
    ok = last is not None and (now - last).total_seconds() <= max_age
    return {"ok": ok, "last_run_at": last.isoformat() if last else None, "max_age_s": max_age}


def _stale_summaries(now) -> dict:
    # Served by summary_stale_idx; the oldest build among stale rows is how long the
    # oldest stale summary has waited at most.
    oldest = (
        Summary.objects.filter(stale_marks__gt=F("built_marks"))
        .order_by("built_at")
        .values_list("built_at", flat=True)
        .first()
    )
    return {
        "ok": True,
        "oldest_stale_built_at": oldest.isoformat() if oldest else None,
        "oldest_stale_age_s": round((now - oldest).total_seconds()) if oldest else None,
    }


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Public: each dependency's state. 503 (with Retry-After) when the database is down."""
    now = timezone.now()
    checks = {"database": _database(), "redis": _redis()}
    if checks["database"]["ok"]:
        checks["beat"] = _beat(now)
        checks["stale_summaries"] = _stale_summaries(now)
    if not checks["database"]["ok"]:
        status, code = "down", 503
    elif all(check["ok"] for check in checks.values()):
        status, code = "ok", 200
    else:
        status, code = "degraded", 200
    response = JsonResponse({"status": status, "checks": checks}, status=code)
    if code == 503:
        response["Retry-After"] = str(retry_after_seconds())
    return response
