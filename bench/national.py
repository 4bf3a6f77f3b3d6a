"""National benchmark: every national view against its floor, on the generated data.

    bench/natdb.sh start                       # the persistent cluster (127.0.0.1:55432)
    bench/natdb.sh generate                    # database `national` (once, ~10 min)
    .venv/bin/python bench/national.py [--database national] [--quick]

Works on a copy (`national_bench`, from the data set named by --database) so the
submissions it makes never touch the shared data set; the kapolsek figures compare with
a demo database (`demo_bench`, made by migrate + load_demo, migrated on later runs). One run prints the server settings, then for each figure the
p50/p95 over repeated requests after a warm-up, its floor measured in the same run and
the ratio, the query count of one request (the same view replayed in-process with
Django's CaptureQueriesContext: the HTTP server itself runs untouched), and at the end
the peak RSS of a gunicorn worker and of a Celery worker, and EXPLAIN ANALYZE of the
three slowest statements seen. Only 127.0.0.1 is contacted; all loops are bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import national_http as h

PASSWORD = "pamilu-national-2024"  # noqa: S105 - the test bed's published password
DEMO_PASSWORD = "pamilu-demo-2024"  # noqa: S105 - the demo's published password


def psql(port: int, db: str, sql: str) -> None:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    subprocess.run(
        [str(pg_bin / "psql"), "-h", h.HOST, "-p", str(port), "-U", "postgres", "-d", db,
         "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
    )  # fmt: skip


def prepare_databases(args) -> None:
    h.log(f"copying {args.template} to {args.db} (CREATE DATABASE … TEMPLATE)")
    psql(args.port, "postgres", f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    for attempt in range(90):  # the template may be in use (someone's copy or dump): wait
        try:
            psql(args.port, "postgres", f"CREATE DATABASE {args.db} TEMPLATE {args.template}")
            break
        except subprocess.CalledProcessError:
            if attempt == 89:
                raise
            h.log(f"{args.template} is in use; retrying in 10 s")
            time.sleep(10)
    prepare_demo(args)


def prepare_demo(args) -> None:
    """The demo database the kapolsek pages are compared with (made once, then kept)."""
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    listed = subprocess.run(
        [str(pg_bin / "psql"), "-h", h.HOST, "-p", str(args.port), "-U", "postgres", "-d",
         "postgres", "-Atc", "SELECT 1 FROM pg_database WHERE datname = 'demo_bench'"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    env = h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/demo_bench")
    py = str(h.ROOT / ".venv/bin/python")
    if listed == "1":  # kept from an earlier run: bring it to this checkout's schema
        subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=h.ROOT, env=env, check=True)
        return
    h.log("creating the demo database demo_bench (migrate + load_demo)")
    psql(args.port, "postgres", "CREATE DATABASE demo_bench")
    subprocess.run([py, "manage.py", "migrate", "-v", "0"], cwd=h.ROOT, env=env, check=True)
    subprocess.run(
        [py, "manage.py", "load_demo", "--allow-production"],
        cwd=h.ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def setup_django(args, var_dir: str) -> None:
    env = h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/{args.db}")
    env["ALLOWED_HOSTS"] = f"{h.HOST},testserver"  # the in-process replay's Client
    env["PAMILU_VAR_DIR"] = var_dir
    os.environ.update(env)
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--port", type=int, default=int(os.environ.get("NATDB_PORT", 55432)))
    parser.add_argument(
        "--database",
        "--template",
        dest="template",
        default="national",
        help="the generated data set (copied, never changed)",
    )
    parser.add_argument("--db", default="national_bench")
    parser.add_argument("--keep", action="store_true", help="reuse an existing copy")
    parser.add_argument("--output", default=str(h.ROOT / "bench/results/national-latest.md"))
    parser.add_argument(
        "--explain-only",
        action="store_true",
        help="replay the heaviest national views in-process and append EXPLAIN ANALYZE of "
        "the three slowest statements to --output (after a time-bounded run)",
    )
    parser.add_argument(
        "--max-minutes", type=float, default=0, help="skip the remaining sections after this"
    )
    parser.add_argument(
        "--repetitions",
        type=int,
        default=6,
        help="timed requests per figure (default 6; more gives steadier p95s)",
    )
    args = parser.parse_args()
    wall = time.monotonic()
    if not args.keep:
        prepare_databases(args)
    var_dir = tempfile.mkdtemp(prefix="pamilu-bench-")
    if args.explain_only:
        return explain_only(args, var_dir)
    h.log("collectstatic (production static storage needs its manifest)")
    manifest = h.ROOT / "staticfiles/staticfiles.json"
    subprocess.run(
        ["true"]
        if args.keep and manifest.exists()
        else [str(h.ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput"],
        cwd=h.ROOT,
        env=h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/{args.db}"),
        check=True,
    )
    setup_django(args, var_dir)
    from bench import national_figures as figures

    reps = (
        figures.Reps(warmup=0, n=3, budget=10, submit=3, summary=1)
        if args.quick
        else figures.Reps(n=args.repetitions, budget=max(20.0, 3.0 * args.repetitions))
    )
    env = h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/{args.db}", PAMILU_VAR_DIR=var_dir)
    run = figures.Run(args=args, reps=reps, env=env)
    started = time.monotonic()
    if args.max_minutes:
        run.deadline = started + args.max_minutes * 60
    run.header(machine())

    def section(fn, *fn_args) -> None:
        """Run one section unless the time is up; write what we have after each."""
        if args.max_minutes and time.monotonic() - started > args.max_minutes * 60:
            run.notes.append(f"section {fn.__name__} skipped (--max-minutes {args.max_minutes})")
            return
        fn(*fn_args)
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(run.report(time.monotonic() - started))

    server = h.Server(env).start()
    try:
        run.server = server
        section(run.dashboards)
        section(run.submissions)
        section(run.navigation)
        section(run.kapolsek_national)
        run.web_rss = max(h.peak_rss_mb(pid) for pid in server.worker_pids())
    finally:
        server.stop()
    section(run.summaries)
    section(run.celery_rss, var_dir)
    demo_env = h.bench_env(f"postgres://postgres@{h.HOST}:{args.port}/demo_bench")
    if run.kapolsek:
        demo = h.Server(demo_env).start()
        try:
            section(run.kapolsek_demo, demo)
        finally:
            demo.stop()
    section(run.slowest_statements)
    text = run.report(time.monotonic() - started)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text)
    print(text)
    h.log(f"written to {args.output}")
    h.log(f"total run time: {(time.monotonic() - wall) / 60:.1f} min (with the copy and set-up)")
    return 0


def explain_only(args, var_dir: str) -> int:
    setup_django(args, var_dir)
    from bench import national_figures as figures

    run = figures.Run(args=args, reps=figures.Reps(), env={})
    for url in ("/dashboard/", "/deployments/coverage/", "/api/v1/dashboard/", "/reports/queue/"):
        h.log(f"replaying {url} as cc.mabes")
        run.queries("cc.mabes", url)
    run.slowest_statements()
    out = ["", "## The three slowest statements (EXPLAIN ANALYZE, replayed as cc.mabes)"]
    for seconds, where, plan in run.explains:
        out += ["", f"### {seconds * 1000:,.0f} ms in the replay", "", "```sql", where, "```", "",
                "```", plan, "```"]  # fmt: skip
    with Path(args.output).open("a") as handle:
        handle.write("\n".join(out) + "\n")
    h.log(f"appended to {args.output}")
    return 0


def machine() -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": f"{int(mem) / 1024 / 1024:.1f} GiB",
        "load average at start": " ".join(load),
        "python": platform.python_version(),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["--demo-only"]:  # natdb.sh: make the demo database ahead
        prepare_demo(argparse.Namespace(port=int(os.environ.get("NATDB_PORT", 55432))))
        sys.exit(0)
    sys.exit(main())
