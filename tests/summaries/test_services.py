"""Building, rebuilding, stale marks, reminders and escalations (summaries.services)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from audit.models import AuditEntry
from pamilu import actors
from reports.models import ReportStatus
from summaries import periods, services
from summaries.models import Notice, NoticeKind, PeriodKind, Summary
from tests import builders
from tests.builders.summaries import D


def _build_day(operation, tree):
    for unit in (tree.mabes, tree.sulsel, tree.sinjai, tree.sinjai_utara):
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )


def _daily(unit):
    return Summary.objects.get(unit=unit, period_kind=PeriodKind.DAILY, period_start=D)


def test_summary_build_twice_is_identical_and_one_row(scenario, operation, tree):
    period = periods.daily(operation, D)
    first = services.summary_build(
        operation=operation, unit=tree.mabes, period=period, by=actors.TASKS, channel="system"
    )
    audits = AuditEntry.objects.filter(action__startswith="summary.").count()
    with time_machine.travel(dt.datetime(2024, 2, 7, 3, 0, tzinfo=dt.UTC), tick=False):
        second = services.summary_build(
            operation=operation, unit=tree.mabes, period=period, by=actors.TASKS, channel="system"
        )
    assert second.pk == first.pk
    assert second.content == first.content
    assert second.built_at != first.built_at
    assert Summary.objects.filter(unit=tree.mabes, period_kind="daily").count() == 1
    # No change, no second audit entry.
    assert AuditEntry.objects.filter(action__startswith="summary.").count() == audits


def test_summary_build_failure_midway_leaves_previous_version(scenario, operation, tree):
    period = periods.daily(operation, D)
    before = services.summary_build(
        operation=operation, unit=tree.sinjai, period=period, by=actors.TASKS, channel="system"
    )
    assert before.content["totals"]["personnel"] == 10
    builders.set_status(scenario.sinjai_utara, ReportStatus.SUBMITTED, late=True)
    # The row is already rewritten when the audit entry fails: all of it rolls back.
    with (
        mock.patch("summaries.services.record", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.summary_build(
            operation=operation, unit=tree.sinjai, period=period, by=actors.TASKS, channel="system"
        )
    after = Summary.objects.get(pk=before.pk)
    assert after.content == before.content
    assert after.built_at == before.built_at
    # And failing while computing: the same.
    with (
        mock.patch("summaries.accumulate._unit_rows", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        services.summary_build(
            operation=operation, unit=tree.sinjai, period=period, by=actors.TASKS, channel="system"
        )
    assert Summary.objects.get(pk=before.pk).content == before.content


def test_mark_stale_for_report_late_report_is_in_the_rebuilt_summary(
    scenario, operation, tree, eager, django_capture_on_commit_callbacks
):
    _build_day(operation, tree)
    sinjai = _daily(tree.sinjai)
    assert [u["code"] for u in sinjai.content["reporting"]["missing_units"]] == [
        "POLSEK-SINJAI-UTARA"
    ]
    assert sinjai.content["totals"]["personnel"] == 10
    national_before = _daily(tree.mabes).content

    # Sinjai Utara sends its report two hours after the deadline.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        builders.set_status(scenario.sinjai_utara, ReportStatus.SUBMITTED, late=True)
        services.mark_stale_for_report(
            report=scenario.sinjai_utara, by=actors.SYSTEM, channel="system"
        )

    sinjai = _daily(tree.sinjai)
    assert not sinjai.is_stale
    assert sinjai.content["totals"]["personnel"] == 16
    rep = sinjai.content["reporting"]
    assert (rep["expected"], rep["reported"], rep["on_time"], rep["missing_units"]) == (2, 2, 1, [])
    assert [u["code"] for u in rep["late_units"]] == ["POLSEK-SINJAI-UTARA"]
    national = _daily(tree.mabes).content
    assert national["totals"]["personnel"] == national_before["totals"]["personnel"] + 6
    assert [u["code"] for u in national["reporting"]["missing_units"]] == ["POLSEK-LABUAN"]
    # The weekly and phase summaries to date were rebuilt too; Polda Sulsel as well.
    assert not Summary.objects.filter(stale_marks__gt=0, built_marks=0).exists()
    assert _daily(tree.sulsel).content["totals"]["personnel"] == 16


def test_mark_stale_for_report_marks_only_summaries_up_the_chain(scenario, operation, tree):
    for unit in (tree.mabes, tree.maluku, tree.ambon, tree.sirimau, tree.sinjai):
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )
    with mock.patch("summaries.services.enqueue_rebuild"):
        services.mark_stale_for_report(report=scenario.sirimau, by=actors.SYSTEM, channel="system")
    stale = {
        (s.unit.code, s.period_kind) for s in Summary.objects.select_related("unit") if s.is_stale
    }
    assert stale == {
        (code, kind)
        for code in ("MABES", "POLDA-MALUKU", "POLRESTA-AMBON", "POLSEK-SIRIMAU")
        for kind in ("daily", "weekly", "phase")
    }


def test_mark_stale_for_report_broker_down_keeps_marks_for_beat(
    scenario, operation, tree, django_capture_on_commit_callbacks, settings
):
    _build_day(operation, tree)
    with (
        mock.patch(
            "summaries.tasks.rebuild_summaries.apply_async",
            side_effect=ConnectionRefusedError("redis down"),
        ),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        builders.set_status(scenario.sinjai_utara, ReportStatus.SUBMITTED)
        services.mark_stale_for_report(
            report=scenario.sinjai_utara, by=actors.SYSTEM, channel="system"
        )
    # The report transition went through; the summaries wait, stale.
    scenario.sinjai_utara.refresh_from_db()
    assert scenario.sinjai_utara.status == ReportStatus.SUBMITTED
    assert _daily(tree.sinjai).is_stale
    # Beat's rebuild_stale picks them up.
    rebuilt = services.rebuild_stale(by=actors.TASKS, channel="system")
    assert (
        rebuilt
        == Summary.objects.filter(
            unit__code__in=["MABES", "POLDA-SULSEL", "POLRES-SINJAI", "POLSEK-SINJAI-UTARA"]
        ).count()
    )
    assert not _daily(tree.sinjai).is_stale
    assert _daily(tree.sinjai).content["reporting"]["on_time"] == 2


def test_mark_stale_during_build_is_not_lost(scenario, operation, tree):
    period = periods.daily(operation, D)
    summary = services.summary_build(
        operation=operation, unit=tree.sinjai, period=period, by=actors.TASKS, channel="system"
    )
    real = services.build_full

    def build_then_mark(**kwargs):
        built = real(**kwargs)
        Summary.objects.filter(pk=summary.pk).update(stale_marks=summary.stale_marks + 1)
        return built

    with mock.patch("summaries.services.build_full", side_effect=build_then_mark):
        services.summary_build(
            operation=operation, unit=tree.sinjai, period=period, by=actors.TASKS, channel="system"
        )
    assert Summary.objects.get(pk=summary.pk).is_stale


# --- reminders and escalations ---------------------------------------------------------

WIT_DEADLINE = dt.datetime(2024, 2, 6, 11, 0, tzinfo=dt.UTC)


def test_send_reminders_an_hour_before_the_deadline_to_units_not_reported(
    scenario, operation, tree, personas, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    personas.kapolsek_a.email = "kapolsek.sirimau@polri.test"
    personas.kapolsek_a.save()
    scenario.sirimau.delete()
    with time_machine.travel(WIT_DEADLINE - dt.timedelta(minutes=90), tick=False):
        assert services.send_reminders(by=actors.TASKS, channel="system") == 0
    with time_machine.travel(WIT_DEADLINE - dt.timedelta(minutes=30), tick=False):
        created = services.send_reminders(by=actors.TASKS, channel="system")
        assert (
            services.send_reminders(by=actors.TASKS, channel="system") == 0
        )  # once per unit and day
    # WIT only: Sirimau has no report; Ambon and Nusaniwe have reported.
    assert created == 1
    notice = Notice.objects.get()
    assert (notice.unit, notice.recipient_unit, notice.level, notice.kind) == (
        tree.sirimau,
        tree.sirimau,
        0,
        NoticeKind.REMINDER,
    )
    assert notice.report_date == D
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["kapolsek.sirimau@polri.test"]
    assert "20:00 WIT" in mail.outbox[0].body


def test_send_reminders_no_email_with_the_dummy_backend(scenario, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    personas.kapolsek_a.email = "kapolsek.sirimau@polri.test"
    personas.kapolsek_a.save()
    scenario.sirimau.delete()
    with time_machine.travel(WIT_DEADLINE - dt.timedelta(minutes=30), tick=False):
        assert services.send_reminders(by=actors.TASKS, channel="system") == 1
    assert Notice.objects.get().emailed_at is None


def test_escalate_goes_up_the_chain_and_stays_open(scenario, operation, tree, personas, settings):
    settings.PAMILU_ESCALATION_MINUTES_AFTER_DEADLINE = 120
    # WITA: Sinjai Utara has only a draft for D.
    wita_deadline = dt.datetime(2024, 2, 6, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(wita_deadline + dt.timedelta(minutes=60), tick=False):
        services.escalate(by=actors.TASKS, channel="system")
    assert not Notice.objects.filter(unit=tree.sinjai_utara, report_date=D).exists()
    with time_machine.travel(wita_deadline + dt.timedelta(minutes=125), tick=False):
        services.escalate(by=actors.TASKS, channel="system")
    level1 = Notice.objects.get(unit=tree.sinjai_utara, report_date=D)
    assert (level1.level, level1.recipient_unit) == (1, tree.sinjai)  # Kabag Ops of the Polres
    with time_machine.travel(wita_deadline + dt.timedelta(minutes=245), tick=False):
        services.escalate(by=actors.TASKS, channel="system")
    escalations = Notice.objects.filter(unit=tree.sinjai_utara, report_date=D).order_by("level")
    assert [(n.level, n.recipient_unit.code) for n in escalations] == [
        (1, "POLRES-SINJAI"),
        (2, "POLDA-SULSEL"),  # the Polda's operations staff
    ]
    # Labuan (WIB, closed 13:00 UTC) is 185 minutes late by then: one level up only.
    labuan = Notice.objects.filter(unit=tree.labuan, report_date=D)
    assert [(n.level, n.recipient_unit.code) for n in labuan] == [(1, "POLRES-PANDEGLANG")]
    # Open until acknowledged, once.
    notice = escalations[0]
    assert services.notice_acknowledge(notice=notice, by=personas.outsider, channel="web") is True
    assert services.notice_acknowledge(notice=notice, by=personas.outsider, channel="web") is False
    notice.refresh_from_db()
    assert notice.acknowledged_by == personas.outsider
    assert AuditEntry.objects.filter(action="notice.acknowledge").count() == 1
