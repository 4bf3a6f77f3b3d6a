"""Demo personnel with a believable rank mix, and sprin assigning them (some BKO)."""

from __future__ import annotations

import datetime as dt
import random

from operations.demo import DemoContext
from operations.models import TaskForce, Unit, UnitKind
from personnel.models import Personnel, Rank, Warrant
from personnel.services import assignment_add, warrant_issue

FIRST = [
    "Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irwan", "Joko", "Kurniawan",
    "Made", "Nyoman", "Rudi", "Slamet", "Teguh", "Wahyu", "Yusuf", "Agus", "Bambang",
    "Rizky", "Andi", "Muhammad", "Samuel", "Yohanes", "Abdul", "Hasan", "Siti", "Dewi",
    "Rina", "Maria", "Fitri", "Arif", "Imam", "Gilang", "Taufik", "Zulkifli", "Ronald",
]  # fmt: skip
LAST = [
    "Saputra", "Wijaya", "Santoso", "Pratama", "Hidayat", "Nugroho", "Siregar", "Lubis",
    "Pattimura", "Latuconsina", "Tuasikal", "Makatita", "Daeng", "Rahman", "Syamsuddin",
    "Setiawan", "Kusuma", "Purnomo", "Gunawan", "Harahap", "Manurung", "Sopacua", "Matulessy",
    "Baso", "Arifin", "Susanto", "Wibowo", "Firmansyah", "Ramadhan", "Efendi",
]  # fmt: skip

# (rank code, weight) for rank-and-file at Polsek/Polres; heads are added separately.
RANK_MIX = [
    ("BRIPDA", 16), ("BRIPTU", 16), ("BRIGPOL", 16), ("BRIPKA", 14), ("AIPDA", 10),
    ("AIPTU", 8), ("BHARADA", 4), ("BHARATU", 3), ("IPDA", 4), ("IPTU", 3), ("AKP", 1),
]  # fmt: skip
HEAD_RANK = {UnitKind.POLSEK: "AKP", UnitKind.POLRES: "AKBP", UnitKind.POLDA: "IRJEN"}
HEAD_TITLE = {UnitKind.POLSEK: "Kapolsek", UnitKind.POLRES: "Kapolres", UnitKind.POLDA: "Kapolda"}
STAFF_SIZE = {UnitKind.MABES: 12, UnitKind.POLDA: 24, UnitKind.POLRES: 30, UnitKind.POLSEK: 14}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def _nrp(serial: int, rng: random.Random) -> str:
    """NRP: birth year and month, then a serial (8 digits)."""
    return f"{rng.randint(70, 99):02d}{rng.randint(1, 12):02d}{serial % 10000:04d}"


def load_personnel(ctx: DemoContext) -> None:
    ranks = {r.code: r for r in Rank.objects.all()}
    units = [ctx.mabes, *ctx.poldas, *ctx.polres, *ctx.polsek]
    people: list[Personnel] = []
    serial = 0
    used: set[str] = set()
    for unit in units:
        rng = random.Random(f"personnel:{unit.code}")
        size = STAFF_SIZE[unit.kind] + rng.randint(0, 6)
        for index in range(size):
            serial += 1
            if index == 0 and unit.kind in HEAD_RANK:
                rank = ranks[HEAD_RANK[unit.kind]]
                position = f"{HEAD_TITLE[unit.kind]} {unit.name.split(' ', 1)[1]}"
            elif index == 1 and unit.kind == UnitKind.POLRES:
                rank, position = ranks["KOMPOL"], "Kabag Ops"
            elif unit.kind == UnitKind.POLDA and index < 12:
                rank, position = ranks[rng.choice(["AKBP", "KOMPOL", "AKP"])], "Karo Ops / staf"
            elif unit.kind == UnitKind.MABES:
                rank, position = ranks[rng.choice(["KOMBES", "AKBP", "KOMPOL"])], "Robinops"
            elif index % 17 == 16:
                grade = rng.choice(["II/a", "II/c", "III/a", "III/b"])
                rank, position = ranks[grade], "Staf administrasi (PNS)"
            else:
                codes, weights = zip(*RANK_MIX, strict=True)
                rank = ranks[rng.choices(codes, weights)[0]]
                position = rng.choice(
                    ["Bhabinkamtibmas", "Samapta", "Reskrim", "Intelkam", "Lantas"]
                )
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if rank.is_police:
                nrp = _nrp(serial, rng)
                while nrp in used:
                    serial += 1
                    nrp = _nrp(serial, rng)
                used.add(nrp)
                ident = {"nrp": nrp}
            else:
                ident = {
                    "nip": f"19{rng.randint(70, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}20{rng.randint(10, 20)}{rng.randint(1, 12):02d}1{serial % 1000:03d}"
                }
            people.append(Personnel(name=name, rank=rank, unit=unit, position=position, **ident))
    Personnel.objects.bulk_create(people, ignore_conflicts=True, batch_size=1000)


def load_warrants(ctx: DemoContext) -> None:
    """Each Polres issues a sprin for its subtree; Polda staff are lent to Polres as BKO."""
    for operation in (ctx.omb, ctx.simulation):
        if Warrant.objects.filter(operation=operation).exists():
            continue
        task_forces = {
            tf.level: list(TaskForce.objects.filter(operation=operation, level=tf.level))
            for tf in TaskForce.objects.filter(operation=operation)
        }
        date = operation.start_date - dt.timedelta(days=7)
        for number, polres in enumerate(ctx.polres, start=1):
            rng = random.Random(f"warrant:{operation.code}:{polres.code}")
            warrant = warrant_issue(
                number=f"Sprin/{2400 + number * 7}/{ROMAN[date.month - 1]}/OPS.1.1/{date.year}",
                date=date,
                issuing_unit=polres,
                operation=operation,
                subject=f"Pengamanan {operation.name} di wilayah {polres.name}",
            )
            polres_tfs = task_forces.get(UnitKind.POLRES, [])
            for person in Personnel.objects.filter(unit__path__startswith=polres.path).order_by(
                "pk"
            ):
                # A few Polres members serve under a Polsek (BKO to the Polsek).
                serve = person.unit
                if person.unit_id == polres.pk and rng.random() < 0.25:
                    polseks = list(Unit.objects.filter(parent=polres).order_by("code"))
                    serve = rng.choice(polseks)
                assignment_add(
                    warrant=warrant,
                    personnel=person,
                    unit=serve,
                    task_force=rng.choice(polres_tfs) if polres_tfs else None,
                    role="Personel Satgas",
                )
            # Polda staff lent to this Polres for TPS duty (BKO).
            polda = polres.parent
            lent = (
                Personnel.objects.filter(unit=polda)
                .exclude(assignments__operation=operation)
                .order_by("pk")[:6]
            )
            for person in lent:
                assignment_add(
                    warrant=warrant,
                    personnel=person,
                    unit=polres,
                    task_force=rng.choice(polres_tfs) if polres_tfs else None,
                    role="BKO pengamanan TPS",
                )


def load(ctx: DemoContext) -> None:
    load_personnel(ctx)
    load_warrants(ctx)
