"""Bulk import of TPS lists as the KPU publishes them (CSV).

Columns (header names are matched case-insensitively, common KPU spellings accepted):
TPS identifier (kode_tps), village (desa/kelurahan), sub-district (kecamatan),
district (kabupaten/kota), voters (dpt), and optionally latitude/longitude, the TPS's
name, its vulnerability (kerawanan) and the responsible unit's code (kode_satuan;
otherwise the unit given to the import).

All or nothing by default: every row is validated first, and if any is refused nothing
is written. With `only_valid=True` the valid rows are written and the others reported.
Rows are inserted with bulk_create (no query per row).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction

from audit.services import record
from operations import counts
from operations.models import Operation, Post, PostKind, Unit, Vulnerability
from pamilu.actors import Actor, ChannelName
from pamilu.api.csvfile import ImportReport, RowError, read_rows
from pamilu.scoping import can_write_for_unit, visible_units

TPS_COLUMNS = {
    "code": ("kode_tps", "id_tps", "tps_id", "kode", "no_tps_kpu"),
    "name": ("nama_tps", "nama", "tps"),
    "village": ("desa", "kelurahan", "desa_kelurahan", "desa/kelurahan", "kelurahan/desa"),
    "subdistrict": ("kecamatan", "kec"),
    "district": ("kabupaten", "kota", "kabupaten_kota", "kabupaten/kota", "kab_kota"),
    "voters": ("dpt", "jumlah_dpt", "pemilih", "jumlah_pemilih", "voters"),
    "latitude": ("latitude", "lat", "lintang"),
    "longitude": ("longitude", "lng", "lon", "long", "bujur"),
    "vulnerability": ("kerawanan", "tingkat_kerawanan", "vulnerability"),
    "unit": ("kode_satuan", "satuan", "unit"),
    "address": ("alamat", "lokasi"),
}
TPS_REQUIRED = ("code", "village", "subdistrict", "district", "voters")
VULNERABILITY_ALIASES = {
    **{v.value: v.value for v in Vulnerability},
    **{str(v.label).lower(): v.value for v in Vulnerability},
    "aman": Vulnerability.KURANG_RAWAN.value,
}
MAX_LENGTHS = {"code": 40, "name": 200, "village": 120, "subdistrict": 120, "district": 120}
CHUNK = 2000


def _coordinate(value: str, limit: int, field: str, errors: list, line: int) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.append(RowError(line, field, f"Koordinat bukan angka: {value!r}."))
        return None
    if not number.is_finite() or abs(number) > limit:
        errors.append(RowError(line, field, f"Koordinat di luar rentang ±{limit}: {value}."))
        return None
    return number.quantize(Decimal("0.000001"))


def _build_post(
    line: int, row: dict[str, str], *, operation: Operation, unit: Unit, units: dict, user
) -> tuple[Post | None, list[RowError]]:
    errors: list[RowError] = []
    for name, limit in MAX_LENGTHS.items():
        if len(row.get(name, "")) > limit:
            errors.append(RowError(line, name, f"Lebih dari {limit} karakter."))
    code = row["code"]
    if not code:
        errors.append(RowError(line, "code", "Kode TPS kosong."))
    for name in ("village", "subdistrict", "district"):
        if not row[name]:
            errors.append(RowError(line, name, "Wajib diisi."))
    voters_text = row["voters"].replace(".", "")
    voters = int(voters_text) if voters_text.isascii() and voters_text.isdigit() else None
    if voters is None or voters > 1_000_000:
        errors.append(
            RowError(line, "voters", f"Jumlah pemilih bukan bilangan bulat: {row['voters']!r}.")
        )
    latitude = _coordinate(row.get("latitude", ""), 90, "latitude", errors, line)
    longitude = _coordinate(row.get("longitude", ""), 180, "longitude", errors, line)
    if (latitude is None) != (longitude is None) and not errors:
        errors.append(RowError(line, "latitude", "Isi lintang dan bujur bersama-sama."))
    vulnerability = Vulnerability.KURANG_RAWAN.value
    if row.get("vulnerability"):
        vulnerability = VULNERABILITY_ALIASES.get(row["vulnerability"].strip().lower())
        if vulnerability is None:
            errors.append(
                RowError(
                    line,
                    "vulnerability",
                    f"Tingkat kerawanan tidak dikenal: {row['vulnerability']!r}.",
                )
            )
    target = unit
    if row.get("unit"):
        target = units.get(row["unit"])
        if target is None:
            errors.append(
                RowError(line, "unit", f"Satuan {row['unit']!r} tidak ada dalam lingkup Anda.")
            )
    if target is not None and not can_write_for_unit(user, target):
        errors.append(RowError(line, "unit", "Anda tidak berwenang menulis data untuk satuan ini."))
    if errors:
        return None, errors
    post = Post(
        operation=operation,
        unit=target,
        kind=PostKind.TPS,
        code=code,
        name=row.get("name") or f"TPS {code}",
        village=row["village"],
        subdistrict=row["subdistrict"],
        district=row["district"],
        address=row.get("address", "")[:255],
        voters=voters,
        vulnerability=vulnerability,
        latitude=latitude,
        longitude=longitude,
    )
    return post, []


def import_tps(
    *,
    raw: bytes,
    operation: Operation,
    unit: Unit,
    by: Actor,
    channel: ChannelName,
    only_valid: bool = False,
) -> ImportReport:
    """Validate every row of a KPU TPS CSV and write them (see the module docstring).

    Raises pamilu.api.csvfile.CsvFileError for a file that cannot be read at all.
    """
    rows, _delimiter = read_rows(raw, columns=TPS_COLUMNS, required=TPS_REQUIRED)
    report = ImportReport(total=len(rows), only_valid=only_valid)
    unit_codes = {r["unit"] for _line, r in rows if isinstance(r, dict) and r.get("unit")}
    units = {u.code: u for u in visible_units(by).filter(code__in=unit_codes)} if unit_codes else {}
    posts: list[Post] = []
    first_line: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, str):
            report.errors.append(RowError(line, None, row))
            continue
        post, errors = _build_post(line, row, operation=operation, unit=unit, units=units, user=by)
        if row["code"] in first_line:
            errors.append(
                RowError(
                    line,
                    "code",
                    f"Kode TPS {row['code']} ganda (sudah di baris {first_line[row['code']]}).",
                )
            )
            post = None
        elif row["code"]:
            first_line[row["code"]] = line
        report.errors.extend(errors)
        if post is not None:
            post._import_line = line
            posts.append(post)
    codes = [p.code for p in posts]
    existing: set[str] = set()
    for start in range(0, len(codes), CHUNK):
        existing.update(
            Post.objects.filter(
                operation=operation, code__in=codes[start : start + CHUNK]
            ).values_list("code", flat=True)
        )
    if existing:
        for post in posts:
            if post.code in existing:
                report.errors.append(
                    RowError(
                        post._import_line,
                        "code",
                        f"Kode TPS {post.code} sudah terdaftar di operasi ini.",
                    )
                )
        posts = [p for p in posts if p.code not in existing]
    report.errors.sort(key=lambda e: e.line)
    if report.errors and not only_valid:
        return report
    if not posts:
        return report
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=1000)
        counts.posts_added(posts)
        record(
            actor=by,
            channel=channel,
            action="post.import",
            obj=operation,
            unit=unit,
            changes={
                "written": len(posts),
                "refused_lines": report.refused_lines,
                "only_valid": only_valid,
            },
        )
    report.written = len(posts)
    return report
