"""Bulk imports through the API (multipart upload) and the admin pages."""

import pytest

from operations.models import Post
from personnel.models import Personnel
from tests.builders import csv_file, upload_csv

TPS = "kode_tps,desa,kecamatan,kabupaten,dpt\n"


@pytest.mark.outsider("post-import")
def test_tps_import_api_validcsv_file(api, personas, tree, operation):
    response = upload_csv(
        api("kapolsek_a"),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n2,Batu Merah,Sirimau,Kota Ambon,210\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
    )
    assert response.status_code == 201, response.content
    assert response.json() == {
        "status": 201,
        "code": "imported",
        "detail": "2 baris ditulis.",
        "total": 2,
        "written": 2,
        "refused": 0,
        "only_valid": False,
        "errors": [],
    }
    assert sorted(Post.objects.values_list("code", flat=True)) == ["1", "2"]


def test_tps_import_api_bad_rows_422_nothing_written(api, personas, tree, operation):
    response = upload_csv(
        api("kapolsek_a"),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n1,Batu Merah,Sirimau,Kota Ambon,x\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["written"], body["refused"]) == ("import_refused", 0, 1)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(3, "voters"), (3, "code")]
    assert Post.objects.count() == 0


def test_tps_import_api_only_valid(api, personas, tree, operation):
    response = upload_csv(
        api("kapolsek_a"),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n2,,Sirimau,Kota Ambon,1\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
        only_valid="true",
    )
    assert response.status_code == 201
    assert (response.json()["written"], response.json()["refused"]) == (1, 1)


def test_tps_import_api_wrong_encoding_is_400_with_line(api, personas, tree, operation):
    raw = (TPS + "1,Cibéber,Labuan,Pandeglang,3\n").encode("latin-1")
    response = api("kapolsek_a").post(
        "/api/v1/posts/import/",
        {"file": csv_file(raw), "operation": operation.pk, "unit": tree.sirimau.pk},
        format="multipart",
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "file"
    assert error["message"].startswith("Baris 2: Berkas bukan UTF-8")


@pytest.mark.parametrize("persona", ["outsider_operator", "kapolsek_b", "outsider"])
def test_tps_import_api_into_another_unit_refused(api, personas, tree, operation, persona):
    response = upload_csv(
        api(persona),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"
    assert Post.objects.count() == 0


def test_tps_import_api_reviewer_cannot_write(api, personas, tree, operation):
    response = upload_csv(
        api("reviewer"),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
    )
    assert response.status_code == 403
    assert Post.objects.count() == 0


@pytest.mark.outsider("personnel-import")
def test_personnel_import_api_outsider_rows_refused(api, personas, tree):
    csv = "nrp,nama,pangkat,kode_satuan\n85031111,Budi,BRIPKA,POLSEK-SIRIMAU\n"
    refused = upload_csv(api("outsider_operator"), "/api/v1/personnel/import/", csv)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "unit"
    assert Personnel.objects.count() == 0
    written = upload_csv(api("kapolsek_a"), "/api/v1/personnel/import/", csv)
    assert written.status_code == 201
    assert Personnel.objects.get().unit == tree.sirimau


def test_tps_import_admin_page(client, personas, tree, operation):
    client.force_login(personas.admin)
    page = client.get("/admin/operations/post/import/")
    assert page.status_code == 200
    assert "Impor TPS dari CSV KPU" in page.content.decode()
    response = client.post(
        "/admin/operations/post/import/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "file": csv_file(
                TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n2,,Sirimau,Kota Ambon,x\n"
            ),
        },
    )
    body = response.content.decode()
    assert "2 baris dibaca, 0 ditulis, 1 ditolak." in body
    assert "Jumlah pemilih bukan bilangan bulat" in body
    assert Post.objects.count() == 0
    response = client.post(
        "/admin/operations/post/import/",
        {
            "operation": operation.pk,
            "unit": tree.sirimau.pk,
            "only_valid": "on",
            "file": csv_file(
                TPS + "1,Batu Merah,Sirimau,Kota Ambon,200\n2,,Sirimau,Kota Ambon,x\n"
            ),
        },
    )
    assert "2 baris dibaca, 1 ditulis, 1 ditolak." in response.content.decode()
    assert list(Post.objects.values_list("code", flat=True)) == ["1"]


def test_personnel_import_admin_page_reports_file_errors(client, personas, tree):
    client.force_login(personas.admin)
    assert "Impor CSV" in client.get("/admin/personnel/personnel/").content.decode()
    response = client.post(
        "/admin/personnel/personnel/import/", {"file": csv_file("nrp|nama\n1|2\n")}
    )
    assert "Baris 1: Pemisah kolom tidak dikenali" in response.content.decode()


def test_import_admin_pages_need_staff(client, personas):
    client.force_login(personas.reviewer)
    response = client.get("/admin/operations/post/import/")
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
