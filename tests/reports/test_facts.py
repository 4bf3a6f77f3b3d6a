"""Numbers kept by reports.facts in the services' transactions: each incident carries its
report's day and state, each report its unit's path; the incident aggregates that read
them give the dashboard's numbers without joining the reports."""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import Channel
from dashboard import selectors as board
from operations import services as unit_services
from pamilu import actors
from reports import fact_selectors, facts, services
from reports.models import DailyReport, Incident
from tests.builders.reports import DAY, NOON
from tests.reports import incident_oracle as oracle

WEB = Channel.WEB


def _incident(category="kejahatan", severity="hijau", hours=1):
    return {
        "category": category,
        "severity": severity,
        "occurred_at": NOON - dt.timedelta(hours=hours),
        "place": "Pasar",
        "description": "Uraian",
    }


def _states(report):
    return set(Incident.objects.filter(report=report).values_list("report_date", "report_status"))


def test_incidents_follow_their_report_through_the_workflow(make_report, personas):
    kapolsek, reviewer = personas.kapolsek_a, personas.reviewer
    report = make_report(kapolsek, incidents=[_incident(), _incident("bencana")])
    assert _states(report) == {(DAY, "draft")}
    report = services.report_submit(report=report, by=kapolsek, channel=WEB)
    assert _states(report) == {(DAY, "submitted")}
    report = services.report_return(report=report, by=reviewer, channel=WEB, reason="Lengkapi.")
    assert _states(report) == {(DAY, "returned")}
    services.report_update(report=report, by=kapolsek, channel=WEB, incidents=[_incident()])
    assert _states(report) == {(DAY, "returned")}
    report = services.report_submit(report=report, by=kapolsek, channel=WEB)
    report = services.report_accept(report=report, by=reviewer, channel=WEB)
    assert _states(report) == {(DAY, "accepted")}
    assert facts.drift() == {"incidents": 0, "reports": 0}


def test_report_sort_key_follows_unit_moves(make_report, personas, tree):
    report = make_report(personas.kapolsek_a)
    assert report.unit_path == tree.sirimau.path
    unit_services.unit_update(
        unit=tree.ambon, parent=tree.sulsel, by=actors.SYSTEM, channel="system"
    )  # the Polres moves
    report.refresh_from_db()
    assert report.unit_path == "MABES/POLDA-SULSEL/POLRESTA-AMBON/POLSEK-SIRIMAU/"
    unit_services.unit_update(
        unit=tree.sirimau, code="POLSEK-SIRIMAU-KOTA", by=actors.SYSTEM, channel="system"
    )
    report.refresh_from_db()
    assert report.unit_path == "MABES/POLDA-SULSEL/POLRESTA-AMBON/POLSEK-SIRIMAU-KOTA/"
    assert facts.drift() == {"incidents": 0, "reports": 0}


def test_rebuild_fills_bulk_loaded_rows(make_report, personas):
    report = make_report(personas.kapolsek_a, incidents=[_incident()])
    Incident.objects.update(report_date=None, report_status="accepted")
    DailyReport.objects.update(unit_path="")
    assert facts.drift() == {"incidents": 1, "reports": 1}
    assert facts.rebuild() == {"incidents": 1, "reports": 1}
    assert _states(report) == {(DAY, "draft")}
    assert facts.drift() == {"incidents": 0, "reports": 0}


@pytest.fixture
def spread(make_report, personas, tree, op):
    """Sent, returned, accepted and draft reports over two days, each with incidents."""
    yesterday = DAY - dt.timedelta(days=1)
    a = make_report(personas.kapolsek_a, "submitted", incidents=[_incident(), _incident()])
    make_report(
        personas.kapolsek_a,
        "accepted",
        reviewer=personas.reviewer,
        report_date=yesterday,
        incidents=[_incident("laka_lantas", "merah", hours=30)],
    )
    make_report(personas.kapolsek_b, incidents=[_incident("bencana")])  # a draft
    make_report(
        personas.outsider_operator,
        "returned",
        reviewer=personas.admin,
        incidents=[_incident("unjuk_rasa", "kuning")],
    )
    return a


FOCUSES = ["mabes", "maluku", "ambon", "sirimau", "banten"]


@pytest.mark.parametrize("focus", FOCUSES)
@pytest.mark.parametrize("explicit", [None, DAY, DAY - dt.timedelta(days=1)])
def test_incident_aggregates_equal_the_report_joins(spread, personas, tree, op, focus, explicit):
    """What the dashboard reads (reports.fact_selectors, through dashboard.selectors) equals
    the same aggregates joined to the reports (tests/reports/incident_oracle.py)."""
    unit, user = getattr(tree, focus), personas.admin
    days = board.zone_days(explicit, NOON)
    args = (user, op, unit, days)
    assert board.incident_rows(*args) == oracle.incident_rows(*args)
    assert board.incident_breakdown(*args) == oracle.incident_breakdown(*args)
    assert [i.pk for i in board.latest_incidents(*args)] == [
        i.pk for i in oracle.latest_incidents(*args)
    ]
    assert board.map_incidents(*args) == oracle.map_incidents(*args)
    window = board.trend_days(op, max(days.values()))
    trend = board.trends(user, op, unit, days, 0).incidents
    expected = oracle.incident_trend(user, op, unit, window) if window else {}
    assert {row.category: row.counts for row in trend} == {
        cat: [counts.get(d, 0) for d in window] for cat, counts in expected.items()
    }


def test_incident_aggregates_are_one_query_each_without_the_reports(
    spread, personas, tree, op, django_assert_num_queries
):
    args = (personas.national, op, tree.mabes, board.zone_days(None, NOON))
    with django_assert_num_queries(2) as captured:
        rows = fact_selectors.incident_rows(*args)
        fact_selectors.incident_breakdown(*args)
    assert rows == {
        tree.maluku.path: {"total": 3, "today": 2},
        tree.banten.path: {"total": 1, "today": 1},
    }
    assert all("reports_dailyreport" not in q["sql"] for q in captured.captured_queries)
