"""The one pagination partial (templates/includes/pagination.html): its links keep every
query parameter of the page (the list's filters) and change only `page`."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from personnel.models import Personnel, Rank
from reports.models import FlagCode, ReportFlag, ReportStatus
from tests import builders

START = dt.date(2024, 1, 1)
NEXT = re.compile(r'href="([^"]*)">Berikutnya')
PREVIOUS = re.compile(r'href="([^"]*)">&laquo; Sebelumnya')


def _next_link(response) -> str:
    (href,) = NEXT.findall(response.content.decode())
    return unescape(href)


@pytest.fixture
def flagged_queue(tree, operation, personas):
    """31 submitted reports of Polsek Sirimau flagged personnel_drop (one a day from 1 Jan),
    and 5 submitted without a flag: the flagged ones fill page 1 (30 a page) and one more."""
    flagged = []
    for d in range(36):
        report = builders.report(
            operation, tree.sirimau, START + dt.timedelta(days=d), by=personas.kapolsek_a
        )
        if d < 31:
            flagged.append(report)
    ReportFlag.objects.bulk_create(
        ReportFlag(report=r, code=FlagCode.PERSONNEL_DROP, detail="12 → 5") for r in flagged
    )
    return flagged


def test_review_queue_page_two_keeps_the_flag_filter(client, personas, flagged_queue):
    client.force_login(personas.reviewer)
    first = client.get(reverse("reports:queue"), {"flag": FlagCode.PERSONNEL_DROP})
    assert len(first.context["page"].object_list) == 30
    link = _next_link(first)
    assert link == "?flag=personnel_drop&page=2"
    second = client.get(reverse("reports:queue") + link)
    assert [r.pk for r in second.context["page"].object_list] == [flagged_queue[-1].pk]
    assert second.context["flag"] == FlagCode.PERSONNEL_DROP
    (back,) = PREVIOUS.findall(second.content.decode())
    assert unescape(back) == "?flag=personnel_drop&page=1"


def test_report_list_page_two_keeps_the_status_filter(client, personas, flagged_queue):
    client.force_login(personas.reviewer)
    first = client.get(reverse("reports:list"), {"status": ReportStatus.SUBMITTED})
    link = _next_link(first)
    assert link == "?status=submitted&page=2"
    second = client.get(reverse("reports:list") + link)
    assert len(second.context["page"].object_list) == 6  # 36 submitted, 30 a page
    assert {r.status for r in second.context["page"].object_list} == {ReportStatus.SUBMITTED}


def test_personnel_list_page_two_keeps_the_search(client, personas, tree):
    rank = Rank.objects.get(code="BRIPTU")
    Personnel.objects.bulk_create(
        Personnel(nrp=f"{70000000 + i:08d}", name=f"Personel Uji {i}", rank=rank, unit=tree.sirimau)
        for i in range(55)
    )
    Personnel.objects.create(nrp="71000000", name="Orang Lain", rank=rank, unit=tree.sirimau)
    client.force_login(personas.reviewer)
    first = client.get(reverse("personnel:list"), {"q": "Uji"})
    link = _next_link(first)
    assert link == "?q=Uji&page=2"
    second = client.get(reverse("personnel:list") + link)
    names = [p.name for p in second.context["page"].object_list]
    assert len(names) == 5 and all("Uji" in n for n in names)


@pytest.mark.parametrize(
    "query",
    [
        "unit=POLRESTA-AMBON&operation=op-1&day=2024-02-14&q=budi",  # deployments
        "kind=daily&q=Ambon",  # summaries
        "all=1",  # notices
        "status=draft&status=returned",  # a repeated parameter
    ],
)
def test_partial_keeps_every_parameter_but_page(query):
    """Every list renders this partial (test_architecture): whatever its filters, both
    links carry them and replace `page`."""
    page = Paginator(list(range(120)), 50).get_page(2)
    request = RequestFactory().get(f"/any/?{query}&page=2")
    html = render_to_string("includes/pagination.html", {"page": page}, request)
    assert [unescape(h) for h in NEXT.findall(html)] == [f"?{query}&page=3"]
    assert [unescape(h) for h in PREVIOUS.findall(html)] == [f"?{query}&page=1"]
    assert "Halaman 2 dari 3" in html
