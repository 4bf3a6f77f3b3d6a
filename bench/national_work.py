"""Summaries, the Celery worker, the slowest statements and the report (bench/national.py)."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from bench import national_http as h
from operations import tree
from operations.models import Phase, Unit
from pamilu import actors
from reports import services as report_services
from reports.models import DailyReport
from reports.rules import SendWarnings
from summaries import periods
from summaries import services as summary_services
from summaries.models import Summary

MABES, LOPSIDED = "MABES", "POLDA-JABAR"
TOTALS_SQL = f"""
SELECT {tree.child_key_sql("u.path")} AS grp,
       count(*), sum(r.personnel_on_duty), count(*) FILTER (WHERE r.is_late)
FROM reports_dailyreport r JOIN operations_unit u ON u.id = r.unit_id
WHERE r.operation_id = %(op)s AND {tree.subtree_sql("u.path")} AND r.status <> 'draft'
  AND r.report_date BETWEEN %(first)s AND %(last)s
GROUP BY 1
"""


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:,.0f}"


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()


class WorkFigures:
    """Mixed into national_figures.Run."""

    def summaries(self) -> None:
        now = timezone.now()
        for code in (MABES, LOPSIDED):
            unit = self.units[code]
            zones = (
                ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
                if code == MABES
                else [unit.time_zone]
            )
            last = periods.closed_day_all_zones(self.op, zones, now)
            phase = (
                Phase.objects.filter(operation=self.op, start_date__lte=last)
                .order_by("-start_date")
                .first()
            )
            for label, period in (("daily", periods.daily(self.op, last)), ("weekly", periods.weekly(self.op, last)),
                                  ("phase to date", periods.for_phase(self.op, phase, last))):  # fmt: skip

                def build(p=period, u=unit):
                    return summary_services.summary_build(
                        operation=self.op, unit=u, period=p, by=actors.TASKS, channel="system"
                    )

                with CaptureQueriesContext(connection) as ctx:
                    build()
                self.captured += [
                    {"sql": q["sql"], "time": float(q["time"]), "url": f"summary {label}"}
                    for q in ctx.captured_queries
                ]
                timing = h.timed_sql(build, warmup=0, n=self.reps.summary)
                params = {
                    **tree.child_key_params(unit),
                    "op": self.op.pk,
                    "prefix": tree.subtree_pattern(unit),
                    "first": period.first,
                    "last": period.through,
                }
                floor = h.timed_sql(
                    lambda p=params: _fetch(TOTALS_SQL, p), warmup=1, n=self.reps.summary
                )
                self.rows.append(self.row("summaries", f"{label} rekap · {unit.name} ({period.days} d)", timing.p50, timing.p95,
                                     len(ctx.captured_queries), "GROUP BY per-unit totals", floor.p50))  # fmt: skip
                h.log(f"summary {label} {code}: {_ms(timing.p50)} ms")
        self._late_rebuild(now)

    def _late_rebuild(self, now) -> None:
        jabar = self.units[LOPSIDED]
        last = periods.closed_day_all_zones(
            self.op, ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"], now
        )
        samples, rebuilt = [], 0
        for unit in tree.in_subtree(Unit.objects.filter(kind="polsek"), jabar, "").order_by(
            "-path"
        )[: self.reps.summary]:
            DailyReport.objects.filter(operation=self.op, unit=unit, report_date=last).delete()
            operator = User.objects.get(unit=unit, role="operator")
            report = report_services.report_create(
                operation=self.op,
                unit=unit,
                by=operator,
                channel="api",
                report_date=last,
                personnel_on_duty=9,
                summary="Patroli dan sambang (laporan terlambat).",
                activities=[{"kind": "patroli", "count": 2, "personnel": 6}],
            )
            try:
                report_services.report_submit(report=report, by=operator, channel="api")
            except SendWarnings as pending:  # e.g. fewer on duty than yesterday: confirmed
                report_services.report_submit(
                    report=report,
                    by=operator,
                    channel="api",
                    confirm_warnings=[w.code for w in pending.warnings],
                )
            t0 = time.perf_counter()
            rebuilt += summary_services.rebuild_stale(by=actors.TASKS, channel="system")
            samples.append(time.perf_counter() - t0)
        timing = h.Timing(samples, {0})
        mabes = self.units[MABES]
        params = {
            **tree.child_key_params(mabes),
            "op": self.op.pk,
            "prefix": tree.subtree_pattern(mabes),
            "first": last,
            "last": last,
        }
        floor = h.timed_sql(lambda: _fetch(TOTALS_SQL, params), warmup=1, n=self.reps.summary)
        self.rows.append(self.row("summaries", "rebuild after one late report (all stale rekap)", timing.p50, timing.p95, "–",
                             "GROUP BY per-unit totals (Mabes day)", floor.p50, None, f"{rebuilt / max(1, len(samples)):.0f} rekap rebuilt each"))  # fmt: skip

    def celery_rss(self, var_dir: str) -> None:
        for sub in ("queue", "processed", "control"):
            Path(var_dir, "celery", sub).mkdir(parents=True, exist_ok=True)
        worker = subprocess.Popen([str(h.ROOT / ".venv/bin/celery"), "-A", "pamilu", "worker", "-P", "solo", "-l", "warning"],
                                  cwd=h.ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            from summaries import tasks

            mabes = self.units[MABES]
            days = list(
                Summary.objects.filter(unit=mabes, period_kind="daily")
                .order_by("-period_start")
                .values_list("period_start", flat=True)[:3]
            )
            t0 = timezone.now()
            for day in days:
                tasks.build_for_day.delay(self.op.pk, mabes.pk, day.isoformat())
            deadline, done = time.monotonic() + 600, 0
            while time.monotonic() < deadline and worker.poll() is None:
                done = Summary.objects.filter(
                    unit=mabes, period_kind="daily", period_start__in=days, built_at__gte=t0
                ).count()
                if done == len(days):
                    break
                time.sleep(1)
            self.notes.append(
                f"Celery worker (solo pool) built {done}/{len(days)} Mabes daily rekap through the broker"
            )
            self.worker_rss = h.peak_rss_mb(worker.pid)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()

    def server_statements(self) -> None:
        """The copy's three slowest statements by the server's own count (pg_stat_statements,
        when the cluster preloads it: bench/natdb.sh start), whatever process ran them."""
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries' "
                      "AND setting LIKE '%%pg_stat_statements%%'")  # fmt: skip
            if c.fetchone() is None:
                self.notes.append(
                    "pg_stat_statements not preloaded: slowest statements from the replays only"
                )
                return
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            c.execute(
                "SELECT calls, mean_exec_time, max_exec_time, left(query, 400) FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND query ~* '^\\s*(select|with)' ORDER BY max_exec_time DESC LIMIT 3"
            )
            for calls, mean, top, query in c.fetchall():
                self.server_top.append((calls, mean, top, " ".join(query.split())))

    def reset_server_statements(self) -> None:
        with connection.cursor() as c:
            c.execute("SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries' "
                      "AND setting LIKE '%%pg_stat_statements%%'")  # fmt: skip
            if c.fetchone() is not None:
                c.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                c.execute("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                          "WHERE datname = current_database()), 0)")  # fmt: skip

    def slowest_statements(self) -> None:
        self.server_statements()
        seen, top = set(), []
        for q in sorted(self.captured, key=lambda q: -q["time"]):
            key = q["sql"][:160]
            if key in seen or not q["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            seen.add(key)
            top.append(q)
            if len(top) == 3:
                break
        for q in top:
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                plan = "\n".join(r[0] for r in c.fetchall())
            self.explains.append((q["time"], f"{q['url']}\n\n{q['sql']}", plan))

    # --- output -----------------------------------------------------------------------
    def report(self, elapsed: float) -> str:
        out = ["# National benchmark", "", "| setting | value |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in self.settings.items()]
        out += ["", "| section | figure | p50 ms | p95 ms | queries | floor | floor p50 ms | × floor | × /health/ | note |",
                "|---|---|--:|--:|--:|---|--:|--:|--:|---|"]  # fmt: skip
        for r in self.rows:
            ratio = f"{r.p50 / r.floor_p50:,.1f}" if r.floor_p50 else "–"
            hratio = f"{r.p50 / r.health_p50:,.1f}" if r.health_p50 else "–"
            out.append(
                f"| {r.section} | {r.figure} | {_ms(r.p50)} | {_ms(r.p95)} | {r.queries} | {r.floor} | {_ms(r.floor_p50)} | {ratio} | {hratio} | {r.note} |"
            )
        out += [
            "",
            f"Peak RSS: gunicorn worker {self.web_rss:.0f} MiB, Celery worker {self.worker_rss:.0f} MiB.",
            "",
        ]
        out += [f"- {n}" for n in self.notes]
        out += [
            f"- repetitions: warm-up {self.reps.warmup}, up to {self.reps.n} timed requests per figure (budget {self.reps.budget:.0f} s); run took {elapsed / 60:.1f} min",
            "",
        ]
        if self.server_top:
            out += ["## Slowest statements on the server (pg_stat_statements, max time)", "",
                    "| calls | mean ms | max ms | statement |", "|--:|--:|--:|---|"]  # fmt: skip
            out += [f"| {n} | {m:,.0f} | {t:,.0f} | `{q}` |" for n, m, t, q in self.server_top]
            out.append("")
        out.append("## The three slowest statements (EXPLAIN ANALYZE)")
        for seconds, where, plan in self.explains:
            out += [
                "",
                f"### {seconds * 1000:,.0f} ms in the replay",
                "",
                "```sql",
                where,
                "```",
                "",
                "```",
                plan,
                "```",
            ]
        return "\n".join(out) + "\n"
