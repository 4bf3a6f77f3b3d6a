import pytest

from audit.models import AuditEntry
from operations.imports import import_tps
from operations.models import Post, Vulnerability
from pamilu.api.csvfile import CsvFileError

HEADER = "kode_tps,nama_tps,desa,kecamatan,kabupaten,dpt,latitude,longitude\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(r + "\n" for r in rows)).encode()


def test_import_tps_valid_file_writes_every_row(personas, tree, operation):
    raw = _csv(
        "8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287,-3.6954,128.1814",
        "8171011001002,TPS 002,Batu Merah,Sirimau,Kota Ambon,1.250,,",
    )
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert (report.total, report.written, report.errors) == (2, 2, [])
    first, second = Post.objects.order_by("code")
    assert (first.code, first.village, first.voters, str(first.latitude)) == (
        "8171011001001",
        "Batu Merah",
        287,
        "-3.695400",
    )
    assert (second.voters, second.latitude, second.unit) == (1250, None, tree.sirimau)
    assert first.vulnerability == Vulnerability.KURANG_RAWAN
    entry = AuditEntry.objects.get(action="post.import")
    assert entry.changes["written"] == 2


def test_import_tps_bad_rows_reported_and_nothing_written(personas, tree, operation):
    raw = _csv(
        "8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287,,",
        ",TPS 002,Batu Merah,Sirimau,Kota Ambon,100,,",
        "8171011001003,TPS 003,Batu Merah,Sirimau,Kota Ambon,banyak,,",
        "8171011001004,TPS 004,,Sirimau,Kota Ambon,10,95.1,128.1",
    )
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert report.written == 0
    assert Post.objects.count() == 0
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "code"),
        (4, "voters"),
        (5, "village"),
        (5, "latitude"),
    ]
    assert "bukan bilangan bulat" in report.errors[1].message


def test_import_tps_only_valid_writes_valid_rows(personas, tree, operation):
    raw = _csv(
        "8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287,,",
        "8171011001002,TPS 002,Batu Merah,Sirimau,Kota Ambon,-5,,",
    )
    report = import_tps(
        raw=raw,
        operation=operation,
        unit=tree.sirimau,
        by=personas.kapolsek_a,
        only_valid=True,
        channel="import",
    )
    assert (report.written, report.refused_lines) == (1, [3])
    assert list(Post.objects.values_list("code", flat=True)) == ["8171011001001"]


def test_import_tps_duplicate_identifiers_refused(personas, tree, operation):
    import_tps(
        raw=_csv("8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287,,"),
        operation=operation,
        unit=tree.sirimau,
        by=personas.kapolsek_a,
        channel="import",
    )
    raw = _csv(
        "8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287,,",
        "8171011001002,TPS 002,Batu Merah,Sirimau,Kota Ambon,10,,",
        "8171011001002,TPS 002 lagi,Batu Merah,Sirimau,Kota Ambon,11,,",
    )
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert report.written == 0
    assert [(e.line, e.field) for e in report.errors] == [(2, "code"), (4, "code")]
    assert "sudah terdaftar" in report.errors[0].message
    assert "sudah di baris 3" in report.errors[1].message
    assert Post.objects.count() == 1


def test_import_tps_wrong_encoding_refused_with_line(personas, tree, operation):
    raw = (HEADER + "8171011001001,TPS 001,Ujung Bérung,Sirimau,Kota Ambon,287,,\n").encode(
        "cp1252"
    )
    with pytest.raises(CsvFileError) as exc:
        import_tps(
            raw=raw,
            operation=operation,
            unit=tree.sirimau,
            by=personas.kapolsek_a,
            channel="import",
        )
    assert exc.value.line == 2
    assert "UTF-8" in exc.value.message


def test_import_tps_wrong_delimiter_refused(personas, tree, operation):
    raw = _csv(
        "8171011001001|TPS 001|Batu Merah|Sirimau|Kota Ambon|287||", header=HEADER.replace(",", "|")
    )
    with pytest.raises(CsvFileError) as exc:
        import_tps(
            raw=raw,
            operation=operation,
            unit=tree.sirimau,
            by=personas.kapolsek_a,
            channel="import",
        )
    assert exc.value.line == 1
    assert "Pemisah kolom" in exc.value.message


def test_import_tps_semicolon_file_with_kpu_headers(personas, tree, operation):
    raw = "\ufeffKode TPS;Kelurahan;Kecamatan;Kabupaten/Kota;Jumlah DPT;Kerawanan\n8171;Batu Merah;Sirimau;Kota Ambon;250;Rawan\n".encode()
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert report.written == 1
    assert Post.objects.get().vulnerability == Vulnerability.RAWAN


def test_import_tps_row_with_wrong_column_count_reported(personas, tree, operation):
    raw = _csv("8171011001001,TPS 001,Batu Merah,Sirimau,Kota Ambon,287")
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert [(e.line, e.field) for e in report.errors] == [(2, None)]
    assert "Jumlah kolom 6, seharusnya 8" in report.errors[0].message


def test_import_tps_unit_outside_scope_refused(personas, tree, operation):
    header = HEADER.replace("\n", ",kode_satuan\n")
    raw = _csv(
        "1,TPS 1,Desa,Kec,Kab,1,,,POLSEK-SIRIMAU",
        "2,TPS 2,Desa,Kec,Kab,1,,,POLSEK-LABUAN",
        header=header,
    )
    report = import_tps(
        raw=raw, operation=operation, unit=tree.sirimau, by=personas.kapolsek_a, channel="import"
    )
    assert [(e.line, e.field) for e in report.errors] == [(3, "unit")]
    assert Post.objects.count() == 0


def test_import_tps_ten_thousand_rows_in_batches_not_per_row(
    personas, tree, operation, django_assert_max_num_queries
):
    rows = [
        f"81710110{i:05d},TPS {i:03d},Desa {i % 50},Sirimau,Kota Ambon,{200 + i % 100},-3.69,128.18"
        for i in range(10_000)
    ]
    raw = _csv(*rows)
    # No query per row: batches only (SQLite's batches hold ~50 rows, PostgreSQL's 1000).
    with django_assert_max_num_queries(300):
        report = import_tps(
            raw=raw, operation=operation, unit=tree.sirimau, by=personas.admin, channel="import"
        )
    assert (report.written, report.errors) == (10_000, [])
    assert Post.objects.filter(operation=operation).count() == 10_000
