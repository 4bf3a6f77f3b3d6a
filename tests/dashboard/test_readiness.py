"""The readiness panel (dashboard partial, htmx): the latest apel of each unit below the
focus, what the apel form recorded, from inside the scope only."""

import pytest
from django.urls import reverse

from pamilu import actors
from personnel.models import Apel
from personnel.services import apel_record
from tests.builders import at


def _q(unit, operation, **extra):
    params = {"unit": unit.code, "operation": operation.code, **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


@pytest.mark.outsider("readiness_panel")
@pytest.mark.parametrize("persona", ["outsider", "outsider_operator", "kapolsek_b"])
def test_readiness_panel_outsider_gets_404_for_ambon_units(
    client, personas, tree, operation, persona
):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("readiness_panel") + _q(tree.sirimau, operation)).status_code == 404
    assert client.get(reverse("readiness_panel") + f"?unit={tree.ambon.pk}").status_code == 404


def test_apel_form_records_and_panel_shows_it(client, personas, tree, operation):
    client.force_login(personas.kapolsek_a)
    url = reverse("personnel:apel_create") + _q(tree.sirimau, operation)
    bad = client.post(
        url, {"kind": "kesiapan", "held_at": "2024-02-13T07:00", "total": 30, "present": 20}
    )
    assert "total" in bad.context["form"].errors
    assert 'value="20"' in bad.content.decode()
    response = client.post(
        url,
        {
            "kind": "kesiapan",
            "held_at": "2024-02-13T07:00",
            "total": 30,
            "present": 26,
            "sick": 2,
            "permit": 1,
            "awol": 1,
            "r2_ready": 5,
            "r2_not_ready": 1,
            "ht_ready": 12,
        },
    )
    assert response.status_code == 302
    apel = Apel.objects.get()
    assert (apel.present, apel.sick, apel.held_at) == (26, 2, at(12, 22))
    client.force_login(personas.command_center)
    panel = client.get(
        reverse("readiness_panel") + f"?unit={tree.maluku.code}&operation={operation.code}"
    )
    body = panel.content.decode()
    assert "26/30" in body and "Polsek-Sirimau" in body
    assert "17/18" in body  # equipment ready / counted
    by_id = client.get(reverse("readiness_panel") + f"?unit={tree.ambon.pk}")
    assert "26/30" in by_id.content.decode()


def test_readiness_panel_query_count_constant(
    client, personas, tree, operation, django_assert_num_queries
):
    apel_record(
        operation=operation,
        unit=tree.sirimau,
        held_at=at(1, 0),
        strength={"total": 1, "present": 1},
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.national)
    url = reverse("readiness_panel") + f"?unit={tree.mabes.code}"
    client.get(url)
    with django_assert_num_queries(7) as one:
        client.get(url)
    for unit in [tree.nusaniwe, tree.labuan, tree.sinjai_utara, tree.ambon]:
        for day in (1, 2):
            apel_record(
                operation=operation,
                unit=unit,
                held_at=at(day, 0),
                strength={"total": 2, "present": 1, "sick": 1},
                equipment=[{"item": "r4", "ready": 1}],
                by=actors.SYSTEM,
                channel="system",
            )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["latest"]) == 5
