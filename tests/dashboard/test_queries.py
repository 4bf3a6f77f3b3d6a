"""The dashboard's work is a fixed number of queries, whatever the size of the tree."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import selectors as board
from operations.models import Unit, UnitKind, Vulnerability
from reports.models import ReportStatus
from tests import builders

NOW = dt.datetime(2024, 2, 1, 5, 0, tzinfo=dt.UTC)  # 14:00 WIT
DAY = dt.date(2024, 2, 1)


def _grow(tree, operation, by, start: int, stop: int) -> None:
    """Polsek GEN-start … GEN-stop-1 under a Polres of Polda Maluku, each with a report
    (one in three late, one in five missing), an incident, TPS and assignments."""
    polres = Unit.objects.filter(code="POLRES-GEN").first() or builders.unit(
        "POLRES-GEN",
        UnitKind.POLRES,
        tree.maluku,
        latitude=Decimal("-3.3"),
        longitude=Decimal("128.9"),
    )
    for i in range(start, stop):
        polsek = builders.unit(
            f"POLSEK-GEN-{i}",
            UnitKind.POLSEK,
            polres,
            latitude=Decimal("-3.3"),
            longitude=Decimal("128.9"),
        )
        builders.tps(operation, polsek, Vulnerability.KURANG_RAWAN, 3, lat=-3.7, lng=128.2)
        builders.assignments(operation, polsek, 2, bko=1, home=polres)
        if i % 5 == 0:
            continue
        report = builders.report(
            operation,
            polsek,
            DAY - dt.timedelta(days=i % 2),
            status=ReportStatus.SUBMITTED,
            late=i % 3 == 0,
            personnel_on_duty=10,
            by=by,
        )
        builders.incident(report, category="gangguan")


def _count(client, url, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/dashboard/", "/dashboard/panels/", "/api/v1/dashboard/"],
)
@pytest.mark.parametrize("unit", ["", "POLDA-MALUKU", "POLRES-GEN"])
def test_query_count_same_for_10_and_200_polsek(
    client, personas, tree, operation, django_assert_num_queries, monkeypatch, url, unit
):
    # 600 TPS under POLRES-GEN would cross the map's point limit (one marker per unit
    # then, two queries fewer: test_map_markers_instead_of_points_cost_fewer_queries).
    monkeypatch.setattr(board, "MAP_POINT_LIMIT", 10**6)
    params = {"unit": unit} if unit else {}
    with time_machine.travel(NOW, tick=False):
        client.force_login(personas.national)
        _grow(tree, operation, personas.admin, 0, 10)
        small = _count(client, url, params)
        _grow(tree, operation, personas.admin, 10, 200)
        assert (
            Unit.objects.filter(kind=UnitKind.POLSEK, code__startswith="POLSEK-GEN").count() == 200
        )
        with django_assert_num_queries(small):
            response = client.get(url, params)
    data = response.json() if url.startswith("/api/") else None
    if data is not None and unit == "POLRES-GEN":
        # 200 Polsek: 160 with a report (every fifth has none), half of them for today.
        compliance = data["compliance"]
        assert compliance["total"] == 201  # the Polres itself reports too
        assert compliance["on_time"] + compliance["late"] == 80
        assert data["personnel"]["committed"] == 400
        assert data["personnel"]["tps"] == 600


def test_map_markers_instead_of_points_cost_fewer_queries(client, personas, tree, operation):
    with time_machine.travel(NOW, tick=False):
        client.force_login(personas.national)
        _grow(tree, operation, personas.admin, 0, 10)
        points = _count(client, "/api/v1/dashboard/", {"unit": "POLRES-GEN"})
        _grow(tree, operation, personas.admin, 10, 200)  # 600 TPS: more than fit
        response = client.get("/api/v1/dashboard/", {"unit": "POLRES-GEN"})
        markers = _count(client, "/api/v1/dashboard/", {"unit": "POLRES-GEN"})
    assert response.json()["map"]["aggregated"] is True
    assert markers == points - 2  # no posts, no incident points
