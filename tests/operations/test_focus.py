"""operations.focus: one resolver of operation, unit and day for every page with a focus."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.test import RequestFactory

from operations import focus

HOSTILE = ["²", "١٢", "POLSEK\x00SIRIMAU", "\x00", "9" * 40, "1e3", "' OR 1=1 --", "%"]

# Every page and endpoint that reads a focus from ?unit= / ?operation=.
FOCUS_URLS = [
    "/dashboard/",
    "/dashboard/panels/",
    "/personnel/readiness-panel/",
    "/api/v1/dashboard/",
    "/deployments/",
    "/deployments/coverage/",
    "/deployments/guard-gaps/",
    "/deployments/events/",
    "/deployments/roster.pdf",
    "/apel/",
    "/api/v1/coverage/",
    "/api/v1/guard-gaps/",
]


def _request(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return request


def test_unit_by_code_any_case_or_id(personas, tree):
    user = personas.command_center
    assert focus.unit_from(user, "polresta-ambon") == tree.ambon
    assert focus.unit_from(user, str(tree.ambon.pk)) == tree.ambon
    assert focus.unit_from(user, "") is None


def test_unit_outside_scope_is_404(personas, tree):
    with pytest.raises(Http404):
        focus.unit_from(personas.command_center, tree.pandeglang.code)
    with pytest.raises(Http404):
        focus.unit_from(personas.command_center, str(tree.pandeglang.pk))


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_unit_or_operation_is_404(personas, operation, value):
    with pytest.raises(Http404):
        focus.unit_from(personas.national, value)
    with pytest.raises(Http404):
        focus.operation_from(personas.national, value)


def test_operation_by_code_and_by_id_for_old_links(personas, operation):
    user = personas.command_center
    assert focus.operation_from(user, operation.code) == operation
    assert focus.operation_from(user, str(operation.pk)) == operation
    listed = [operation]
    assert focus.operation_from(user, str(operation.pk), listed) == operation
    with pytest.raises(Http404):
        focus.operation_from(user, "no-such-operation", listed)


def test_defaults_user_unit_and_running_operation(personas, tree, operation):
    query = focus.resolve(_request(personas.command_center))
    assert (query.unit, query.operation, query.day) == (tree.maluku, operation, None)
    assert query.invalid_day is False


def test_day_parsed_or_flagged(personas, operation):
    query = focus.resolve(_request(personas.command_center, day="2024-02-14"))
    assert query.day == dt.date(2024, 2, 14)
    bad = focus.resolve(_request(personas.command_center, day="14/02/2024"))
    assert (bad.day, bad.invalid_day) == (None, True)


def test_without_default_operation(personas, operation):
    query = focus.resolve(_request(personas.command_center), default_operation=False)
    assert query.operation is None


def test_nationwide_admin_focuses_the_operations_unit(personas, tree, operation):
    query = focus.resolve(_request(personas.admin))
    assert query.unit == tree.mabes


@pytest.mark.parametrize("url", FOCUS_URLS)
@pytest.mark.parametrize("param", ["unit", "operation"])
@pytest.mark.parametrize("value", ["²", "a\x00b", "9" * 40])
def test_hostile_focus_params_are_404_never_500(client, personas, operation, url, param, value):
    """A value naming nothing visible is a 404 from the resolver; a NUL byte never reaches
    it: pamilu.query_guard refuses the query string with a 400 naming the parameter."""
    client.force_login(personas.command_center)
    params = {"operation": operation.code, param: value}
    expected = 400 if "\x00" in value else 404
    assert client.get(url, params).status_code == expected


@pytest.mark.parametrize("url", ["/dashboard/", "/deployments/coverage/", "/api/v1/coverage/"])
def test_operation_id_from_old_links_still_opens_the_page(client, personas, operation, url):
    client.force_login(personas.command_center)
    by_code = client.get(url, {"operation": operation.code})
    by_id = client.get(url, {"operation": operation.pk})
    assert (by_code.status_code, by_id.status_code) == (200, 200)
    if url.startswith("/api/"):
        assert by_id.json() == by_code.json()
    else:
        assert operation.name in by_id.content.decode()


def test_api_unreadable_day_is_400_naming_the_field(client, personas, operation):
    client.force_login(personas.command_center)
    response = client.get("/api/v1/dashboard/", {"day": "²"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["day"]
