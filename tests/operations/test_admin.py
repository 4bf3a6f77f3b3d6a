import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AuditEntry
from operations.models import Unit


def test_admin_moves_polres_and_rewrites_subtree(client, personas, tree):
    client.force_login(personas.admin)
    url = reverse("admin:operations_unit_change", args=[tree.ambon.pk])
    response = client.post(
        url,
        {
            "code": "POLRESTA-AMBON",
            "name": "Polresta Ambon",
            "kind": "polres",
            "subtype": "polresta",
            "parent": tree.sulsel.pk,
            "time_zone": "Asia/Jayapura",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tree.sirimau.refresh_from_db()
    assert tree.sirimau.path == "MABES/POLDA-SULSEL/POLRESTA-AMBON/POLSEK-SIRIMAU/"
    entry = AuditEntry.objects.filter(action="unit.update").get()
    assert entry.channel == "admin"
    assert entry.changes["parent"] == [tree.maluku.pk, tree.sulsel.pk]


def test_admin_new_unit_inherits_parent_zone(client, personas, tree):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:operations_unit_add"),
        {
            "code": "POLSEK-BAGUALA",
            "name": "Polsek Baguala",
            "kind": "polsek",
            "subtype": "",
            "parent": tree.ambon.pk,
            "time_zone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(code="POLSEK-BAGUALA")
    assert unit.time_zone == "Asia/Jayapura"
    assert unit.path == "MABES/POLDA-MALUKU/POLRESTA-AMBON/POLSEK-BAGUALA/"


def test_admin_refuses_moving_unit_below_itself(client, personas, tree):
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:operations_unit_change", args=[tree.maluku.pk]),
        {
            "code": "POLDA-MALUKU",
            "name": "Polda Maluku",
            "kind": "polda",
            "parent": tree.ambon.pk,
            "time_zone": "Asia/Jayapura",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    tree.maluku.refresh_from_db()
    assert tree.maluku.parent == tree.mabes


def _admin_urls():
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        yield f"admin:{opts.app_label}_{opts.model_name}_changelist"
        if model_admin.has_add_permission is not None:
            yield f"admin:{opts.app_label}_{opts.model_name}_add"


@pytest.mark.parametrize("name", sorted(set(_admin_urls())))
def test_admin_pages_render(client, personas, tree, name):
    client.force_login(personas.admin)
    response = client.get(reverse(name))
    assert response.status_code in {200, 403}, name
