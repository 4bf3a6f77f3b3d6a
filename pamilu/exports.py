"""Formula-safe spreadsheet output: the one helper every XLSX and CSV export writes through.

A text cell that begins with =, +, -, @, a tab or a carriage return would be read by a
spreadsheet as a formula (a unit named "=HYPERLINK(…)" becomes a live link). In XLSX such
a cell is written as a string cell (never a formula); in CSV it gets a leading apostrophe,
which spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def xlsx_append(sheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)`, with every formula-like text written as a plain string."""
    values = list(values)
    sheet.append(values)
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if is_formula_like(value):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"


def csv_cell(value: Any) -> Any:
    return "'" + value if is_formula_like(value) else value


def csv_writer(stream) -> _SafeCsvWriter:
    return _SafeCsvWriter(csv.writer(stream))


class _SafeCsvWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow([csv_cell(v) for v in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
