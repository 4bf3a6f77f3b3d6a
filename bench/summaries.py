"""How far the summaries are from the database's own GROUP BY floor, in the same run.

    DATABASE_URL=postgres://…/DB .venv/bin/python bench/summaries.py            # data in DB
    DATABASE_URL=postgres://…/DB .venv/bin/python bench/summaries.py --generate 36 14 11 60

With --generate POLDA POLRES POLSEK DAYS a synthetic country is written first into an
empty (migrated here) database: POLDA × POLRES × POLSEK units, one operation with two
phases, and for each reporting unit and day a report (98 % sent, 2 % of them late, 2 %
returned) with two activities and about 0.3 incidents. Without it the script uses the
operation with the most reports already there (the national test bed: copy it with
`createdb -T national NAME` and point DATABASE_URL at the copy, never at the original).

Measured, each the best of --repeat runs, interleaved with its floor, every line with
the load average:
- the daily summaries of Mabes and of the lopsided Polda (the one with the most units),
  their weekly summaries and the Mabes phase summary to date, built in full, against
  their GROUP BY floor: the GROUP BY queries by child-prefix key that read the same rows
  (reports, activities, incidents of the period and of the comparison period), nothing
  else;
- the whole daily task per time zone (every Polda, Polres and Polsek of the zone: daily,
  week and phase to date, as the beat queues it; --task-limit builds an even sample of
  each kind and scales the time by its count) against the zone's rows of those periods
  grouped per unit, each row read once;
- one late report of a Polsek: rebuilding the summaries it marks, incrementally, against
  rebuilding the same summaries in full.
Writes summaries (it is a scratch database); the late report is rolled back at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from pamilu import actors

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
os.environ.setdefault("DEBUG", "true")
if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("DATABASE_URL must point at a PostgreSQL scratch database")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operations import tree  # noqa: E402
from operations.models import Operation, Phase, Unit, UnitKind  # noqa: E402
from reports.models import DailyReport  # noqa: E402
from summaries import batch, periods, services  # noqa: E402
from summaries.models import Summary  # noqa: E402

ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


def generate(polda: int, polres: int, polsek: int, days: int) -> None:
    from accounts.models import User

    call_command("migrate", verbosity=0)
    if Unit.objects.exists():
        sys.exit("--generate needs an empty database")
    mabes = Unit.objects.create(
        code="MABES", name="Mabes Polri", kind=UnitKind.MABES, path="MABES/", depth=0,
        time_zone="Asia/Jakarta",
    )  # fmt: skip
    rows = []
    for d in range(polda):
        code = f"POLDA-{d:02d}"
        rows.append(Unit(code=code, name=f"Polda {d}", kind=UnitKind.POLDA, parent=mabes,
                         path=f"MABES/{code}/", depth=1, time_zone=ZONES[d % 3]))  # fmt: skip
    poldas = Unit.objects.bulk_create(rows)
    rows = []
    for p in poldas:
        for r in range(polres):
            code = f"{p.code}-RES{r:02d}"
            rows.append(Unit(code=code, name=f"Polres {code}", kind=UnitKind.POLRES,
                             subtype="polres", parent=p, path=f"{p.path}{code}/", depth=2,
                             time_zone=p.time_zone))  # fmt: skip
    polreses = Unit.objects.bulk_create(rows, batch_size=2000)
    rows = []
    for r in polreses:
        for s in range(polsek):
            code = f"{r.code}-SEK{s:02d}"
            rows.append(Unit(code=code, name=f"Polsek {code}", kind=UnitKind.POLSEK, parent=r,
                             path=f"{r.path}{code}/", depth=3, time_zone=r.time_zone))  # fmt: skip
    Unit.objects.bulk_create(rows, batch_size=2000)
    start = dt.date(2024, 1, 1)
    end = start + dt.timedelta(days=days - 1)
    op = Operation.objects.create(
        code="bench", name="Operasi Bench", kind="pemilu", unit=mabes, start_date=start,
        end_date=end,
    )  # fmt: skip
    half = start + dt.timedelta(days=days // 2)
    Phase.objects.create(operation=op, kind="kampanye", name="Kampanye", start_date=start,
                         end_date=half - dt.timedelta(days=1))  # fmt: skip
    Phase.objects.create(operation=op, kind="rekapitulasi", name="Rekapitulasi",
                         start_date=half, end_date=end)  # fmt: skip
    tf = op.task_forces.create(level=UnitKind.POLRES, code="preventif", name="Preventif")
    user = User.objects.create(username="bench", unit=mabes)
    with connection.cursor() as c:
        c.execute("SELECT setseed(0.42)")
        c.execute(
            """
            INSERT INTO reports_dailyreport (operation_id, unit_id, report_date, status,
                personnel_on_duty, summary, obstacles, next_day_plan, is_late,
                first_submitted_at, submitted_at, return_reason, created_by_id,
                created_at, updated_at)
            SELECT %(op)s, u.id, d::date, s.status, (random() * 40)::int, '', '', '',
                   s.status <> 'draft' AND random() < 0.02,
                   CASE WHEN s.status <> 'draft' THEN d + interval '12 hours' END,
                   CASE WHEN s.status <> 'draft' THEN d + interval '12 hours' END,
                   '', %(user)s, now(), now()
            FROM operations_unit u
            CROSS JOIN generate_series(%(start)s::date, %(end)s::date, '1 day') d
            CROSS JOIN LATERAL (SELECT CASE WHEN random() < 0.02 THEN 'draft'
                     WHEN random() < 0.02 THEN 'returned' ELSE 'submitted' END
                     || left(u.code, 0) || left(d::text, 0) AS status) s
            WHERE u.kind IN ('polres', 'polsek')
            ORDER BY d, u.path
            """,
            {"op": op.pk, "user": user.pk, "start": start, "end": end},
        )
        c.execute(
            """
            INSERT INTO reports_reportactivity (report_id, kind, task_force_id, count,
                personnel, notes)
            SELECT r.id, k.kind, CASE WHEN k.kind = 'patroli' THEN %(tf)s END,
                   1 + (random() * 4)::int, (random() * 10)::int, ''
            FROM reports_dailyreport r
            CROSS JOIN (VALUES ('patroli'), ('sambang')) k(kind)
            ORDER BY r.id
            """,
            {"tf": tf.pk},
        )
        c.execute(
            """
            INSERT INTO reports_incident (report_id, operation_id, unit_id, category,
                severity, occurred_at, place, description, action_taken, deaths,
                injured_serious, injured_light, loss_rupiah, forwarded_to_gakkumdu)
            SELECT r.id, r.operation_id, r.unit_id,
                   (ARRAY['kejahatan','pelanggaran','gangguan','laka_lantas'])[1 + mod(r.id, 4)::int],
                   CASE WHEN random() < 0.05 THEN 'kuning' ELSE 'hijau' END,
                   r.report_date + interval '6 hours', 'Jalan', 'Uraian', '',
                   (random() < 0.02)::int, 0, (random() * 2)::int, 0, false
            FROM reports_dailyreport r WHERE random() < 0.3
            ORDER BY r.id
            """
        )
        c.execute("ANALYZE")


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


FLOOR_SQL = {
    "reports": """
        SELECT {key} AS k, COUNT(*), COUNT(*) FILTER (WHERE r.is_late),
               COUNT(*) FILTER (WHERE r.status = 'returned'), SUM(r.personnel_on_duty)
        FROM reports_dailyreport r JOIN operations_unit u ON u.id = r.unit_id
        WHERE r.operation_id = %(op)s AND r.report_date BETWEEN %(first)s AND %(last)s
          AND r.status IN ('submitted', 'accepted', 'returned') AND {subtree}
        GROUP BY 1""",
    "activities": """
        SELECT {key} AS k, a.kind, a.task_force_id, SUM(a.count), SUM(a.personnel)
        FROM reports_reportactivity a JOIN reports_dailyreport r ON r.id = a.report_id
        JOIN operations_unit u ON u.id = r.unit_id
        WHERE r.operation_id = %(op)s AND r.report_date BETWEEN %(first)s AND %(last)s
          AND r.status IN ('submitted', 'accepted', 'returned') AND {subtree}
        GROUP BY 1, 2, 3""",
    "incidents": """
        SELECT {key} AS k, i.category, COUNT(*), SUM(i.deaths), SUM(i.injured_serious),
               SUM(i.injured_light), SUM(i.loss_rupiah)
        FROM reports_incident i JOIN reports_dailyreport r ON r.id = i.report_id
        JOIN operations_unit u ON u.id = r.unit_id
        WHERE r.operation_id = %(op)s AND r.report_date BETWEEN %(first)s AND %(last)s
          AND r.status IN ('submitted', 'accepted', 'returned') AND {subtree}
        GROUP BY 1, 2""",
}
# The child-prefix key of a unit under the focus (operations.tree's raw-SQL twin).
CHILD_KEY = tree.child_key_sql("u.path")
SUBTREE = tree.subtree_sql("u.path")


def floor(operation: Operation, unit: Unit, period) -> None:
    ranges = [(period.first, period.through)]
    if period.previous_start is not None:
        ranges.append((period.previous_start, period.previous_end))
    with connection.cursor() as c:
        for first, last in ranges:
            for sql in FLOOR_SQL.values():
                c.execute(
                    sql.replace("{key}", CHILD_KEY).replace("{subtree}", SUBTREE),
                    {"op": operation.pk, "first": first, "last": last,
                     "prefix": tree.subtree_pattern(unit), **tree.child_key_params(unit)},
                )  # fmt: skip
                c.fetchall()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def _figure(name: str, built: float, floor_s: float) -> None:
    print(f"{name:34s} {built * 1000:9.1f} ms, floor {floor_s * 1000:9.1f} ms, "
          f"ratio {built / floor_s:5.2f}×  ({_load()})", flush=True)  # fmt: skip


ZONE_FLOOR_SQL = {
    name: sql.replace("{key}", "u.id").replace("{subtree}", "u.time_zone = %(zone)s")
    for name, sql in FLOOR_SQL.items()
}


def zone_floor(operation: Operation, zone: str, in_periods) -> None:
    """What every unit's rekap of a zone must read at least: the zone's rows of each
    period (and its comparison period) grouped per unit, each row once."""
    with connection.cursor() as c:
        for period in in_periods:
            ranges = [(period.first, period.through)]
            if period.previous_start is not None:
                ranges.append((period.previous_start, period.previous_end))
            for first, last in ranges:
                for sql in ZONE_FLOOR_SQL.values():
                    c.execute(sql, {"op": operation.pk, "first": first, "last": last,
                                    "zone": zone})  # fmt: skip
                    c.fetchall()


def daily_task(operation: Operation, day: dt.date, limit: int) -> None:
    """The whole daily task per zone: build_for_day of every summarised unit of the zone
    (Polda, Polres, Polsek: daily, week and phase to date), as the beat's build_due queues
    it. With --task-limit only an even sample of each kind is built and the time scaled
    by the kind's count."""
    from summaries import selectors

    phases = list(Phase.objects.filter(operation=operation).on(day))
    in_periods = [periods.daily(operation, day), periods.weekly(operation, day)] + [
        periods.for_phase(operation, p, day) for p in phases
    ]
    for zone in selectors.zones_of(operation):
        units = list(
            selectors.summarised_units(operation).filter(time_zone=zone)
            .exclude(kind=UnitKind.MABES).order_by("path")
        )  # fmt: skip
        total, built, counted = 0.0, 0, 0
        for kind in (UnitKind.POLDA, UnitKind.POLRES, UnitKind.POLSEK):
            mine = [u for u in units if u.kind == kind]
            if not mine:
                continue
            step = max(1, len(mine) // limit) if limit else 1
            sample = mine[::step]
            t = time.perf_counter()
            for unit in sample:
                built += len(
                    services.build_for_day(
                        operation=operation, unit=unit, day=day, by=actors.TASKS, channel="system"
                    )
                )
            total += (time.perf_counter() - t) * len(mine) / len(sample)
            counted += len(sample)
        f = _best(lambda zone=zone: zone_floor(operation, zone, in_periods), 1)
        _figure(f"daily task {zone} ({len(units)} units)", total, f)
        print(f"    {counted} units built ({built} summaries), time scaled to all", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--generate", nargs=4, type=int, metavar=("POLDA", "POLRES", "POLSEK", "DAYS")
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--late-only", action="store_true", help="only the late report")
    parser.add_argument("--no-task", action="store_true", help="skip the whole daily task")
    parser.add_argument("--task-limit", type=int, default=40,
                        help="units of each kind per zone built for the daily task (0: all)")  # fmt: skip
    parser.add_argument("-v", action="store_true", help="time each summary rebuilt")
    args = parser.parse_args()
    if args.generate:
        t = time.perf_counter()
        generate(*args.generate)
        print(f"generated in {time.perf_counter() - t:.1f} s")
    else:
        call_command("migrate", verbosity=0)
    Summary.objects.all().delete()  # a scratch database: start from no summaries
    operation = (
        Operation.objects.annotate(n=Count("reports")).order_by("-n").select_related("unit").first()
    )
    mabes = operation.unit
    last = DailyReport.objects.filter(operation=operation).order_by("-report_date").first()
    # The day: the last of the longest phase that has reports, so the phase is long.
    phases = [
        p for p in operation.phases.order_by("start_date") if p.start_date <= last.report_date
    ]
    phase = max(phases, key=lambda p: (min(p.end_date, last.report_date) - p.start_date).days)
    day = min(phase.end_date, last.report_date)
    # The lopsided Polda: the one with the most units below it.
    polda = max(
        tree.in_subtree(Unit.objects.filter(kind=UnitKind.POLDA), mabes, ""),
        key=lambda u: tree.in_subtree(Unit.objects.all(), u, "").count(),
    )
    print(
        f"operation {operation.code}: {tree.in_subtree(Unit.objects.all(), mabes, '').count()}"
        f" units, {DailyReport.objects.filter(operation=operation).count()} reports;"
        f" day {day}, phase {phase.name} ({phase.start_date}..{day}); {_load()}"
    )
    if args.late_only:
        late_report(operation, day, args.repeat, args.v)
        return
    daily = periods.daily(operation, day)
    weekly = periods.weekly(operation, day)
    in_phase = periods.for_phase(operation, phase, day)

    def build(unit, period):
        return lambda: services.summary_build(
            operation=operation,
            unit=unit,
            period=period,
            full=True,
            by=actors.TASKS,
            channel="system",
        )

    for name, unit, period in [
        ("Mabes daily", mabes, daily),
        (f"{polda.name} daily", polda, daily),
        ("Mabes weekly", mabes, weekly),
        (f"{polda.name} weekly", polda, weekly),
        (f"Mabes phase ({in_phase.days} d)", mabes, in_phase),
    ]:
        # Interleaved, best of each: the floor and the build see the same machine.
        f = b = float("inf")
        for _ in range(args.repeat):
            f = min(f, _best(lambda u=unit, p=period: floor(operation, u, p), 1))
            b = min(b, _best(build(unit, period), 1))
        _figure(f"{name} summary", b, f)
    if not args.no_task:
        daily_task(operation, day, args.task_limit)
    late_report(operation, day, args.repeat, args.v)


def late_report(operation: Operation, day: dt.date, repeat: int, verbose: bool = False) -> None:
    """A Polsek's report for `day` arrives late; its summaries up the chain rebuilt."""
    report = (
        DailyReport.objects.filter(operation=operation, report_date=day, unit__kind="polsek")
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    chain = report.unit.ancestors(include_self=True)
    for unit in chain:
        services.build_for_day(
            operation=operation, unit=unit, day=day, by=actors.TASKS, channel="system"
        )
        services.build_for_day(
            operation=operation,
            unit=unit,
            day=day + dt.timedelta(days=1),
            by=actors.TASKS,
            channel="system",
        )
    with transaction.atomic():
        DailyReport.objects.filter(pk=report.pk).update(
            status="submitted", is_late=True, personnel_on_duty=report.personnel_on_duty + 7
        )
        services.mark_stale_for_report(report=report, by=actors.SYSTEM, channel="system")
        marked = list(
            Summary.objects.filter(stale_marks__gt=0)
            .exclude(stale_marks=0)
            .select_related("operation", "unit", "phase")
        )
        marked = [s for s in marked if s.is_stale]
        sid = transaction.savepoint()
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            batch.rebuild([s.pk for s in marked])  # what the task rebuild_summaries does
        incremental = time.perf_counter() - t
        if verbose:
            for s in marked:
                t1 = time.perf_counter()
                services.summary_rebuild(summary=s, by=actors.TASKS, channel="system")
                print(f"  one by one: {s.unit.code} {s.period_kind} {s.period_start}: "
                      f"{(time.perf_counter() - t1) * 1000:.1f} ms")  # fmt: skip
        n_incremental = len(q)
        transaction.savepoint_rollback(sid)

        def full():
            for s in marked:
                services.summary_build(
                    operation=s.operation,
                    unit=s.unit,
                    period=services.period_of(s),
                    full=True,
                    by=actors.TASKS,
                    channel="system",
                )

        with CaptureQueriesContext(connection) as q:
            t_full = _best(full, 1)
        n_full = len(q)
        transaction.set_rollback(True)
    print(
        f"one late report ({report.unit.code}): {len(marked)} summaries; incremental "
        f"{incremental * 1000:.1f} ms / {n_incremental} queries, in full "
        f"{t_full * 1000:.1f} ms / {n_full} queries, ratio {incremental / t_full * 100:.1f} %"
        f"  ({_load()})"
    )


if __name__ == "__main__":
    main()
