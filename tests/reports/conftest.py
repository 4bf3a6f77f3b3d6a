"""Fixtures for daily reports: an operation in Feb 2024 and a clock frozen inside it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from audit.models import Channel
from reports import services
from tests import builders

UTC = dt.UTC
# 14 Feb 2024 03:00 UTC: 10:00 WIB, 11:00 WITA, 12:00 WIT, before every deadline.
NOON = dt.datetime(2024, 2, 14, 3, 0, tzinfo=UTC)
DAY = dt.date(2024, 2, 14)


# The fields of a report that meets the sending rules (reports.rules).
FULL = {
    "personnel_on_duty": 18,
    "summary": "Situasi aman dan kondusif.",
    "activities": [{"kind": "patroli", "count": 2, "personnel": 8}],
}


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
    """make_report(user, status="draft", **fields): a report of the user's unit for DAY."""

    def _make(user, status="draft", reviewer=None, **fields):
        # A report that meets the sending rules (reports.rules) unless a test says otherwise.
        fields.setdefault("personnel_on_duty", 18)
        fields.setdefault("summary", "Situasi aman dan kondusif.")
        fields.setdefault("activities", [{"kind": "patroli", "count": 2, "personnel": 8}])
        report = services.report_create(
            operation=op,
            unit=user.unit,
            by=user,
            channel=Channel.WEB,
            report_date=fields.pop("report_date", DAY),
            **fields,
        )
        if status in ("submitted", "returned", "accepted"):
            report = services.report_submit(report=report, by=user, channel=Channel.WEB)
        if status == "returned":
            report = services.report_return(
                report=report, by=reviewer, channel=Channel.WEB, reason="Lengkapi personel."
            )
        if status == "accepted":
            report = services.report_accept(report=report, by=reviewer, channel=Channel.WEB)
        return report

    return _make
