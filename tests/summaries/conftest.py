"""Fixtures for the summaries: eager Celery, day D of reports (tests.builders.summaries)
and day D built for every unit."""

from __future__ import annotations

import pytest

from pamilu import actors
from pamilu.celery import app as celery_app
from summaries import services
from tests.builders.summaries import D, make_scenario


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
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )
    return scenario
