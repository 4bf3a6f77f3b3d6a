"""The scheduled tasks across the three zones' deadlines (eager Celery, frozen time)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import time_machine
from django.db import OperationalError

from pamilu.celery import app
from summaries import services, tasks
from summaries.models import PeriodKind, Summary
from tests.builders.summaries import D

WIT_CLOSES = dt.datetime(2024, 2, 6, 11, 0, tzinfo=dt.UTC)  # 20:00 WIT
WITA_CLOSES = dt.datetime(2024, 2, 6, 12, 0, tzinfo=dt.UTC)  # 20:00 WITA
WIB_CLOSES = dt.datetime(2024, 2, 6, 13, 0, tzinfo=dt.UTC)  # 20:00 WIB
ZONES = ["Asia/Jayapura", "Asia/Makassar", "Asia/Jakarta"]


def _run_schedule():
    for zone in ZONES:
        tasks.build_due.delay(zone)
    tasks.build_due_national.delay()


def _daily_codes(day):
    return set(
        Summary.objects.filter(period_kind=PeriodKind.DAILY, period_start=day).values_list(
            "unit__code", flat=True
        )
    )


def _daily(code):
    return Summary.objects.get(period_kind=PeriodKind.DAILY, period_start=D, unit__code=code)


def _row(content, key):
    return next(r for r in content["comparison"]["rows"] if r["key"] == key)


def test_build_due_follows_the_zones_wit_then_wita_then_wib_then_national(scenario, eager):
    with time_machine.travel(WIT_CLOSES - dt.timedelta(minutes=1), tick=False):
        _run_schedule()
    assert _daily_codes(D) == set()

    with time_machine.travel(WIT_CLOSES + dt.timedelta(minutes=5), tick=False):
        _run_schedule()
    assert _daily_codes(D) == {
        "POLDA-MALUKU",
        "POLRESTA-AMBON",
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
    }

    with time_machine.travel(WITA_CLOSES + dt.timedelta(minutes=5), tick=False):
        _run_schedule()
    assert _daily_codes(D) - {
        "POLDA-MALUKU",
        "POLRESTA-AMBON",
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
    } == {
        "POLDA-SULSEL",
        "POLRES-SINJAI",
        "POLSEK-SINJAI-UTARA",
    }
    assert "MABES" not in _daily_codes(D)

    with time_machine.travel(WIB_CLOSES + dt.timedelta(minutes=5), tick=False):
        _run_schedule()
        _run_schedule()  # twice: nothing new, no second row
    assert _daily_codes(D) == {
        "MABES",
        "POLDA-MALUKU",
        "POLRESTA-AMBON",
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
        "POLDA-SULSEL",
        "POLRES-SINJAI",
        "POLSEK-SINJAI-UTARA",
        "POLDA-BANTEN",
        "POLRES-PANDEGLANG",
        "POLSEK-LABUAN",
    }
    assert Summary.objects.filter(period_kind=PeriodKind.DAILY, period_start=D).count() == 11

    # Polres Ambon, by hand: personnel 12 + 8 + 20 = 40 against 10 + 8 + 16 = 34
    # (+6, 6/34 = 17.647 % -> 17.65, naik); activities 3 + 2 + 1 + 1 = 7 against 2
    # (+5, 250 %); incidents 2 against 1 (+1, 100 %). 3 units must report, all did,
    # Nusaniwe late: on time 2 of 3 = 66.67 %.
    ambon = _daily("POLRESTA-AMBON").content
    assert ambon["totals"]["personnel"] == 40
    assert ambon["totals"]["activities"] == 7
    assert ambon["totals"]["incidents"] == 2
    assert ambon["totals"]["deaths"] == 1
    assert ambon["totals"]["loss_rupiah"] == 1_500_000
    assert _row(ambon, "personnel") == {
        "key": "personnel",
        "current": 40,
        "previous": 34,
        "change": 6,
        "percent": 17.65,
        "trend": "naik",
    }
    assert _row(ambon, "activities")["percent"] == 250.0
    assert _row(ambon, "incidents") == {
        "key": "incidents",
        "current": 2,
        "previous": 1,
        "change": 1,
        "percent": 100.0,
        "trend": "naik",
    }
    assert _row(ambon, "deaths")["percent"] is None  # from 0 to 1: no percentage
    assert ambon["activities_by_kind"] == [
        {"kind": "apel", "count": 1, "personnel": 20},
        {"kind": "patroli", "count": 4, "personnel": 10},
        {"kind": "sambang", "count": 2, "personnel": 4},
    ]
    assert [(t["name"], t["count"]) for t in ambon["activities_by_task_force"]] == [
        ("Preventif", 3)
    ]
    assert [(c["category"], c["count"]) for c in ambon["incidents_by_category"]] == [
        ("kejahatan", 1),
        ("laka_lantas", 1),
    ]
    # Notable: the kuning one and the fatal accident; worst first.
    assert [n["place"] for n in ambon["notable_incidents"]] == ["Pasar Mardika", "Jl. Pattimura"]
    reporting = ambon["reporting"]
    assert (reporting["expected"], reporting["reported"], reporting["on_time"]) == (3, 3, 2)
    assert reporting["on_time_percent"] == 66.67
    assert reporting["missing_units"] == []
    assert [u["name"] for u in reporting["late_units"]] == ["Polsek-Nusaniwe"]
    assert [(u["code"], u["expected"], u["reported"], u["personnel"]) for u in ambon["units"]] == [
        ("POLRESTA-AMBON", 1, 1, 20),
        ("POLSEK-NUSANIWE", 1, 1, 8),
        ("POLSEK-SIRIMAU", 1, 1, 12),
    ]

    # Polda Maluku: the same figures, one row (its Polres) holding all three units.
    maluku = _daily("POLDA-MALUKU").content
    assert maluku["totals"] == ambon["totals"]
    assert maluku["comparison"] == ambon["comparison"]
    assert [(u["code"], u["expected"], u["on_time"], u["personnel"]) for u in maluku["units"]] == [
        ("POLRESTA-AMBON", 3, 2, 40)
    ]

    # National, by hand: personnel 40 + 10 (Sinjai) + 15 (Pandeglang, returned: counts)
    # = 65 against 34 + 10 + 15 + 5 = 64 (+1, 1/64 = 1.5625 % -> 1.56, naik);
    # activities 7 + 2 + 4 = 13 against 2 (+11, 550 %). 7 units must report; Sinjai Utara
    # (draft) and Labuan (nothing) are missing; 5 reported, 1 late: 4/7 = 57.14 % on time.
    national = _daily("MABES").content
    assert national["totals"]["personnel"] == 65
    assert _row(national, "personnel") == {
        "key": "personnel",
        "current": 65,
        "previous": 64,
        "change": 1,
        "percent": 1.56,
        "trend": "naik",
    }
    assert _row(national, "activities") == {
        "key": "activities",
        "current": 13,
        "previous": 2,
        "change": 11,
        "percent": 550.0,
        "trend": "naik",
    }
    rep = national["reporting"]
    assert (rep["expected"], rep["reported"], rep["on_time"], rep["late"], rep["missing"]) == (
        7,
        5,
        4,
        1,
        2,
    )
    assert rep["on_time_percent"] == 57.14
    assert [u["code"] for u in rep["missing_units"]] == ["POLSEK-LABUAN", "POLSEK-SINJAI-UTARA"]
    assert [u["code"] for u in rep["returned_units"]] == ["POLRES-PANDEGLANG"]
    assert [(u["code"], u["expected"], u["reported"]) for u in national["units"]] == [
        ("POLDA-BANTEN", 2, 1),
        ("POLDA-MALUKU", 3, 3),
        ("POLDA-SULSEL", 2, 1),
    ]


def test_build_due_also_builds_week_and_phase_to_date(scenario, eager):
    with time_machine.travel(WIB_CLOSES + dt.timedelta(minutes=5), tick=False):
        tasks.build_due.delay("Asia/Jayapura")
    weekly = Summary.objects.get(
        period_kind=PeriodKind.WEEKLY, unit__code="POLRESTA-AMBON", period_start=dt.date(2024, 2, 5)
    )
    # Week of Monday 5 Feb to date: both days, 34 + 40 personnel-days; compared with
    # Monday-Tuesday of the week before (no reports: everything rises from 0).
    assert (weekly.period_start, weekly.period_end, weekly.through) == (
        dt.date(2024, 2, 5),
        dt.date(2024, 2, 11),
        D,
    )
    assert weekly.content["totals"]["personnel"] == 74
    assert weekly.content["reporting"]["expected"] == 6
    phase = Summary.objects.get(period_kind=PeriodKind.PHASE, unit__code="POLRESTA-AMBON")
    assert phase.phase.name == "Kampanye"
    assert phase.content["totals"]["personnel"] == 74
    assert phase.is_partial


def test_build_for_day_retries_a_transient_database_error(scenario, operation, tree, eager):
    real = services.build_for_day
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["day"])
        if len(calls) == 1:
            raise OperationalError("could not serialize access / connection reset")
        return real(**kwargs)

    assert tasks.build_for_day.retry_backoff and tasks.build_for_day.max_retries == 6
    eager.conf.task_eager_propagates = False  # eager retry runs the task again inline
    with mock.patch("summaries.services.build_for_day", side_effect=flaky):
        tasks.build_for_day.delay(operation.pk, tree.ambon.pk, D.isoformat())
    assert calls == [D, D]
    assert Summary.objects.filter(unit=tree.ambon, period_start=D, period_kind="daily").exists()


def test_build_for_day_unknown_ids_do_nothing(db, eager):
    assert tasks.build_for_day.delay(999, 999, "2024-02-06").get() == 0
    assert tasks.rebuild_summaries.delay([999]).get() == 0


def test_tasks_are_acked_late_and_redelivered_on_worker_loss():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    for task in (tasks.build_for_day, tasks.rebuild_summaries, tasks.build_due):
        assert task.name.startswith("summaries.")
        assert task.acks_late is True
