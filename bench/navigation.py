"""Navigation pages on a national data set, in-process: each page and its API as the Mabes
command center and as a Polres reviewer, beside a floor measured in the same run
(``/health/`` through the same test client), with the query count of one request.

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/mine \\
        .venv/bin/python bench/navigation.py [REPEAT] [--only SUBSTRING]

Reads only (GET). Prints the median milliseconds of REPEAT requests (default 5) after
one warm-up, the ratio to the floor, and the load average before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from operations import clock  # noqa: E402
from operations.models import Operation, Unit  # noqa: E402

PAGES = [
    ("coverage", "/deployments/coverage/"),
    ("API coverage", "/api/v1/coverage/?unit={unit}&operation={operation}"),
    ("guard gaps", "/deployments/guard-gaps/"),
    ("API guard gaps", "/api/v1/guard-gaps/?unit={unit}&operation={operation}&start={start}&end={end}"),
    ("deployments", "/deployments/"),
    ("API deployments", "/api/v1/deployments/"),
    ("report list p.1", "/reports/"),
    ("report list deep page", "/reports/?page={deep}"),
    ("API reports p.1", "/api/v1/reports/"),
    ("API reports deep page", "/api/v1/reports/?page={deep_api}"),
    ("review queue", "/reports/queue/"),
    ("summaries", "/summaries/"),
    ("notices", "/summaries/notices/"),
    ("apel", "/apel/"),
    ("personnel", "/personnel/"),
]  # fmt: skip


def timed(client: Client, url: str, repeat: int) -> tuple[float, int, int]:
    response = client.get(url)  # warm-up
    queries = []
    with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
        client.get(url)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("repeat", nargs="?", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--polres", default="rev.polres-jabar-01")
    args = parser.parse_args()
    operation = Operation.objects.order_by("pk").first()
    print(f"load average before: {os.getloadavg()}")
    for username in ("cc.mabes", args.polres):
        user = User.objects.get(username=username)
        unit = Unit.objects.get(pk=user.unit_id)
        day_start = clock.day_start(unit, clock.local_date(unit))
        params = {
            "unit": unit.code,
            "operation": operation.code,
            "start": day_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": (day_start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "deep": 200 if unit.depth == 0 else 20,
            "deep_api": 120 if unit.depth == 0 else 12,
        }
        client = Client()
        client.force_login(user)
        floor, _q, _s = timed(client, "/health/", args.repeat)
        print(f"\n{username} ({unit.code}); floor /health/ {floor:.1f} ms")
        for label, url in PAGES:
            if args.only and args.only not in label:
                continue
            ms, count, status = timed(client, url.format(**params), args.repeat)
            print(
                f"  {label:24s} {ms:8.1f} ms {ms / floor:7.1f}x floor  {count:3d} queries  "
                f"HTTP {status}"
            )
    print(f"\nload average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
