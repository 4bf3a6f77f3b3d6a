"""Report lists and the dashboard's TPS/incident aggregates on a national data set: the
reads of the maintained numbers against the whole-table reads they replace, each beside
a floor measured in the same run (30 rows of the reports' primary key index).

    createdb -T national mine   # a copy of the national test bed (see /work/natdb)
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:55432/mine \\
        .venv/bin/python manage.py migrate          # adds and backfills the maintained numbers
    DEBUG=true DATABASE_URL=… .venv/bin/python bench/lists_counts.py [REPEAT]

Reads only. Prints median milliseconds of REPEAT runs (default 5) and the ratio to the
floor, as the Mabes command center (national scope) and a Polda reviewer would read.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
os.environ.setdefault("DEBUG", "true")

import django

django.setup()

from django.db import connection  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from dashboard import selectors as board  # noqa: E402
from operations import count_selectors, selectors  # noqa: E402
from operations.models import Operation, Unit, UnitKind  # noqa: E402
from pamilu.paging import CappedPaginator  # noqa: E402
from reports import fact_selectors  # noqa: E402
from reports import selectors as report_selectors  # noqa: E402
from reports.models import DailyReport  # noqa: E402


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


def main(repeat: int) -> None:
    operation = Operation.objects.order_by("-start_date").first()
    mabes = Unit.objects.get(kind=UnitKind.MABES)
    polda = Unit.objects.filter(kind=UnitKind.POLDA).order_by("path").first()
    national = User(username="bench-mabes", role=Role.COMMAND_CENTER, unit=mabes)
    reviewer = User(username="bench-polda", role=Role.REVIEWER, unit=polda)
    last = DailyReport.objects.filter(operation=operation).order_by("-report_date").first()
    days = board.zone_days(last.report_date if last else None)
    window = board.trend_days(operation, max(days.values()))

    def floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM reports_dailyreport ORDER BY id LIMIT 30")
            cursor.fetchall()

    def page(user, number):
        qs = report_selectors.reports_for(user).order_by(*report_selectors.LIST_ORDER)
        return lambda: list(CappedPaginator(qs, 30).page(number))

    def capped_count(user):
        return lambda: CappedPaginator(report_selectors.reports_for(user), 30).count

    def old_page(user):
        qs = report_selectors.reports_for(user).order_by("-report_date", "unit__path")
        return lambda: (qs.count(), list(qs[:30]))

    cases = [
        ("list Mabes page 1 (new)", page(national, 1)),
        ("list Mabes page 100 (new)", page(national, 100)),
        ("list Mabes capped count (new)", capped_count(national)),
        ("list Mabes count + page 1 (old)", old_page(national)),
        ("list Polda page 1 (new)", page(reviewer, 1)),
        ("queue Polda page 1 (new)", lambda: list(report_selectors.review_queue(reviewer)[:30])),
        ("TPS requirement Mabes (counts)", lambda: count_selectors.tps_requirement_by_group(operation, mabes)),
        ("TPS requirement Mabes (posts, old)", lambda: selectors.tps_requirement_by_group(operation, mabes)),
        ("TPS requirement Polda (counts)", lambda: count_selectors.tps_requirement_by_group(operation, polda)),
        ("TPS requirement Polda (posts, old)", lambda: selectors.tps_requirement_by_group(operation, polda)),
        ("incident rows Mabes (facts)", lambda: fact_selectors.incident_rows(national, operation, mabes, days)),
        ("incident rows Mabes (join, old)", lambda: board.incident_rows(national, operation, mabes, days)),
        ("incident breakdown Mabes (facts)", lambda: fact_selectors.incident_breakdown(national, operation, mabes, days)),
        ("incident breakdown Mabes (join, old)", lambda: board.incident_breakdown(national, operation, mabes, days)),
        ("incident trend Mabes (facts)", lambda: fact_selectors.incident_trend(national, operation, mabes, window)),
        ("trends incl. reports Mabes (join, old)", lambda: board.trends(national, operation, mabes, days, 0)),
    ]  # fmt: skip
    base = timed(floor, repeat)
    print(f"floor (30 rows by primary key): {base:.2f} ms")
    for name, fn in cases:
        fn()  # warm
        ms = timed(fn, repeat)
        print(f"{name:40s} {ms:9.1f} ms  {ms / base:8.0f}x floor")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
