"""The national read figures of two code trees, interleaved (issue #11's before/after).

    git worktree add /tmp/before c12059b && git worktree add /tmp/after d3df2d2
    .venv/bin/python bench/national_compare.py --template national \\
        before=/tmp/before after=/tmp/after

Each tree is served by its own gunicorn (2 sync workers, DEBUG off, this checkout's
virtualenv) on its own copy of the template (`n_before`, `n_after`, dropped at the end
unless --keep), so neither sees the other's sessions. The two trees must share the
template's schema: only HTTP is used (no in-process replay), so the bench never imports
the trees' models. Figures: the dashboard page, its htmx poll and /api/v1/dashboard/ for
Mabes, the lopsided Polda, an ordinary Polda, a Polres and a Polsek; coverage and the
report list (page 1 and a deep page) as Mabes and as a Polres reviewer; /health/ as each
server's floor. After one warm-up request per figure and tree, every round times each
figure once per tree, alternating which tree goes first (A B, B A, ...), so a change of
machine load falls on both. Output: p50/p95 per figure and tree, the ratio of the second
tree to the first, the load average, and the command, as Markdown (--output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import national_http as h

PASSWORD = "pamilu-national-2024"  # noqa: S105 - the test bed's published password
POLRES, POLSEK = "POLRES-JABAR-01", "POLSEK-JABAR-01-01"
PG_BIN = (
    sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    if Path("/usr/lib/postgresql").exists()
    else Path()
)


def psql(port: int, db: str, sql: str) -> str:
    return subprocess.run(
        [str(PG_BIN / "psql"), "-h", h.HOST, "-p", str(port), "-U", "postgres", "-d", db,
         "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def copy_template(port: int, template: str, db: str) -> None:
    psql(port, "postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
    for attempt in range(60):  # the template may be in use by someone's copy: wait
        try:
            psql(port, "postgres", f"CREATE DATABASE {db} TEMPLATE {template}")
            return
        except subprocess.CalledProcessError:
            if attempt == 59:
                raise
            h.log(f"{template} is in use; retrying in 10 s")
            time.sleep(10)


def figures(port: int, db: str) -> list[tuple[str, str, str, dict]]:
    """(figure, user, url, extra headers), deep pages sized from the copy's own rows."""
    total = int(psql(port, db, "SELECT count(*) FROM reports_dailyreport"))
    polres_path = psql(port, db, f"SELECT path FROM operations_unit WHERE code = '{POLRES}'")
    in_polres = int(
        psql(
            port,
            db,
            "SELECT count(*) FROM reports_dailyreport r JOIN operations_unit u ON u.id = r.unit_id "
            f"WHERE u.path = '{polres_path}' OR u.path LIKE '{polres_path}/%'",
        )
    )
    hx = {"HX-Request": "true"}
    rows = []
    for label, user, query in (
        ("Mabes", "cc.mabes", ""),
        ("Polda Jawa Barat (lopsided)", "cc.polda-jabar", ""),
        ("Polda Sulawesi Selatan", "cc.polda-sulsel", ""),
        (f"Polres ({POLRES})", "rev.polres-jabar-01", ""),
        (f"Polsek ({POLSEK}, Mabes user)", "cc.mabes", f"?unit={POLSEK}"),
    ):
        rows += [
            (f"dashboard page · {label}", user, f"/dashboard/{query}", {}),
            (f"htmx poll · {label}", user, f"/dashboard/panels/{query}", hx),
            (f"/api/v1/dashboard/ · {label}", user, f"/api/v1/dashboard/{query}", {}),
        ]
    for who, user, count in (
        ("Mabes", "cc.mabes", total),
        (f"reviewer {POLRES}", "rev.polres-jabar-01", in_polres),
    ):
        deep = max(2, count // 30 // 2)
        rows += [
            (f"coverage · {who}", user, "/deployments/coverage/", {}),
            (f"report list p.1 · {who}", user, "/reports/", {}),
            (f"report list deep page (p.{deep}) · {who}", user, f"/reports/?page={deep}", {}),
        ]
    return rows


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("trees", nargs=2, metavar="NAME=PATH", help="two code trees")
    parser.add_argument("--template", default="national")
    parser.add_argument("--port", type=int, default=55432)
    parser.add_argument("--rounds", type=int, default=5, help="timed requests per figure and tree")
    parser.add_argument("--keep", action="store_true", help="keep the copies")
    parser.add_argument("--output", default=str(h.ROOT / "bench/results/read-side-move.md"))
    args = parser.parse_args()
    started = time.monotonic()
    trees = []
    for spec in args.trees:
        name, _, path = spec.partition("=")
        tree = Path(path).resolve()
        if not (tree / "manage.py").exists():
            parser.error(f"{spec}: no manage.py in {tree}")
        commit = subprocess.run([shutil.which("git") or "git", "-C", str(tree), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()  # fmt: skip
        trees.append({"name": name, "tree": tree, "db": f"n_{name}", "commit": commit})
    load_start = loadavg()
    servers = []
    try:
        for t in trees:
            h.log(
                f"{t['name']}: copying {args.template} to {t['db']}; collectstatic in {t['tree']}"
            )
            copy_template(args.port, args.template, t["db"])
            env = h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/{t['db']}")
            py = str(h.ROOT / ".venv/bin/python")
            subprocess.run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                           cwd=t["tree"], env=env, check=True)  # fmt: skip
            t["server"] = h.Server(env, tree=t["tree"]).start()
            servers.append(t["server"])
        rows = figures(args.port, trees[0]["db"])
        rows.insert(0, ("/health/ (floor, same server)", "", "/health/", {}))
        cookies = {}
        for t in trees:
            for user in sorted({r[1] for r in rows if r[1]}):
                cookies[(t["name"], user)] = h.login(t["server"].port, user, PASSWORD)
        samples = {(t["name"], r[0]): [] for t in trees for r in rows}
        statuses = {(t["name"], r[0]): set() for t in trees for r in rows}
        sizes = {(t["name"], r[0]): 0 for t in trees for r in rows}

        def hit(t, row):
            figure, user, url, extra = row
            hdrs = {**(cookies[(t["name"], user)] if user else {}), **extra}
            resp = h.request(t["server"].port, "GET", url, headers=hdrs)
            statuses[(t["name"], figure)].add(resp.status)
            sizes[(t["name"], figure)] = len(resp.body)
            return resp.seconds

        h.log("warm-up: one request per figure and tree")
        for row in rows:
            for t in trees:
                hit(t, row)
        for rnd in range(args.rounds):
            order = trees if rnd % 2 == 0 else trees[::-1]
            h.log(f"round {rnd + 1}/{args.rounds} (load {loadavg()})")
            for row in rows:
                for t in order:
                    samples[(t["name"], row[0])].append(hit(t, row))
        load_end = loadavg()
    finally:
        for s in servers:
            s.stop()
        if not args.keep:
            for t in trees:
                psql(args.port, "postgres", f"DROP DATABASE IF EXISTS {t['db']} WITH (FORCE)")
    a, b = trees[0]["name"], trees[1]["name"]
    out = [
        f"# National read figures: {a} ({trees[0]['commit']}) vs {b} ({trees[1]['commit']})",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; data: copies of `{args.template}`; "
        f"gunicorn 2 sync workers each, DEBUG off",
        f"- load average (1/5/15 min): {load_start} at start, {load_end} at the end",
        f"- {args.rounds} timed requests per figure and tree after one warm-up, interleaved "
        f"(each round alternates which tree goes first)",
        f"- command: `{shlex.join([sys.executable.replace(str(h.ROOT) + '/', ''), *sys.argv])}`",
        "",
        f"| figure | {a} p50 ms | {a} p95 ms | {b} p50 ms | {b} p95 ms | p50 {b}/{a} | p95 {b}/{a} | "
        "status | bytes |",
        "|---|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for figure, *_ in rows:
        ta = h.Timing(samples[(a, figure)], statuses[(a, figure)])
        tb = h.Timing(samples[(b, figure)], statuses[(b, figure)])
        status = "/".join(",".join(map(str, sorted(statuses[(n, figure)]))) for n in (a, b))
        size = f"{sizes[(a, figure)]:,}/{sizes[(b, figure)]:,}"
        out.append(
            f"| {figure} | {ta.p50 * 1000:,.0f} | {ta.p95 * 1000:,.0f} | {tb.p50 * 1000:,.0f} | "
            f"{tb.p95 * 1000:,.0f} | {tb.p50 / ta.p50:.2f} | {tb.p95 / ta.p95:.2f} | {status} | {size} |"
        )
    out += ["", f"Run took {(time.monotonic() - started) / 60:.1f} min."]
    text = "\n".join(out) + "\n"
    Path(args.output).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
