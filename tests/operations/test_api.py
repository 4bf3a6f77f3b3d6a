"""Units, operations, posts and events through /api/v1/, from every role's side."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from operations.models import Event, Post, PostKind, Vulnerability
from operations.services import event_create, post_create
from pamilu import actors
from tests import builders


def _post(operation, unit, code, **extra):
    return post_create(
        operation=operation,
        unit=unit,
        kind=PostKind.TPS,
        code=code,
        name=f"TPS {code}",
        vulnerability=Vulnerability.RAWAN,
        voters=extra.pop("voters", 250),
        **{"by": actors.SYSTEM, "channel": "system", **extra},
    )


@pytest.fixture
def posts(tree, operation):
    return {
        "sirimau": _post(operation, tree.sirimau, "S-001"),
        "nusaniwe": _post(operation, tree.nusaniwe, "N-001"),
        "labuan": _post(operation, tree.labuan, "L-001"),
    }


def _codes(response, key="code"):
    assert response.status_code == 200, response.content
    return sorted(row[key] for row in response.json()["results"])


# --- units -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("kapolsek_a", ["POLSEK-SIRIMAU"]),
        ("reviewer", ["POLRESTA-AMBON", "POLSEK-NUSANIWE", "POLSEK-SIRIMAU"]),
        ("outsider", ["POLRES-PANDEGLANG", "POLSEK-LABUAN"]),
    ],
)
def test_units_list_scoped_per_role(api, personas, persona, expected):
    assert _codes(api(persona).get("/api/v1/units/")) == expected


def test_units_subtree_filter(api, personas, tree):
    response = api("national").get("/api/v1/units/", {"subtree": tree.ambon.pk})
    assert _codes(response) == ["POLRESTA-AMBON", "POLSEK-NUSANIWE", "POLSEK-SIRIMAU"]
    # A subtree the user cannot see gives nothing, not the unit's children.
    outside = api("reviewer").get("/api/v1/units/", {"subtree": tree.pandeglang.pk})
    assert _codes(outside) == []


@pytest.mark.outsider("unit-detail", "unit-list")
def test_units_outsider_gets_404(api, personas, tree):
    assert api("outsider").get(f"/api/v1/units/{tree.sirimau.pk}/").status_code == 404
    assert api("kapolsek_b").get(f"/api/v1/units/{tree.sirimau.pk}/").status_code == 404
    assert tree.sirimau.pk not in [
        u["id"] for u in api("outsider").get("/api/v1/units/").json()["results"]
    ]
    mine = api("kapolsek_a").get(f"/api/v1/units/{tree.sirimau.pk}/").json()
    assert (mine["code"], mine["time_zone"]) == ("POLSEK-SIRIMAU", "Asia/Jayapura")


def test_units_are_read_only(api, personas, tree):
    response = api("admin").post("/api/v1/units/", {"code": "X", "name": "X", "kind": "polsek"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- operations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees_maluku_operation"),
    [
        ("kapolsek_a", True),
        ("kapolsek_b", True),
        ("reviewer", True),
        ("command_center", True),
        ("national", True),
        ("admin", True),
        ("outsider", False),
        ("outsider_operator", False),
    ],
)
def test_operations_list_per_role(api, personas, tree, operation, persona, sees_maluku_operation):
    builders.operation(tree.maluku, code="praja-maluku", name="Praja Maluku")
    codes = sorted(o["code"] for o in api(persona).get("/api/v1/operations/").json()["results"])
    expected = sorted([operation.code] + (["praja-maluku"] if sees_maluku_operation else []))
    assert codes == expected


@pytest.mark.outsider("operation-list", "operation-detail")
def test_operations_scoped_with_phases_task_forces_and_patterns(api, personas, tree, operation):
    maluku_op = builders.operation(tree.maluku, code="mantap-praja-maluku", name="Praja Maluku")
    own = api("kapolsek_a").get("/api/v1/operations/").json()["results"]
    assert sorted(o["code"] for o in own) == sorted([operation.code, "mantap-praja-maluku"])
    detail = api("kapolsek_a").get(f"/api/v1/operations/{operation.pk}/").json()
    assert [p["kind"] for p in detail["phases"]] == ["kampanye", "pemungutan"]
    assert [t["code"] for t in detail["task_forces"]] == ["preventif"]
    assert sorted(p["notation"] for p in detail["security_patterns"]) == [
        "2-1-0",
        "2-1-0",
        "2-2-0",
        "2-8-0",
    ]
    assert (detail["report_deadline_hour"], detail["reporting_kinds"]) == (20, ["polres", "polsek"])
    # Polda Maluku's own operation is not the outsider's (Banten) business.
    assert api("outsider").get(f"/api/v1/operations/{maluku_op.pk}/").status_code == 404
    outsider_codes = [
        o["code"] for o in api("outsider").get("/api/v1/operations/").json()["results"]
    ]
    assert outsider_codes == [operation.code]


# --- posts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("kapolsek_a", ["S-001"]),
        ("kapolsek_b", ["N-001"]),
        ("reviewer", ["N-001", "S-001"]),
        ("command_center", ["N-001", "S-001"]),
        ("outsider", ["L-001"]),
        ("national", ["L-001", "N-001", "S-001"]),
        ("admin", ["L-001", "N-001", "S-001"]),
    ],
)
def test_posts_list_scoped_per_role(api, posts, persona, expected):
    assert _codes(api(persona).get("/api/v1/posts/")) == expected


def test_posts_subtree_and_field_filters(api, posts, tree):
    client = api("national")
    assert _codes(client.get("/api/v1/posts/", {"subtree": tree.ambon.pk})) == ["N-001", "S-001"]
    assert _codes(client.get("/api/v1/posts/", {"unit": tree.labuan.pk})) == ["L-001"]
    invalid = client.get("/api/v1/posts/", {"vulnerability": "ngawur"})
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["field"] == "vulnerability"


@pytest.mark.outsider("post-detail", "post-list")
@pytest.mark.parametrize("persona", ["outsider", "outsider_operator", "kapolsek_b"])
def test_posts_other_units_operator_cannot_read_update_or_create(
    api, personas, posts, tree, operation, persona
):
    client = api(persona)
    target = posts["sirimau"]
    assert client.get(f"/api/v1/posts/{target.pk}/").status_code == 404
    assert client.patch(f"/api/v1/posts/{target.pk}/", {"voters": 1}).status_code == 404
    assert client.delete(f"/api/v1/posts/{target.pk}/").status_code == 404
    created = client.post(
        "/api/v1/posts/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "tps",
            "code": "X-1",
            "name": "TPS X",
            "vulnerability": "rawan",
        },
    )
    assert created.status_code == 400
    assert [(e["field"], e["code"]) for e in created.json()["errors"]] == [
        ("unit", "does_not_exist")
    ]
    target.refresh_from_db()
    assert target.voters == 250
    assert Post.objects.count() == 3


@pytest.mark.parametrize("persona", ["reviewer", "command_center"])
def test_posts_readers_cannot_write_in_their_subtree(api, posts, tree, operation, persona):
    client = api(persona)
    target = posts["sirimau"]
    assert client.patch(f"/api/v1/posts/{target.pk}/", {"voters": 1}).status_code == 403
    response = client.post(
        "/api/v1/posts/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "warehouse",
            "code": "G-1",
            "name": "Gudang",
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Post.objects.count() == 3


def test_posts_operator_creates_updates_and_deletes_own(api, personas, tree, operation):
    client = api("kapolsek_a")
    created = client.post(
        "/api/v1/posts/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "tps",
            "code": "S-009",
            "name": "TPS 009",
            "vulnerability": "sangat_rawan",
            "voters": 300,
            "latitude": "-3.695400",
            "longitude": "128.181400",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client.patch(f"/api/v1/posts/{pk}/", {"voters": 310}).json()["voters"] == 310
    actions = list(
        AuditEntry.objects.filter(object_id=str(pk), action__startswith="post.")
        .order_by("id")
        .values_list("action", "channel")
    )
    assert actions == [("post.create", "api"), ("post.update", "api")]
    assert client.delete(f"/api/v1/posts/{pk}/").status_code == 204
    assert not Post.objects.filter(pk=pk).exists()


def test_posts_model_errors_name_their_field(api, personas, tree, operation):
    response = api("kapolsek_a").post(
        "/api/v1/posts/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "tps",
            "code": "S",
            "name": "x",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "vulnerability",
            "code": "invalid",
            "message": "TPS wajib memiliki tingkat kerawanan.",
        }
    ]


def test_posts_pagination_is_stable_and_ordered(api, personas, tree, operation):
    for i in range(7):
        _post(operation, tree.sirimau, f"P-{i}", voters=100)  # equal voters: ties
    client = api("kapolsek_a")
    seen = []
    for page in (1, 2, 3):
        body = client.get(
            "/api/v1/posts/", {"ordering": "voters", "page_size": 3, "page": page}
        ).json()
        seen += [row["code"] for row in body["results"]]
    assert seen == [f"P-{i}" for i in range(7)]
    assert body["count"] == 7
    beyond = client.get("/api/v1/posts/", {"page": 9})
    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/posts/", lambda op, unit, i: _post(op, unit, f"Q-{i}")),
        ("/api/v1/personnel/", lambda op, unit, i: builders.person(unit)),
        (
            "/api/v1/units/",
            lambda op, unit, i: builders.unit(f"POLSEK-Q{i}", "polsek", unit.parent),
        ),
    ],
)
def test_list_query_count_does_not_grow(api, personas, tree, operation, url, make):
    client = api("reviewer")
    make(operation, tree.sirimau, 0)
    with CaptureQueriesContext(connection) as one:
        first = client.get(url).json()["count"]
    for i in range(1, 25):
        make(operation, tree.nusaniwe, i)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).json()["count"] == first + 24
    assert len(many.captured_queries) == len(one.captured_queries)


# --- events ----------------------------------------------------------------------------


@pytest.fixture
def rally(tree, operation):
    start = timezone.now() + dt.timedelta(days=1)
    return event_create(
        operation=operation,
        unit=tree.sirimau,
        kind="rally",
        name="Kampanye akbar",
        place="Lapangan Merdeka",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        expected_crowd=5000,
        by=actors.SYSTEM,
        channel="system",
    )


@pytest.mark.outsider("event-detail", "event-list")
@pytest.mark.parametrize("persona", ["outsider", "outsider_operator", "kapolsek_b"])
def test_events_other_units_operator_cannot_read_update_or_create(
    api, personas, tree, operation, rally, persona
):
    client = api(persona)
    assert client.get(f"/api/v1/events/{rally.pk}/").status_code == 404
    assert client.patch(f"/api/v1/events/{rally.pk}/", {"name": "X"}).status_code == 404
    assert [e["id"] for e in client.get("/api/v1/events/").json()["results"]] == []
    response = client.post(
        "/api/v1/events/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "debate",
            "name": "Debat",
            "place": "Hotel",
            "starts_at": "2024-02-01T10:00:00Z",
            "ends_at": "2024-02-01T12:00:00Z",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"
    assert Event.objects.count() == 1
    rally.refresh_from_db()
    assert rally.name == "Kampanye akbar"


@pytest.mark.parametrize(
    ("persona", "count"),
    [("kapolsek_a", 1), ("reviewer", 1), ("command_center", 1), ("national", 1), ("outsider", 0)],
)
def test_events_list_per_role(api, personas, rally, persona, count):
    assert api(persona).get("/api/v1/events/").json()["count"] == count


def test_events_times_checked_by_model(api, personas, tree, operation):
    response = api("kapolsek_a").post(
        "/api/v1/events/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "debate",
            "name": "Debat",
            "place": "Hotel",
            "starts_at": "2024-02-01T12:00:00Z",
            "ends_at": "2024-02-01T10:00:00Z",
        },
    )
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert Event.objects.count() == 0


def test_posts_write_refused_by_the_service_with_its_reason(api, posts, tree, operation):
    # The viewset leaves the right to post_create / post_update / post_delete (issue 17):
    # the same 403 and reason the viewset's own check gave, and nothing written.
    client = api("reviewer")
    target = posts["sirimau"]
    voters, entries = target.voters, AuditEntry.objects.count()
    url = f"/api/v1/posts/{target.pk}/"
    created = client.post(
        "/api/v1/posts/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "kind": "warehouse",
            "code": "G-1",
            "name": "Gudang",
        },
        format="json",
    )
    for response in (created, client.patch(url, {"voters": 1}, format="json"), client.delete(url)):
        body = response.json()
        assert (response.status_code, body["code"], body["detail"]) == (
            403,
            "permission_denied",
            "Anda tidak berwenang menulis data untuk satuan ini.",
        )
    target.refresh_from_db()
    assert (Post.objects.count(), target.voters, AuditEntry.objects.count()) == (
        3,
        voters,
        entries,
    )
