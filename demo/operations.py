"""Demo units, operations, phases, satgas, TPS pattern and posts. Idempotent.

Real places from our sources; coordinates are approximate and the TPS below each
Polsek are generated (deterministically) with a realistic vulnerability mix.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from operations import counts
from operations.models import (
    Operation,
    OperationKind,
    Phase,
    PhaseKind,
    PolresType,
    Post,
    PostKind,
    SecurityPattern,
    TaskForce,
    TimeZone,
    Unit,
    UnitKind,
    Vulnerability,
)
from operations.services import unit_create
from pamilu import actors

# (code, name, zone, lat, lng, KPU province code, [polres...])
# polres: (code, name, subtype, lat, lng, KPU regency code, district name, [polsek names])
TREE = [
    (
        "POLDA-MALUKU",
        "Polda Maluku",
        TimeZone.WIT,
        -3.6954,
        128.1814,
        [
            (
                "POLRESTA-AMBON",
                "Polresta Pulau Ambon dan Pulau-Pulau Lease",
                PolresType.POLRESTA,
                -3.6960,
                128.1830,
                "8171",
                "Kota Ambon",
                [
                    "Sirimau",
                    "Nusaniwe",
                    "Baguala",
                    "Teluk Ambon",
                    "Leitimur Selatan",
                    "Salahutu",
                    "Leihitu",
                    "Saparua",
                ],
            )
        ],
    ),
    (
        "POLDA-SULSEL",
        "Polda Sulawesi Selatan",
        TimeZone.WITA,
        -5.1477,
        119.4327,
        [
            (
                "POLRES-SINJAI",
                "Polres Sinjai",
                PolresType.POLRES,
                -5.1241,
                120.2530,
                "7307",
                "Kabupaten Sinjai",
                [
                    "Sinjai Utara",
                    "Sinjai Timur",
                    "Sinjai Selatan",
                    "Sinjai Tengah",
                    "Sinjai Barat",
                    "Bulupoddo",
                    "Tellulimpoe",
                    "Sinjai Borong",
                    "Pulau Sembilan",
                ],
            )
        ],
    ),
    (
        "POLDA-BANTEN",
        "Polda Banten",
        TimeZone.WIB,
        -6.1200,
        106.1503,
        [
            (
                "POLRES-PANDEGLANG",
                "Polres Pandeglang",
                PolresType.POLRES,
                -6.3084,
                106.1040,
                "3601",
                "Kabupaten Pandeglang",
                ["Pandeglang", "Cadasari", "Labuan", "Menes", "Panimbang", "Cibaliung", "Carita"],
            )
        ],
    ),
    (
        "POLDA-JATIM",
        "Polda Jawa Timur",
        TimeZone.WIB,
        -7.2575,
        112.7521,
        [
            (
                "POLRES-JOMBANG",
                "Polres Jombang",
                PolresType.POLRES,
                -7.5469,
                112.2331,
                "3517",
                "Kabupaten Jombang",
                ["Jombang", "Diwek", "Mojoagung", "Ploso", "Kabuh", "Perak", "Sumobito"],
            )
        ],
    ),
    (
        "POLDA-KALTENG",
        "Polda Kalimantan Tengah",
        TimeZone.WIB,
        -2.2161,
        113.9135,
        [
            (
                "POLRES-SERUYAN",
                "Polres Seruyan",
                PolresType.POLRES,
                -3.3833,
                112.5500,
                "6207",
                "Kabupaten Seruyan",
                ["Seruyan Hilir", "Danau Sembuluh", "Seruyan Tengah", "Seruyan Hulu", "Hanau"],
            )
        ],
    ),
]

# Phases of Pemilu 2024 (PKPU 3/2022).
OMB_PHASES = [
    (PhaseKind.PENDAFTARAN, "Pendaftaran capres/cawapres", "2023-10-19", "2023-11-25", False),
    (PhaseKind.KAMPANYE, "Kampanye", "2023-11-28", "2024-02-10", False),
    (PhaseKind.MASA_TENANG, "Masa tenang", "2024-02-11", "2024-02-13", False),
    (PhaseKind.PEMUNGUTAN, "Pemungutan suara", "2024-02-14", "2024-02-14", True),
    (PhaseKind.PENGHITUNGAN, "Penghitungan suara", "2024-02-14", "2024-02-15", False),
    (PhaseKind.REKAPITULASI, "Rekapitulasi", "2024-02-15", "2024-03-20", False),
    (PhaseKind.PENETAPAN_HASIL, "Penetapan hasil", "2024-03-21", "2024-04-22", False),
]
OMB_START = dt.date(2023, 10, 19)
OMB_END = dt.date(2024, 10, 20)
OMB_VOTING_DAY = dt.date(2024, 2, 14)

SATGAS = {
    UnitKind.MABES: [
        "Preemtif",
        "Preventif",
        "Tindak",
        "Gakkum",
        "Pam Capres/Cawapres",
        "Antiteror",
        "TPS Luar Negeri",
        "Humas",
        "Banops",
    ],
    UnitKind.POLDA: [
        "Preemtif",
        "Preventif",
        "Kamseltibcarlantas",
        "Tindak",
        "Gakkum",
        "Humas",
        "Banops",
    ],
    UnitKind.POLRES: ["Preemtif", "Preventif", "Kamseltibcarlantas", "Gakkum", "Humas", "Banops"],
}

# Operation-wide pattern (police–TPS–Linmas), after Polres Tarakan 2024.
PATTERN = {
    Vulnerability.KURANG_RAWAN: (2, 8, 16),
    Vulnerability.RAWAN: (2, 2, 4),
    Vulnerability.SANGAT_RAWAN: (2, 1, 2),
    Vulnerability.KHUSUS: (2, 1, 2),
}

SIMULATION_CODE = "omb-simulasi"
SIMULATION_DAYS_TO_VOTE = 20


@dataclass
class DemoContext:
    """What each app's demo step hands to the next."""

    today: dt.date
    mabes: Unit | None = None
    poldas: list[Unit] = field(default_factory=list)
    polres: list[Unit] = field(default_factory=list)
    polsek: list[Unit] = field(default_factory=list)
    omb: Operation | None = None
    simulation: Operation | None = None
    stdout: object = None


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _ensure_unit(code, name, kind, parent, **extra) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is not None:
        return unit
    return unit_create(
        code=code, name=name, kind=kind, parent=parent, by=actors.DEMO, channel="system", **extra
    )


def _slug(name: str) -> str:
    return name.upper().replace(" ", "-").replace("/", "-")


def load_units(ctx: DemoContext) -> None:
    ctx.mabes = _ensure_unit(
        "MABES",
        "Mabes Polri",
        UnitKind.MABES,
        None,
        time_zone=TimeZone.WIB,
        latitude=_dec(-6.2383),
        longitude=_dec(106.7985),
    )
    for code, name, zone, lat, lng, polres_list in TREE:
        polda = _ensure_unit(
            code,
            name,
            UnitKind.POLDA,
            ctx.mabes,
            time_zone=zone,
            latitude=_dec(lat),
            longitude=_dec(lng),
        )
        ctx.poldas.append(polda)
        for pcode, pname, subtype, plat, plng, _kpu, _district, polsek_names in polres_list:
            polres = _ensure_unit(
                pcode,
                pname,
                UnitKind.POLRES,
                polda,
                subtype=subtype,
                latitude=_dec(plat),
                longitude=_dec(plng),
            )
            ctx.polres.append(polres)
            rng = random.Random(pcode)
            for sname in polsek_names:
                polsek = _ensure_unit(
                    f"POLSEK-{_slug(sname)}",
                    f"Polsek {sname}",
                    UnitKind.POLSEK,
                    polres,
                    latitude=_dec(plat + rng.uniform(-0.12, 0.12)),
                    longitude=_dec(plng + rng.uniform(-0.12, 0.12)),
                )
                ctx.polsek.append(polsek)


def _ensure_operation(code: str, **fields) -> Operation:
    operation, _created = Operation.objects.get_or_create(code=code, defaults=fields)
    return operation


def _ensure_phases(operation: Operation, shift: dt.timedelta) -> None:
    for kind, name, start, end, voting in OMB_PHASES:
        Phase.objects.get_or_create(
            operation=operation,
            kind=kind,
            start_date=dt.date.fromisoformat(start) + shift,
            defaults={
                "name": name,
                "end_date": dt.date.fromisoformat(end) + shift,
                "is_voting_day": voting,
            },
        )


def _ensure_task_forces(operation: Operation) -> None:
    for level, names in SATGAS.items():
        for name in names:
            TaskForce.objects.get_or_create(
                operation=operation,
                level=level,
                code=_slug(name).lower(),
                defaults={"name": f"Satgas {name}"},
            )


def _ensure_patterns(operation: Operation, sinjai: Unit | None) -> None:
    for level, (police, tps, linmas) in PATTERN.items():
        SecurityPattern.objects.get_or_create(
            operation=operation,
            unit=None,
            vulnerability=level,
            defaults={"police": police, "tps_per_group": tps, "linmas": linmas},
        )
    if sinjai is not None:
        # Polres Sinjai's own, tighter pattern for kurang-rawan TPS (2-4-8).
        SecurityPattern.objects.get_or_create(
            operation=operation,
            unit=sinjai,
            vulnerability=Vulnerability.KURANG_RAWAN,
            defaults={"police": 2, "tps_per_group": 4, "linmas": 8},
        )


def load_operations(ctx: DemoContext) -> None:
    ctx.omb = _ensure_operation(
        "omb-2023-2024",
        name="Operasi Mantap Brata 2023-2024",
        kind=OperationKind.PEMILU,
        unit=ctx.mabes,
        start_date=OMB_START,
        end_date=OMB_END,
        report_deadline_hour=20,
        personnel_announced=261695,
        description="Pengamanan Pemilu 2024: 222 hari operasi (74 hari 2023, 148 hari 2024).",
    )
    # A rehearsal with the real phases shifted so that voting day lies ahead of today:
    # this is what makes the dashboard, reports and summaries live in the demo.
    # Its dates are fixed when first created, so loading again changes nothing.
    shift = (ctx.today + dt.timedelta(days=SIMULATION_DAYS_TO_VOTE)) - OMB_VOTING_DAY
    ctx.simulation = _ensure_operation(
        SIMULATION_CODE,
        name="Simulasi Operasi Mantap Brata (latihan)",
        kind=OperationKind.PEMILU,
        unit=ctx.mabes,
        start_date=OMB_START + shift,
        end_date=OMB_END + shift,
        report_deadline_hour=20,
        description="Latihan dengan tahapan Pemilu 2024 yang digeser ke tanggal sekarang.",
    )
    sinjai = Unit.objects.filter(code="POLRES-SINJAI").first()
    for operation in (ctx.omb, ctx.simulation):
        op_shift = operation.start_date - OMB_START
        _ensure_phases(operation, op_shift)
        _ensure_task_forces(operation)
        _ensure_patterns(operation, sinjai)


VULNERABILITY_MIX = [
    (Vulnerability.KURANG_RAWAN, 0.86),
    (Vulnerability.RAWAN, 0.10),
    (Vulnerability.SANGAT_RAWAN, 0.03),
    (Vulnerability.KHUSUS, 0.01),
]


def _pick_vulnerability(rng: random.Random) -> str:
    roll = rng.random()
    total = 0.0
    for level, share in VULNERABILITY_MIX:
        total += share
        if roll < total:
            return level
    return Vulnerability.KURANG_RAWAN


def load_posts(ctx: DemoContext) -> None:
    """TPS under every Polsek, plus a warehouse and KPU/Bawaslu offices per Polres."""
    regency = {p[0]: (p[5], p[6]) for polda in TREE for p in polda[5]}
    posts: list[Post] = []
    for operation in (ctx.omb, ctx.simulation):
        for polres in ctx.polres:
            kpu_code, district = regency[polres.code]
            polsek_list = [s for s in ctx.polsek if s.parent_id == polres.pk]
            for kec_index, polsek in enumerate(polsek_list, start=1):
                rng = random.Random(f"{operation.code}:{polsek.code}")
                subdistrict = polsek.name.removeprefix("Polsek ")
                n_tps = rng.randint(24, 40)
                villages = [f"Desa {subdistrict} {i}" for i in range(1, rng.randint(4, 7))]
                for number in range(1, n_tps + 1):
                    village_index = (number - 1) % len(villages)
                    level = _pick_vulnerability(rng)
                    code = f"{kpu_code}{kec_index:02d}{1001 + village_index:04d}{number:03d}"
                    posts.append(
                        Post(
                            operation=operation,
                            unit=polsek,
                            kind=PostKind.TPS,
                            code=code,
                            name=f"TPS {number:03d} {villages[village_index]}",
                            village=villages[village_index],
                            subdistrict=subdistrict,
                            district=district,
                            voters=rng.randint(150, 300),
                            vulnerability=level,
                            linmas=2,
                            latitude=_dec(float(polsek.latitude) + rng.uniform(-0.04, 0.04)),
                            longitude=_dec(float(polsek.longitude) + rng.uniform(-0.04, 0.04)),
                        )
                    )
            short = polres.name.split(" ", 1)[1]
            for kind, code, name, guards in (
                (PostKind.WAREHOUSE, "GUDANG", f"Gudang Logistik KPU {short}", 4),
                (PostKind.OFFICE, "KPU", f"Kantor KPU {district}", 2),
                (PostKind.OFFICE, "BAWASLU", f"Kantor Bawaslu {district}", 2),
            ):
                posts.append(
                    Post(
                        operation=operation,
                        unit=polres,
                        kind=kind,
                        code=f"{code}-{kpu_code}",
                        name=name,
                        district=district,
                        round_the_clock=kind == PostKind.WAREHOUSE,
                        guards_required=guards,
                        latitude=_dec(float(polres.latitude) + 0.004),
                        longitude=_dec(float(polres.longitude) + 0.004),
                    )
                )
    Post.objects.bulk_create(posts, ignore_conflicts=True, batch_size=1000)
    for operation in (ctx.omb, ctx.simulation):
        counts.rebuild(operation.pk)  # ignore_conflicts: which rows are new is unknown


def load(ctx: DemoContext) -> None:
    load_units(ctx)
    load_operations(ctx)
    load_posts(ctx)
