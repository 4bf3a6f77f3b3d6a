"""Bulk imports of personnel (CSV: NRP or NIP, name, rank, unit code, position) and of
deployments (CSV: nrp, pos, kegiatan, mulai, selesai, catatan), on the one CSV import
framework (pamilu.api.csvfile: the shared reader and ImportReport; operations.imports uses
it for TPS).

All or nothing by default; with `only_valid=True` the valid rows are written and the
refused ones reported with their line and reason. Personnel: bulk_create, no query per row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit.services import record
from operations import tree
from operations.models import Event, Operation, Post, Unit
from pamilu.actors import Actor, ChannelName, user_of
from pamilu.api.csvfile import ImportReport, RowError, read_rows
from pamilu.scoping import can_write_for_unit, check_deploy, visible_units
from personnel.models import Assignment, Deployment, Personnel, Rank
from personnel.services import deployment_create

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
    *, raw: bytes, by: Actor, channel: ChannelName, only_valid: bool = False
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
            # The entry hangs on the importing user (a system actor: on the first person).
            obj=user_of(by) or people[0],
            unit=getattr(user_of(by), "unit", None),
            changes={
                "written": len(people),
                "refused_lines": report.refused_lines,
                "only_valid": only_valid,
            },
        )
    report.written = len(people)
    return report


# --- deployments -----------------------------------------------------------------------------

DEPLOYMENT_COLUMNS = {
    "nrp": ("nrp",),
    "post": ("pos", "kode_pos", "post"),
    "event": ("kegiatan", "event"),
    "starts_at": ("mulai", "starts_at"),
    "ends_at": ("selesai", "ends_at"),
    "note": ("catatan", "note"),
}
DEPLOYMENT_REQUIRED = ("nrp", "starts_at", "ends_at")


class _RefusedRows(Exception):
    """Raised to roll the whole import back when a row was refused (all or nothing)."""


def deployments_import(
    *,
    raw: bytes,
    operation: Operation,
    within: Unit,
    by: Actor,
    channel: ChannelName,
    only_valid: bool = False,
) -> ImportReport:
    """Import deployments below `within` (`pos` a post code, `kegiatan` an event id).

    Each row goes through `deployment_create` in its own savepoint, so a clash with an
    earlier row of the same file is found too; a refused row is reported with its line.
    All or nothing unless `only_valid`. Raises CsvFileError for a file that cannot be read.
    """
    check_deploy(by, within)
    rows, _delimiter = read_rows(raw, columns=DEPLOYMENT_COLUMNS, required=DEPLOYMENT_REQUIRED)
    report = ImportReport(total=len(rows), only_valid=only_valid)
    written = 0
    try:
        with transaction.atomic():
            for line, row in rows:
                if isinstance(row, str):
                    report.errors.append(RowError(line, None, row))
                    continue
                try:
                    with transaction.atomic():
                        _deployment_row(
                            operation=operation, within=within, row=row, by=by, channel=channel
                        )
                    written += 1
                except ValidationError as exc:
                    report.errors.extend(_row_errors(line, exc))
                except PermissionDenied as exc:
                    report.errors.append(RowError(line, None, str(exc)))
            if report.errors and not only_valid:
                raise _RefusedRows
            if written:
                record(
                    actor=by,
                    channel=channel,
                    action="deployment.import",
                    obj=operation,
                    unit=within,
                    changes={
                        "written": written,
                        "refused_lines": report.refused_lines,
                        "only_valid": only_valid,
                    },
                )
    except _RefusedRows:
        written = 0
    report.written = written
    return report


def _row_errors(line: int, exc: ValidationError) -> list[RowError]:
    """A refused row's reasons, each on its column where the reason names one."""
    if not hasattr(exc, "error_dict"):
        return [RowError(line, None, " ".join(exc.messages))]
    return [
        RowError(line, None if field == NON_FIELD_ERRORS else field, " ".join(messages))
        for field, messages in exc.message_dict.items()
    ]


def _parse_instant(value: str, unit: Unit, field: str) -> dt.datetime:
    """ISO date-time; without an offset it is read in the unit's local time zone."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(
            {field: _("Format waktu tidak dikenal: %s (contoh: 2024-02-14 07:00)") % value}
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=unit.zone)
    return parsed


def _deployment_row(
    *, operation: Operation, within: Unit, row: dict[str, str], by: Actor, channel: ChannelName
) -> Deployment:
    nrp = row.get("nrp", "")
    assignment = (
        Assignment.objects.select_related("personnel", "unit")
        .filter(tree.subtree_q(within, "unit"), operation=operation, personnel__nrp=nrp)
        .first()
    )
    if assignment is None:
        raise ValidationError(
            {
                "nrp": _("NRP %(nrp)s tidak bertugas dalam operasi ini di wilayah %(unit)s.")
                % {"nrp": nrp, "unit": within}
            }
        )
    post = event = None
    post_code = row.get("post", "")
    event_id = row.get("event", "")
    if post_code:
        post = Post.objects.filter(
            tree.subtree_q(within, "unit"), operation=operation, code=post_code
        ).first()
        if post is None:
            raise ValidationError({"post": _("Pos %s tidak ditemukan.") % post_code})
    elif event_id:
        if event_id.isascii() and event_id.isdigit():
            event = Event.objects.filter(
                tree.subtree_q(within, "unit"), operation=operation, pk=int(event_id)
            ).first()
        if event is None:
            raise ValidationError({"event": _("Kegiatan %s tidak ditemukan.") % event_id})
    target = post or event
    target_unit = target.unit if target is not None else within
    return deployment_create(
        assignment=assignment,
        post=post,
        event=event,
        starts_at=_parse_instant(row.get("starts_at", ""), target_unit, "starts_at"),
        ends_at=_parse_instant(row.get("ends_at", ""), target_unit, "ends_at"),
        note=row.get("note", ""),
        by=by,
        channel=channel,
    )
