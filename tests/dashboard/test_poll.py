"""The 60 s poll: an unchanged dashboard is a 304 from its version alone; a write, a new
focus or a passed deadline changes the version and the panels come back."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from reports import services
from tests.builders.dashboard import FEB1, NOW
from tests.dashboard.test_views import _rows

URL = "/dashboard/panels/"
pytestmark = pytest.mark.usefixtures("day_of_reports")


def _poll(client, etag=None, **params):
    headers = {"HTTP_HX_REQUEST": "true"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
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
