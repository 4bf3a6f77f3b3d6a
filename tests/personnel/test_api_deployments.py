import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import Event, EventKind, Vulnerability
from pamilu import actors
from personnel.models import Apel, Deployment
from personnel.services import deployment_create
from tests.builders import assigned, at, token_client, tps, warehouse


@pytest.fixture
def api(personas):
    cache = {}

    def client_for(name):
        if name not in cache:
            cache[name] = token_client(getattr(personas, name))
        return cache[name]

    return client_for


@pytest.fixture
def data(tree, operation):
    budi = assigned(operation, tree.sirimau, name="Budi Santoso", nrp="85010001")
    posts = tps(operation, tree.sirimau, Vulnerability.RAWAN, 2)
    return budi, posts


def _body(assignment, post, start, end):
    return {
        "assignment": assignment.pk,
        "post": post.pk,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
    }


def test_api_create_then_clash_names_the_clash_and_adjacent_ok(api, data):
    budi, posts = data
    url = reverse("deployment-list")
    first = api("kapolsek_a").post(url, _body(budi, posts[0], at(14, 0), at(14, 8)), format="json")
    assert first.status_code == 201, first.json()
    assert (first.json()["nrp"], first.json()["is_bko"]) == ("85010001", False)
    clash = api("kapolsek_a").post(url, _body(budi, posts[1], at(14, 7), at(14, 9)), format="json")
    assert clash.status_code == 400
    error = clash.json()
    assert error["errors"][0]["field"] == "assignment"
    assert "Budi Santoso" in error["detail"] and "09:00–17:00 WIT" in error["detail"]
    adjacent = api("kapolsek_a").post(
        url, _body(budi, posts[1], at(14, 8), at(14, 9)), format="json"
    )
    assert adjacent.status_code == 201
    assert Deployment.objects.count() == 2


def test_api_command_center_reads_but_cannot_deploy(api, data):
    budi, posts = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    listing = api("command_center").get(reverse("deployment-list"))
    assert [d["nrp"] for d in listing.json()["results"]] == ["85010001"]
    refused = api("command_center").post(
        reverse("deployment-list"), _body(budi, posts[1], at(15, 0), at(15, 8)), format="json"
    )
    assert refused.status_code == 403
    assert Deployment.objects.count() == 1


@pytest.mark.outsider("deployment-list", "deployment-detail", "event-deployments")
def test_api_outsider_sees_nothing_and_cannot_deploy(api, tree, operation, data):
    budi, posts = data
    deployment = deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    event = Event.objects.create(
        operation=operation,
        unit=tree.ambon,
        kind=EventKind.DEBATE,
        name="Debat",
        place="Hotel",
        starts_at=at(2, 0),
        ends_at=at(2, 3),
    )
    for persona in ["outsider", "outsider_operator", "kapolsek_b"]:
        client = api(persona)
        assert client.get(reverse("deployment-list")).json()["count"] == 0
        assert client.get(reverse("deployment-detail", args=[deployment.pk])).status_code == 404
        assert client.delete(reverse("deployment-detail", args=[deployment.pk])).status_code == 404
        created = client.post(
            reverse("deployment-list"), _body(budi, posts[1], at(15, 0), at(15, 8)), format="json"
        )
        assert created.status_code == 400  # assignment and post are not choices for them
    assert api("outsider").get(reverse("event-deployments", args=[event.pk])).status_code == 404
    assert Deployment.objects.count() == 1


def test_api_event_deployments(api, tree, operation, data):
    budi, _posts = data
    event = Event.objects.create(
        operation=operation,
        unit=tree.ambon,
        kind=EventKind.REGISTRATION,
        name="Pendaftaran paslon",
        place="Kantor KPU",
        starts_at=at(2, 0),
        ends_at=at(2, 3),
    )
    deployment_create(
        assignment=budi,
        event=event,
        starts_at=at(2, 0),
        ends_at=at(2, 4),
        by=actors.SYSTEM,
        channel="system",
    )
    response = api("reviewer").get(reverse("event-deployments", args=[event.pk]))
    assert [(d["name"], d["event"]) for d in response.json()["results"]] == [
        ("Budi Santoso", event.pk)
    ]


@pytest.mark.outsider("deployment-import")
def test_api_import_reports_clash_per_line(api, tree, operation, data):
    budi, posts = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(13, 22),
        ends_at=at(14, 6),
        by=actors.SYSTEM,
        channel="system",
    )
    text = f"nrp,pos,kegiatan,mulai,selesai\n85010001,{posts[1].code},,2024-02-14T10:00,2024-02-14T12:00\n"
    body = {
        "file": SimpleUploadedFile("p.csv", text.encode()),
        "operation": operation.code,
        "unit": tree.ambon.code,
    }
    response = api("reviewer").post(reverse("deployment-import"), body, format="multipart")
    assert response.status_code == 200
    assert response.json()["created"] == 0
    assert response.json()["errors"][0]["line"] == 2
    assert "Budi Santoso" in response.json()["errors"][0]["message"]
    body["file"] = SimpleUploadedFile("p.csv", text.encode())
    outsider = api("outsider").post(reverse("deployment-import"), body, format="multipart")
    assert outsider.status_code == 400  # Ambon is not a unit they may name


@pytest.mark.outsider("deployment-coverage", "deployment-guard-gaps")
def test_api_coverage_and_guard_gaps(api, tree, operation, data):
    budi, posts = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    gudang = warehouse(operation, tree.ambon, guards=1)
    response = api("command_center").get(
        reverse("deployment-coverage"), {"unit": tree.maluku.code, "operation": operation.code}
    )
    body = response.json()
    assert (
        body["total"]["tps"] == 2
        and body["total"]["required"] == 2
        and body["total"]["deployed"] == 1
    )
    assert body["children"][0]["unit"] == tree.ambon.code
    gaps = (
        api("reviewer")
        .get(
            reverse("deployment-guard-gaps"),
            {
                "unit": tree.ambon.code,
                "operation": operation.code,
                "start": "2024-02-14T00:00Z",
                "end": "2024-02-14T03:00Z",
            },
        )
        .json()
    )
    assert gaps["posts"][0]["code"] == gudang.code
    assert gaps["missing_guard_hours"] == 3
    for name in ["deployment-coverage", "deployment-guard-gaps"]:
        outside = api("outsider").get(
            reverse(name),
            {
                "unit": tree.ambon.code,
                "operation": operation.code,
                "start": "2024-02-14T00:00Z",
                "end": "2024-02-14T03:00Z",
            },
        )
        assert outside.status_code == 404, name


@pytest.mark.outsider("apel-list", "apel-detail")
def test_api_apel_create_and_scope(api, tree, operation):
    body = {
        "operation": operation.code,
        "unit": tree.sirimau.pk,
        "held_at": "2024-02-13T07:00+09:00",
        "total": 20,
        "present": 18,
        "sick": 1,
        "duty": 1,
        "equipment": [
            {"item": "r2", "ready": 4, "not_ready": 1},
            {"item": "ht", "ready": 9, "not_ready": 0},
        ],
    }
    created = api("kapolsek_a").post(reverse("apel-list"), body, format="json")
    assert created.status_code == 201, created.json()
    apel = Apel.objects.get()
    assert (apel.present, apel.duty, apel.equipment.count()) == (18, 1, 2)
    bad = api("kapolsek_a").post(reverse("apel-list"), body | {"present": 10}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "total"
    assert api("command_center").post(reverse("apel-list"), body, format="json").status_code == 403
    assert api("kapolsek_b").post(reverse("apel-list"), body, format="json").status_code == 400
    for persona in ["outsider", "kapolsek_b"]:
        assert api(persona).get(reverse("apel-list")).json()["count"] == 0
        assert api(persona).get(reverse("apel-detail", args=[apel.pk])).status_code == 404
    listed = api("command_center").get(reverse("apel-list")).json()["results"]
    assert listed[0]["equipment"][0] == {"item": "ht", "label": "", "ready": 9, "not_ready": 0}


def test_api_import_file_without_required_columns_is_a_400_naming_the_column(api, tree, operation):
    """One import framework, one answer: a file that cannot be read is a 400 on its field
    from the central handler, as for the TPS and personnel imports (it was a 200 with the
    problem as line 1 before issue 17)."""
    body = {
        "file": SimpleUploadedFile("p.csv", b"nrp,pos\n85010001,X\n"),
        "operation": operation.code,
        "unit": tree.ambon.code,
    }
    response = api("reviewer").post(reverse("deployment-import"), body, format="multipart")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]
