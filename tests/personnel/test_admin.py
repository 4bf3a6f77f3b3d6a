from django.urls import reverse

from audit.models import AuditEntry
from operations.models import Vulnerability
from pamilu import actors
from personnel.models import Deployment, Personnel, Rank
from personnel.services import apel_record, deployment_create
from tests.builders import assigned, at, tps


def _form(assignment, post, start, end):
    return {
        "assignment": assignment.pk,
        "post": post.pk,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "note": "",
    }


def test_admin_add_deployment_through_service_and_clash_shown(
    client, personas, tree, operation, settings
):
    settings.TIME_ZONE = "UTC"
    budi = assigned(operation, tree.sirimau, name="Budi Santoso")
    posts = tps(operation, tree.sirimau, Vulnerability.RAWAN, 2)
    client.force_login(personas.admin)
    url = reverse("admin:personnel_deployment_add")
    response = client.post(url, _form(budi, posts[0], at(14, 0), at(14, 8)))
    assert response.status_code == 302, response.content.decode()[:2000]
    deployment = Deployment.objects.get()
    assert (deployment.unit, deployment.personnel) == (tree.sirimau, budi.personnel)
    assert AuditEntry.objects.get(action="deployment.create").channel == "admin"
    clash = client.post(url, _form(budi, posts[1], at(14, 4), at(14, 10)))
    assert clash.status_code == 200
    assert "Budi Santoso" in clash.content.decode()
    assert Deployment.objects.count() == 1
    assert client.get(reverse("admin:personnel_deployment_changelist")).status_code == 200
    delete = reverse("admin:personnel_deployment_delete", args=[deployment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert AuditEntry.objects.filter(action="deployment.cancel", channel="admin").exists()


def test_admin_apel_and_groups_pages(client, personas, tree, operation):
    apel = apel_record(
        operation=operation,
        unit=tree.sirimau,
        held_at=at(1, 0),
        strength={"total": 3, "present": 3},
        equipment=[{"item": "r2", "ready": 2}],
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.admin)
    assert client.get(reverse("admin:personnel_apel_changelist")).status_code == 200
    page = client.get(reverse("admin:personnel_apel_change", args=[apel.pk]))
    assert page.status_code == 200
    assert client.get(reverse("admin:personnel_postgroup_changelist")).status_code == 200
    budi = assigned(operation, tree.sirimau)
    (post,) = tps(operation, tree.sirimau, Vulnerability.RAWAN, 1)
    deployment_create(
        assignment=budi,
        post=post,
        starts_at=at(1, 0),
        ends_at=at(1, 1),
        by=actors.SYSTEM,
        channel="system",
    )
    listing = client.get(reverse("admin:personnel_deployment_changelist"))
    assert post.name in listing.content.decode()


def test_admin_personnel_add_and_change_through_services(client, personas, tree):
    client.force_login(personas.admin)
    rank = Rank.objects.get(code="BRIPTU")
    form = {
        "nrp": "85019999",
        "nip": "",
        "name": "Siti Aminah",
        "rank": rank.pk,
        "unit": tree.sirimau.pk,
        "position": "Banit",
        "phone": "0812",
        "is_active": "on",
    }
    response = client.post(reverse("admin:personnel_personnel_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Personnel.objects.get(nrp="85019999")
    assert (person.unit, person.phone) == (tree.sirimau, "0812")
    created = AuditEntry.objects.get(action="personnel.create", object_id=str(person.pk))
    assert (created.actor, created.channel) == (personas.admin, "admin")
    form["position"] = "Kanit"
    url = reverse("admin:personnel_personnel_change", args=[person.pk])
    assert client.post(url, form).status_code == 302
    person.refresh_from_db()
    assert person.position == "Kanit"
    updated = AuditEntry.objects.filter(action="personnel.update", object_id=str(person.pk))
    assert updated.first().changes["position"] == ["Banit", "Kanit"]  # the newest
