"""Ranks, personnel, warrants and assignments through /api/v1/, from every role's side."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from pamilu import actors
from personnel.models import Assignment, Personnel, Rank, Warrant
from personnel.services import warrant_issue
from tests import builders


@pytest.fixture
def people(tree):
    return {
        "sirimau": builders.person(tree.sirimau, name="Ahmad", nrp="85030001"),
        "nusaniwe": builders.person(tree.nusaniwe, name="Budi", nrp="85030002"),
        "labuan": builders.person(tree.labuan, name="Cecep", nrp="85030003"),
    }


@pytest.fixture
def warrant(tree, operation, people):
    return warrant_issue(
        number="Sprin/12/I/OPS.1.1/2024",
        date=dt.date(2024, 1, 5),
        issuing_unit=tree.ambon,
        operation=operation,
        assignments=[{"personnel": people["sirimau"], "unit": tree.nusaniwe, "role": "Danru"}],
        by=actors.SYSTEM,
        channel="system",
    )


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(p["name"] for p in response.json()["results"])


@pytest.mark.outsider("rank-list", "rank-detail")
def test_ranks_listed_lowest_first_for_any_signed_in_user(api, personas, client):
    ranks = api("outsider").get("/api/v1/ranks/").json()
    assert ranks[0]["code"] == Rank.objects.order_by("order").first().code
    assert client.get("/api/v1/ranks/").status_code == 401


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("kapolsek_a", ["Ahmad"]),
        ("kapolsek_b", ["Budi"]),
        ("reviewer", ["Ahmad", "Budi"]),
        ("command_center", ["Ahmad", "Budi"]),
        ("outsider", ["Cecep"]),
        ("outsider_operator", ["Cecep"]),
        ("national", ["Ahmad", "Budi", "Cecep"]),
    ],
)
def test_personnel_list_scoped_per_role(api, people, persona, expected):
    assert _names(api(persona).get("/api/v1/personnel/")) == expected


@pytest.mark.outsider("personnel-detail", "personnel-list")
@pytest.mark.parametrize("persona", ["outsider", "outsider_operator", "kapolsek_b"])
def test_personnel_other_units_operator_cannot_read_update_or_create(
    api, personas, people, tree, persona
):
    client = api(persona)
    ahmad = people["sirimau"]
    assert client.get(f"/api/v1/personnel/{ahmad.pk}/").status_code == 404
    assert client.patch(f"/api/v1/personnel/{ahmad.pk}/", {"name": "X"}).status_code == 404
    created = client.post(
        "/api/v1/personnel/",
        {"nrp": "85039999", "name": "Susup", "rank": ahmad.rank_id, "unit": tree.sirimau.pk},
    )
    assert created.status_code == 400
    assert [e["field"] for e in created.json()["errors"]] == ["unit"]
    ahmad.refresh_from_db()
    assert ahmad.name == "Ahmad"
    assert not Personnel.objects.filter(nrp="85039999").exists()


def test_personnel_reviewer_cannot_write(api, personas, people, tree):
    response = api("reviewer").patch(
        f"/api/v1/personnel/{people['sirimau'].pk}/", {"position": "Kanit"}
    )
    assert response.status_code == 403
    people["sirimau"].refresh_from_db()
    assert people["sirimau"].position == ""


def test_personnel_operator_creates_and_updates_own(api, personas, tree):
    rank = Rank.objects.get(code="BRIPKA")
    client = api("kapolsek_a")
    created = client.post(
        "/api/v1/personnel/",
        {"nrp": "85031111", "name": "Dewi", "rank": rank.pk, "unit": tree.sirimau.pk},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["rank_name"], body["unit_code"], body["nip"]) == (
        rank.name,
        "POLSEK-SIRIMAU",
        None,
    )
    updated = client.patch(f"/api/v1/personnel/{body['id']}/", {"position": "Kanit Reskrim"})
    assert updated.json()["position"] == "Kanit Reskrim"
    assert list(
        AuditEntry.objects.filter(object_id=str(body["id"]), action__startswith="personnel.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["personnel.create", "personnel.update"]


def test_personnel_invalid_nrp_reported_with_field(api, personas, tree):
    rank = Rank.objects.get(code="BRIPKA")
    response = api("kapolsek_a").post(
        "/api/v1/personnel/",
        {"nrp": "123", "name": "Eko", "rank": rank.pk, "unit": tree.sirimau.pk},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "nrp"


@pytest.mark.outsider("warrant-detail", "warrant-list")
def test_warrants_scoped_and_outsider_gets_404(api, personas, warrant, tree, operation, people):
    assert [w["number"] for w in api("reviewer").get("/api/v1/warrants/").json()["results"]] == [
        warrant.number
    ]
    detail = api("command_center").get(f"/api/v1/warrants/{warrant.pk}/").json()
    assert [(a["personnel"], a["is_bko"]) for a in detail["assignments"]] == [
        (people["sirimau"].pk, True)
    ]
    assert api("outsider").get(f"/api/v1/warrants/{warrant.pk}/").status_code == 404
    assert api("outsider").get("/api/v1/warrants/").json()["count"] == 0
    response = api("outsider_operator").post(
        "/api/v1/warrants/",
        {
            "number": "Sprin/13/I/OPS.1.1/2024",
            "date": "2024-01-06",
            "issuing_unit": tree.ambon.pk,
            "operation": operation.pk,
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "issuing_unit"
    assert Warrant.objects.count() == 1


def test_warrant_issue_with_assignments_marks_bko(api, personas, tree, operation, people):
    response = api("admin").post(
        "/api/v1/warrants/",
        {
            "number": "Sprin/20/II/OPS.1.1/2024",
            "date": "2024-02-01",
            "issuing_unit": tree.ambon.pk,
            "operation": operation.pk,
            "assignments": [
                {"personnel": people["sirimau"].pk, "unit": tree.sirimau.pk, "role": "Pam TPS"},
                {"personnel": people["labuan"].pk, "unit": tree.sirimau.pk, "role": "BKO"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    rows = sorted((a["personnel"], a["is_bko"]) for a in response.json()["assignments"])
    assert rows == sorted([(people["sirimau"].pk, False), (people["labuan"].pk, True)])


def test_warrant_bad_number_reported(api, personas, tree, operation):
    response = api("admin").post(
        "/api/v1/warrants/",
        {
            "number": "12/2024",
            "date": "2024-02-01",
            "issuing_unit": tree.ambon.pk,
            "operation": operation.pk,
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "number"


@pytest.mark.outsider("assignment-detail", "assignment-list")
def test_assignments_scoped_and_outsider_cannot_add(api, personas, warrant, tree, people):
    assignment = Assignment.objects.get()
    assert api("kapolsek_b").get("/api/v1/assignments/").json()["count"] == 1
    assert api("kapolsek_a").get("/api/v1/assignments/").json()["count"] == 0
    assert api("outsider").get(f"/api/v1/assignments/{assignment.pk}/").status_code == 404
    response = api("outsider_operator").post(
        "/api/v1/assignments/",
        {"warrant": warrant.pk, "personnel": people["labuan"].pk, "unit": tree.labuan.pk},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "warrant"
    assert Assignment.objects.count() == 1


def test_assignment_add_refused_to_reader_and_duplicate(api, personas, warrant, tree, people):
    refused = api("reviewer").post(
        "/api/v1/assignments/",
        {"warrant": warrant.pk, "personnel": people["nusaniwe"].pk, "unit": tree.nusaniwe.pk},
    )
    assert refused.status_code == 403
    duplicate = api("admin").post(
        "/api/v1/assignments/",
        {"warrant": warrant.pk, "personnel": people["sirimau"].pk, "unit": tree.sirimau.pk},
    )
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"][0]["field"] == "personnel"
    added = api("admin").post(
        "/api/v1/assignments/",
        {"warrant": warrant.pk, "personnel": people["nusaniwe"].pk, "unit": tree.nusaniwe.pk},
    )
    assert added.status_code == 201
    assert added.json()["is_bko"] is False
