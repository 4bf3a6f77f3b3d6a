"""The generator's driver: options, the steps in order, timings."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction

from operations.models import Operation, Phase
from testbed import shape as country
from testbed.generate import deploy, derive, people, posts, reports, summaries, tree
from testbed.generate.sql import Timer, execute, install_functions

# Tables the generator fills; --reset empties them (and what cascades from them).
TABLES = [
    "audit_auditentry", "summaries_notice", "summaries_summary", "reports_incident",
    "reports_reportactivity", "reports_attachment", "reports_idempotencykey",
    "reports_dailyreport", "personnel_apelequipment", "personnel_apel", "personnel_deployment",
    "personnel_postgroupmember", "personnel_postgroup", "personnel_assignment",
    "personnel_warrant", "personnel_personnel", "operations_event", "operations_post",
    "operations_securitypattern", "operations_taskforce", "operations_phase",
    "operations_operation", "knox_authtoken", "accounts_user", "operations_unit",
    "audit_auditblock", "summaries_summarypart", "summaries_summarystate",
    "summaries_dirtyunit", "reports_reportflag", "reports_correction", "operations_tpscount",
    "accounts_apitokeninfo", "accounts_signinfailure",
]  # fmt: skip


@dataclass(frozen=True)
class Options:
    scale: float = 1.0
    seed: int = 1
    days: int = country.OPERATION_DAYS
    now: dt.datetime | None = None
    summary_days: int = 7
    summary_heads: tuple[str, ...] | None = None  # unit codes; default Mabes and every Polda
    reset: bool = False


class NotEmpty(Exception):
    pass


def generate(options: Options, out=None) -> dict[str, float]:
    """Generate the country. Outside a transaction the work is committed in stages and
    the rekap are built on a second connection while this one derives the report audit
    (both cores busy); on failure every generated table is emptied again. Inside a
    transaction (a test's) the same steps run in the same order in that transaction."""
    now = (options.now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    timer = Timer(out)
    staged = not connection.in_atomic_block
    loaded = False
    try:
        with transaction.atomic():
            operation, later = _load(options, now, timer, staged)
        loaded = True
        with transaction.atomic():
            _finish(options, operation, later, now, timer, staged)
    except BaseException:
        if staged and loaded:
            _empty()
        raise
    finally:
        if staged:
            _reset_session()
    timer.times["total"] = timer.total
    if out is not None:
        out.write(f"  {'total':<28} {timer.total:7.1f} s")
    _drop_temp()
    return timer.times


def _load(options: Options, now: dt.datetime, timer: Timer, staged: bool) -> tuple[Operation, list]:
    """Stage 1: every base row, what the rekap read derived from them, the audit of all
    but the reports (whose ids are reserved), and the indexes the rekap read."""
    if options.reset:
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    elif _has_units():
        raise NotEmpty("the database already has units: use --reset to replace them")
    _tune_session(staged)
    if timer.out is not None:
        timer.out.write(f"  session: {_session_settings()}")
    install_functions(options.seed)
    _bulk_mode(True)
    today = now.astimezone(dt.timezone(dt.timedelta(hours=7))).date()  # WIB
    later = timer.step("drop secondary indexes", drop_indexes)
    timer.step("units", tree.load_units, options.scale, options.seed)
    operation = timer.step("operation", tree.load_operation, today, options.days)
    timer.step("users", tree.load_users)
    timer.step("tps", posts.load_tps, operation.pk, options.scale, options.seed)
    timer.step("tps groups", posts.load_groups, operation.pk)
    timer.step("personnel", people.load_personnel, options.scale)
    timer.step("warrants", people.load_warrants, operation.pk, operation.start_date)
    timer.step("assignments", people.load_assignments, operation.pk, country.LOPSIDED)
    voting = Phase.objects.get(operation=operation, is_voting_day=True).start_date
    timer.step("deployments (voting day)", deploy.load_voting_day, operation.pk, voting)
    timer.step("deployments (shifts)", deploy.load_shifts, operation.pk, now)
    timer.step("apel", deploy.load_apels, operation.pk, operation.start_date, now)
    start, hour = operation.start_date, operation.report_deadline_hour
    timer.step("report timelines", reports.build_timeline, operation.pk, start, hour, now)
    timer.step("reports", reports.load_reports, operation.pk)
    timer.step("activities", reports.load_activities, operation.pk)
    timer.step("incidents", reports.load_incidents, operation.pk)
    execute("CREATE INDEX ON tb_rep (unit_ord, day)")
    # Statistics of the loaded rows before the derive step joins them (plans for a few
    # rows otherwise, e.g. a window re-sorted per row in the TPS counts).
    timer.step("analyze (loaded)", execute, "ANALYZE")
    derive.derive_all(operation, now, timer, derive.BEFORE_SUMMARIES)
    timer.step("reserve report audit ids", derive.reserve_report_audit)
    read = [(t, d) for t, d in later if t in SUMMARY_TABLES]
    timer.step("index builds (reports)", create_indexes, read)
    timer.step("analyze (reports)", execute, f"ANALYZE {', '.join(SUMMARY_TABLES)}")
    return operation, [(t, d) for t, d in later if t not in SUMMARY_TABLES]


def _finish(
    options: Options, operation: Operation, later: list, now, timer: Timer, staged: bool
) -> None:
    """Stage 2: the report audit, the rekap beside it when staged (on a second connection:
    nothing here locks what they write until they are done), then the remaining indexes
    (an index build would make their audit entries wait) and the checks of every row."""
    _bulk_mode(True)
    operation = Operation.objects.get(pk=operation.pk)
    rekap = (operation, now, options.summary_days, options.summary_heads)
    worker = _Worker(summaries.build, *rekap) if staged else None
    if worker is not None:
        worker.start()
    try:
        derive.derive_all(operation, now, timer, derive.AFTER_SUMMARIES)
    finally:
        if worker is not None:
            worker.join()
    if worker is None:
        timer.step("summaries", summaries.build, *rekap)
    else:
        if worker.error is not None:
            raise worker.error
        timer.times["summaries (beside)"] = worker.elapsed
        if timer.out is not None:
            timer.out.write(
                f"  {'summaries (2nd connection)':<28} {worker.elapsed:7.1f} s  {worker.result}"
            )
    _bulk_mode(False)
    timer.step("index builds", create_indexes, later)
    timer.step("verify foreign keys", verify_foreign_keys)
    timer.step("analyze", execute, "ANALYZE")


class _Worker(threading.Thread):
    """Runs `fn` on its own database connection (Django's are per thread)."""

    def __init__(self, fn, *args) -> None:
        super().__init__(name="testbed-summaries", daemon=True)
        self.fn, self.args = fn, args
        self.result = None
        self.error: BaseException | None = None
        self.elapsed = 0.0

    def run(self) -> None:
        t0 = time.monotonic()
        try:
            self.result = self.fn(*self.args)
        except BaseException as exc:  # re-raised by the caller after join()
            self.error = exc
        finally:
            self.elapsed = time.monotonic() - t0
            connection.close()


def _tune_session(staged: bool) -> None:
    """One loading session on a test bed: large sorts and hashes in memory, and the temp
    tables (the timeline is ~1.3 M rows) in local buffers rather than 8 MB of them.
    Staged, for the session (reset at the end); else for the caller's transaction."""
    scope = "SESSION" if staged else "LOCAL"
    execute(f"SET {scope} work_mem = '256MB'")
    execute(f"SET {scope} maintenance_work_mem = '1GB'")
    try:
        with transaction.atomic():
            execute("SET temp_buffers = '2GB'")
    except DatabaseError:
        pass  # temp tables already used in this session: the size is fixed for it


def _session_settings() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) "
            "FROM pg_settings WHERE name IN ('work_mem', 'maintenance_work_mem', 'temp_buffers')"
        )
        return cursor.fetchone()[0]


def _bulk_mode(on: bool) -> None:
    """Bulk rows skip the per-row foreign-key triggers (a superuser session only); every
    foreign key is checked set-wise by `verify_foreign_keys` before the end."""
    if _is_superuser():
        execute(f"SET LOCAL session_replication_role = {'replica' if on else 'origin'}")


def _reset_session() -> None:
    for name in ("work_mem", "maintenance_work_mem"):
        with contextlib.suppress(DatabaseError):
            execute(f"RESET {name}")


def _empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


# The big tables filled once in bulk: their secondary indexes (not the primary keys, not
# those behind a constraint) are dropped first and built after the load, by a sort each
# instead of a million index insertions. A unique one then checks its rows as it builds.
# (Not the incidents: few rows, and the load itself looks them up by report.)
# The rekap read the report tables: theirs are built (and analyzed) before the rekap start.
SUMMARY_TABLES = ["reports_dailyreport", "reports_reportactivity", "reports_incident",
                  "operations_unit"]  # fmt: skip
BULK_TABLES = [
    "audit_auditentry", "reports_dailyreport", "reports_reportactivity", "summaries_notice",
]  # fmt: skip


def drop_indexes() -> list[tuple[str, str]]:
    """Drop the bulk tables' secondary indexes; returns (table, definition) of each."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                   i.indrelid::regclass::text
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [BULK_TABLES],
        )
        found = cursor.fetchall()
        for name, _, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [(table, definition) for _, definition, table in found]


def create_indexes(definitions: list[tuple[str, str]]) -> int:
    with connection.cursor() as cursor:
        for _, definition in definitions:
            cursor.execute(definition)
    return len(definitions)


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        return bool(row and row[0])


class BrokenReference(Exception):
    pass


def verify_foreign_keys() -> int:
    """Every single-column foreign key of the filled tables holds (one anti-join each)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
              AND c.conrelid::regclass::text = ANY(%s)
            """,
            [TABLES],
        )
        keys = cursor.fetchall()
        for table, column, parent, parent_column in keys:
            cursor.execute(
                f'SELECT count(*) FROM {table} t WHERE t."{column}" IS NOT NULL AND NOT EXISTS '
                f'(SELECT 1 FROM {parent} p WHERE p."{parent_column}" = t."{column}")'
            )
            broken = cursor.fetchone()[0]
            if broken:
                raise BrokenReference(f"{broken} rows of {table}.{column} miss {parent}")
    return len(keys)


def _has_units() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM operations_unit")
        return cursor.fetchone()[0] > 0


def _drop_temp() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DISCARD TEMP")
