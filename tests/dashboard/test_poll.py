"""The 60 s poll: an unchanged dashboard is a 304 from its version alone; a write, a new
focus or a passed deadline changes the version and the panels come back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import panels
from reports import services
from tests.builders.dashboard import FEB1, NOW
from tests.dashboard.test_views import _rows

URL = "/dashboard/panels/"
pytestmark = pytest.mark.usefixtures("day_of_reports")


def _poll(client, etag=None, HTTP_X_DASHBOARD_PANELS=None, **params):
    headers = {"HTTP_HX_REQUEST": "true"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    if HTTP_X_DASHBOARD_PANELS is not None:
        headers["HTTP_X_DASHBOARD_PANELS"] = HTTP_X_DASHBOARD_PANELS
    return client.get(URL, params, **headers)


def test_unchanged_poll_is_304_in_a_few_queries(client, personas, django_assert_num_queries):
    client.force_login(personas.national)
    first = _poll(client)
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and "no-cache" in first["Cache-Control"]
    # session, user, the focus resolution, then the three version queries: fixed at 8
    with django_assert_num_queries(8) as captured:
        again = _poll(client, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "operations_post" not in sql and "reports_incident" not in sql


def test_poll_after_a_submission_is_200_with_the_new_numbers(client, personas, tree, operation):
    client.force_login(personas.national)
    first = _poll(client)
    etag = first["ETag"]
    assert _rows(first)[tree.banten.code]["missing"] == 1  # Polsek Labuan sent nothing
    services.report_create(
        operation=operation,
        unit=tree.labuan,
        by=personas.admin,
        channel="web",
        report_date=FEB1,
        personnel_on_duty=5,
        # what the send rules (reports.rules) require of a sent report
        summary="Aman.",
        activities=[{"kind": "patroli", "count": 1, "personnel": 5}],
        submit=True,
    )
    after = _poll(client, etag)
    assert after.status_code == 200
    assert after["ETag"] != etag
    assert _rows(after)[tree.banten.code]["missing"] == 0
    assert _poll(client, after["ETag"]).status_code == 304


def test_version_follows_focus_and_deadlines(client, personas, tree):
    client.force_login(personas.national)
    etag = _poll(client)["ETag"]
    other = _poll(client, etag, unit=tree.maluku.code)
    assert other.status_code == 200 and other["ETag"] != etag
    # Later, with no write, a zone's deadline passed: the overdue marks move.
    with time_machine.travel(NOW + dt.timedelta(hours=12), tick=False):
        client.force_login(personas.national)  # the session of 12 hours ago has expired
        later = _poll(client, etag)
    assert later.status_code == 200 and later["ETag"] != etag


def _digests(response) -> str:
    found = re.search(
        r'id="dashboard-panel-digests"[^>]* data-digests="([^"]*)"', response.content.decode()
    )
    assert found, "the answer carries the digests of its panels"
    return found[1]


def _swapped(response) -> set[str]:
    return set(re.findall(r'id="panel-([a-z]+)" hx-swap-oob="true"', response.content.decode()))


def _send_labuan(operation, tree, by):
    services.report_create(
        operation=operation,
        unit=tree.labuan,
        by=by,
        channel="web",
        report_date=FEB1,
        personnel_on_duty=5,
        summary="Aman.",
        activities=[{"kind": "patroli", "count": 1, "personnel": 5}],
        submit=True,
    )


def test_changed_poll_sends_back_only_the_panels_that_moved(client, personas, tree, operation):
    client.force_login(personas.national)
    first = _poll(client)
    held = _digests(first)
    assert [part.split("=")[0] for part in held.split(";")] == list(panels.NAMES)
    assert _swapped(first) == set()  # the first poll swaps the whole block, as the page does

    _send_labuan(operation, tree, personas.admin)
    after = _poll(client, first["ETag"], HTTP_X_DASHBOARD_PANELS=held)
    assert after.status_code == 200 and after["HX-Reswap"] == "none"
    # Labuan's report moved the counts, the table, the missing list, the personnel on duty
    # (stats and the personnel table) and the trend data; the map, the chart frames, the
    # incidents and the header (the clock stands still here) did not move.
    assert _swapped(after) == {"stats", "compliance", "missing", "personnel", "data"}
    assert _rows(after)[tree.banten.code]["missing"] == 0
    assert 'id="compliance-missing">' in after.content.decode()
    body = after.content.decode()
    for unsent in ['id="dashboard-map"', 'id="chart-compliance"', 'id="incidents-table"']:
        assert unsent in first.content.decode() and unsent not in body
    assert len(after.content) < len(first.content)
    assert _digests(after) != held

    # Sending fewer panels costs no query more than sending them all.
    with CaptureQueriesContext(connection) as full:
        _poll(client)
    with CaptureQueriesContext(connection) as partial:
        _poll(client, None, HTTP_X_DASHBOARD_PANELS=held)
    assert len(partial.captured_queries) == len(full.captured_queries)

    # Held digests that match (a retried poll without If-None-Match) move nothing.
    again = _poll(client, None, HTTP_X_DASHBOARD_PANELS=_digests(after))
    assert again.status_code == 200 and _swapped(again) == set()
    assert _digests(again) == _digests(after)


def test_poll_with_a_garbled_panels_header_sends_every_panel_again(client, personas):
    client.force_login(personas.national)
    for value in ["", "nonsense", "stats=zz;map=" + "0" * 16, "x" * 5000]:
        answer = _poll(client, None, HTTP_X_DASHBOARD_PANELS=value)
        assert answer.status_code == 200
        assert _swapped(answer) == set(panels.NAMES)
