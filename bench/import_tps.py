"""How far the TPS import is from the database's own floor, measured in the same run.

    DEBUG=true .venv/bin/python bench/import_tps.py [ROWS]          # throwaway SQLite
    DEBUG=true DATABASE_URL=postgres://… .venv/bin/python bench/import_tps.py 10000

Imports ROWS TPS rows (default 10,000) through operations.imports.import_tps, then
writes the same rows with the fastest raw path the database offers (COPY on
PostgreSQL, executemany INSERT on SQLite), and prints both times and their ratio.
Everything happens in one transaction that is rolled back; with no DATABASE_URL a
temporary SQLite file is migrated first.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from pamilu import actors

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
os.environ.setdefault("DEBUG", "true")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    _migrate = True
else:
    _migrate = False

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

COLUMNS = "kode_tps,nama_tps,desa,kecamatan,kabupaten,dpt,latitude,longitude"


class Rollback(Exception):
    pass


def csv_rows(n: int) -> list[list[str]]:
    return [
        [
            f"9{i:012d}",
            f"TPS {i % 999:03d}",
            f"Desa {i % 700}",
            "Kecamatan",
            "Kabupaten",
            str(150 + i % 150),
            f"{-3.6 - i % 100 / 1000:.6f}",
            f"{128.1 + i % 100 / 1000:.6f}",
        ]
        for i in range(n)
    ]


def floor(rows, operation_id: int, unit_id: int) -> float:
    """The same rows written by the database's raw bulk path."""
    fields = (
        "operation_id, unit_id, kind, code, name, village, subdistrict, district, address, "
        "voters, vulnerability, is_noken, linmas, round_the_clock, guards_required, latitude, longitude"
    )
    values = [
        (
            operation_id,
            unit_id,
            "tps",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            "",
            int(r[5]),
            "kurang_rawan",
            False,
            0,
            False,
            0,
            r[6],
            r[7],
        )
        for r in rows
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY operations_post ({fields}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * 17)
            sql = f"INSERT INTO operations_post ({fields}) VALUES ({marks})"
            cursor.executemany(sql, values)
    return time.perf_counter() - started


def main(n: int) -> None:
    if _migrate:
        call_command("migrate", verbosity=0)
    from accounts.models import Role, User
    from operations.imports import import_tps
    from operations.models import Operation, Post, TimeZone, UnitKind
    from operations.services import unit_create

    rows = csv_rows(n)
    raw = (COLUMNS + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()
    try:
        with transaction.atomic():
            root = unit_create(
                code="BENCH-MABES",
                name="Bench",
                kind=UnitKind.MABES,
                parent=None,
                time_zone=TimeZone.WIB,
                by=actors.SYSTEM,
                channel="system",
            )
            unit = unit_create(
                code="BENCH-POLDA",
                name="Bench Polda",
                kind=UnitKind.POLDA,
                parent=root,
                by=actors.SYSTEM,
                channel="system",
            )
            admin = User.objects.create(username="bench-admin", role=Role.ADMIN, is_superuser=True)
            operation = Operation.objects.create(
                code="bench-op",
                name="Bench",
                kind="pemilu",
                unit=root,
                start_date=dt.date(2024, 1, 1),
                end_date=dt.date(2024, 12, 31),
            )
            started = time.perf_counter()
            report = import_tps(raw=raw, operation=operation, unit=unit, by=admin, channel="import")
            imported = time.perf_counter() - started
            assert report.written == n, report.errors[:3]
            Post.objects.filter(operation=operation)._raw_delete(connection.alias)
            raw_time = floor(rows, operation.pk, unit.pk)
            assert Post.objects.filter(operation=operation).count() == n
            raise Rollback
    except Rollback:
        pass
    print(f"database: {connection.vendor}, rows: {n}")
    print(f"import_tps (parse, validate, bulk_create): {imported:.2f} s")
    print(
        f"raw floor ({'COPY' if connection.vendor == 'postgresql' else 'executemany INSERT'}): {raw_time:.2f} s"
    )
    print(f"ratio import / floor: {imported / raw_time:.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
