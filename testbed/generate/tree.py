"""Step 1: the unit tree (COPY), the operation with phases, satgas and pattern, logins."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection

from operations.models import (
    Operation,
    OperationKind,
    Phase,
    PhaseKind,
    PolresType,
    SecurityPattern,
    TaskForce,
    UnitKind,
)
from testbed import shape as country
from testbed.generate.sql import copy_rows, execute, scalar

OPERATION_CODE = "omb-nasional"
PASSWORD = "pamilu-national-2024"  # noqa: S105 - published test-bed password, test data only

# Pemilu 2024 phases (PKPU 3/2022), shifted so that `days` operation days have passed.
OMB_START = dt.date(2023, 10, 19)
OMB_END = dt.date(2024, 10, 20)
PHASES = [
    (PhaseKind.PENDAFTARAN, "Pendaftaran capres/cawapres", "2023-10-19", "2023-11-25", False),
    (PhaseKind.KAMPANYE, "Kampanye", "2023-11-28", "2024-02-10", False),
    (PhaseKind.MASA_TENANG, "Masa tenang", "2024-02-11", "2024-02-13", False),
    (PhaseKind.PEMUNGUTAN, "Pemungutan suara", "2024-02-14", "2024-02-14", True),
    (PhaseKind.PENGHITUNGAN, "Penghitungan suara", "2024-02-14", "2024-02-15", False),
    (PhaseKind.REKAPITULASI, "Rekapitulasi", "2024-02-15", "2024-03-20", False),
    (PhaseKind.PENETAPAN_HASIL, "Penetapan hasil", "2024-03-21", "2024-04-22", False),
    (PhaseKind.LAINNYA, "Pasca penetapan", "2024-04-23", "2024-10-20", False),
]
SATGAS = {
    UnitKind.MABES: ["Preemtif", "Preventif", "Tindak", "Gakkum", "Pam Capres/Cawapres",
                     "Antiteror", "TPS Luar Negeri", "Humas", "Banops"],
    UnitKind.POLDA: ["Preemtif", "Preventif", "Kamseltibcarlantas", "Tindak", "Gakkum",
                     "Humas", "Banops"],
    UnitKind.POLRES: ["Preemtif", "Preventif", "Kamseltibcarlantas", "Gakkum", "Humas",
                      "Banops"],
}  # fmt: skip
PATTERN = {"kurang_rawan": (2, 8, 16), "rawan": (2, 2, 4), "sangat_rawan": (2, 1, 2),
           "khusus": (2, 1, 2)}  # fmt: skip

UNIT_COLUMNS = ["code", "name", "kind", "subtype", "parent_id", "path", "depth", "time_zone",
                "latitude", "longitude", "is_active"]  # fmt: skip


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def unit_rows(scale: float, seed: int) -> list[dict]:
    """The tree in generation order (parents first); `ord` is the stable ordinal key."""
    counts = country.shape(scale)
    rng = random.Random(f"tree:{seed}")
    units: list[dict] = []

    def add(code, name, kind, parent, zone, lat, lng, subtype="", polda_ord=None):
        row = {
            "ord": len(units) + 1,
            "code": code,
            "name": name,
            "kind": kind,
            "subtype": subtype,
            "parent_ord": parent["ord"] if parent else None,
            "path": (parent["path"] if parent else "") + code + "/",
            "depth": parent["depth"] + 1 if parent else 0,
            "time_zone": zone,
            "latitude": _dec(lat),
            "longitude": _dec(lng),
            "polda_ord": polda_ord,
        }
        units.append(row)
        return row

    mabes = add("MABES", "Mabes Polri", UnitKind.MABES, None, country.WIB, -6.2383, 106.7985)
    for index, (short, name, zone, lat, lng, _tps, _n) in enumerate(country.POLDA):
        polda = add(f"POLDA-{short}", name, UnitKind.POLDA, mabes, zone, lat, lng)
        polda["polda_ord"] = polda["ord"]
        province = name.removeprefix("Polda ")
        for r in range(counts.polres[index]):
            subtype = (
                PolresType.POLRESTABES
                if r == 0 and counts.polres[index] >= 20
                else PolresType.POLRESTA
                if r % 9 == 1
                else PolresType.POLRES
            )
            label = {"polrestabes": "Polrestabes", "polresta": "Polresta"}.get(subtype, "Polres")
            plat, plng = lat + rng.uniform(-1.2, 1.2), lng + rng.uniform(-1.2, 1.2)
            polres = add(
                f"POLRES-{short}-{r + 1:02d}",
                f"{label} {province} {r + 1:02d}",
                UnitKind.POLRES,
                polda,
                zone,
                plat,
                plng,
                subtype=subtype,
                polda_ord=polda["ord"],
            )
            for s in range(counts.polsek[index][r]):
                add(
                    f"POLSEK-{short}-{r + 1:02d}-{s + 1:02d}",
                    f"Polsek {province} {r + 1:02d}.{s + 1:02d}",
                    UnitKind.POLSEK,
                    polres,
                    zone,
                    plat + rng.uniform(-0.15, 0.15),
                    plng + rng.uniform(-0.15, 0.15),
                    polda_ord=polda["ord"],
                )
    return units


def load_units(scale: float, seed: int) -> int:
    """COPY the tree level by level (parent ids known before children), keep a map table."""
    units = unit_rows(scale, seed)
    execute(
        "CREATE TEMP TABLE tb_unit (ord integer PRIMARY KEY, id integer NOT NULL UNIQUE, "
        "kind varchar(10), parent_ord integer, polda_ord integer, depth integer, "
        "time_zone varchar(20), path varchar(500), code varchar(40), name varchar(200), "
        "latitude numeric(9,6), longitude numeric(9,6)) ON COMMIT PRESERVE ROWS"
    )
    ids: dict[int, int] = {}
    for depth in range(4):
        level = [u for u in units if u["depth"] == depth]
        copy_rows(
            "operations_unit",
            UNIT_COLUMNS,
            (
                [u["code"], u["name"], u["kind"], u["subtype"],
                 ids[u["parent_ord"]] if u["parent_ord"] else None, u["path"], u["depth"],
                 u["time_zone"], u["latitude"], u["longitude"], True]
                for u in level
            ),
        )  # fmt: skip
        with_ids = dict(_fetch_ids([u["code"] for u in level]))
        for u in level:
            ids[u["ord"]] = with_ids[u["code"]]
    copy_rows(
        "tb_unit",
        ["ord", "id", "kind", "parent_ord", "polda_ord", "depth", "time_zone", "path", "code",
         "name", "latitude", "longitude"],
        ([u["ord"], ids[u["ord"]], u["kind"], u["parent_ord"], u["polda_ord"], u["depth"],
          u["time_zone"], u["path"], u["code"], u["name"], u["latitude"], u["longitude"]]
         for u in units),
    )  # fmt: skip
    execute("ANALYZE tb_unit")
    return len(units)


def _fetch_ids(codes: list[str]) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM operations_unit WHERE code = ANY(%s)", [codes])
        return cursor.fetchall()


def load_operation(today: dt.date, days: int) -> Operation:
    """The national operation: day `days` is today (WIB); phases of Pemilu 2024 shifted."""
    start = today - dt.timedelta(days=days - 1)
    shift = start - OMB_START
    mabes_id = scalar("SELECT id FROM tb_unit WHERE ord = 1")
    operation = Operation.objects.create(
        code=OPERATION_CODE,
        name="Operasi Mantap Brata Nasional (uji skala)",
        kind=OperationKind.PEMILU,
        unit_id=mabes_id,
        start_date=start,
        end_date=max(OMB_END + shift, today),
        report_deadline_hour=20,
        personnel_announced=261_695,
        description="Data uji skala nasional (testbed.generate_national).",
    )
    Phase.objects.bulk_create(
        Phase(
            operation=operation,
            kind=kind,
            name=name,
            start_date=dt.date.fromisoformat(first) + shift,
            end_date=dt.date.fromisoformat(last) + shift,
            is_voting_day=voting,
        )
        for kind, name, first, last, voting in PHASES
    )
    TaskForce.objects.bulk_create(
        TaskForce(
            operation=operation,
            level=level,
            code=name.upper().replace(" ", "-").replace("/", "-").lower(),
            name=f"Satgas {name}",
        )
        for level, names in SATGAS.items()
        for name in names
    )
    SecurityPattern.objects.bulk_create(
        SecurityPattern(
            operation=operation, unit=None, vulnerability=level, police=p, tps_per_group=t,
            linmas=lm,
        )
        for level, (p, t, lm) in PATTERN.items()
    )  # fmt: skip
    return operation


def load_users() -> int:
    """One login per role and unit: Mabes and Polda command centers, Polda and Polres
    reviewers, an operator per reporting unit. All share one password hash (test data)."""
    password = make_password(PASSWORD)
    return execute(
        """
        INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, unit_id, role, full_name, session_epoch)
        SELECT %(password)s, false, lower(prefix || '.' || u.code), '', '', '', false, true,
               %(joined)s, u.id, role, title || ' ' || u.name, 0
        FROM tb_unit u
        JOIN (VALUES ('cc', 'command_center', 'Command Center', ARRAY['mabes', 'polda']),
                     ('rev', 'reviewer', 'Kabag Ops', ARRAY['polda', 'polres']),
                     ('op', 'operator', 'Operator', ARRAY['polres', 'polsek']))
             AS r(prefix, role, title, kinds) ON u.kind = ANY(r.kinds)
        ORDER BY u.ord, prefix
        """,
        {"password": password, "joined": "2023-01-02T00:00:00+00:00"},
    ) + execute(
        """
        INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
            email, is_staff, is_active, date_joined, unit_id, role, full_name, session_epoch)
        VALUES (%(password)s, true, 'admin.national', '', '', '', true, true, %(joined)s,
                NULL, 'admin', 'Administrator uji skala', 0)
        """,
        {"password": password, "joined": "2023-01-02T00:00:00+00:00"},
    )
