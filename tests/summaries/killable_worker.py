"""A Celery worker for tests/summaries/test_worker_kill.py (test-only; run as a module).

    python -m tests.summaries.killable_worker [celery worker options]

Two environment variables, read only here, shape it:

- PAMILU_TEST_PAUSE_DIR: every summary build pauses inside its transaction, right
  after the row and its audit entry are written (so the transaction holds a
  half-written summary), writes a marker file `paused-<pid>.json` in that folder
  (process id, PostgreSQL backend id, task id) and sleeps until it is killed;
- PAMILU_TEST_VISIBILITY_TIMEOUT: seconds after which Redis hands an unacknowledged
  message to another worker, and the restore sweep runs every second (production
  keeps the hour in settings).

The pause is a wrapper around `summaries.services.record` set up before the worker
starts; prefork children inherit it by fork. Production modules are not changed.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings_test")

import django

django.setup()

from celery import current_task  # noqa: E402
from django.db import connection  # noqa: E402

from pamilu.celery import app  # noqa: E402
from summaries import services  # noqa: E402

PAUSE_SECONDS = 600


def _pause_after(record):
    folder = Path(os.environ["PAMILU_TEST_PAUSE_DIR"])

    def record_then_pause(**kwargs):
        entry = record(**kwargs)
        marker = {
            "pid": os.getpid(),
            "backend_pid": connection.connection.info.backend_pid,
            "task_id": current_task.request.id if current_task else None,
            "action": kwargs.get("action"),
        }
        tmp = folder / f".paused-{os.getpid()}.tmp"
        tmp.write_text(json.dumps(marker))
        tmp.rename(folder / f"paused-{os.getpid()}.json")  # atomic: never read half-written
        time.sleep(PAUSE_SECONDS)
        return entry

    return record_then_pause


def main(argv: list[str]) -> None:
    if os.environ.get("PAMILU_TEST_PAUSE_DIR"):
        services.record = _pause_after(services.record)
    if os.environ.get("PAMILU_TEST_VISIBILITY_TIMEOUT"):
        app.conf.broker_transport_options = {
            **(app.conf.broker_transport_options or {}),
            "visibility_timeout": int(os.environ["PAMILU_TEST_VISIBILITY_TIMEOUT"]),
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
    app.worker_main(["worker", *argv])


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
