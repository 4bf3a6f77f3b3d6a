"""The dashboard figures of the national benchmark alone, on an existing copy.

    .venv/bin/python bench/dashboard_national.py --db j12d [--n 20]

For Mabes, the lopsided Polda (Jawa Barat), an ordinary Polda (Sulawesi Selatan), a
Polres and a Polsek: the page, ``/api/v1/dashboard/``, a changed poll (no ETag) and an
unchanged poll (its ETag: a 304), each p50/p95 over real HTTP requests to gunicorn (2
sync workers) on loopback, beside the floor measured in the same run: the compliance SQL
of bench/national_figures.py (p95) plus ``/health/`` (p95). The goal is p95 within the
issue's table and within 2 × that floor. Also the bytes of one load (page HTML + the API
JSON, uncompressed) and the query count of one request (replayed in-process). Only
127.0.0.1 is contacted; the database is read, never written (no copy is made).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import national_http as h

GOALS_MS = {"Mabes": 150, "Polda": 100, "Polres": 80, "Polsek": 80}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="j12d")
    parser.add_argument("--port", type=int, default=int(os.environ.get("NATDB_PORT", 55432)))
    parser.add_argument("--n", type=int, default=20, help="timed requests per figure")
    args = parser.parse_args()
    url = f"postgres://postgres@{h.HOST}:{args.port}/{args.db}"
    var_dir = tempfile.mkdtemp(prefix="pamilu-bench-")
    env = h.bench_env(url, PAMILU_VAR_DIR=var_dir, AUDIT_SEAL_KEY="bench-" + "s" * 40)
    os.environ.update({**env, "ALLOWED_HOSTS": f"{h.HOST},testserver"})
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import User
    from bench import national_figures as nf
    from operations import clock, tree
    from operations.models import Operation, Unit

    op = Operation.objects.get(code="omb-nasional")
    now = timezone.now()
    days = {z: clock.local_date(Unit(time_zone=z), now) for z in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")}  # fmt: skip
    targets = [
        ("Mabes", "Mabes", "cc.mabes", nf.MABES, ""),
        ("Polda Jawa Barat (lopsided)", "Polda", "cc.polda-jabar", nf.LOPSIDED, ""),
        ("Polda Sulawesi Selatan", "Polda", "cc.polda-sulsel", nf.ORDINARY, ""),
        (f"Polres {nf.POLRES}", "Polres", "rev.polres-jabar-01", nf.POLRES, ""),
        (f"Polsek {nf.POLSEK}", "Polsek", "cc.mabes", nf.POLSEK, f"?unit={nf.POLSEK}"),
    ]
    env["PAMILU_BENCH"] = "true"
    server = h.Server(env).start()
    lines = [
        f"load average at start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
        "",
        "| figure | p50 ms | p95 ms | queries | floor p95 ms | p95 / floor | goal p95 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    sizes = []
    try:
        health = h.timed(lambda: h.request(server.port, "GET", "/health/"), warmup=3, n=30)
        for label, level, username, code, query in targets:
            cookie = h.login(server.port, username, nf.PASSWORD)
            focus = Unit.objects.get(code=code)
            params = {**tree.child_key_params(focus), "op": op.pk, "prefix": tree.subtree_pattern(focus),
                      "wib": days["Asia/Jakarta"], "wita": days["Asia/Makassar"], "wit": days["Asia/Jayapura"]}  # fmt: skip
            floor_sql = h.timed_sql(
                lambda p=params: nf._fetch(nf.COMPLIANCE_SQL, p), warmup=1, n=args.n
            )
            floor = floor_sql.p95 + health.p95
            client = Client()
            client.force_login(User.objects.get(username=username))
            page = h.request(server.port, "GET", f"/dashboard/{query}", headers=cookie)
            etag = page.headers.get("etag") or h.request(
                server.port, "GET", f"/dashboard/panels/{query}", headers={**cookie, "HX-Request": "true"}
            ).headers.get("etag", "")  # fmt: skip
            api = h.request(server.port, "GET", f"/api/v1/dashboard/{query}", headers=cookie)
            sizes.append((label, len(page.body), len(api.body)))
            figures = [
                ("page", f"/dashboard/{query}", {}),
                ("API", f"/api/v1/dashboard/{query}", {}),
                ("poll, changed", f"/dashboard/panels/{query}", {"HX-Request": "true"}),
                ("poll, unchanged (304)", f"/dashboard/panels/{query}", {"HX-Request": "true", "If-None-Match": etag}),
            ]  # fmt: skip
            for name, path, extra in figures:
                t = h.timed(
                    lambda p=path, e=extra, c=cookie: h.request(server.port, "GET", p, headers={**c, **e}),
                    warmup=1, n=args.n, budget=60,
                )  # fmt: skip
                meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in extra.items()}
                with CaptureQueriesContext(connection) as ctx:
                    client.get(path, **meta)
                goal = 30 if "304" in name else GOALS_MS[level]
                status = ",".join(str(s) for s in sorted(t.statuses))
                lines.append(
                    f"| {name} · {label} (HTTP {status}) | {t.p50 * 1000:,.0f} | {t.p95 * 1000:,.0f} "
                    f"| {len(ctx.captured_queries)} | {floor * 1000:,.0f} | {t.p95 / floor:.2f} | {goal} |"
                )  # fmt: skip
                h.log(lines[-1])
    finally:
        server.stop()
    lines += [
        "",
        "| bytes per load (uncompressed) | page HTML | API JSON | together |",
        "|---|---|---|---|",
    ]
    lines += [f"| {label} | {p:,} | {a:,} | {p + a:,} |" for label, p, a in sizes]
    lines.append(
        f"\nload average at end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
