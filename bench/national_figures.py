"""The figures of bench/national.py (runs inside a Django process on the bench copy)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass, field

import django
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from bench import national_http as h
from bench.national_work import WorkFigures
from operations import clock, tree
from operations.models import Operation, Unit
from reports.models import DailyReport
from summaries.models import Summary

MABES, LOPSIDED, ORDINARY = "MABES", "POLDA-JABAR", "POLDA-SULSEL"
POLRES, POLSEK = "POLRES-JABAR-01", "POLSEK-JABAR-01-01"
PASSWORD = "pamilu-national-2024"  # noqa: S105 - the test bed's published password
DEMO_PASSWORD = "pamilu-demo-2024"  # noqa: S105 - the demo's published password

COMPLIANCE_SQL = f"""
SELECT {tree.child_key_sql("u.path")} AS grp,
       count(*) AS total,
       count(r.id) FILTER (WHERE r.status <> 'draft' AND NOT r.is_late) AS on_time,
       count(r.id) FILTER (WHERE r.status <> 'draft' AND r.is_late) AS late,
       count(r.id) FILTER (WHERE r.status = 'returned') AS returned,
       COALESCE(sum(r.personnel_on_duty) FILTER (WHERE r.status <> 'draft'), 0) AS personnel
FROM operations_unit u
LEFT JOIN reports_dailyreport r ON r.unit_id = u.id AND r.operation_id = %(op)s
     AND r.report_date = CASE u.time_zone WHEN 'Asia/Jakarta' THEN %(wib)s::date
         WHEN 'Asia/Makassar' THEN %(wita)s::date ELSE %(wit)s::date END
WHERE {tree.subtree_sql("u.path")} AND u.kind IN ('polres', 'polsek') AND u.is_active
GROUP BY 1 ORDER BY 1
"""


@dataclass
class Reps:
    warmup: int = 1
    n: int = 6
    budget: float = 20.0  # seconds of timed requests per figure (at least 3 samples)
    submit: int = 6  # submissions per client
    summary: int = 2


@dataclass
class Row:
    section: str
    figure: str
    p50: float
    p95: float
    queries: int | str = "–"
    floor: str = ""
    floor_p50: float | None = None
    health_p50: float | None = None
    note: str = ""


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:,.0f}"


@dataclass
class Run(WorkFigures):
    args: object
    reps: Reps
    env: dict
    server: h.Server | None = None
    rows: list[Row] = field(default_factory=list)
    captured: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sessions: dict = field(default_factory=dict)
    web_rss: float = 0.0
    worker_rss: float = 0.0
    explains: list[tuple[float, str, str]] = field(default_factory=list)
    server_top: list[tuple] = field(default_factory=list)
    kapolsek: dict = field(default_factory=dict)
    health: h.Timing | None = None
    deadline: float = 0.0  # time.monotonic() after which figures are skipped (0: none)

    # --- set-up ---------------------------------------------------------------------
    def header(self, machine: dict) -> None:
        self.op = Operation.objects.get(code="omb-nasional")
        self.units = {
            u.code: u
            for u in Unit.objects.filter(code__in=[MABES, LOPSIDED, ORDINARY, POLRES, POLSEK])
        }
        with connection.cursor() as c:
            for name in ["server_version", "shared_buffers", "work_mem", "effective_cache_size",
                         "max_connections", "fsync", "synchronous_commit", "jit", "random_page_cost"]:  # fmt: skip
                c.execute(f"SHOW {name}")
                self.settings[f"postgresql {name}"] = c.fetchone()[0]
            c.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relname IN "
                "('operations_unit','operations_post','reports_dailyreport','reports_reportactivity',"
                "'reports_incident','personnel_personnel','personnel_deployment','audit_auditentry',"
                "'summaries_summary','summaries_notice','personnel_apel') ORDER BY relname"
            )
            rows = c.fetchall()
            c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            size = c.fetchone()[0]
        self.settings.update(machine)
        self.settings.update({
            "django": django.get_version(), "web server": "gunicorn, 2 sync workers, 127.0.0.1",
            "DEBUG": "False", "database": f"{self.args.db} (copy of {self.args.template}, {size})",
            "rows": ", ".join(f"{n.split('_', 1)[1]} {v:,}" for n, v in rows),
        })  # fmt: skip
        for key, value in self.settings.items():
            h.log(f"{key}: {value}")
        self.reset_server_statements()

    @staticmethod
    def row(*args, **kwargs) -> Row:
        return Row(*args, **kwargs)

    def cookie(self, username: str, password: str = PASSWORD, server=None) -> dict:
        server = server or self.server
        key = (username, server.port)
        if key not in self.sessions:
            self.sessions[key] = h.login(server.port, username, password)
        return self.sessions[key]

    def queries(self, username: str, url: str, headers: dict | None = None) -> int:
        """The query count of one request: the view replayed in-process."""
        client = Client(**(headers or {}))
        client.force_login(User.objects.get(username=username))
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for q in ctx.captured_queries:
            self.captured.append({"sql": q["sql"], "time": float(q["time"]), "url": url})
        return len(ctx.captured_queries)

    def http(self, section, figure, username, url, *, floor=None, headers=None, server=None):
        if self.deadline and time.monotonic() > self.deadline:
            self.notes.append(f"skipped (time limit): {figure}")
            return None
        server = server or self.server
        hdrs = {**self.cookie(username, server=server), **(headers or {})}
        timing = h.timed(
            lambda: h.request(server.port, "GET", url, headers=hdrs),
            warmup=self.reps.warmup, n=self.reps.n, budget=self.reps.budget,
        )  # fmt: skip
        meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        count = self.queries(username, url, meta) if server is self.server else "–"
        floor_name, floor_p50 = floor if floor else ("", None)
        status = ",".join(str(s) for s in sorted(timing.statuses))
        row = Row(section, figure, timing.p50, timing.p95, count, floor_name, floor_p50,
                  self.health.p50 if self.health else None, "" if status == "200" else f"HTTP {status}")  # fmt: skip
        self.rows.append(row)
        h.log(f"{figure}: p50 {_ms(row.p50)} ms p95 {_ms(row.p95)} ms, {count} queries {row.note}")
        return timing

    # --- figures ----------------------------------------------------------------------
    def dashboards(self) -> None:
        self.health = h.timed(lambda: h.request(self.server.port, "GET", "/health/"),
                              warmup=3, n=max(10, self.reps.n * 3), budget=30)  # fmt: skip
        self.rows.append(
            Row("floor", "/health/ (same server)", self.health.p50, self.health.p95, 1)
        )
        now = timezone.now()
        days = {z: clock.local_date(Unit(time_zone=z), now) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")}  # fmt: skip
        targets = [
            ("Mabes", "cc.mabes", MABES, ""),
            ("Polda Jawa Barat (lopsided)", "cc.polda-jabar", LOPSIDED, ""),
            ("Polda Sulawesi Selatan", "cc.polda-sulsel", ORDINARY, ""),
            (f"Polres ({POLRES})", "rev.polres-jabar-01", POLRES, ""),
            (f"Polsek ({POLSEK}, Mabes user)", "cc.mabes", POLSEK, f"?unit={POLSEK}"),
        ]
        for label, user, code, query in targets:
            focus = self.units[code]
            params = {**tree.child_key_params(focus), "op": self.op.pk, "prefix": tree.subtree_pattern(focus),
                      "wib": days["Asia/Jakarta"], "wita": days["Asia/Makassar"], "wit": days["Asia/Jayapura"]}  # fmt: skip
            floor = h.timed_sql(lambda p=params: _fetch(COMPLIANCE_SQL, p), warmup=1, n=self.reps.n)
            pair = ("compliance SQL", floor.p50)
            self.http(
                "dashboard", f"dashboard page · {label}", user, f"/dashboard/{query}", floor=pair
            )
            self.http("dashboard", f"htmx poll · {label}", user, f"/dashboard/panels/{query}",
                      floor=pair, headers={"HX-Request": "true"})  # fmt: skip
            self.http(
                "dashboard",
                f"/api/v1/dashboard/ · {label}",
                user,
                f"/api/v1/dashboard/{query}",
                floor=pair,
            )

    def navigation(self) -> None:
        polres = self.units[POLRES]
        deep_mabes = max(2, DailyReport.objects.count() // 30 // 2)
        deep_polres = max(2, tree.in_subtree(DailyReport.objects.all(), polres).count() // 30 // 2)
        latest = (
            Summary.objects.filter(unit__code=MABES, period_kind="daily")
            .order_by("-period_start")
            .first()
        )
        pages = [
            ("coverage", "/deployments/coverage/"), ("guard gaps", "/deployments/guard-gaps/"),
            ("deployments", "/deployments/"), ("report list p.1", "/reports/"),
            ("report list deep page", "/reports/?page={deep}"), ("review queue", "/reports/queue/"),
            ("summaries", "/summaries/"), ("notices", "/summaries/notices/"), ("apel", "/apel/"),
            ("personnel", "/personnel/"),
            ("API reports p.1", "/api/v1/reports/"), ("API reports deep page", "/api/v1/reports/?page={deep_api}"),
            ("API incidents", "/api/v1/incidents/"), ("API deployments", "/api/v1/deployments/"),
            ("API coverage", "/api/v1/coverage/?unit={unit}&operation=omb-nasional"),
            ("API guard gaps", "/api/v1/guard-gaps/?unit={unit}&operation=omb-nasional&start={start}&end={end}"),
            ("API summaries", "/api/v1/summaries/"), ("API notices", "/api/v1/notices/"),
            ("API personnel", "/api/v1/personnel/"), ("API apels", "/api/v1/apels/"),
        ]  # fmt: skip
        floor = ("/health/", self.health.p50)
        day_start = clock.day_start(polres, clock.local_date(polres))
        start = day_start.strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (day_start + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for who, user, deep, unit in (
            ("Mabes", "cc.mabes", deep_mabes, MABES),
            (f"reviewer {POLRES}", "rev.polres-jabar-01", deep_polres, POLRES),
        ):
            for label, url in pages:
                url = url.format(
                    deep=deep, deep_api=max(2, deep * 30 // 50), unit=unit, start=start, end=end
                )
                self.http(f"navigation ({who})", f"{label} · {who}", user, url, floor=floor)
            if who == "Mabes" and latest is not None:
                self.http(
                    f"navigation ({who})",
                    "summary detail (Mabes daily)",
                    user,
                    f"/summaries/{latest.pk}/",
                    floor=floor,
                )

    def submissions(self) -> None:
        jabar = self.units[LOPSIDED]
        polsek = list(
            tree.in_subtree(Unit.objects.filter(kind="polsek"), jabar, "").order_by("path")[:32]
        )
        api_units, floor_units = polsek[:16], polsek[16:32]
        per = self.reps.submit
        today = clock.local_date(jabar)
        dates = [today - dt.timedelta(days=i) for i in range(1, 2 * per + 1)]
        DailyReport.objects.filter(
            unit__in=polsek, operation=self.op, report_date__in=dates
        ).delete()
        from accounts.services import token_issue

        def client(unit):
            user = User.objects.get(unit=unit, role="operator")
            _, key = token_issue(user=user, expiry=timezone.now() + dt.timedelta(days=1), by=user,
                                 channel="api", name="bench")  # fmt: skip
            return {"unit": unit, "token": key}

        api_clients, floor_clients = (
            [client(u) for u in api_units],
            [client(u) for u in floor_units],
        )
        port = self.server.port

        refusals = {"api": 0, "floor": 0}

        def via_api(c, day):
            # One request (#12): created and sent together; a 422 warning is confirmed as
            # the phone does; refusals are sent again with the same Idempotency-Key.
            key = str(uuid.uuid4())
            auth = {"Authorization": f"Token {c['token']}", "Idempotency-Key": key}
            body = {"operation": self.op.pk, "report_date": day.isoformat(), "personnel_on_duty": 12,
                    "summary": "Patroli dan sambang.", "submit": True,
                    "activities": [{"kind": "patroli", "count": 2, "personnel": 6}]}  # fmt: skip

            def send():
                return h.request(port, "POST", "/api/v1/reports/", headers=auth, body=body)

            made, refused = h.resend_until_answered(send)
            if made.status == 422:
                body["confirm_warnings"] = [w["code"] for w in made.json().get("warnings", [])]
                auth["Idempotency-Key"] = str(uuid.uuid4())
                again, more = h.resend_until_answered(send)
                made = h.Response(
                    again.status, made.seconds + again.seconds, again.body, again.headers
                )
                refused += more
            refusals["api"] += refused
            return h.Response(
                200 if made.status == 201 else made.status, made.seconds, made.body, made.headers
            )

        def via_floor(c, day):
            auth = {"Authorization": f"Token {c['token']}"}
            body = {
                "operation": self.op.pk,
                "report_date": day.isoformat(),
                "personnel_on_duty": 12,
            }
            made, refused = h.resend_until_answered(
                lambda: h.request(port, "POST", "/bench/floor/report/", headers=auth, body=body)
            )
            refusals["floor"] += refused
            return made

        for conc, offset in ((8, 0), (16, per)):
            days = dates[offset : offset + per]
            res, wall = h.concurrent(api_clients[:conc], lambda c, i, d=days: via_api(c, d[i]), per)
            fres, fwall = h.concurrent(
                floor_clients[:conc], lambda c, i, d=days: via_floor(c, d[i]), per
            )
            t, f = (
                h.Timing([r.seconds for r in res], {r.status for r in res}),
                h.Timing([r.seconds for r in fres], {r.status for r in fres}),
            )
            check = self._check_sent(api_units[:conc], days, "submitted", len(res))
            fcheck = self._check_sent(floor_units[:conc], days, "submitted", len(fres))
            note = (f"{len(res) / wall:.1f} reports/s vs floor {len(fres) / fwall:.1f}/s; {check}; floor {fcheck}; "
                    f"refusals resent: {refusals['api']} (floor {refusals['floor']})")  # fmt: skip
            refusals.update(api=0, floor=0)
            if t.statuses - {200} or f.statuses - {201}:
                note += f"; HTTP {sorted(t.statuses)} (floor {sorted(f.statuses)})"
                bad = next((r for r in res if r.status != 200), None)
                if bad is not None:
                    note += f": {bad.body[:200].decode(errors='replace')}"
            self.rows.append(Row("submission", f"create + submit via API, {conc} clients", t.p50, t.p95, "–",
                                 "1-row DRF insert", f.p50, None, note))  # fmt: skip
            h.log(f"submission {conc}: p50 {_ms(t.p50)} ms, {note}")

    def _check_sent(self, units, days, status, expected) -> str:
        rows = _fetch(
            "SELECT count(*), count(DISTINCT (unit_id, report_date)), count(*) FILTER (WHERE status = %(s)s) "
            "FROM reports_dailyreport WHERE unit_id = ANY(%(u)s) AND report_date = ANY(%(d)s) AND operation_id = %(op)s",
            {"u": [u.pk for u in units], "d": days, "s": status, "op": self.op.pk},
        )[0]
        total, distinct, sent = rows
        ok = total == distinct == sent == expected
        return f"SQL check {'OK' if ok else 'FAILED'}: {sent}/{expected} sent, {total - distinct} duplicates, {expected - sent} lost"

    def kapolsek_national(self) -> None:
        self._kapolsek("national", self.server, "op.polsek-jabar-01-01", PASSWORD)

    def kapolsek_demo(self, demo: h.Server) -> None:
        self._kapolsek("demo", demo, "kapolsek.sirimau", DEMO_PASSWORD)
        for label, national in self.kapolsek.get("national", {}).items():
            demo_t = self.kapolsek["demo"].get(label)
            self.rows.append(Row("kapolsek", f"{label} · national vs demo", national.p50, national.p95, "–",
                                 "same page on the demo", demo_t.p50 if demo_t else None))  # fmt: skip

    def _kapolsek(self, where, server, username, password) -> None:
        hdrs = self.cookie(username, password, server)
        listing = h.request(server.port, "GET", "/api/v1/reports/", headers=hdrs).json()
        first = (listing.get("results") or [{}])[0].get("id")
        pages = [("home (redirect)", "/"), ("my reports", "/reports/"), ("new report form", "/reports/new/"),
                 ("notices", "/summaries/notices/")] + ([("my latest report", f"/reports/{first}/")] if first else [])  # fmt: skip
        self.kapolsek[where] = {}
        for label, url in pages:
            self.kapolsek[where][label] = h.timed(
                lambda u=url: h.request(server.port, "GET", u, headers=hdrs),
                warmup=self.reps.warmup, n=self.reps.n, budget=self.reps.budget,
            )  # fmt: skip


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return c.fetchall()
