import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from operations.models import Event, EventKind, Vulnerability
from pamilu import actors
from personnel.models import Deployment
from personnel.services import apel_record, deployment_create
from tests.builders import assigned, at, tps, warehouse

KR, R = Vulnerability.KURANG_RAWAN, Vulnerability.RAWAN


@pytest.fixture
def data(tree, operation):
    budi = assigned(operation, tree.sirimau, name="Budi Santoso", nrp="85010001", rank="BRIPKA")
    posts = tps(operation, tree.sirimau, R, 2)
    gudang = warehouse(operation, tree.ambon)
    return budi, posts, gudang


def _q(unit, operation, **extra):
    params = {"unit": unit.code, "operation": operation.code, **extra}
    return "?" + "&".join(f"{k}={v}" for k, v in params.items())


def test_deploy_form_creates_deployment_in_local_time(client, personas, tree, operation, data):
    _budi, posts, _g = data
    client.force_login(personas.kapolsek_a)
    url = reverse("personnel:deployment_create") + _q(tree.sirimau, operation)
    response = client.post(
        url,
        {
            "nrp": "85010001",
            "post_code": posts[0].code,
            "starts_at": "2024-02-14T07:00",
            "ends_at": "2024-02-14T15:00",
        },
    )
    assert response.status_code == 302
    deployment = Deployment.objects.get()
    assert deployment.starts_at == at(13, 22)  # 07:00 WIT
    assert deployment.post == posts[0]


def test_deploy_form_shows_clash_beside_nrp_and_keeps_input(
    client, personas, tree, operation, data
):
    budi, posts, _g = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(13, 22),
        ends_at=at(14, 6),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.kapolsek_a)
    url = reverse("personnel:deployment_create") + _q(tree.sirimau, operation)
    response = client.post(
        url,
        {
            "nrp": "85010001",
            "post_code": posts[1].code,
            "starts_at": "2024-02-14T14:00",
            "ends_at": "2024-02-14T20:00",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "Budi Santoso" in errors["nrp"][0]
    assert "14/02/2024 07:00–15:00 WIT" in errors["nrp"][0]
    body = response.content.decode()
    assert posts[1].code in body  # what was typed is kept
    assert Deployment.objects.count() == 1


def test_command_center_may_not_deploy(client, personas, tree, operation, data):
    client.force_login(personas.command_center)
    url = reverse("personnel:deployment_create") + _q(tree.sirimau, operation)
    assert client.get(url).status_code == 403


@pytest.mark.outsider(
    "personnel:deployments",
    "personnel:deployment_create",
    "personnel:deployment_import",
    "personnel:roster_pdf",
    "personnel:coverage",
    "personnel:plotting",
    "personnel:guard_gaps",
    "personnel:events",
    "personnel:apels",
    "personnel:apel_create",
)
@pytest.mark.parametrize("persona", ["outsider", "outsider_operator", "kapolsek_b"])
def test_outsider_gets_404_for_ambon_units(client, personas, tree, operation, data, persona):
    client.force_login(getattr(personas, persona))
    for name in [
        "personnel:deployments",
        "personnel:deployment_create",
        "personnel:deployment_import",
        "personnel:roster_pdf",
        "personnel:coverage",
        "personnel:guard_gaps",
        "personnel:events",
        "personnel:apels",
        "personnel:apel_create",
    ]:
        assert client.get(reverse(name) + _q(tree.sirimau, operation)).status_code == 404, name
    plotting = reverse("personnel:plotting") + _q(tree.ambon, operation)
    assert client.get(plotting).status_code == 404


@pytest.mark.outsider("personnel:deployment_delete")
def test_outsider_cannot_cancel_deployment(client, personas, tree, operation, data):
    budi, posts, _g = data
    deployment = deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    url = reverse("personnel:deployment_delete", args=[deployment.pk])
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(personas.kapolsek_b)
    assert client.post(url).status_code == 404
    assert Deployment.objects.count() == 1
    client.force_login(personas.kapolsek_a)
    assert "Ya, batalkan" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Deployment.objects.exists()


def test_deployment_list_query_count_constant(
    client, personas, tree, operation, data, django_assert_num_queries
):
    budi, posts, gudang = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(14, 0),
        ends_at=at(14, 8),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.reviewer)
    url = reverse("personnel:deployments") + _q(tree.ambon, operation)
    client.get(url)  # warm the session/user caches
    with django_assert_num_queries(9) as one:
        response = client.get(url)
    assert response.context["page"].paginator.count == 1
    for hour in range(12):
        guard = assigned(operation, tree.ambon)
        deployment_create(
            assignment=guard,
            post=gudang,
            starts_at=at(14, hour),
            ends_at=at(14, hour + 1),
            by=actors.SYSTEM,
            channel="system",
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.context["page"].paginator.count == 13
    assert "85010001" in response.content.decode()


def test_roster_pdf_lists_who_where_when(client, personas, tree, operation, data):
    budi, posts, gudang = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(13, 22),
        ends_at=at(14, 6),
        by=actors.SYSTEM,
        channel="system",
    )
    guard = assigned(operation, tree.ambon, name="Yohanes Matulessy", nrp="88020002", rank="BRIPDA")
    deployment_create(
        assignment=guard,
        post=gudang,
        starts_at=at(14, 6),
        ends_at=at(14, 14),
        by=actors.SYSTEM,
        channel="system",
    )
    other_day = assigned(operation, tree.ambon, name="Tidak Hari Ini", nrp="88020003")
    deployment_create(
        assignment=other_day,
        post=gudang,
        starts_at=at(15, 6),
        ends_at=at(15, 14),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.reviewer)
    response = client.get(
        reverse("personnel:roster_pdf") + _q(tree.ambon, operation, day="2024-02-14")
    )
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in [
        "85010001",
        "Budi Santoso",
        "Bripka",
        posts[0].name,
        "07:00",
        "15:00",
        "88020002",
        "Yohanes Matulessy",
        "Bripda",
        gudang.name,
        "2 penempatan",
    ]:
        assert expected in text, expected
    assert "88020003" not in text


def test_coverage_page_shows_numbers(client, personas, tree, operation, data):
    tps(operation, tree.sirimau, KR, 8)
    client.force_login(personas.reviewer)
    response = client.get(reverse("personnel:coverage") + _q(tree.ambon, operation))
    result = response.context["result"]
    assert (result.total.tps, result.total.required, result.total.uncovered_tps) == (10, 4, 10)
    assert "Polsek-Sirimau" in response.content.decode()


def test_plotting_page_proposes_and_confirms(client, personas, tree, operation, data):
    assigned(operation, tree.sirimau)
    client.force_login(personas.reviewer)
    url = reverse("personnel:plotting") + _q(tree.ambon, operation)
    response = client.get(url + "&day=2024-02-14&start_hour=6&hours=18")
    proposal = response.context["proposal"]
    assert proposal.police == 2 and proposal.tps_covered == 2
    response = client.post(
        url,
        {
            "day": "2024-02-14",
            "start_hour": 6,
            "hours": 18,
            "plan": proposal.plan(),
            "operation": operation.code,
        },
    )
    assert response.status_code == 302
    assert Deployment.objects.filter(group__isnull=False).count() == 2
    first = Deployment.objects.order_by("pk").first()
    assert first.starts_at == dt.datetime(2024, 2, 13, 21, tzinfo=dt.UTC)  # 06:00 WIT


def test_plotting_only_for_polres_and_deployers(client, personas, tree, operation):
    client.force_login(personas.command_center)
    assert client.get(reverse("personnel:plotting") + _q(tree.ambon, operation)).status_code == 403
    client.force_login(personas.reviewer)
    assert (
        client.get(reverse("personnel:plotting") + _q(tree.sirimau, operation)).status_code == 404
    )


def test_guard_gaps_page(client, personas, tree, operation, data):
    _b, _p, gudang = data
    guard = assigned(operation, tree.ambon)
    deployment_create(
        assignment=guard,
        post=gudang,
        starts_at=at(13, 15),
        ends_at=at(14, 15),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.command_center)
    response = client.get(
        reverse("personnel:guard_gaps") + _q(tree.maluku, operation, day="2024-02-14", days=1)
    )
    result = response.context["result"]
    assert result.short_posts == 1
    assert result.missing_guard_hours == 24  # one of two guards all day
    assert gudang.name in response.content.decode()


def test_import_page_reports_clash(client, personas, tree, operation, data):
    budi, posts, _g = data
    deployment_create(
        assignment=budi,
        post=posts[0],
        starts_at=at(13, 22),
        ends_at=at(14, 6),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.reviewer)
    csv_text = f"nrp,pos,kegiatan,mulai,selesai\n85010001,{posts[1].code},,2024-02-14T10:00,2024-02-14T12:00\n"
    upload = io.BytesIO(csv_text.encode())
    upload.name = "plot.csv"
    response = client.post(
        reverse("personnel:deployment_import") + _q(tree.ambon, operation), {"file": upload}
    )
    result = response.context["result"]
    assert result.written == 0
    assert result.errors[0].line == 2
    assert "Budi Santoso" in response.content.decode()


def test_events_page_counts_deployed(client, personas, tree, operation, data):
    budi, *_ = data
    event = Event.objects.create(
        operation=operation,
        unit=tree.ambon,
        kind=EventKind.RALLY,
        name="Kampanye akbar",
        place="Lapangan Merdeka",
        starts_at=at(1, 1),
        ends_at=at(1, 6),
        personnel_required=2,
    )
    deployment_create(
        assignment=budi,
        event=event,
        starts_at=at(1, 0),
        ends_at=at(1, 7),
        by=actors.SYSTEM,
        channel="system",
    )
    client.force_login(personas.reviewer)
    response = client.get(reverse("personnel:events") + _q(tree.ambon, operation))
    (row,) = response.context["page"].object_list
    assert (row.name, row.deployed, row.personnel_required) == ("Kampanye akbar", 1, 2)


def test_apel_and_event_lists_query_count_constant(
    client, personas, tree, operation, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            apel_record(
                operation=operation,
                unit=tree.nusaniwe,
                held_at=at(1, i),
                strength={"total": 2, "present": 2},
                equipment=[{"item": "r2", "ready": 1}, {"item": "ht", "ready": 2}],
                by=actors.SYSTEM,
                channel="system",
            )
            Event.objects.create(
                operation=operation,
                unit=tree.nusaniwe,
                kind=EventKind.RALLY,
                name=f"Kampanye {i}",
                place="Lapangan",
                starts_at=at(2, i),
                ends_at=at(2, i + 1),
            )

    add(1)
    client.force_login(personas.reviewer)
    urls = [
        reverse("personnel:apels") + _q(tree.ambon, operation),
        reverse("personnel:events") + _q(tree.ambon, operation),
    ]
    counts = []
    for url in urls:
        client.get(url)
        with django_assert_num_queries(12, exact=False) as ctx:
            client.get(url)
        counts.append(len(ctx.captured_queries))
    add(12)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            response = client.get(url)
        assert response.context["page"].paginator.count == 13


def test_coverage_page_query_count_constant(
    client, personas, tree, operation, django_assert_num_queries
):
    tps(operation, tree.sirimau, KR, 3)
    client.force_login(personas.command_center)
    url = reverse("personnel:coverage") + _q(tree.maluku, operation)
    client.get(url)
    with django_assert_num_queries(16, exact=False) as ctx:
        client.get(url)
    for i in range(6):
        polres = __import__("tests.builders", fromlist=["unit"]).unit(
            f"POLRES-Q{i}", "polres", tree.maluku
        )
        tps(operation, polres, R, 4)
        assigned(operation, polres)
    with django_assert_num_queries(len(ctx.captured_queries)):
        response = client.get(url)
    assert len(response.context["result"].children) == 7


def test_import_page_names_the_column_of_each_refused_row(client, personas, tree, operation, data):
    # An unknown person, a post or an event that is not there (a hostile "²" included), a
    # time that cannot be read: each refused on its line and its column, nothing written.
    _budi, posts, _g = data
    client.force_login(personas.reviewer)
    csv_text = (
        "nrp,pos,kegiatan,mulai,selesai\n"
        f"99999999,{posts[0].code},,2024-02-14T07:00,2024-02-14T15:00\n"
        "85010001,TPS-TIDAK-ADA,,2024-02-14T07:00,2024-02-14T15:00\n"
        "85010001,,²,2024-02-14T07:00,2024-02-14T15:00\n"
        "85010001,,abc,2024-02-14T07:00,2024-02-14T15:00\n"
        f"85010001,{posts[0].code},,kemarin,2024-02-14T15:00\n"
        f"85010001,{posts[0].code},,2024-02-14T07:00,besok\n"
    )
    upload = io.BytesIO(csv_text.encode())
    upload.name = "plot.csv"
    response = client.post(
        reverse("personnel:deployment_import") + _q(tree.ambon, operation), {"file": upload}
    )
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.line, e.field) for e in errors] == [
        (2, "nrp"),
        (3, "post"),
        (4, "event"),
        (5, "event"),
        (6, "starts_at"),
        (7, "ends_at"),
    ]
    columns = [column for _line, column, _m in response.context["error_rows"]]
    assert columns == ["nrp", "pos", "kegiatan", "kegiatan", "mulai", "selesai"]
    assert "Kegiatan ² tidak ditemukan." in response.content.decode()
    assert not Deployment.objects.exists()
