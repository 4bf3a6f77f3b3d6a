"""Fixtures for daily reports: an operation in Feb 2024 and a clock frozen inside it (the
day and the fields live in tests.builders.reports)."""

from __future__ import annotations

import pytest
import time_machine

from reports import services
from tests import builders
from tests.builders.reports import DAY, NOON


@pytest.fixture
def op(tree):
    return builders.operation(tree.mabes)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def stale_marks(monkeypatch):
    """Every report passed to summaries.services.mark_stale_for_report, in order."""
    calls = []
    monkeypatch.setattr(
        services,
        "mark_stale_for_report",
        lambda *, report, by, channel: calls.append(report.pk),
    )
    return calls


@pytest.fixture
def make_report(op, frozen):
    """make_report(user, status="draft", reviewer=None, **fields): a report of the user's
    unit for DAY, through the reports workflow (tests.builders.report, via_services)."""

    def _make(user, status="draft", reviewer=None, **fields):
        return builders.report(
            op,
            user.unit,
            fields.pop("report_date", DAY),
            by=user,
            status=status,
            reviewer=reviewer,
            via_services=True,
            **fields,
        )

    return _make
