"""Report lists (/reports/, the review queue, /api/v1/reports/): every order they offer is
served by an index (no sort of the table), and the count never costs more than a page
(capped: exact up to the cap, "more than N" above it, deeper pages still reachable)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import EmptyPage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pamilu.paging import CappedPaginator
from reports import selectors
from reports.models import SENT_STATUSES, DailyReport, ReportStatus
from tests import builders
from tests.reports.test_api import REPORTS, token_client

START = dt.date(2024, 1, 10)


@pytest.fixture
def many(tree, op, personas):
    """4 units × 6 days of reports: 24 rows, every status."""
    statuses = list(SENT_STATUSES)
    rows = []
    for d in range(6):
        for i, unit in enumerate([tree.sirimau, tree.nusaniwe, tree.ambon, tree.labuan]):
            status = ReportStatus.DRAFT if (d + i) % 5 == 0 else statuses[(d + i) % 3]
            rows.append(
                builders.report(
                    op, unit, START + dt.timedelta(days=d), status=status, by=personas.admin
                )
            )
    return rows


# --- the paginator ---------------------------------------------------------------------


def test_count_is_exact_below_the_cap(many):
    paginator = CappedPaginator(DailyReport.objects.order_by("id"), 10, cap=100)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (24, False, 3)
    assert paginator.page(3).has_next() is False
    with pytest.raises(EmptyPage):
        paginator.page(4)


def test_count_above_the_cap_is_capped_and_deep_pages_stay_reachable(many):
    paginator = CappedPaginator(DailyReport.objects.order_by("id"), 5, cap=10)
    assert (paginator.count, paginator.capped) == (10, True)
    ids = list(DailyReport.objects.order_by("id").values_list("id", flat=True))
    page = paginator.page(5)  # beyond the cap
    assert [r.pk for r in page] == ids[20:24]
    assert page.has_next() is False
    assert paginator.page(4).has_next() is True
    with pytest.raises(EmptyPage):
        paginator.page(6)


def test_capped_count_reads_at_most_cap_plus_one_rows(many):
    paginator = CappedPaginator(DailyReport.objects.order_by("id"), 5, cap=10)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 10
    assert "LIMIT 11" in ctx.captured_queries[0]["sql"]


# --- pages and API -------------------------------------------------------------------


def test_page_past_the_end_of_a_capped_list_is_the_last_vouched_page(many):
    paginator = CappedPaginator(DailyReport.objects.order_by("id"), 5, cap=10)
    ids = list(DailyReport.objects.order_by("id").values_list("id", flat=True))
    page = paginator.get_page(9)  # 24 rows: page 9 is past the end, found by reading it
    assert (page.number, [r.pk for r in page]) == (2, ids[5:10])


def test_list_page_past_the_end_is_not_an_error(client, personas, many, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 20)
    client.force_login(personas.national)
    response = client.get(reverse("reports:list") + "?page=50")
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_list_page_shows_a_capped_count(client, personas, many, monkeypatch):
    monkeypatch.setattr(CappedPaginator, "cap", 20)
    client.force_login(personas.national)
    response = client.get(reverse("reports:list"))
    assert "lebih dari 20 laporan" in response.content.decode()
    shown = [r.pk for r in response.context["page"]]
    expected = list(
        DailyReport.objects.order_by("-report_date", "unit_path", "id").values_list("pk", flat=True)
    )
    assert shown == expected[:30] and len(shown) == 24


def test_api_count_capped_flag(personas, many, monkeypatch):
    client = token_client(personas.national)
    body = client.get(REPORTS, {"page_size": 5}).json()
    assert (body["count"], body["count_capped"]) == (24, False)
    monkeypatch.setattr(CappedPaginator, "cap", 10)
    body = client.get(REPORTS, {"page_size": 5}).json()
    assert (body["count"], body["count_capped"]) == (10, True)
    deep = client.get(REPORTS, {"page_size": 5, "page": 5}).json()  # past the cap
    assert len(deep["results"]) == 4 and deep["next"] is None


@pytest.mark.parametrize("ordering", list(selectors.API_ORDERS))
def test_api_orders_are_the_index_orders(personas, many, ordering):
    client = token_client(personas.national)
    ids = [r["id"] for r in client.get(REPORTS, {"ordering": ordering}).json()["results"]]
    expected = DailyReport.objects.order_by(*selectors.API_ORDERS[ordering])
    assert ids == list(expected.values_list("pk", flat=True))


@pytest.mark.parametrize("route", ["reports:list", "reports:queue"])
def test_list_pages_query_count_is_the_same_for_one_and_many(
    client, personas, tree, op, route, django_assert_num_queries
):
    builders.report(op, tree.sirimau, START, by=personas.admin)
    client.force_login(personas.reviewer)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse(route))
    for d in range(1, 40):
        builders.report(op, tree.nusaniwe, START + dt.timedelta(days=d), by=personas.admin)
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(reverse(route)).status_code == 200


def test_api_list_query_count_is_the_same_for_one_and_many(
    personas, tree, op, django_assert_num_queries
):
    builders.report(op, tree.sirimau, START, by=personas.admin)
    client = token_client(personas.reviewer)
    with CaptureQueriesContext(connection) as one:
        client.get(REPORTS)
    for d in range(1, 60):
        builders.report(op, tree.nusaniwe, START + dt.timedelta(days=d), by=personas.admin)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(REPORTS).json()["results"]) == 50


# --- served by an index (PostgreSQL plans) --------------------------------------------


def _plan(queryset) -> str:
    """The plan with sorts and sequential scans priced out: a Sort left in it means no
    index serves the order."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _lists(personas):
    national, reviewer = personas.national, personas.reviewer
    yield "page", selectors.reports_for(national).order_by(*selectors.LIST_ORDER)
    yield "page, Polres", selectors.reports_for(reviewer).order_by(*selectors.LIST_ORDER)
    yield (
        "page, status",
        selectors.reports_for(national).filter(status="returned").order_by(*selectors.LIST_ORDER),
    )
    yield "queue", selectors.review_queue(reviewer)
    for key, order in selectors.API_ORDERS.items():
        yield f"api {key}", selectors.reports_with_items(national).order_by(*order)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_every_list_order_is_served_by_an_index(personas, many):
    for name, queryset in _lists(personas):
        plan = _plan(queryset[:30])
        assert "Sort" not in plan, (name, plan)
        capped = _plan(queryset[: CappedPaginator.cap + 1])
        assert "Sort" not in capped, (name, capped)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans")
def test_an_order_no_index_serves_shows_a_sort(personas, many):
    """The check above can fail: ordering across the join to the units needs a sort."""
    joined = selectors.reports_for(personas.national).order_by("-report_date", "unit__path")
    assert "Sort" in _plan(joined[:30])
