"""Demo personnel with a believable rank mix, sprin assigning them (some BKO), and for the
rehearsal operation: events, deployments (one clash refused), a warehouse with a guard gap,
the voting-day TPS plotting of two Polres, and apel records. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.db.models import Count

from demo.operations import DemoContext
from operations import clock, tree
from operations.models import Event, EventKind, Post, PostKind, RiskLevel, TaskForce, Unit, UnitKind
from operations.selectors import voting_day
from pamilu import actors
from personnel.models import Apel, ApelKind, Assignment, Deployment, Personnel, Rank, Warrant
from personnel.plotting import available_assignments, propose
from personnel.services import apel_record, assignment_add, deployment_create, warrant_issue
from personnel.services_plotting import plotting_confirm

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
                by=actors.DEMO,
                channel="system",
            )
            polres_tfs = task_forces.get(UnitKind.POLRES, [])
            for person in Personnel.objects.filter(tree.subtree_q(polres, "unit")).order_by("pk"):
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
                    by=actors.DEMO,
                    channel="system",
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
                    by=actors.DEMO,
                    channel="system",
                )


# --- deployments, events, guard shifts and apel (issue 7) -------------------------------------

# Polres whose rehearsal is staffed: warehouse shifts and events at both, the voting-day TPS
# plotting at Ambon only (the other Polres show as uncovered in the coverage rollup).
STAFFED_POLRES = ["POLRESTA-AMBON", "POLRES-SINJAI"]
PLOTTED_POLRES = ["POLRESTA-AMBON"]


def _say(ctx: DemoContext, message: str) -> None:
    if ctx.stdout is not None:
        ctx.stdout.write(message)


def _local(unit: Unit, day: dt.date, hour: int) -> dt.datetime:
    return clock.day_start(unit, day) + dt.timedelta(hours=hour)


def load_events(ctx: DemoContext) -> dict[str, list[Event]]:
    """Per Polres of the rehearsal: a campaign rally and a candidates' debate the same evening,
    and a logistics distribution two days before voting day."""
    operation = ctx.simulation
    vote = voting_day(operation)
    events: dict[str, list[Event]] = {}
    for polres in ctx.polres:
        short = polres.name.split(" ", 1)[1]
        rally_day = vote - dt.timedelta(days=6)
        specs = [
            (EventKind.RALLY, f"Kampanye rapat umum di {short}", "Lapangan kota", rally_day, 14, 4, 8000, RiskLevel.KUNING, 40),
            (EventKind.DEBATE, f"Debat kandidat {short}", "Gedung KPU", rally_day, 16, 3, 600, RiskLevel.HIJAU, 12),
            (EventKind.LOGISTICS, f"Distribusi logistik pemilu {short}", "Gudang KPU ke PPK", vote - dt.timedelta(days=2), 8, 8, 0, RiskLevel.HIJAU, 10),
        ]  # fmt: skip
        events[polres.code] = []
        for kind, name, place, day, hour, hours, crowd, risk, required in specs:
            event, _created = Event.objects.get_or_create(
                operation=operation,
                unit=polres,
                name=name,
                defaults={
                    "kind": kind,
                    "place": place,
                    "starts_at": _local(polres, day, hour),
                    "ends_at": _local(polres, day, hour + hours),
                    "expected_crowd": crowd,
                    "risk": risk,
                    "personnel_required": required,
                    "latitude": polres.latitude,
                    "longitude": polres.longitude,
                },
            )
            events[polres.code].append(event)
    return events


def _free(operation, polres: Unit, start: dt.datetime, end: dt.datetime, n: int, *, bko=False):
    return list(
        available_assignments(operation, polres, start, end)
        .filter(unit=polres, is_bko=bko)
        .order_by("-personnel__rank__order", "pk")[:n]
    )


def load_guard_shifts(ctx: DemoContext, polres: Unit) -> None:
    """The Polres's logistics warehouse guarded in three 8-hour shifts of 4 over the two days
    before voting day, one guard short in the last night shift: a coverage gap to find."""
    operation = ctx.simulation
    gudang = Post.objects.filter(
        operation=operation, unit=polres, kind=PostKind.WAREHOUSE, round_the_clock=True
    ).first()
    if gudang is None or Deployment.objects.filter(post=gudang).exists():
        return
    vote = voting_day(operation)
    first_day = vote - dt.timedelta(days=2)
    guards = _free(operation, polres, _local(polres, first_day, 0), _local(polres, vote, 0), 12)
    if len(guards) < 12:
        return
    for offset in range(2):
        day = first_day + dt.timedelta(days=offset)
        for shift in range(3):
            crew = guards[shift * 4 : shift * 4 + 4]
            if offset == 1 and shift == 2:
                crew = crew[:3]  # the gap
            for assignment in crew:
                deployment_create(
                    assignment=assignment,
                    post=gudang,
                    starts_at=_local(polres, day, shift * 8),
                    ends_at=_local(polres, day, shift * 8 + 8),
                    note="Jaga gudang logistik",
                    by=actors.DEMO,
                    channel="system",
                )


def load_event_deployments(ctx: DemoContext, polres: Unit, events: list[Event]) -> None:
    """Personnel to the rally, then one of them to the overlapping debate: refused (a clash)."""
    operation = ctx.simulation
    rally, debate, logistics = events
    if not Deployment.objects.filter(event=rally).exists():
        for assignment in _free(operation, polres, rally.starts_at, rally.ends_at, 10):
            deployment_create(
                assignment=assignment,
                event=rally,
                starts_at=rally.starts_at - dt.timedelta(hours=1),
                ends_at=rally.ends_at + dt.timedelta(hours=1),
                note="Pengamanan kampanye",
                by=actors.DEMO,
                channel="system",
            )
    if not Deployment.objects.filter(event=debate).exists():
        for assignment in _free(operation, polres, debate.starts_at, debate.ends_at, 4, bko=True):
            deployment_create(
                assignment=assignment,
                event=debate,
                starts_at=debate.starts_at,
                ends_at=debate.ends_at,
                by=actors.DEMO,
                channel="system",
            )
    # The clash the demo shows: a rally guard also put on the debate. The service refuses it.
    at_rally = Deployment.objects.filter(event=rally).select_related("assignment").first()
    if at_rally is not None:
        try:
            deployment_create(
                assignment=at_rally.assignment,
                event=debate,
                starts_at=debate.starts_at,
                ends_at=debate.ends_at,
                by=actors.DEMO,
                channel="system",
            )
        except ValidationError as exc:
            _say(ctx, f"Demo: penempatan bentrok ditolak — {' '.join(exc.messages)}\n")
    if not Deployment.objects.filter(event=logistics).exists():
        for assignment in _free(operation, polres, logistics.starts_at, logistics.ends_at, 6):
            deployment_create(
                assignment=assignment,
                event=logistics,
                starts_at=logistics.starts_at,
                ends_at=logistics.ends_at,
                note="Pengawalan logistik",
                by=actors.DEMO,
                channel="system",
            )


def load_tps_plotting(ctx: DemoContext, polres: Unit) -> None:
    """Voting day at the TPS (06:00-24:00 local): the proposed plotting, confirmed."""
    operation = ctx.simulation
    if Deployment.objects.filter(
        tree.subtree_q(polres, "group__unit"), operation=operation
    ).exists():
        return
    vote = voting_day(operation)
    start, end = _local(polres, vote, 6), _local(polres, vote, 24)
    proposal = propose(operation, polres, start, end)
    plotting_confirm(
        operation=operation,
        polres=polres,
        starts_at=start,
        ends_at=end,
        plan=proposal.plan(),
        by=actors.DEMO,
        channel="system",
    )


def load_apels(ctx: DemoContext) -> None:
    """Apel kesiapan at every Polres and Polsek on the rehearsal's first two days."""
    operation = ctx.simulation
    vote = voting_day(operation)
    counts = dict(
        Assignment.objects.filter(operation=operation)
        .values("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    for unit in [*ctx.polres, *ctx.polsek]:
        for days_before in (21, 20):
            held_at = _local(unit, vote - dt.timedelta(days=days_before), 7)
            if Apel.objects.filter(operation=operation, unit=unit, held_at=held_at).exists():
                continue
            rng = random.Random(f"apel:{unit.code}:{days_before}")
            total = counts.get(unit.pk, 0)
            if not total:
                continue
            absences = dict.fromkeys(("sick", "permit", "leave", "duty", "awol"), 0)
            for _ in range(rng.randint(0, max(1, total // 6))):
                absences[rng.choice(list(absences))] += 1
            present = total - sum(absences.values())
            if present < 0:
                continue
            equipment = [
                {"item": "r2", "ready": rng.randint(4, 12), "not_ready": rng.randint(0, 2)},
                {"item": "r4", "ready": rng.randint(1, 4), "not_ready": rng.randint(0, 1)},
                {"item": "ht", "ready": rng.randint(6, 20), "not_ready": rng.randint(0, 3)},
            ]
            if unit.kind == UnitKind.POLRES:
                equipment += [
                    {"item": "truck", "ready": rng.randint(1, 3), "not_ready": rng.randint(0, 1)},
                    {
                        "item": "dalmas",
                        "ready": rng.randint(20, 60),
                        "not_ready": rng.randint(0, 5),
                    },
                ]
            apel_record(
                operation=operation,
                unit=unit,
                held_at=held_at,
                kind=ApelKind.KESIAPAN if days_before == 21 else ApelKind.GELAR_PASUKAN,
                strength={"total": total, "present": present, **absences},
                equipment=equipment,
                commander=f"Kabag Ops {unit.name}"
                if unit.kind == UnitKind.POLRES
                else f"Kapolsek {unit.name.removeprefix('Polsek ')}",
                by=actors.DEMO,
                channel="system",
            )


def load_deployments(ctx: DemoContext) -> None:
    if ctx.simulation is None:
        return
    events = load_events(ctx)
    for polres in ctx.polres:
        if polres.code in STAFFED_POLRES:
            load_guard_shifts(ctx, polres)
            load_event_deployments(ctx, polres, events[polres.code])
        if polres.code in PLOTTED_POLRES:
            load_tps_plotting(ctx, polres)
    load_apels(ctx)


def load(ctx: DemoContext) -> None:
    load_personnel(ctx)
    load_warrants(ctx)
    load_deployments(ctx)
