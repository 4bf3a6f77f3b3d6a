"""The national generator at a tiny scale: its rows are what the services would write.

One small country (36 Polda, one Polres and Polsek each, 12 days) is generated into the
test database; the tests then replay generated reports through ``reports.services`` at
the same instants and compare rows and audit entries, check lateness against
``operations.clock``, ask the reminder/escalation services whether anything is missing,
and rebuild summaries through their service.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.models import AuditEntry
from dashboard import tallies
from operations import clock, counts
from operations.models import Operation, Post, Unit, UnitKind
from operations.services import unit_path
from pamilu import actors
from personnel.models import Assignment, Deployment, Personnel, Warrant
from reports import facts
from reports import services as report_services
from reports.models import SENT_STATUSES, DailyReport, ReportActivity, ReportStatus
from reports.services import ACTIVITY_FIELDS, INCIDENT_FIELDS
from summaries import services as summary_services
from summaries.models import Notice, PeriodKind, Summary, SummaryPart, SummaryState
from testbed import shape
from testbed.generate import Options, generate
from testbed.generate.run import TABLES

# 00:01 WIB: every zone's day before is closed, both escalations included.
NOW = dt.datetime(2026, 11, 30, 17, 1, tzinfo=dt.UTC)
HEADS = ("MABES", "POLDA-MALUKU")
SMALL = Options(scale=0.002, seed=7, days=12, now=NOW, summary_days=1, summary_heads=HEADS)

REPORT_COLUMNS = [
    "status", "personnel_on_duty", "summary", "obstacles", "next_day_plan", "is_late",
    "first_submitted_at", "submitted_at", "reviewed_at", "reviewed_by_id", "return_reason",
    "created_by_id", "created_at", "updated_at", "unit_id", "report_date", "operation_id",
]  # fmt: skip
AUDIT_COLUMNS = ["at", "actor_id", "actor_name", "channel", "action", "unit_id", "changes",
                 "object_repr"]  # fmt: skip


@pytest.fixture(scope="module")
def _generated(django_db_setup, django_db_blocker):
    """Generated once for the module (committed); each test runs in a rolled-back
    transaction on top of it. Emptied again afterwards for the worker's next tests."""
    with django_db_blocker.unblock():
        generate(Options(**{**SMALL.__dict__, "reset": True}))
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


@pytest.fixture
def national(_generated, db):
    return Operation.objects.get(code="omb-nasional")


def _audit(report_id: int) -> list[dict]:
    return list(
        AuditEntry.objects.filter(content_type__model="dailyreport", object_id=str(report_id))
        .order_by("at", "id")
        .values(*AUDIT_COLUMNS)
    )


def _sample(operation) -> list[DailyReport]:
    """A few reports of each life: late, returned, sent again, unreviewed, with incidents."""
    base = DailyReport.objects.filter(operation=operation).order_by("id")
    picks = [
        base.filter(status=ReportStatus.ACCEPTED, is_late=False, incidents__isnull=False),
        base.filter(status=ReportStatus.ACCEPTED, is_late=True),
        base.filter(status=ReportStatus.RETURNED),
        base.filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED])
        .exclude(return_reason=""),
        base.filter(status=ReportStatus.SUBMITTED, return_reason=""),
        base.filter(status=ReportStatus.DRAFT),
        base.filter(unit__kind=UnitKind.POLRES, status=ReportStatus.ACCEPTED),
    ]  # fmt: skip
    reports = []
    for qs in picks:
        reports.extend(qs.distinct()[:2])
    return reports


def _replay(report: DailyReport, entries: list[dict]) -> DailyReport:
    """Write the same report through the services at the generated instants."""
    activities = [
        {name: getattr(a, name) for name in ACTIVITY_FIELDS} for a in report.activities.all()
    ]
    incidents = [
        {name: getattr(i, name) for name in INCIDENT_FIELDS} for i in report.incidents.all()
    ]
    fields = {n: getattr(report, n) for n in report_services.REPORT_FIELDS}
    unit, operation, day = report.unit, report.operation, report.report_date
    users = {e["actor_id"]: report.created_by for e in entries}
    if report.reviewed_by_id:
        users[report.reviewed_by_id] = report.reviewed_by
    reason = report.return_reason
    report.delete()
    AuditEntry.objects.filter(content_type__model="dailyreport", object_id=str(report.pk)).delete()
    replayed = None
    for entry in entries:
        by, channel = users[entry["actor_id"]], entry["channel"]
        with time_machine.travel(entry["at"], tick=False):
            action = entry["action"]
            if action == "report.create":
                replayed = report_services.report_create(
                    operation=operation, unit=unit, by=by, channel=channel, report_date=day,
                    activities=activities, incidents=incidents, **fields,
                )  # fmt: skip
            elif action in ("report.submit", "report.resubmit"):
                replayed = report_services.report_submit(report=replayed, by=by, channel=channel)
            elif action == "report.return":
                replayed = report_services.report_return(
                    report=replayed, by=by, channel=channel, reason=reason
                )
            elif action == "report.accept":
                replayed = report_services.report_accept(report=replayed, by=by, channel=channel)
            else:
                raise AssertionError(f"unexpected generated action {action}")
    return replayed


def test_generated_reports_equal_the_same_reports_written_through_the_services(national):
    sample = _sample(national)
    assert len({r.status for r in sample}) == 4  # draft, submitted, returned, accepted
    for report in sample:
        generated_row = {c: getattr(report, c) for c in REPORT_COLUMNS}
        generated_items = sorted(report.activities.values_list("kind", "count", "personnel"))
        entries = _audit(report.pk)
        assert entries[0]["action"] == "report.create"
        replayed = _replay(report, entries)
        replayed.refresh_from_db()
        assert {c: getattr(replayed, c) for c in REPORT_COLUMNS} == generated_row
        assert sorted(replayed.activities.values_list("kind", "count", "personnel")) == (
            generated_items
        )
        assert _audit(replayed.pk) == entries


def test_lateness_paths_and_counts_follow_the_app(national):
    units = {u.pk: u for u in Unit.objects.all()}
    counts = shape.shape(SMALL.scale)
    assert len(units) == counts.units
    assert Post.objects.filter(kind="tps").count() == round(shape.TOTAL_TPS * SMALL.scale)
    for unit in units.values():
        parent = units.get(unit.parent_id)
        assert unit.path == unit_path(code=unit.code, parent=parent)
        assert unit.depth == (parent.depth + 1 if parent else 0)
        assert unit.time_zone == (parent.time_zone if unit.kind != UnitKind.POLDA and parent
                                  else unit.time_zone)  # fmt: skip
    sent = DailyReport.objects.filter(status__in=SENT_STATUSES)
    late = 0
    for r in sent.only("unit_id", "report_date", "first_submitted_at", "is_late", "submitted_at"):
        expected = clock.is_late(national, units[r.unit_id], r.report_date, r.first_submitted_at)
        assert r.is_late == expected
        assert r.first_submitted_at <= r.submitted_at <= NOW
        late += expected
    assert 0 < late < sent.count()
    # Every unit-day of the operation so far: reported, or missing with its notices.
    reporting = Unit.objects.filter(kind__in=[UnitKind.POLRES, UnitKind.POLSEK]).count()
    assert DailyReport.objects.count() > 0.9 * reporting * SMALL.days


def test_the_services_find_no_missing_notice(national):
    # The WIB reminder window of the last closed day had units without a report.
    wib_reminders = Notice.objects.filter(level=0, report_date=dt.date(2026, 11, 30))
    assert wib_reminders.filter(unit__time_zone="Asia/Jakarta").exists()
    assert Notice.objects.filter(level=2).exists()
    assert summary_services.escalate(now=NOW, by=actors.TASKS, channel="system") == 0
    assert (
        summary_services.send_reminders(
            now=dt.datetime(2026, 11, 30, 12, 30, tzinfo=dt.UTC), by=actors.TASKS, channel="system"
        )
        == 0
    )
    # Each generated notice names a unit that had not sent its report at that moment.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM summaries_notice n
            JOIN reports_dailyreport r ON r.unit_id = n.unit_id AND r.report_date = n.report_date
            WHERE r.first_submitted_at <= n.created_at
            """
        )
        assert cursor.fetchone()[0] == 0


def test_summaries_are_what_the_service_builds_now(national):
    summaries = list(Summary.objects.select_related("operation", "unit", "phase"))
    kinds = {s.period_kind for s in summaries}
    assert kinds == {PeriodKind.DAILY, PeriodKind.WEEKLY, PeriodKind.PHASE}
    mabes_day = max(
        (s for s in summaries if s.unit.kind == UnitKind.MABES and s.period_kind == "daily"),
        key=lambda s: s.period_start,
    )
    day = mabes_day.period_start
    reported = DailyReport.objects.filter(report_date=day, status__in=SENT_STATUSES)
    assert mabes_day.content["reporting"]["reported"] == reported.count()
    assert mabes_day.content["reporting"]["late"] == reported.filter(is_late=True).count()
    assert mabes_day.content["totals"]["activities"] == sum(
        ReportActivity.objects.filter(report__in=reported).values_list("count", flat=True)
    )
    polda = [s for s in summaries if s.unit.kind == UnitKind.POLDA]
    assert {s.period_kind for s in polda} == kinds  # the parts cut from Mabes's are checked too
    checked = summaries[:: max(1, len(summaries) // 12)] + polda[:: max(1, len(polda) // 6)]
    for summary in checked:
        content, digest = summary.content, summary.content_hash
        acc = SummaryState.objects.get(summary=summary).acc
        stored = dict(SummaryPart.objects.filter(summary=summary).values_list("key", "data"))
        assert stored  # every rekap here has reports under it
        rebuilt = summary_services.summary_build(
            operation=summary.operation,
            unit=summary.unit,
            period=summary_services.period_of(summary),
            full=True,
            by=actors.TASKS,
            channel="system",
        )
        assert rebuilt.content == content
        assert rebuilt.content_hash == digest
        assert SummaryState.objects.get(summary=summary).acc == acc
        assert (
            dict(SummaryPart.objects.filter(summary=summary).values_list("key", "data")) == stored
        )
        assert not rebuilt.is_stale


def test_rows_pass_the_models_validation(national):
    for model in (Personnel, Warrant, Post, Unit):
        for obj in model.objects.order_by("?")[:40]:
            obj.full_clean(validate_unique=False)
    bko = Assignment.objects.filter(is_bko=True)
    assert bko.exists()
    assert all(a.unit_id != a.home_unit_id for a in bko)
    assert Deployment.objects.filter(group__isnull=False).count() > 0
    assert Personnel.objects.filter(nip__isnull=False).exists()


def test_same_seed_gives_the_same_rows(national):
    def digest() -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT md5(string_agg(concat_ws(',', id, unit_id, report_date, status, "
                "is_late, submitted_at, personnel_on_duty), ';' ORDER BY id)) "
                "FROM reports_dailyreport"
            )
            reports = cursor.fetchone()[0]
            cursor.execute(
                "SELECT md5(string_agg(concat_ws(',', id, action, at, changes::text), ';' "
                "ORDER BY id)) FROM audit_auditentry WHERE action LIKE 'report.%%'"
            )
            return reports + cursor.fetchone()[0]

    first = digest()
    generate(Options(**{**SMALL.__dict__, "reset": True, "summary_heads": ()}))
    assert digest() == first


def test_command_refuses_a_database_with_units(national):
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate_national", "--scale", "0.002", "--days", "3")


def test_maintained_copies_are_exact(national):
    assert facts.drift() == {"incidents": 0, "reports": 0}
    assert counts.drift() == []
    drift = tallies.drift()
    assert drift and set(drift.values()) == {0}
    with connection.cursor() as cursor:
        for table in tallies.TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            assert cursor.fetchone()[0] > 0, table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM audit_auditentry a LEFT JOIN operations_unit u "
            "ON u.id = a.unit_id WHERE a.unit_code <> COALESCE(u.code, '')"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM operations_tpscount")
        assert cursor.fetchone()[0] > 0
