"""After a late or corrected report only its unit is re-read: the same content as a full
build, byte for byte; a fixed number of queries; the next period's comparison follows."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
from django.db import transaction

from accounts.models import User
from operations.models import UnitKind
from pamilu import actors
from reports.models import DailyReport, Incident, ReportActivity, ReportStatus
from summaries import accumulate, parts, periods, services, tasks
from summaries.models import DirtyUnit, PeriodKind, Summary, SummaryPart, SummaryState
from tests import builders
from tests.builders.summaries import D

NEXT = D + dt.timedelta(days=1)


def _snapshot() -> dict[int, tuple[str, dict, dict]]:
    """Per summary: its content as JSON text, its sums and its parts."""
    states = {s.pk: s for s in SummaryState.objects.all()}
    parts: dict[int, dict] = {}
    for p in SummaryPart.objects.all():
        parts.setdefault(p.summary_id, {})[p.key] = json.loads(p.data)
    return {
        s.pk: (json.dumps(s.content), json.loads(states[s.pk].acc), parts.get(s.pk, {}))
        for s in Summary.objects.order_by("pk")
    }


def _full_rebuild_all() -> None:
    for s in Summary.objects.select_related("operation", "unit", "phase").order_by("pk"):
        services.summary_build(
            operation=s.operation,
            unit=s.unit,
            period=services.period_of(s),
            full=True,
            by=actors.TASKS,
            channel="system",
        )


def _late_and_corrected(scenario, tree, operation):
    """Sinjai Utara sends its draft late; Pandeglang corrects its returned report (more
    personnel, a new activity and a notable incident) and sends it again; Nusaniwe's
    accepted report loses its incident (a correction)."""
    builders.set_status(scenario.sinjai_utara, ReportStatus.SUBMITTED, late=True)
    services.mark_stale_for_report(report=scenario.sinjai_utara, by=actors.SYSTEM, channel="system")
    r = scenario.pandeglang
    r.personnel_on_duty = 25
    r.save()
    ReportActivity.objects.create(report=r, kind="sambang", count=5, personnel=9)
    Incident.objects.create(
        report=r,
        operation=operation,
        unit=tree.pandeglang,
        category="unjuk_rasa",
        severity="merah",
        occurred_at=dt.datetime(2024, 2, 6, 7, 0, tzinfo=dt.UTC),
        place="Alun-alun",
        description="Unjuk rasa",
        injured_light=3,
    )
    builders.set_status(r, ReportStatus.SUBMITTED)
    services.mark_stale_for_report(report=r, by=actors.SYSTEM, channel="system")
    Incident.objects.filter(report=scenario.nusaniwe).delete()
    services.mark_stale_for_report(report=scenario.nusaniwe, by=actors.SYSTEM, channel="system")


@pytest.fixture
def built_two_days(built, operation, tree):
    """Day D built for every unit, and the next day for Polres Sinjai and Mabes (its
    comparison is day D)."""
    for unit in (tree.sinjai, tree.mabes):
        services.build_for_day(
            operation=operation, unit=unit, day=NEXT, by=actors.TASKS, channel="system"
        )
    return built


def test_incremental_rebuild_is_byte_identical_to_a_full_rebuild(
    built_two_days, operation, tree, eager, django_capture_on_commit_callbacks
):
    before = _snapshot()
    with (
        mock.patch("summaries.services.build_full", wraps=services.build_full) as full,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        _late_and_corrected(built_two_days, tree, operation)
    assert full.call_count == 0  # every stale summary was updated incrementally
    assert not [s.pk for s in Summary.objects.all() if s.is_stale]
    assert not DirtyUnit.objects.exists()
    incremental = _snapshot()
    changed = {pk for pk in before if before[pk][0] != incremental[pk][0]}
    assert {Summary.objects.get(pk=pk).unit.code for pk in changed} == {
        "MABES",
        "POLDA-SULSEL",
        "POLRES-SINJAI",
        "POLSEK-SINJAI-UTARA",
        "POLDA-BANTEN",
        "POLRES-PANDEGLANG",
        "POLDA-MALUKU",
        "POLRESTA-AMBON",
        "POLSEK-NUSANIWE",
    }
    _full_rebuild_all()
    assert _snapshot() == incremental
    national = Summary.objects.get(unit=tree.mabes, period_kind="daily", period_start=D)
    assert national.content["totals"]["personnel"] == 12 + 8 + 20 + 10 + 25 + 6
    assert national.content["notable_incidents"][0]["place"] == "Alun-alun"
    assert [r["code"] for r in national.content["reporting"]["late_units"]] == [
        "POLSEK-NUSANIWE",
        "POLSEK-SINJAI-UTARA",
    ]


def test_incremental_rebuild_updates_the_next_days_comparison(
    built_two_days, operation, tree, eager, django_capture_on_commit_callbacks
):
    def row(key):
        s = Summary.objects.get(unit=tree.sinjai, period_kind="daily", period_start=NEXT)
        return next(r for r in s.content["comparison"]["rows"] if r["key"] == key)

    # Day D at Polres Sinjai: Sinjai 10 personnel; Sinjai Utara's draft does not count.
    assert row("personnel") == {
        "key": "personnel",
        "current": 0,
        "previous": 10,
        "change": -10,
        "percent": -100.0,
        "trend": "turun",
    }
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        builders.set_status(built_two_days.sinjai_utara, ReportStatus.SUBMITTED, late=True)
        services.mark_stale_for_report(
            report=built_two_days.sinjai_utara, by=actors.SYSTEM, channel="system"
        )
    assert row("personnel")["previous"] == 16
    # The next day reports (on time) more than day D: the comparison turns to naik.
    builders.report(operation, tree.sinjai, NEXT, by=tree_admin(), personnel_on_duty=20)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.mark_stale_for_report(
            report=DailyReport.objects.get(unit=tree.sinjai, report_date=NEXT),
            by=actors.SYSTEM,
            channel="system",
        )
    assert row("personnel") == {
        "key": "personnel",
        "current": 20,
        "previous": 16,
        "change": 4,
        "percent": 25.0,
        "trend": "naik",
    }
    incremental = _snapshot()
    _full_rebuild_all()
    assert _snapshot() == incremental


def tree_admin():
    return User.objects.get(username="admin")


def test_report_after_through_marks_to_date_summaries_without_rebuilding_them(
    built, operation, tree, eager, django_capture_on_commit_callbacks
):
    weekly = Summary.objects.get(unit=tree.mabes, period_kind=PeriodKind.WEEKLY)
    content = weekly.content
    report = builders.report(operation, tree.sinjai, NEXT, by=tree_admin(), personnel_on_duty=3)
    with (
        mock.patch("summaries.services.build_full", wraps=services.build_full) as full,
        mock.patch("summaries.services.build_incremental") as incremental,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        services.mark_stale_for_report(report=report, by=actors.SYSTEM, channel="system")
    weekly.refresh_from_db()
    # Marked (the to-date week may be extended to that day meanwhile), nothing to redo.
    assert weekly.stale_marks == 1 and not weekly.is_stale
    assert weekly.content == content
    assert (full.call_count, incremental.call_count) == (0, 0)
    assert not DirtyUnit.objects.exists()


def test_incremental_notable_list_refills_beyond_its_limit(
    built, operation, tree, eager, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(parts, "NOTABLE_LIMIT", 1)
    monkeypatch.setattr(accumulate, "NOTABLE_LIMIT", 1)
    _full_rebuild_all()
    national = Summary.objects.get(unit=tree.mabes, period_kind="daily", period_start=D)
    assert [n["unit_code"] for n in national.content["notable_incidents"]] == ["POLSEK-SIRIMAU"]
    # Sirimau's kuning incident is corrected away: Nusaniwe's (a death) moves up.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Incident.objects.filter(report=built.sirimau).delete()
        services.mark_stale_for_report(report=built.sirimau, by=actors.SYSTEM, channel="system")
    national.refresh_from_db()
    assert [n["unit_code"] for n in national.content["notable_incidents"]] == ["POLSEK-NUSANIWE"]
    incremental = _snapshot()
    _full_rebuild_all()
    assert _snapshot() == incremental


def _polsek_with_reports(operation, polres, n, days, by, start):
    units = [builders.unit(f"POLSEK-X{start + i}", UnitKind.POLSEK, polres) for i in range(n)]
    for unit in units:
        for day in days:
            builders.report(
                operation,
                unit,
                day,
                by=by,
                personnel_on_duty=4,
                activities=[{"kind": "patroli", "count": 1, "personnel": 2}],
                incidents=[{"category": "gangguan", "severity": "kuning"}],
            )
    return units


INCREMENTAL_QUERIES = 20


def test_incremental_rebuild_query_count_does_not_grow_with_units_or_days(
    scenario, operation, tree, personas, django_assert_num_queries
):
    by = personas.admin
    week = [D - dt.timedelta(days=1), D]
    _polsek_with_reports(operation, tree.sinjai, 2, week, by, 0)
    phase = periods.for_phase(operation, operation.phases.get(name="Kampanye"), D)
    summary = services.summary_build(
        operation=operation, unit=tree.mabes, period=phase, by=actors.TASKS, channel="system"
    )

    def late_report_then_rebuild(unit):
        report = builders.report(operation, unit, D, by=by, personnel_on_duty=7, late=True)
        with mock.patch("summaries.services.enqueue_rebuild"):
            services.mark_stale_for_report(report=report, by=actors.SYSTEM, channel="system")
        stale = Summary.objects.select_related("operation__unit", "unit", "phase").get(
            pk=summary.pk
        )
        with (
            mock.patch("summaries.services.build_full") as full,
            django_assert_num_queries(INCREMENTAL_QUERIES),
        ):
            services.summary_rebuild(summary=stale, by=actors.TASKS, channel="system")
        assert full.call_count == 0

    late_report_then_rebuild(tree.labuan)
    # Many more units and days in the phase: the same number of queries.
    days = [D - dt.timedelta(days=k) for k in range(2, 12)]
    _polsek_with_reports(operation, tree.pandeglang, 12, days, by, 10)
    summary = services.summary_build(
        operation=operation, unit=tree.mabes, period=phase, by=actors.TASKS, channel="system"
    )
    sulsel_new = builders.unit("POLSEK-LATE", UnitKind.POLSEK, tree.sinjai)
    services.summary_build(
        operation=operation,
        unit=tree.mabes,
        period=phase,
        full=True,
        by=actors.TASKS,
        channel="system",
    )
    late_report_then_rebuild(sulsel_new)
    content = Summary.objects.get(pk=summary.pk).content
    services.summary_build(
        operation=operation,
        unit=tree.mabes,
        period=phase,
        full=True,
        by=actors.TASKS,
        channel="system",
    )
    assert json.dumps(Summary.objects.get(pk=summary.pk).content) == json.dumps(content)


BATCH_QUERIES = 41


def test_rebuild_summaries_of_one_late_report_fixed_queries_whatever_units_and_days(
    scenario, operation, tree, personas, django_assert_num_queries
):
    """The task after one late report: all the marked summaries together (summaries.batch)."""
    by = personas.admin

    def build_chain(day):
        for unit in (tree.mabes, tree.sulsel, tree.sinjai):
            services.build_for_day(
                operation=operation, unit=unit, day=day, by=actors.TASKS, channel="system"
            )

    def late_report_then_task(unit, day):
        report = builders.report(operation, unit, day, by=by, personnel_on_duty=7, late=True)
        with mock.patch("summaries.services.enqueue_rebuild"):
            services.mark_stale_for_report(report=report, by=actors.SYSTEM, channel="system")
        ids = [s.pk for s in Summary.objects.all() if s.is_stale]
        assert len(ids) == 9  # daily, week and phase of Mabes, Polda Sulsel, Polres Sinjai
        with (
            mock.patch("summaries.services.build_full") as full,
            django_assert_num_queries(BATCH_QUERIES),
        ):
            assert tasks.rebuild_summaries(ids) == 9
        assert full.call_count == 0
        assert not [s.pk for s in Summary.objects.all() if s.is_stale]

    first = builders.unit("POLSEK-FIRST", UnitKind.POLSEK, tree.sinjai)
    build_chain(D)
    late_report_then_task(first, D)
    # Many more units and days in the week and phase: the same number of queries.
    later = D + dt.timedelta(days=2)
    units = _polsek_with_reports(
        operation, tree.sinjai, 15, [later - dt.timedelta(days=k) for k in range(1, 9)], by, 40
    )
    build_chain(later)
    late_report_then_task(units[3], later)
