"""A real Celery worker killed in the middle of a summary build (issue 5, "Reliable").

The worker runs through tests/summaries/killable_worker.py: the first one pauses every
build inside its transaction, after the summary row and its audit entry are written.
The test SIGKILLs it there, checks PostgreSQL threw the half-written summary away, and
checks the task is delivered again: first by the same worker (acks late, rejected on
worker loss: the parent requeues what its dead child was doing), then, after killing
the whole worker, by a fresh worker once Redis's visibility timeout (a few seconds in
this test) hands the unacknowledged message over.

Isolation: its own Redis database and queue, so the other real-worker test (which may
run at the same time under xdist) neither takes these messages nor sees them restored.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from kombu import Connection, Exchange, Queue

from audit.models import AuditEntry
from pamilu import actors
from pamilu.celery import app as celery_app
from summaries import periods, services
from summaries.content import build_content
from summaries.models import PeriodKind, Summary
from tests import builders
from tests.builders.summaries import D

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 3  # seconds, the fresh worker only (settings keep an hour)
WAIT = 45  # seconds, upper bound of every wait below

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


def _own_redis_url() -> str:
    """REDIS_URL with another database number, used by this test alone."""
    parts = urlsplit(os.environ["REDIS_URL"])
    other = "14" if parts.path.strip("/") == "15" else "15"
    return urlunsplit(parts._replace(path=f"/{other}"))


def _wait(what: str, check, *, timeout: float = WAIT, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    tail = f"\n--- {log.name} ---\n{log.read_text()[-4000:]}" if log else ""
    pytest.fail(f"waited {timeout:.0f} s for {what}{tail}")


class Worker:
    """One worker (prefork, concurrency 1) in its own process group."""

    def __init__(self, name: str, tmp_path: Path, env: dict, queue: str) -> None:
        self.log = tmp_path / f"{name}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "tests.summaries.killable_worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--queues",
                    queue,
                    "--hostname",
                    f"{name}-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: parent and child die together
            )

    def text(self) -> str:
        return self.log.read_text()

    def wait_for(self, line: str) -> None:
        def seen():
            if self.process.poll() is not None:
                pytest.fail(f"{self.log.name}: the worker exited\n{self.text()[-4000:]}")
            return line in self.text()

        _wait(f"{line!r} in {self.log.name}", seen, log=self.log)

    def kill(self) -> None:
        """SIGKILL the whole worker (parent and children), as a lost machine would."""
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)


def _paused(folder: Path, *, not_pid: int | None = None, log: Path) -> dict:
    """The marker of a build paused in its transaction (by a process other than not_pid)."""

    def find():
        for path in sorted(folder.glob("paused-*.json")):
            marker = json.loads(path.read_text())
            if marker["pid"] != not_pid:
                return marker
        return None

    return _wait("a summary build paused inside its transaction", find, log=log)


def _unacked(redis_url: str) -> list[str]:
    """The messages Redis holds as delivered but not acknowledged (kombu's 'unacked')."""
    with Connection(redis_url) as broker:
        return [v.decode() for v in broker.default_channel.client.hvals("unacked")]


def _backend_gone(backend_pid: int) -> None:
    """Wait until PostgreSQL has ended the killed worker's session (and its transaction)."""

    def gone():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            return cursor.fetchone()[0] == 0

    _wait(f"PostgreSQL to end backend {backend_pid} of the killed worker", gone)


def test_worker_killed_mid_build_leaves_previous_version_and_task_is_delivered_again(
    transactional_db, tree, operation, personas, tmp_path
):
    database_url = _database_url()
    by = personas.admin
    builders.report(
        operation,
        tree.sirimau,
        D,
        by=by,
        personnel_on_duty=12,
        activities=[{"kind": "patroli", "count": 3, "personnel": 8}],
    )
    builders.report(operation, tree.ambon, D, by=by, personnel_on_duty=20)
    services.build_for_day(
        operation=operation, unit=tree.ambon, day=D, by=actors.TASKS, channel="system"
    )
    key = {
        "operation": operation,
        "unit": tree.ambon,
        "period_kind": PeriodKind.DAILY,
        "period_start": D,
    }
    previous = Summary.objects.get(**key)
    assert previous.content["totals"]["personnel"] == 32
    # A report arriving after the build: the rebuild the worker is killed in changes it.
    builders.report(
        operation,
        tree.nusaniwe,
        D,
        by=by,
        personnel_on_duty=8,
        activities=[{"kind": "sambang", "count": 2, "personnel": 4}],
    )
    expected = build_content(
        operation=operation, unit=tree.ambon, period=periods.daily(operation, D)
    )
    assert expected["totals"]["personnel"] == 12 + 20 + 8
    assert expected["totals"]["activities"] == 3 + 2
    assert expected != previous.content

    def assert_previous_version():
        rows = list(Summary.objects.filter(**key))
        assert len(rows) == 1
        assert rows[0].content == previous.content
        assert rows[0].built_at == previous.built_at
        assert not AuditEntry.objects.filter(action="summary.rebuild").exists()

    queue = f"pamilu-kill-test-{uuid.uuid4().hex[:8]}"
    redis_url = _own_redis_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pamilu.settings_test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    pause_dir = tmp_path / "paused"
    pause_dir.mkdir()
    workers: list[Worker] = []
    try:
        first = Worker("killed", tmp_path, {**env, "PAMILU_TEST_PAUSE_DIR": str(pause_dir)}, queue)
        workers.append(first)
        first.wait_for("ready.")
        with Connection(redis_url) as broker:
            Queue(queue, Exchange(queue, "direct"), routing_key=queue)(broker).declare()
            task_id = celery_app.send_task(
                "summaries.build_for_day",
                args=[operation.pk, tree.ambon.pk, D.isoformat()],
                queue=queue,
                connection=broker,
            ).id

        # 1. The child doing the work dies: its transaction goes, the parent requeues.
        paused = _paused(pause_dir, log=first.log)
        assert paused["task_id"] == task_id
        assert paused["action"] == "summary.rebuild"
        os.kill(paused["pid"], signal.SIGKILL)
        _backend_gone(paused["backend_pid"])
        assert_previous_version()
        again = _paused(pause_dir, not_pid=paused["pid"], log=first.log)
        assert again["task_id"] == task_id  # the same task, delivered again
        assert "WorkerLostError" in first.text()

        # 2. The whole worker dies (no parent left to requeue): the message stays unacked.
        first.kill()
        _backend_gone(again["backend_pid"])
        assert_previous_version()
        (unacked,) = _unacked(redis_url)  # acks late: received twice, acknowledged never
        assert task_id in unacked

        # 3. A fresh worker gets it once the visibility timeout has passed, and finishes.
        second = Worker(
            "fresh",
            tmp_path,
            {**env, "PAMILU_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)},
            queue,
        )
        workers.append(second)
        second.wait_for(f"Task summaries.build_for_day[{task_id}] succeeded")
    finally:
        for worker in workers:
            worker.kill()
        connection.close()

    rows = list(Summary.objects.filter(**key))
    assert len(rows) == 1
    assert rows[0].pk == previous.pk
    assert rows[0].content == expected
    assert rows[0].content["totals"]["personnel"] == 40
    assert rows[0].content["totals"]["activities"] == 5
    assert rows[0].built_at > previous.built_at
    # Week and phase to date were built by the same task: one row each, up to date too.
    for kind in (PeriodKind.WEEKLY, PeriodKind.PHASE):
        (summary,) = Summary.objects.filter(operation=operation, unit=tree.ambon, period_kind=kind)
        assert summary.content["totals"]["personnel"] == 40
    assert AuditEntry.objects.filter(action="summary.rebuild").count() == 3
