"""The generator's driver: options, the steps in order, timings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction

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
    now = (options.now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    timer = Timer(out)
    with transaction.atomic():
        if options.reset:
            execute("SET CONSTRAINTS ALL IMMEDIATE")
            execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        elif _has_units():
            raise NotEmpty("the database already has units: use --reset to replace them")
        install_functions(options.seed)
        # Bulk rows skip the per-row foreign-key triggers (a superuser session only); every
        # foreign key is checked set-wise by `verify_foreign_keys` before the transaction ends.
        fast = _is_superuser()
        if fast:
            execute("SET LOCAL session_replication_role = replica")
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
        derive.derive_all(operation, now, timer)
        if fast:
            execute("SET LOCAL session_replication_role = origin")
        timer.step("index builds", create_indexes, later)
        timer.step("verify foreign keys", verify_foreign_keys)
        timer.step("analyze", execute, "ANALYZE")
        operation = Operation.objects.get(pk=operation.pk)
        timer.step(
            "summaries",
            summaries.build,
            operation,
            now,
            options.summary_days,
            options.summary_heads,
        )
    timer.times["total"] = timer.total
    if out is not None:
        out.write(f"  {'total':<28} {timer.total:7.1f} s")
    _drop_temp()
    return timer.times


# The big tables filled once in bulk: their secondary indexes (not the primary keys, not
# those behind a constraint) are dropped first and built after the load, by a sort each
# instead of a million index insertions. A unique one then checks its rows as it builds.
# (Not the incidents: few rows, and the load itself looks them up by report.)
BULK_TABLES = [
    "audit_auditentry", "reports_dailyreport", "reports_reportactivity", "summaries_notice",
]  # fmt: skip


def drop_indexes() -> list[str]:
    """Drop the bulk tables' secondary indexes; returns their definitions."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY 1
            """,
            [BULK_TABLES],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def create_indexes(definitions: list[str]) -> int:
    with connection.cursor() as cursor:
        for definition in definitions:
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
