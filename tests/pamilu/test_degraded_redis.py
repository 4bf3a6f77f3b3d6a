"""Redis stopped (a real redis-server this test started and stops): nothing a user does fails.

Fault: the cache (API rate limits) and the Celery broker point at a throwaway
redis-server; the test terminates it. Seen before the fix: `GET /api/v1/reports/` and
`POST /api/v1/reports/{id}/submit/` answered 500 (the rate limiter's cache raised
ConnectionError) and /health/ said ok.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from rest_framework.throttling import UserRateThrottle

from accounts.models import Role
from pamilu import actors
from pamilu.celery import app as celery_app
from reports.models import DailyReport, ReportActivity, ReportStatus
from summaries import services as summary_services
from summaries import tasks as summary_tasks
from summaries.content import build_content
from summaries.models import Summary
from tests import builders
from tests.builders import token_client
from tests.builders.summaries import D, make_scenario
from tests.servers import RedisServer

UNITS = [
    "mabes",
    "maluku",
    "ambon",
    "sirimau",
    "nusaniwe",
    "sulsel",
    "sinjai",
    "sinjai_utara",
    "banten",
    "pandeglang",
    "labuan",
]


def _reset_celery_pools():
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_server(settings):
    """The cache and the broker on a redis-server of this test's own."""
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("runs with REDIS_URL set (scripts/test)")
    server = RedisServer().start()
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": server.url}}
    settings.REDIS_URL = server.url
    old_broker = celery_app.conf.broker_url
    celery_app.conf.broker_url = server.url
    _reset_celery_pools()
    yield server
    celery_app.conf.broker_url = old_broker
    _reset_celery_pools()
    server.close()


def _at_d_morning():
    # D 10:00 WITA: Sinjai Utara's report is on time.
    return time_machine.travel(dt.datetime(2024, 2, 6, 2, 0, tzinfo=dt.UTC), tick=False)


def test_api_reads_and_submits_with_redis_stopped(
    redis_server, tree, operation, personas, django_capture_on_commit_callbacks, caplog
):
    scenario = make_scenario(tree, operation, personas)
    for name in UNITS:
        summary_services.build_for_day(
            operation=operation, unit=getattr(tree, name), day=D, by=actors.TASKS, channel="system"
        )
    kapolsek = builders.user(Role.OPERATOR, tree.sinjai_utara, "kapolsek.sinjaiutara")
    client = token_client(kapolsek)
    draft = scenario.sinjai_utara
    # A draft that meets the sending rules (reports.rules): an activity and a summary.
    ReportActivity.objects.create(report=draft, kind="patroli", count=1, personnel=4)
    DailyReport.objects.filter(pk=draft.pk).update(summary="Patroli wilayah Sinjai Utara.")

    assert client.get("/api/v1/reports/").status_code == 200  # Redis up
    # (Stopped outside the frozen clock: waiting for the process needs a running one.)
    redis_server.stop()
    with _at_d_morning():
        listed = client.get("/api/v1/reports/")
        assert listed.status_code == 200
        assert [r["id"] for r in listed.json()["results"]] == [draft.pk]

        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            sent = client.post(f"/api/v1/reports/{draft.pk}/submit/")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == ReportStatus.SUBMITTED
    assert DailyReport.objects.get(pk=draft.pk).status == ReportStatus.SUBMITTED
    # The enqueue failed, was swallowed and logged; the marks stay in the database.
    assert any("could not queue rebuild" in r.getMessage() for r in caplog.records)
    stale_codes = sorted(
        s.unit.code
        for s in Summary.objects.select_related("unit")
        if s.is_stale and s.period_kind == "daily"
    )
    assert stale_codes == ["MABES", "POLDA-SULSEL", "POLRES-SINJAI", "POLSEK-SINJAI-UTARA"]
    stale_count = sum(1 for s in Summary.objects.all() if s.is_stale)

    # Redis is back: beat's rebuild_stale picks the marks up; the summaries then equal a
    # clean build of the same reports.
    redis_server.start()
    rebuilt = summary_tasks.rebuild_stale.apply().get()
    assert rebuilt == stale_count
    for summary in Summary.objects.select_related("operation", "unit", "phase"):
        assert not summary.is_stale
        period = summary_services.period_of(summary)
        clean = build_content(operation=summary.operation, unit=summary.unit, period=period)
        assert summary.content == clean, summary.unit.code
    sinjai_utara = Summary.objects.get(period_kind="daily", period_start=D, unit=tree.sinjai_utara)
    assert sinjai_utara.content != {}


def test_api_rate_limit_is_per_process_while_redis_is_stopped(redis_server, personas, monkeypatch):
    monkeypatch.setitem(UserRateThrottle.THROTTLE_RATES, "user", "3/min")
    client = token_client(personas.kapolsek_a)
    redis_server.stop()
    answers = [client.get("/api/v1/reports/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["status"] == 429


def test_health_reports_redis_down_as_degraded(redis_server, db, client):
    healthy = client.get("/health/").json()
    assert healthy["checks"]["redis"] == {
        "ok": True,
        "configured": True,
        "ms": healthy["checks"]["redis"]["ms"],
    }
    redis_server.stop()
    response = client.get("/health/")
    assert response.status_code == 200  # Redis down is a degraded mode, not an outage
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["redis"] == {"ok": False, "configured": True}
    assert body["checks"]["database"]["ok"] is True
