"""Saturated workers: requests beyond the per-process limit get 503 + Retry-After at once."""

from __future__ import annotations

import json
import threading
import time

from django.http import HttpResponse
from django.test import RequestFactory

from pamilu.resilience import ConcurrencyLimitMiddleware


def test_requests_beyond_the_limit_are_refused_at_once(settings):
    settings.PAMILU_MAX_CONCURRENT_REQUESTS = 2
    settings.PAMILU_RETRY_AFTER_SECONDS = 7
    release = threading.Event()
    running = threading.Semaphore(0)

    def slow_view(request):
        running.release()
        release.wait(10)
        return HttpResponse("ok")

    middleware = ConcurrencyLimitMiddleware(slow_view)
    factory = RequestFactory()
    answers = []
    workers = [
        threading.Thread(target=lambda: answers.append(middleware(factory.get("/dashboard/"))))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    assert running.acquire(timeout=5) and running.acquire(timeout=5)  # both slots taken

    started = time.monotonic()
    refused_page = middleware(factory.get("/dashboard/"))
    refused_api = middleware(factory.get("/api/v1/reports/"))
    elapsed = time.monotonic() - started

    assert elapsed < 5  # refused, not queued behind the slow requests (they hold 10 s)
    assert refused_page.status_code == 503
    assert refused_page["Retry-After"] == "7"
    assert "Server sedang sibuk" in refused_page.content.decode()
    assert refused_api.status_code == 503
    assert json.loads(refused_api.content) == {
        "status": 503,
        "code": "busy",
        "detail": "Server sedang sibuk. Coba lagi sebentar lagi.",
        "errors": [],
    }
    release.set()
    for worker in workers:
        worker.join(5)
    assert [a.status_code for a in answers] == [200, 200]
    # The slots are free again.
    release.set()
    assert middleware(factory.get("/dashboard/")).status_code == 200


def test_no_limit_by_default(settings):
    settings.PAMILU_MAX_CONCURRENT_REQUESTS = 0
    middleware = ConcurrencyLimitMiddleware(lambda request: HttpResponse("ok"))
    assert middleware(RequestFactory().get("/")).status_code == 200
