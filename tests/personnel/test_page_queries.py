"""The navigation pages of deployments, coverage, apel and personnel read a fixed number of
queries (as the command center of the Polda, with deployments, TPS and posts below it).
A change may lower a number (then lower it here and say so), never raise it unseen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from operations.models import Vulnerability
from pamilu import actors
from personnel.services import deployment_create, post_group_create
from tests.builders import assigned, at, token_client, tps, warehouse

KR = Vulnerability.KURANG_RAWAN


@pytest.fixture
def plotted(tree, operation):
    posts = tps(operation, tree.sirimau, KR, 6)
    tps(operation, tree.nusaniwe, KR, 3)
    group = post_group_create(
        operation=operation, unit=tree.sirimau, vulnerability=KR, name="G", posts=posts[:3],
        by=actors.SYSTEM, channel="system",
    )  # fmt: skip
    own = [assigned(operation, tree.sirimau) for _ in range(3)]
    bko = assigned(operation, tree.ambon, home=tree.maluku)
    start, end = at(14, 0), at(14, 8)
    deployment_create(assignment=own[0], group=group, starts_at=start, ends_at=end, by=actors.SYSTEM, channel="system")  # fmt: skip
    deployment_create(assignment=own[1], post=posts[4], starts_at=start, ends_at=end, by=actors.SYSTEM, channel="system")  # fmt: skip
    deployment_create(assignment=bko, post=posts[5], starts_at=start, ends_at=end, by=actors.SYSTEM, channel="system")  # fmt: skip
    gudang = warehouse(operation, tree.ambon)
    deployment_create(assignment=own[2], post=gudang, starts_at=start, ends_at=end, by=actors.SYSTEM, channel="system")  # fmt: skip
    return start


def _q(unit, operation, **extra) -> str:
    params = {"unit": unit.code, "operation": operation.code, **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


PAGES: list[tuple[str, dict[str, str], int]] = [
    ("personnel:coverage", {}, 13),
    ("personnel:guard_gaps", {}, 9),
    ("personnel:deployments", {}, 9),
    ("personnel:apels", {}, 8),
    ("personnel:list", {}, 6),
]


@pytest.mark.parametrize(("route", "extra", "expected"), PAGES)
def test_navigation_page_query_count_is_fixed(
    client, personas, tree, operation, plotted, route, extra, expected, django_assert_num_queries
):
    client.force_login(personas.command_center)
    url = reverse(route) + _q(tree.maluku, operation, **extra)
    client.get(url)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_coverage_api_query_count_is_fixed(
    personas, tree, operation, plotted, django_assert_num_queries
):
    api = token_client(personas.command_center)
    url = "/api/v1/coverage/" + _q(tree.maluku, operation)
    api.get(url)
    with django_assert_num_queries(10):
        body = api.get(url).json()
    assert body["total"]["deployed_own"] == 2 and body["total"]["deployed_bko"] == 1
