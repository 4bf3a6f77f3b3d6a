"""A day of reports across the three zones, with numbers the tests compute by hand.

Day D = Tuesday 6 February 2024 (kampanye), compared with Monday 5 February.
Reporting units (polres + polsek): Ambon, Sirimau, Nusaniwe (WIT); Sinjai,
Sinjai Utara (WITA); Pandeglang, Labuan (WIB).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from pamilu.celery import app as celery_app
from reports.models import ReportStatus
from summaries import services
from summaries.models import Summary
from tests.summaries import builders

D = dt.date(2024, 2, 6)
PREV = dt.date(2024, 2, 5)


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield celery_app
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


@pytest.fixture
def scenario(tree, operation, personas):
    return make_scenario(tree, operation, personas)


def make_scenario(tree, operation, personas) -> SimpleNamespace:
    """The reports of day D and the day before (see the module docstring)."""
    t = tree
    by = personas.admin
    preventif = operation.task_forces.get(code="preventif")
    r = SimpleNamespace()
    # Day D
    r.sirimau = builders.report(
        operation,
        t.sirimau,
        D,
        by=by,
        personnel=12,
        activities=[("patroli", 3, 8, preventif), ("sambang", 2, 4)],
        incidents=[
            {
                "category": "kejahatan",
                "severity": "kuning",
                "injured_light": 2,
                "loss_rupiah": 1_500_000,
                "place": "Pasar Mardika",
            }
        ],
    )
    r.nusaniwe = builders.report(
        operation,
        t.nusaniwe,
        D,
        by=by,
        status=ReportStatus.ACCEPTED,
        late=True,
        personnel=8,
        activities=[("patroli", 1, 2)],
        incidents=[
            {"category": "laka_lantas", "severity": "hijau", "deaths": 1, "injured_serious": 1}
        ],
    )
    r.ambon = builders.report(
        operation, t.ambon, D, by=by, personnel=20, activities=[("apel", 1, 20)]
    )
    r.sinjai_utara = builders.report(
        operation, t.sinjai_utara, D, by=by, status=ReportStatus.DRAFT, personnel=6
    )
    r.sinjai = builders.report(
        operation, t.sinjai, D, by=by, personnel=10, activities=[("pam_kampanye", 2, 10)]
    )
    r.pandeglang = builders.report(
        operation,
        t.pandeglang,
        D,
        by=by,
        status=ReportStatus.RETURNED,
        personnel=15,
        activities=[("patroli", 4, 12)],
    )
    # Labuan: no report for D.
    # The day before
    builders.report(
        operation,
        t.sirimau,
        PREV,
        by=by,
        personnel=10,
        activities=[("patroli", 2, 6)],
        incidents=[{"category": "kejahatan", "severity": "hijau"}],
    )
    builders.report(operation, t.nusaniwe, PREV, by=by, personnel=8)
    builders.report(operation, t.ambon, PREV, by=by, personnel=16)
    builders.report(operation, t.sinjai, PREV, by=by, personnel=10)
    builders.report(operation, t.pandeglang, PREV, by=by, personnel=15)
    builders.report(operation, t.labuan, PREV, by=by, personnel=5)
    return r


@pytest.fixture
def built(scenario, operation, tree):
    """Day D built for every unit (daily, week and phase to date)."""
    for unit in (
        tree.mabes,
        tree.maluku,
        tree.ambon,
        tree.sirimau,
        tree.nusaniwe,
        tree.sulsel,
        tree.sinjai,
        tree.sinjai_utara,
        tree.banten,
        tree.pandeglang,
        tree.labuan,
    ):
        services.build_for_day(operation=operation, unit=unit, day=D)
    return scenario


def daily(code: str):
    return Summary.objects.get(period_kind="daily", period_start=D, unit__code=code)
