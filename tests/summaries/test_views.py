"""Pages: list (scoped, query count), detail, exports scope, reminders list and acknowledge."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from pamilu import actors
from summaries import services
from summaries.models import Notice, NoticeKind, Summary
from tests import builders
from tests.builders.summaries import D, daily


def _listed_units(response) -> set[str]:
    ids = [int(x) for x in re.findall(r'data-summary="(\d+)"', response.content.decode())]
    return set(Summary.objects.filter(pk__in=ids).values_list("unit__code", flat=True))


def test_summary_list_command_center_sees_own_polda_subtree(client, built, personas):
    client.force_login(personas.command_center)
    response = client.get(reverse("summaries:list"), {"kind": "daily"})
    assert response.status_code == 200
    assert _listed_units(response) == {
        "POLDA-MALUKU",
        "POLRESTA-AMBON",
        "POLSEK-SIRIMAU",
        "POLSEK-NUSANIWE",
    }


@pytest.mark.outsider("summaries:list")
def test_summary_list_outsider_and_operator_see_only_their_part(client, built, personas):
    client.force_login(personas.outsider)
    assert _listed_units(client.get(reverse("summaries:list"))) == {
        "POLRES-PANDEGLANG",
        "POLSEK-LABUAN",
    }
    client.force_login(personas.kapolsek_a)
    assert _listed_units(client.get(reverse("summaries:list"))) == {"POLSEK-SIRIMAU"}


def test_summary_list_national_filters_by_kind_and_unit(client, built, personas):
    client.force_login(personas.national)
    response = client.get(reverse("summaries:list"), {"kind": "weekly", "q": "sinjai"})
    assert _listed_units(response) == {"POLRES-SINJAI", "POLSEK-SINJAI-UTARA"}
    body = client.get(reverse("summaries:list"), {"q": "tidak-ada"}).content.decode()
    assert "Tidak ada rekap yang cocok" in body


def test_summary_list_query_count_does_not_grow(
    client, scenario, operation, tree, personas, django_assert_num_queries
):
    client.force_login(personas.national)
    services.build_for_day(
        operation=operation, unit=tree.mabes, day=D, by=actors.TASKS, channel="system"
    )
    client.get(reverse("summaries:list"))  # warm up (session, content types)
    with django_assert_num_queries(7) as one:
        client.get(reverse("summaries:list"))
    for unit in (tree.maluku, tree.ambon, tree.sirimau, tree.sinjai, tree.labuan):
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("summaries:list"))
    assert len(_listed_units(response)) == 6


def test_summary_detail_shows_the_numbers(client, built, personas):
    client.force_login(personas.national)
    response = client.get(reverse("summaries:detail", args=[daily("MABES").pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'data-total="personnel">65<', body)
    assert 'data-missing="POLSEK-LABUAN"' in body
    assert 'data-missing="POLSEK-SINJAI-UTARA"' in body
    assert 'data-late="POLSEK-NUSANIWE"' in body
    assert "naik 1,56%" in body  # personnel 64 -> 65
    assert "Tepat waktu: 4 dari 7 laporan wajib (57,14%)" in body


@pytest.mark.outsider("summaries:detail", "summaries:pdf", "summaries:xlsx")
def test_summary_detail_and_exports_out_of_scope_are_404(client, built, personas):
    ambon = daily("POLRESTA-AMBON")
    for persona in (personas.outsider, personas.outsider_operator, personas.kapolsek_b):
        client.force_login(persona)
        for name in ("summaries:detail", "summaries:pdf", "summaries:xlsx"):
            assert client.get(reverse(name, args=[ambon.pk])).status_code == 404, (persona, name)
    client.force_login(personas.reviewer)
    assert client.get(reverse("summaries:detail", args=[ambon.pk])).status_code == 200


def test_summary_pages_require_login(client, built):
    response = client.get(reverse("summaries:detail", args=[daily("MABES").pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def _escalation(operation, tree):
    return Notice.objects.create(
        operation=operation,
        unit=tree.sinjai_utara,
        report_date=D,
        level=1,
        kind=NoticeKind.ESCALATION,
        recipient_unit=tree.sinjai,
        deadline="2024-02-06T12:00:00Z",
    )


def test_notice_list_shows_open_escalations_and_the_nav_badge(client, operation, tree):
    kabag = builders.user("reviewer", tree.sinjai, "kabagops.sinjai")
    _escalation(operation, tree)
    client.force_login(kabag)
    body = client.get(reverse("summaries:notices")).content.decode()
    assert "Laporan anev Polsek-Sinjai-Utara tanggal 06/02/2024 belum masuk" in body
    assert re.search(r"data-open-notices>1<", body)


@pytest.mark.outsider("summaries:notices", "summaries:notice_ack")
def test_notice_acknowledge_only_by_the_recipient_unit(client, operation, tree, personas):
    notice = _escalation(operation, tree)
    url = reverse("summaries:notice_ack", args=[notice.pk])
    for persona in (personas.outsider, personas.national, personas.kapolsek_a):
        client.force_login(persona)
        assert client.post(url).status_code == 404
        assert (
            "Polsek-Sinjai-Utara" not in client.get(reverse("summaries:notices")).content.decode()
        )
    notice.refresh_from_db()
    assert notice.acknowledged_at is None
    kabag = builders.user("reviewer", tree.sinjai, "kabagops.sinjai")
    client.force_login(kabag)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Ditandai sudah ditindaklanjuti" in response.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_by == kabag
    assert "data-open-notices" not in response.content.decode()


def test_notice_list_query_count_does_not_grow(client, operation, tree, django_assert_num_queries):
    kabag = builders.user("reviewer", tree.sinjai, "kabagops.sinjai")
    _escalation(operation, tree)
    client.force_login(kabag)
    client.get(reverse("summaries:notices"))
    with django_assert_num_queries(6) as one:
        client.get(reverse("summaries:notices"))
    for day in range(1, 6):
        Notice.objects.create(
            operation=operation,
            unit=tree.sinjai_utara,
            report_date=f"2024-02-{day:02d}",
            level=1,
            kind=NoticeKind.ESCALATION,
            recipient_unit=tree.sinjai,
            deadline="2024-02-06T12:00:00Z",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        body = client.get(reverse("summaries:notices")).content.decode()
    assert body.count("data-notice=") == 6
