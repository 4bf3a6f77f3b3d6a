import pytest

from audit.models import AuditEntry
from pamilu.api.csvfile import CsvFileError
from personnel.imports import import_personnel
from personnel.models import Personnel, Rank, RankGroup
from tests import builders

HEADER = "nrp,nama,pangkat,kode_satuan,jabatan\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def test_import_personnel_valid_file(personas, tree):
    raw = _csv(
        "85031234,Ahmad Latuconsina,BRIPKA,POLSEK-SIRIMAU,Bhabinkamtibmas",
        "198001012010011001,Siti Rahma,Penata Muda (III/a),POLSEK-SIRIMAU,Staf",
    )
    if not _rank_exists("Penata Muda (III/a)"):
        raw = raw.replace(b"Penata Muda (III/a)", _a_civil_rank().encode())
    report = import_personnel(raw=raw, by=personas.kapolsek_a, channel="import")
    assert (report.written, report.errors) == (2, [])
    ahmad = Personnel.objects.get(nrp="85031234")
    assert (ahmad.name, ahmad.rank.code, ahmad.unit, ahmad.position) == (
        "Ahmad Latuconsina",
        "BRIPKA",
        tree.sirimau,
        "Bhabinkamtibmas",
    )
    assert Personnel.objects.get(nip="198001012010011001").nrp is None
    assert AuditEntry.objects.get(action="personnel.import").changes["written"] == 2


def _rank_exists(name):
    return Rank.objects.filter(name__iexact=name).exists()


def _a_civil_rank():
    return Rank.objects.filter(group=RankGroup.PNS).first().code


def test_import_personnel_bad_rows_reported_nothing_written(personas, tree):
    raw = _csv(
        "85031234,Ahmad,BRIPKA,POLSEK-SIRIMAU,",
        "8503123,Budi,BRIPKA,POLSEK-SIRIMAU,",
        "85031236,Citra,Letnan,POLSEK-SIRIMAU,",
        "85031237,Dedi,BRIPKA,POLSEK-LABUAN,",
        "85031238,,BRIPKA,POLSEK-SIRIMAU,",
    )
    report = import_personnel(raw=raw, by=personas.kapolsek_a, channel="import")
    assert report.written == 0
    assert Personnel.objects.count() == 0
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "nrp"),
        (4, "rank"),
        (5, "unit"),
        (6, "name"),
    ]


def test_import_personnel_duplicates_refused(personas, tree):
    builders.person(tree.sirimau, nrp="85030000")
    raw = _csv(
        "85030000,Ahmad,BRIPKA,POLSEK-SIRIMAU,",
        "85031111,Budi,BRIPKA,POLSEK-SIRIMAU,",
        "85031111,Budi Lagi,BRIPKA,POLSEK-SIRIMAU,",
    )
    report = import_personnel(raw=raw, by=personas.kapolsek_a, channel="import")
    assert [(e.line, e.field) for e in report.errors] == [(2, "nrp"), (4, "nrp")]
    assert Personnel.objects.count() == 1


def test_import_personnel_only_valid(personas, tree):
    raw = _csv("85031111,Budi,BRIPKA,POLSEK-SIRIMAU,", "x,Budi,BRIPKA,POLSEK-SIRIMAU,")
    report = import_personnel(raw=raw, by=personas.kapolsek_a, only_valid=True, channel="import")
    assert (report.written, report.refused_lines) == (1, [3])


def test_import_personnel_wrong_encoding_and_delimiter(personas, tree):
    with pytest.raises(CsvFileError) as exc:
        import_personnel(
            raw=_csv("85031111,Budi Ã©,BRIPKA,X,").decode().encode("utf-16"),
            by=personas.admin,
            channel="import",
        )
    assert "UTF-8" in exc.value.message
    with pytest.raises(CsvFileError) as exc:
        import_personnel(raw=b"nrp nama pangkat\n1 2 3\n", by=personas.admin, channel="import")
    assert exc.value.line == 1
