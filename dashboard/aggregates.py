"""The dashboard's numbers per child of the focus unit, from the maintained tallies where
they are kept (PostgreSQL), else from the source tables (dashboard.selectors): one
choice, same results (tests/dashboard/test_tallies.py compares both)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from dashboard import selectors as agg
from dashboard import tallies, tally_selectors
from operations import count_selectors
from operations.models import Operation, Unit
from pamilu.roles import Role
from pamilu.scoping import Viewer, sees_everything
from reports import fact_selectors


@dataclass
class Aggregates:
    compliance: dict[str, dict[str, int]]  # {group path: total, on_time, late, missing, …}
    assignments: dict[str, dict[str, int]]  # {group path: committed, bko}
    incidents: dict[str, dict[str, int]]  # {group path: total, today}
    breakdown: list[dict[str, Any]]  # by category and severity
    report_days: dict[dt.date, dict[str, int]]  # the trend window: {day: on_time, late, …}
    incident_trend: dict[str, dict[dt.date, int]]  # {category: {day: n}}


def from_tallies(user: Viewer, focus: Unit, children: list[Unit]) -> bool:
    """The tallies count everything below the focus unit: exact for a user who sees the
    whole subtree (an operator sees their own unit alone)."""
    if not tallies.maintained():
        return False
    return sees_everything(user) or user.role != Role.OPERATOR or not children


def requirement(
    user: Viewer, operation: Operation, focus: Unit, children: list[Unit]
) -> dict[str, dict[str, dict[str, int]]]:
    """TPS and police required per child (and the focus unit's own), by level."""
    if from_tallies(user, focus, children):
        return tally_selectors.tps_requirement_by_group(operation, focus, children)
    return count_selectors.tps_requirement_by_group(operation, focus)


def compute(
    user: Viewer, operation: Operation, focus: Unit, children: list[Unit], days: dict[str, dt.date]
) -> Aggregates:
    window = agg.trend_days(operation, max(days.values()))
    if not from_tallies(user, focus, children):
        return Aggregates(
            compliance=agg.compliance_rows(user, operation, focus, days),
            assignments=agg.assignment_rows(user, operation, focus),
            incidents=agg.incident_rows(user, operation, focus, days),
            breakdown=agg.incident_breakdown(user, operation, focus, days),
            report_days=agg.report_days(user, operation, focus, window),
            incident_trend=fact_selectors.incident_trend(user, operation, focus, window),
        )
    read = tally_selectors.read(operation, focus, children, days, window)
    compliance: dict[str, dict[str, int]] = {}
    for path, total in agg.unit_totals(user, operation, focus).items():
        row = read.compliance.get(path, {})
        on_time, late = row.get("on_time", 0), row.get("late", 0)
        compliance[path] = {
            "total": total,
            "on_time": on_time,
            "late": late,
            "returned": row.get("returned", 0),
            "personnel_on_duty": row.get("personnel_on_duty", 0),
            "missing": total - on_time - late,
        }
    return Aggregates(
        compliance=compliance,
        assignments=read.assignments,
        incidents=read.incident_rows,
        breakdown=read.incident_breakdown,
        report_days=read.report_days,
        incident_trend=read.incident_trend,
    )
