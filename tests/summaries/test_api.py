"""/api/v1/summaries/ and /api/v1/notices/."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from pamilu import actors
from summaries import services
from summaries.models import Notice, NoticeKind
from tests.builders.summaries import D, daily


@pytest.fixture
def api():
    return APIClient()


def test_summary_api_list_is_scoped_and_filterable(api, built, personas):
    api.force_authenticate(personas.command_center)
    response = api.get(reverse("summary-list"), {"period_kind": "daily"})
    assert response.status_code == 200
    codes = {row["unit_code"] for row in response.json()["results"]}
    assert codes == {"POLDA-MALUKU", "POLRESTA-AMBON", "POLSEK-SIRIMAU", "POLSEK-NUSANIWE"}
    assert "content" not in response.json()["results"][0]


def test_summary_api_detail_has_the_content(api, built, personas):
    api.force_authenticate(personas.national)
    response = api.get(reverse("summary-detail", args=[daily("MABES").pk]))
    data = response.json()
    assert data["unit_code"] == "MABES"
    assert data["period_start"] == "2024-02-06"
    assert data["content"]["totals"]["personnel"] == 65
    assert data["content"]["reporting"]["on_time_percent"] == 57.14
    assert data["is_stale"] is False


@pytest.mark.outsider("summary-list", "summary-detail")
def test_summary_api_outsider_gets_404(api, built, personas):
    api.force_authenticate(personas.outsider)
    assert api.get(reverse("summary-detail", args=[daily("POLRESTA-AMBON").pk])).status_code == 404
    codes = {row["unit_code"] for row in api.get(reverse("summary-list")).json()["results"]}
    assert codes == {"POLRES-PANDEGLANG", "POLSEK-LABUAN"}


def test_summary_api_requires_authentication(api, built):
    assert api.get(reverse("summary-list")).status_code == 401


@pytest.mark.outsider("notice-list", "notice-detail", "notice-acknowledge")
def test_notice_api_acknowledge_only_by_recipient(api, operation, tree, personas):
    notice = Notice.objects.create(
        operation=operation,
        unit=tree.nusaniwe,
        report_date=D,
        level=1,
        kind=NoticeKind.ESCALATION,
        recipient_unit=tree.ambon,
        deadline="2024-02-06T11:00:00Z",
    )
    api.force_authenticate(personas.outsider)
    assert api.get(reverse("notice-list")).json()["results"] == []
    assert api.get(reverse("notice-detail", args=[notice.pk])).status_code == 404
    assert api.post(reverse("notice-acknowledge", args=[notice.pk])).status_code == 404
    api.force_authenticate(personas.reviewer)
    rows = api.get(reverse("notice-list"), {"is_open": "true"}).json()["results"]
    assert [(r["unit_code"], r["level"], r["is_open"]) for r in rows] == [
        ("POLSEK-NUSANIWE", 1, True)
    ]
    response = api.post(reverse("notice-acknowledge", args=[notice.pk]))
    assert response.status_code == 200
    assert response.json()["is_open"] is False
    assert response.json()["acknowledged_by"] == personas.reviewer.pk


def test_summary_api_list_query_count_does_not_grow(
    api, scenario, operation, tree, personas, django_assert_num_queries
):
    api.force_authenticate(personas.national)
    services.build_for_day(
        operation=operation, unit=tree.mabes, day=D, by=actors.TASKS, channel="system"
    )
    with django_assert_num_queries(2) as one:
        api.get(reverse("summary-list"))
    for unit in (tree.maluku, tree.ambon, tree.sinjai, tree.labuan):
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.get(reverse("summary-list"))
    assert response.json()["count"] == 15
