"""Bulk import of personnel (CSV: NRP or NIP, name, rank, unit code, position).

All or nothing by default; with `only_valid=True` the valid rows are written and the
refused ones reported with their line and reason. bulk_create, no query per row.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from audit.services import record
from pamilu.api.csvfile import ImportReport, RowError, read_rows
from pamilu.scoping import can_write_for_unit, visible_units
from personnel.models import Personnel, Rank

PERSONNEL_COLUMNS = {
    "nrp": ("nrp", "nrp/nip", "nomor"),
    "nip": ("nip",),
    "name": ("nama", "nama_lengkap", "name"),
    "rank": ("pangkat", "golongan", "rank"),
    "unit": ("kode_satuan", "satuan", "unit"),
    "position": ("jabatan", "position"),
    "phone": ("telepon", "hp", "phone"),
}
PERSONNEL_REQUIRED = ("nrp", "name", "rank", "unit")
CHUNK = 2000


def _identifier(row: dict[str, str], line: int, errors: list) -> tuple[str | None, str | None]:
    nrp = row.get("nrp", "").replace(" ", "")
    nip = row.get("nip", "").replace(" ", "")
    if len(nrp) == 18 and not nip:
        nrp, nip = "", nrp
    if bool(nrp) == bool(nip):
        errors.append(RowError(line, "nrp", "Isi NRP (8 angka) atau NIP (18 angka), salah satu."))
        return None, None
    if nrp and not (len(nrp) == 8 and nrp.isascii() and nrp.isdigit()):
        errors.append(RowError(line, "nrp", f"NRP harus 8 angka: {nrp!r}."))
    if nip and not (len(nip) == 18 and nip.isascii() and nip.isdigit()):
        errors.append(RowError(line, "nip", f"NIP harus 18 angka: {nip!r}."))
    return nrp or None, nip or None


def import_personnel(
    *, raw: bytes, by, only_valid: bool = False, channel: str = "import"
) -> ImportReport:
    rows, _delimiter = read_rows(raw, columns=PERSONNEL_COLUMNS, required=PERSONNEL_REQUIRED)
    report = ImportReport(total=len(rows), only_valid=only_valid)
    ranks: dict[str, Rank] = {}
    for rank in Rank.objects.all():
        ranks[rank.code.lower()] = rank
        ranks[rank.name.lower()] = rank
    unit_codes = {r["unit"] for _line, r in rows if isinstance(r, dict) and r["unit"]}
    units = {u.code: u for u in visible_units(by).filter(code__in=unit_codes)}
    people: list[Personnel] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        if isinstance(row, str):
            report.errors.append(RowError(line, None, row))
            continue
        errors: list[RowError] = []
        nrp, nip = _identifier(row, line, errors)
        if not row["name"] or len(row["name"]) > 200:
            errors.append(RowError(line, "name", "Nama wajib diisi (maks. 200 karakter)."))
        if len(row.get("position", "")) > 200:
            errors.append(RowError(line, "position", "Jabatan lebih dari 200 karakter."))
        rank = ranks.get(row["rank"].lower())
        if rank is None:
            errors.append(RowError(line, "rank", f"Pangkat tidak dikenal: {row['rank']!r}."))
        elif nrp and not rank.is_police:
            errors.append(RowError(line, "rank", "Pemegang NRP harus berpangkat Polri."))
        elif nip and rank.is_police:
            errors.append(RowError(line, "rank", "Pemegang NIP harus bergolongan PNS."))
        unit = units.get(row["unit"])
        if unit is None or not can_write_for_unit(by, unit):
            errors.append(
                RowError(
                    line, "unit", f"Satuan {row['unit']!r} tidak ada dalam lingkup tulis Anda."
                )
            )
        ident = nrp or nip
        if ident and ident in seen:
            errors.append(
                RowError(line, "nrp", f"NRP/NIP {ident} ganda (sudah di baris {seen[ident]}).")
            )
        elif ident:
            seen[ident] = line
        if errors:
            report.errors.extend(errors)
            continue
        person = Personnel(
            nrp=nrp,
            nip=nip,
            name=row["name"],
            rank=rank,
            unit=unit,
            position=row.get("position", ""),
            phone=row.get("phone", "")[:30],
        )
        person._import_line = line
        people.append(person)
    existing: set[str] = set()
    idents = [p.identifier for p in people]
    for start in range(0, len(idents), CHUNK):
        chunk = idents[start : start + CHUNK]
        for nrp, nip in Personnel.objects.filter(Q(nrp__in=chunk) | Q(nip__in=chunk)).values_list(
            "nrp", "nip"
        ):
            existing.add(nrp or nip)
    for person in people:
        if person.identifier in existing:
            report.errors.append(
                RowError(
                    person._import_line, "nrp", f"NRP/NIP {person.identifier} sudah terdaftar."
                )
            )
    people = [p for p in people if p.identifier not in existing]
    report.errors.sort(key=lambda e: e.line)
    if (report.errors and not only_valid) or not people:
        return report
    with transaction.atomic():
        Personnel.objects.bulk_create(people, batch_size=1000)
        record(
            actor=by,
            channel=channel,
            action="personnel.import",
            obj=by,
            unit=by.unit,
            changes={
                "written": len(people),
                "refused_lines": report.refused_lines,
                "only_valid": only_valid,
            },
        )
    report.written = len(people)
    return report
