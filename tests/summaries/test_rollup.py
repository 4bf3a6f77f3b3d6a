"""The full build sums in SQL (summaries.rollup) exactly what the Python build summed per
unit (content.build_full_in_python): on random reports, for every unit and period kind,
the same content byte for byte, the same sums and the same stored parts."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from operations.models import Phase, Unit, UnitKind
from pamilu import actors
from reports.models import ReportStatus
from summaries import content, periods, services, state
from summaries.models import SummaryPart
from tests import builders

KINDS = ["patroli", "sambang", "apel", "pam_kampanye"]
CATEGORIES = ["kejahatan", "pelanggaran", "gangguan", "laka_lantas", "unjuk_rasa"]
SEVERITIES = ["hijau", "hijau", "kuning", "merah"]
FIRST, LAST = dt.date(2024, 1, 27), dt.date(2024, 2, 14)


def _random_reports(operation, by, seed: int) -> None:
    rng = random.Random(seed)
    task_forces = [None, *operation.task_forces.all()]
    units = list(Unit.objects.order_by("path"))
    day = FIRST
    while day <= LAST:
        for unit in units:
            if rng.random() < 0.25:
                continue  # no report at all
            status = rng.choice(
                [ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.SUBMITTED,
                 ReportStatus.RETURNED, ReportStatus.ACCEPTED]
            )  # fmt: skip
            activities = [
                (rng.choice(KINDS), rng.randint(1, 5), rng.randint(0, 9), rng.choice(task_forces))
                for _ in range(rng.randint(0, 4))
            ]
            incidents = [
                {
                    "category": rng.choice(CATEGORIES),
                    "severity": rng.choice(SEVERITIES),
                    "deaths": rng.choice([0, 0, 0, 1]),
                    "injured_serious": rng.choice([0, 0, 2]),
                    "injured_light": rng.randint(0, 3),
                    "loss_rupiah": rng.choice([0, 250_000, 3_000_000_000]),
                    "occurred_at": dt.datetime.combine(day, dt.time(rng.randint(0, 12)), dt.UTC),
                }
                for _ in range(rng.choice([0, 0, 1, 2]))
            ]
            builders.report(
                operation,
                unit,
                day,
                by=by,
                status=status,
                personnel_on_duty=rng.choice([0, rng.randint(1, 40)]),
                late=status != ReportStatus.DRAFT and rng.random() < 0.2,
                activities=[
                    {"kind": k, "count": c, "personnel": p}
                    | ({} if tf is None else {"task_force": tf})
                    for k, c, p, tf in activities
                ],
                incidents=incidents,
            )
        day += dt.timedelta(days=1)


def _periods(operation):
    yield periods.daily(operation, dt.date(2024, 2, 6))
    yield periods.daily(operation, FIRST)
    yield periods.weekly(operation, dt.date(2024, 2, 8))
    kampanye = Phase.objects.get(operation=operation, name="Kampanye")
    yield periods.for_phase(operation, kampanye, dt.date(2024, 2, 10))
    voting = Phase.objects.get(operation=operation, name="Pemungutan suara")
    yield periods.for_phase(operation, voting, LAST)  # compared with the whole kampanye


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_build_equals_the_python_build_on_random_reports(
    seed, tree, operation, personas, monkeypatch
):
    # A unit that no longer reports and a Polres of its own without Polsek.
    closed = builders.unit("POLSEK-TUTUP", UnitKind.POLSEK, tree.ambon)
    Unit.objects.filter(pk=closed.pk).update(is_active=False)
    builders.unit("POLRES-BARU", UnitKind.POLRES, tree.sulsel)
    _random_reports(operation, personas.admin, seed)
    monkeypatch.setattr("summaries.parts.NOTABLE_LIMIT", 3)
    monkeypatch.setattr("summaries.accumulate.NOTABLE_LIMIT", 3)
    compared = 0
    for unit in Unit.objects.order_by("path"):
        for period in _periods(operation):
            python = content.build_full_in_python(operation=operation, unit=unit, period=period)
            summary = services.summary_build(
                operation=operation,
                unit=unit,
                period=period,
                full=True,
                by=actors.TASKS,
                channel="system",
            )
            assert json.dumps(summary.content) == json.dumps(python.content), (unit, period)
            assert state.load_acc(summary.pk) == python.acc
            stored = {
                p.key: json.loads(p.data) for p in SummaryPart.objects.filter(summary=summary)
            }
            assert stored == {k: v for k, v in python.buckets.items() if v}
            compared += 1
    assert compared == 13 * 5
    national = services.summary_build(
        operation=operation,
        unit=tree.mabes,
        period=periods.weekly(operation, dt.date(2024, 2, 8)),
        by=actors.TASKS,
        channel="system",
    )
    assert national.content["totals"]["reports"] > 0
    assert national.content["notable_incidents"]
