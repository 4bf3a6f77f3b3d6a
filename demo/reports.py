"""Two weeks of daily reports for the live rehearsal operation, ending today. Idempotent.

Every reporting unit (Polres and Polsek in the three zones) gets a report per local day,
deterministically from a seeded random: most on time and accepted, some late, some
missing, some returned with a reason, a few still in draft; with activities by kind and
now and then a kejadian menonjol. Written in bulk, with their audit entries.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, User
from audit.models import AuditEntry, Channel
from demo.operations import DemoContext
from operations import clock
from operations.models import UnitKind
from operations.selectors import reporting_units
from personnel.models import Assignment
from reports import facts
from reports.models import (
    ActivityKind,
    DailyReport,
    Incident,
    IncidentCategory,
    ReportActivity,
    ReportStatus,
    Severity,
)

DAYS = 14
SYSTEM_USERNAME = "sistem.demo"

SUMMARIES = [
    "Situasi kamtibmas di wilayah hukum aman dan kondusif.",
    "Patroli dialogis ke titik rawan dan gudang logistik KPU berjalan lancar.",
    "Sambang ke tokoh agama dan tokoh masyarakat untuk cooling system menjelang pemungutan suara.",
    "Pengamanan kampanye terbatas berjalan tertib tanpa gangguan.",
]
OBSTACLES = [
    "",
    "",
    "Sinyal seluler lemah di desa pesisir, laporan dikirim dari Mapolsek.",
    "Kendaraan R4 dalam perbaikan, patroli memakai R2.",
    "Akses ke TPS di pulau kecil bergantung pada cuaca dan perahu warga.",
]
PLANS = [
    "Patroli malam ke gudang logistik dan TPS rawan.",
    "Apel pagi, sambang ke PPK dan PPS, pengaturan lalu lintas di pasar.",
    "Penggalangan tokoh pemuda dan pengamanan rapat pleno PPK.",
]
RETURN_REASONS = [
    "Jumlah personel tidak sesuai sprin, mohon diperbaiki.",
    "Kejadian menonjol belum mencantumkan tindakan yang diambil.",
    "Rincian kegiatan per satgas belum diisi.",
]
INCIDENTS = [
    (IncidentCategory.LAKA_LANTAS, Severity.HIJAU, "Jalan poros kecamatan", "Tabrakan R2 dengan R4, satu korban luka ringan.", "Olah TKP, korban dibawa ke puskesmas."),
    (IncidentCategory.POLITIK_UANG, Severity.KUNING, "Dusun dekat TPS 004", "Laporan warga tentang pembagian amplop oleh tim sukses.", "Dikoordinasikan dengan Panwascam, diteruskan ke Sentra Gakkumdu."),
    (IncidentCategory.HOAKS_SARA, Severity.KUNING, "Grup media sosial warga", "Beredar pesan berantai bernuansa SARA.", "Patroli siber, klarifikasi bersama tokoh agama."),
    (IncidentCategory.UNJUK_RASA, Severity.HIJAU, "Kantor KPU kabupaten", "Aksi damai sekitar 50 orang menuntut transparansi rekapitulasi.", "Pengamanan dan pengaturan lalu lintas, aksi bubar tertib."),
    (IncidentCategory.GANGGUAN, Severity.HIJAU, "Pasar kecamatan", "Keributan antarpemuda setelah kampanye.", "Dilerai, mediasi di Mapolsek."),
    (IncidentCategory.BENCANA, Severity.MERAH, "Desa pesisir", "Banjir rob menggenangi gudang logistik PPS.", "Evakuasi logistik ke kantor desa, pengamanan 24 jam."),
    (IncidentCategory.KAMPANYE_LUAR_JADWAL, Severity.HIJAU, "Lapangan desa", "Pertemuan kampanye di luar jadwal.", "Dihentikan bersama Panwascam."),
]  # fmt: skip
ACTIVITY_PERSONNEL = {
    ActivityKind.PATROLI: (4, 12),
    ActivityKind.PAM_KAMPANYE: (6, 20),
    ActivityKind.PAM_LOGISTIK: (2, 6),
    ActivityKind.SAMBANG: (2, 6),
    ActivityKind.COOLING: (2, 8),
    ActivityKind.LALU_LINTAS: (3, 8),
    ActivityKind.APEL: (10, 30),
}


def _system_user() -> User:
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={
            "full_name": "Sistem (data demo)",
            "role": Role.ADMIN,
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def load(ctx: DemoContext) -> None:
    operation = ctx.simulation
    if operation is None or DailyReport.objects.filter(operation=operation).exists():
        return
    now = timezone.now()
    system = _system_user()
    operators = {u.unit_id: u for u in User.objects.filter(role=Role.OPERATOR, unit__isnull=False)}
    reviewers = {u.unit_id: u for u in User.objects.filter(role=Role.REVIEWER, unit__isnull=False)}
    task_forces = list(operation.task_forces.filter(level=UnitKind.POLRES))
    units = list(reporting_units(operation).order_by("path"))
    strength = _strength(operation)
    days = [ctx.today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    days = [d for d in days if operation.covers(d)]

    reports: list[DailyReport] = []
    plans: list[dict] = []
    for unit in units:
        rng = random.Random(f"reports:{operation.code}:{unit.code}")
        author = operators.get(unit.pk, system)
        reviewer = reviewers.get(unit.parent_id, system)
        for day in days:
            plan = _plan_day(rng, operation, unit, day, now)
            if plan is None:
                continue
            report = DailyReport(
                operation=operation,
                unit=unit,
                report_date=day,
                status=plan["status"],
                personnel_on_duty=_on_duty(rng, unit, strength),
                summary=rng.choice(SUMMARIES),
                obstacles=rng.choice(OBSTACLES),
                next_day_plan=rng.choice(PLANS),
                is_late=plan["late"],
                first_submitted_at=plan["first"],
                submitted_at=plan["submitted"],
                reviewed_at=plan["reviewed"],
                reviewed_by=reviewer if plan["reviewed"] else None,
                return_reason=plan["reason"],
                created_by=author,
            )
            reports.append(report)
            plans.append({**plan, "rng_seed": rng.random(), "author": author, "reviewer": reviewer})
    DailyReport.objects.bulk_create(reports, batch_size=500)
    if not reports[:1] or reports[0].pk is None:
        reports = list(
            DailyReport.objects.filter(operation=operation).order_by("unit__path", "report_date")
        )

    activities: list[ReportActivity] = []
    incidents: list[Incident] = []
    entries: list[AuditEntry] = []
    for report, plan in zip(reports, plans, strict=True):
        rng = random.Random(plan["rng_seed"])
        for kind in rng.sample(list(ACTIVITY_PERSONNEL), rng.randint(3, 6)):
            low, high = ACTIVITY_PERSONNEL[kind]
            # An activity never has more people than were on duty (reports.rules).
            high = min(high, report.personnel_on_duty)
            low = min(low, high)
            activities.append(
                ReportActivity(
                    report=report,
                    kind=kind,
                    task_force=rng.choice(task_forces)
                    if task_forces and rng.random() < 0.4
                    else None,
                    count=rng.randint(1, 6),
                    personnel=rng.randint(low, high),
                )
            )
        if rng.random() < 0.18:
            category, severity, place, text, action = rng.choice(INCIDENTS)
            local = dt.datetime.combine(
                report.report_date, dt.time(rng.randint(6, 19), rng.choice([0, 15, 30, 45]))
            )
            occurred = local.replace(tzinfo=report.unit.zone).astimezone(dt.UTC)
            if occurred < now:
                incidents.append(
                    Incident(
                        report=report,
                        operation=operation,
                        unit=report.unit,
                        category=category,
                        severity=severity,
                        occurred_at=occurred,
                        place=place,
                        description=text,
                        action_taken=action,
                        injured_light=1 if category == IncidentCategory.LAKA_LANTAS else 0,
                        loss_rupiah=rng.choice([0, 0, 500_000, 2_500_000]),
                        forwarded_to_gakkumdu=category == IncidentCategory.POLITIK_UANG,
                    )
                )
        entries.extend(_audit_entries(report, plan))
    ReportActivity.objects.bulk_create(activities, batch_size=1000)
    Incident.objects.bulk_create(incidents, batch_size=1000)
    facts.rebuild()  # bulk rows: the incidents' day and state, the reports' sort key
    # The real instants, set on insert: the trail is append-only (no UPDATE afterwards).
    for entry in entries:
        entry.at = entry._demo_at
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    if ctx.stdout is not None:
        ctx.stdout.write(
            f"  reports: {len(reports)} daily reports, {len(incidents)} incidents "
            f"({operation.name}, {len(days)} days)"
        )


def _strength(operation) -> dict[int, int]:
    """Personnel serving under each unit by the sprin (one query): what reports.rules
    holds the personnel on duty to. Warrants of the demo predate the operation."""
    rows = (
        Assignment.objects.filter(operation=operation)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    return dict(rows)


def _on_duty(rng: random.Random, unit, strength: dict[int, int]) -> int:
    """Most of the unit's strength on duty (60–100 %); without a sprin, a plausible count."""
    total = strength.get(unit.pk)
    if not total:
        return rng.randint(60, 150) if unit.kind == UnitKind.POLRES else rng.randint(12, 30)
    return rng.randint(max(1, (total * 6) // 10), total)


def _plan_day(rng: random.Random, operation, unit, day: dt.date, now: dt.datetime):
    """State of one unit's report of one day: None when it is missing."""
    deadline = clock.report_deadline(operation, unit, day)
    start = clock.day_start(unit, day)
    roll = rng.random()
    age = (clock.local_date(unit, now) - day).days
    plan = {"late": False, "first": None, "submitted": None, "reviewed": None, "reason": ""}
    if age <= 0 and now < deadline:
        # Today before the deadline: some sent, some drafting, the rest not yet begun.
        if roll < 0.35:
            return None
        if roll < 0.6:
            return {**plan, "status": ReportStatus.DRAFT, "created": start + dt.timedelta(hours=7)}
        sent = max(start + dt.timedelta(hours=8), now - dt.timedelta(minutes=rng.randint(5, 240)))
        return {**plan, "status": ReportStatus.SUBMITTED, "first": sent, "submitted": sent}
    if roll < 0.07:
        return None
    if roll < 0.10:
        return {**plan, "status": ReportStatus.DRAFT, "created": start + dt.timedelta(hours=9)}
    late = roll > 0.86
    if late:
        sent = deadline + dt.timedelta(minutes=rng.randint(10, 300))
    else:
        sent = deadline - dt.timedelta(minutes=rng.randint(20, 360))
    if sent > now:
        sent = now - dt.timedelta(minutes=rng.randint(1, 30))
        late = sent > deadline
    plan.update(late=late, first=sent, submitted=sent, created=sent - dt.timedelta(hours=1))
    reviewed = sent + dt.timedelta(minutes=rng.randint(60, 14 * 60))
    review_roll = rng.random()
    if reviewed > now or (age <= 1 and review_roll < 0.5):
        return {**plan, "status": ReportStatus.SUBMITTED}
    if review_roll < 0.10:
        return {
            **plan,
            "status": ReportStatus.RETURNED,
            "reviewed": reviewed,
            "reason": rng.choice(RETURN_REASONS),
        }
    if review_roll < 0.14 and reviewed + dt.timedelta(hours=3) < now:
        # Returned, corrected and sent again; waiting for the reviewer.
        return {
            **plan,
            "status": ReportStatus.SUBMITTED,
            "submitted": reviewed + dt.timedelta(hours=2),
            "returned_at": reviewed,
            "reason": rng.choice(RETURN_REASONS),
        }
    return {**plan, "status": ReportStatus.ACCEPTED, "reviewed": reviewed}


def _entry(report, actor, action: str, at: dt.datetime, changes: dict) -> AuditEntry:
    entry = AuditEntry(
        actor=actor if actor.is_active else None,
        actor_name=actor.username if actor.is_active else "sistem",
        channel=Channel.WEB if actor.is_active else Channel.SYSTEM,
        action=action,
        content_type=ContentType.objects.get_for_model(DailyReport),
        object_id=str(report.pk),
        object_repr=str(report)[:255],
        unit_id=report.unit_id,
        unit_code=report.unit.code,
        changes=changes,
    )
    entry._demo_at = at
    return entry


def _audit_entries(report: DailyReport, plan: dict) -> list[AuditEntry]:
    author, reviewer = plan["author"], plan["reviewer"]
    created = plan.get("created") or plan["first"]
    entries = [
        _entry(
            report,
            author,
            "report.create",
            created,
            {"status": ReportStatus.DRAFT, "personnel_on_duty": report.personnel_on_duty},
        )
    ]
    if plan["first"] is None:
        return entries
    entries.append(
        _entry(
            report,
            author,
            "report.submit",
            plan["first"],
            {
                "status": [ReportStatus.DRAFT, ReportStatus.SUBMITTED],
                "is_late": [False, report.is_late],
            },
        )
    )
    returned_at = plan.get("returned_at")
    if report.status == ReportStatus.RETURNED or returned_at:
        entries.append(
            _entry(
                report,
                reviewer,
                "report.return",
                returned_at or plan["reviewed"],
                {
                    "status": [ReportStatus.SUBMITTED, ReportStatus.RETURNED],
                    "return_reason": ["", report.return_reason],
                },
            )
        )
    if returned_at:
        entries.append(
            _entry(
                report,
                author,
                "report.resubmit",
                report.submitted_at,
                {"status": [ReportStatus.RETURNED, ReportStatus.SUBMITTED]},
            )
        )
    if report.status == ReportStatus.ACCEPTED:
        entries.append(
            _entry(
                report,
                reviewer,
                "report.accept",
                plan["reviewed"],
                {"status": [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]},
            )
        )
    return entries
