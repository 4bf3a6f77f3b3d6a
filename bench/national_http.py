"""HTTP side of bench/national.py: gunicorn on loopback, logins, timed request loops.

Only 127.0.0.1 is ever contacted; every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(p) for p in text)
    return found


@dataclass
class Server:
    """gunicorn (sync workers) serving pamilu on 127.0.0.1, from this checkout or from
    another code tree (`tree`, e.g. a `git worktree` at an older commit) with this
    checkout's virtualenv."""

    env: dict[str, str]
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    tree: Path = ROOT

    def start(self) -> Server:
        cmd = [
            str(ROOT / ".venv/bin/gunicorn"), "pamilu.wsgi", "-w", str(self.workers),
            "-k", "sync", "-b", f"{HOST}:{self.port}", "--timeout", "120",
            "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(cmd, cwd=self.tree, env=self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/health/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer /health/ within 60 s")

    def worker_pids(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


@dataclass
class Response:
    status: int
    seconds: float
    body: bytes
    headers: dict[str, str]

    def json(self):
        return json.loads(self.body)


def request(port, method, path, *, headers=None, body=None, timeout=180.0) -> Response:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    payload = None
    hdrs = {"Host": f"{HOST}:{port}", **(headers or {})}
    if body is not None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    t0 = time.perf_counter()
    conn.request(method, path, body=payload, headers=hdrs)
    resp = conn.getresponse()
    data = resp.read()
    elapsed = time.perf_counter() - t0
    conn.close()
    return Response(resp.status, elapsed, data, {k.lower(): v for k, v in resp.getheaders()})


def resend_until_answered(send, *, budget: float = 60.0) -> tuple[Response, int]:
    """What the offline app does: a 503/429 is sent again after its Retry-After (same
    Idempotency-Key, so never twice), within `budget` seconds. Returns the last answer,
    its time counted from the first try, and how many refusals came before it."""
    started = time.perf_counter()
    refused = 0
    while True:
        resp = send()
        if resp.status not in (429, 503) or time.perf_counter() - started > budget:
            spent = time.perf_counter() - started
            return Response(resp.status, spent, resp.body, resp.headers), refused
        refused += 1
        time.sleep(min(float(resp.headers.get("retry-after", "1") or 1), 2.0))


def _cookies(resp: Response, jar: dict[str, str]) -> None:
    for key, value in resp.headers.items():
        if key == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]


def login(port: int, username: str, password: str) -> dict[str, str]:
    """A real sign-in through the login form; returns the Cookie header."""
    jar: dict[str, str] = {}
    page = request(port, "GET", "/accounts/login/")
    _cookies_all(page, jar)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if not match:
        raise RuntimeError("login page has no CSRF token")
    form = (
        f"csrfmiddlewaretoken={match.group(1).decode()}&username={username}&password={password}"
    ).encode()
    resp = request(
        port,
        "POST",
        "/accounts/login/",
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
        body=form,
    )
    _cookies_all(resp, jar)
    if resp.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} failed: HTTP {resp.status}")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def _cookies_all(resp: Response, jar: dict[str, str]) -> None:
    # http.client folds repeated Set-Cookie headers into one joined by ", ".
    raw = resp.headers.get("set-cookie", "")
    for part in re.split(r", (?=[A-Za-z0-9_-]+=)", raw):
        name, _, rest = part.partition("=")
        if name:
            jar[name.strip()] = rest.split(";", 1)[0]


@dataclass
class Timing:
    samples: list[float]
    statuses: set[int]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        if not self.samples:
            return float("nan")
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(fn, *, warmup: int, n: int, budget: float = 90.0) -> Timing:
    """Warm up, then call `fn` (returns a Response) up to `n` times within `budget` s
    (at least 3 samples)."""
    statuses = set()
    for _ in range(warmup):
        statuses.add(fn().status)
    samples = []
    started = time.monotonic()
    for i in range(n):
        resp = fn()
        samples.append(resp.seconds)
        statuses.add(resp.status)
        if i >= 2 and time.monotonic() - started > budget:
            break
    return Timing(samples, statuses)


def timed_sql(fn, *, warmup: int, n: int) -> Timing:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return Timing(samples, {0})


def concurrent(clients: list, job, per_client: int) -> tuple[list[Response], float]:
    """Run `job(client, i)` per_client times in one thread per client; all start together."""
    results: list[Response] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def run(client):
        barrier.wait()
        for i in range(per_client):
            resp = job(client, i)
            with lock:
                results.append(resp)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def bench_env(database_url: str, **extra: str) -> dict[str, str]:
    """The server's environment: DEBUG off, a throwaway key, loopback only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PAMILU_"))}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="bench-throwaway-" + "k" * 50,
        AUDIT_SEAL_KEY="bench-throwaway-audit-seal-key",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        PAMILU_BENCH="true",
        THROTTLE_USER="1000000/min",
        THROTTLE_LOGIN="1000/min",
        THROTTLE_TOKEN="1000/min",
        DJANGO_SETTINGS_MODULE="pamilu.settings",
        **extra,
    )
    env.pop("REDIS_URL", None)
    return env
