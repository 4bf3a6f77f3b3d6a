"""A real Celery worker (subprocess) against the test Redis and the test database."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from pamilu.celery import app as celery_app
from summaries import periods
from summaries.models import PeriodKind, Summary
from tests import builders

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs REDIS_URL (scripts/test starts a throwaway Redis)",
    ),
]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the worker subprocess needs a database server (PostgreSQL), not SQLite")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def worker(transactional_db, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pamilu.settings_test",
        "DATABASE_URL": _database_url(),
        "PYTHONUNBUFFERED": "1",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pamilu",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-mingle",
                "--without-gossip",
                "--hostname",
                f"pamilu-test-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()


def test_real_worker_builds_the_scheduled_summary(worker, tree, personas):
    now = timezone.now()
    local_today = now.astimezone(tree.ambon.zone).date()
    operation = builders.operation(
        tree.mabes,
        start_date=local_today - dt.timedelta(days=10),
        end_date=local_today + dt.timedelta(days=10),
    )
    day = periods.closed_day(operation, tree.ambon.time_zone, now)
    builders.report(
        operation,
        tree.sirimau,
        day,
        by=personas.admin,
        personnel_on_duty=12,
        activities=[{"kind": "patroli", "count": 3, "personnel": 8}],
    )
    builders.report(operation, tree.ambon, day, by=personas.admin, personnel_on_duty=20)
    # What beat does: send the stored periodic task (restored from code) by name.
    call_command("setup_schedules", stdout=open(os.devnull, "w"))  # noqa: SIM115
    schedule = PeriodicTask.objects.get(name="rekap-harian-wit")
    celery_app.send_task(schedule.task, kwargs=json.loads(schedule.kwargs))

    deadline = time.monotonic() + 90
    summary = None
    while time.monotonic() < deadline:
        summary = Summary.objects.filter(
            operation=operation,
            unit=tree.ambon,
            period_kind=PeriodKind.DAILY,
            period_start=day,
        ).first()
        if summary is not None:
            break
        time.sleep(0.5)
    assert summary is not None, worker.read_text()[-4000:]
    assert summary.content["totals"]["personnel"] == 32
    assert summary.content["totals"]["activities"] == 3
    reporting = summary.content["reporting"]
    assert (reporting["expected"], reporting["reported"]) == (3, 2)
    assert [u["code"] for u in reporting["missing_units"]] == ["POLSEK-NUSANIWE"]
    log = worker.read_text()
    assert "summaries.build_due" in log
    assert "summaries.build_for_day" in log
