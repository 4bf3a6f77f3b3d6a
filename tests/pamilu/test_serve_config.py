"""The served configuration (gunicorn.conf.py) answers overload instead of queueing it.

Fault (issue 14): with gunicorn's defaults a gthread worker accepted up to 1000
connections into its thread pool's queue, where they waited (42 s in the load run)
before ConcurrencyLimitMiddleware could refuse them.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def _load(monkeypatch, **env) -> dict:
    for name in ("WEB_WORKERS", "WEB_THREADS", "WEB_BACKLOG", "MAX_CONCURRENT_REQUESTS"):
        monkeypatch.setenv(name, "")  # restored after the test, whatever the file sets
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_every_accepted_connection_has_a_thread_and_spare_threads_refuse(monkeypatch):
    conf = _load(monkeypatch, WEB_THREADS="12", WEB_BACKLOG="32")
    assert conf["worker_class"] == "gthread"
    assert conf["worker_connections"] == conf["threads"] == 12  # no queue in the pool
    assert conf["keepalive"] == 0  # no idle connection holds a slot
    assert conf["backlog"] == 32
    # the limit defaults below the threads: the spare ones answer 503 at once
    assert os.environ["MAX_CONCURRENT_REQUESTS"] == "6"
    # every name is one gunicorn knows, with a value it takes
    cfg = Config()
    for name in ("worker_class", "workers", "threads", "worker_connections", "keepalive"):
        cfg.set(name, conf[name])
    for name in ("backlog", "timeout", "graceful_timeout", "bind", "wsgi_app"):
        cfg.set(name, conf[name])
    assert cfg.worker_connections == cfg.threads == 12
    assert cfg.worker_class_str == "gthread"


@pytest.mark.parametrize("limit", ["8", "20"])
def test_a_limit_that_leaves_no_spare_thread_stops_start_up(monkeypatch, limit):
    with pytest.raises(SystemExit, match="MAX_CONCURRENT_REQUESTS"):
        _load(monkeypatch, WEB_THREADS="8", MAX_CONCURRENT_REQUESTS=limit)


def test_a_bad_number_names_the_variable(monkeypatch):
    with pytest.raises(SystemExit, match="WEB_THREADS"):
        _load(monkeypatch, WEB_THREADS="many")
