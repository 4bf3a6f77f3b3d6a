"""Hostile digits in an uploaded CSV file are refused on their row, never a 500 (issue 13,
failure 6: the `.isascii()` guards fd3e555 put in the imports; "²".isdigit() is True but
int("²") raises, while "٣٠٠" would be read as 300)."""

from __future__ import annotations

from operations.models import Post
from personnel.models import Personnel, Rank, RankGroup
from tests.builders import upload_csv

TPS = "kode_tps,desa,kecamatan,kabupaten,dpt\n"
PERSONNEL = "nrp,nama,pangkat,kode_satuan,jabatan\n"


def test_tps_import_non_ascii_digits_in_voters_are_refused_on_their_row(
    api, personas, tree, operation
):
    response = upload_csv(
        api("kapolsek_a"),
        "/api/v1/posts/import/",
        TPS + "1,Batu Merah,Sirimau,Kota Ambon,²00\n2,Batu Merah,Sirimau,Kota Ambon,٣٠٠\n",
        operation=operation.pk,
        unit=tree.sirimau.pk,
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "voters"), (3, "voters")]
    assert Post.objects.count() == 0


def test_personnel_import_non_ascii_digits_in_nrp_and_nip_are_refused(api, personas, tree):
    civil_rank = Rank.objects.filter(group=RankGroup.PNS).first().code  # a NIP is a civil servant's
    response = upload_csv(
        api("kapolsek_a"),
        "/api/v1/personnel/import/",
        PERSONNEL
        + "8503123²,Ahmad,BRIPKA,POLSEK-SIRIMAU,\n"
        + f"19800101201001100٣,Siti,{civil_rank},POLSEK-SIRIMAU,\n",
    )
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert [(e["line"], e["field"]) for e in errors] == [(2, "nrp"), (3, "nip")]
    assert Personnel.objects.count() == 0
