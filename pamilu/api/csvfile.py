"""Reading an uploaded CSV file for a bulk import: UTF-8 only, delimiter detected.

Shared by operations.imports and personnel.imports. File-level problems (encoding,
delimiter, missing columns) raise `CsvFileError` with the line and reason.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

DELIMITERS = ",;\t"


class CsvFileError(Exception):
    def __init__(self, message: str, *, line: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


@dataclass
class RowError:
    line: int
    field: str | None
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "code": "invalid", "message": self.message}


@dataclass
class ImportReport:
    """What an import did: rows read, rows written, and each refused row with its reason."""

    total: int = 0
    written: int = 0
    only_valid: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})

    @property
    def committed(self) -> bool:
        return self.written > 0 or not self.errors

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "written": self.written,
            "refused": len(self.refused_lines),
            "only_valid": self.only_valid,
            "errors": [e.as_dict() for e in self.errors],
        }


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            f"Berkas bukan UTF-8 (byte tidak dikenal di baris {line}). "
            "Simpan ulang sebagai CSV UTF-8.",
            line=line,
        ) from None


def read_rows(
    raw: bytes, *, columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> tuple[list[tuple[int, dict[str, str] | str]], str]:
    """Rows of `raw` as (line number, {canonical column: value}), and the delimiter used.

    A row whose number of columns differs from the header's comes as (line, reason).

    `columns` maps a canonical name to the header spellings accepted for it (lower case).
    """
    text = _decode(raw)
    if not text.strip():
        raise CsvFileError("Berkas kosong.", line=1)
    first_line = text.splitlines()[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        raise CsvFileError(
            "Pemisah kolom tidak dikenali (gunakan koma, titik koma atau tab).", line=1
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower().replace(" ", "_") for h in next(reader)]
    aliases = {alias: name for name, spellings in columns.items() for alias in spellings}
    index: dict[str, int] = {}
    for position, title in enumerate(header):
        name = aliases.get(title)
        if name and name not in index:
            index[name] = position
    missing = [name for name in required if name not in index]
    if missing:
        raise CsvFileError(
            f"Kolom wajib tidak ada: {', '.join(missing)} (pemisah terbaca: {delimiter!r}).",
            line=1,
            field=missing[0],
        )
    rows: list[tuple[int, dict[str, str] | str]] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rows.append(
                (line, f"Jumlah kolom {len(values)}, seharusnya {len(header)} (periksa pemisah).")
            )
            continue
        rows.append(
            (line, {n: values[i].strip() if i < len(values) else "" for n, i in index.items()})
        )
    return rows, delimiter
