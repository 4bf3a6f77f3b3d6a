"""Every maintained number stays exact under concurrent writes (PostgreSQL).

Threads, each with its own database connection, run a random mix of the writes that
change maintained numbers: several report transactions on the same unit and day (create,
edit incidents, submit, return, accept), TPS creates, edits, moves, deletes and imports,
pattern changes, unit moves and sprin assignments. Afterwards every maintained number is
compared with a full recomputation: TPS counts and requirements (operations.counts.drift),
the incidents' day and state and the reports' sort key (reports.facts.drift), the
dashboard's tallies (dashboard.tallies.drift), and what the dashboard reads from the
tallies with what it reads from the source tables, for every unit as the focus.

A transaction PostgreSQL refuses as a deadlock (40P01) rolls back whole; it is counted,
never retried here: the numbers must be exact whatever commits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from audit.models import Channel
from dashboard import aggregates, tallies
from dashboard import selectors as board
from operations import count_selectors, counts, selectors
from operations import services as op_services
from operations.imports import import_tps
from operations.models import Post, PostKind, SecurityPattern, Unit, Vulnerability
from pamilu import actors
from personnel.models import Assignment
from reports import facts, services
from reports.models import DailyReport
from tests import builders
from tests.builders.reports import DAY, NOON

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
STEPS = 40
LEVELS = list(Vulnerability.values)
WEB = Channel.WEB
_codes = itertools.count(1)
_codes_lock = threading.Lock()


def _code(prefix: str) -> str:
    with _codes_lock:
        return f"{prefix}-{next(_codes)}"


class World:
    def __init__(self, tree, op, admin):
        self.op, self.admin = op, admin
        self.polsek = [tree.sirimau.pk, tree.nusaniwe.pk, tree.sinjai_utara.pk, tree.labuan.pk]
        self.polres = [tree.ambon.pk, tree.sinjai.pk, tree.pandeglang.pk]
        self.polda = [tree.maluku.pk, tree.sulsel.pk, tree.banten.pk]
        self.hot = [tree.sirimau.pk, tree.labuan.pk]  # the units every thread reports for
        self.days = [DAY, DAY - dt.timedelta(days=1)]

    # --- TPS ---------------------------------------------------------------------------

    def tps_create(self, rng):
        op_services.post_create(
            operation=self.op,
            unit=Unit.objects.get(pk=rng.choice(self.polsek + self.polres)),
            kind=PostKind.TPS,
            code=_code("TPS"),
            name="TPS",
            village="Desa",
            subdistrict="Kec",
            district="Kab",
            vulnerability=rng.choice(LEVELS),
            by=actors.SYSTEM,
            channel="system",
        )

    def _some_post(self, rng):
        ids = list(Post.objects.filter(operation=self.op).values_list("pk", flat=True)[:200])
        return Post.objects.get(pk=rng.choice(ids)) if ids else None

    def tps_edit(self, rng):
        post = self._some_post(rng)
        if post is None:
            return
        changes = {"vulnerability": rng.choice(LEVELS)}
        if rng.random() < 0.5:
            changes["unit"] = Unit.objects.get(pk=rng.choice(self.polsek))
        op_services.post_update(post=post, by=actors.SYSTEM, channel="system", **changes)

    def tps_delete(self, rng):
        post = self._some_post(rng)
        if post is not None:
            op_services.post_delete(post=post, by=actors.SYSTEM, channel="system")

    def tps_import(self, rng):
        lines = ["kode_tps,desa,kecamatan,kabupaten,dpt,kerawanan,kode_satuan"]
        codes = dict(Unit.objects.filter(pk__in=self.polsek).values_list("pk", "code"))
        for _ in range(rng.randint(2, 8)):
            level = rng.choice(["aman", "rawan", "sangat_rawan", "khusus"])
            lines.append(
                f"{_code('IMP')},Desa,Kec,Kab,200,{level},{codes[rng.choice(self.polsek)]}"
            )
        unit = Unit.objects.get(pk=self.polda[0])
        result = import_tps(
            raw="\n".join(lines).encode(),
            operation=self.op,
            unit=unit,
            by=self.admin,
            channel="import",
        )
        assert not result.errors, result.errors

    # --- patterns and the tree ---------------------------------------------------------

    def pattern_change(self, rng):
        with transaction.atomic():
            counts.lock_for_pattern_change(self.op.pk)
            unit_id = rng.choice(self.polres + self.polda)
            level = rng.choice(LEVELS)
            if rng.random() < 0.3:
                SecurityPattern.objects.filter(
                    operation=self.op, unit_id=unit_id, vulnerability=level
                ).delete()
            else:
                SecurityPattern.objects.update_or_create(
                    operation=self.op,
                    unit_id=unit_id,
                    vulnerability=level,
                    defaults={"police": rng.randint(1, 6), "tps_per_group": rng.randint(1, 9)},
                )
            counts.pattern_changed(self.op.pk)

    def unit_move(self, rng):
        if rng.random() < 0.6:
            unit, parents = rng.choice(self.polsek), self.polres
        else:
            unit, parents = rng.choice(self.polres), self.polda
        op_services.unit_update(
            unit=Unit.objects.get(pk=unit),
            parent=Unit.objects.get(pk=rng.choice(parents)),
            by=actors.SYSTEM,
            channel="system",
        )

    # --- sprin assignments -------------------------------------------------------------

    def assignment_issue(self, rng):
        unit, home = rng.choice(self.polsek), rng.choice(self.polres)
        builders.assignments(
            self.op,
            Unit.objects.get(pk=unit),
            rng.randint(1, 3),
            bko=rng.randint(0, 1),
            home=Unit.objects.get(pk=home),
        )

    def assignment_remove(self, rng):
        ids = list(Assignment.objects.filter(operation=self.op).values_list("pk", flat=True)[:50])
        if ids:
            Assignment.objects.filter(pk=rng.choice(ids)).delete()

    # --- reports on the same unit and day ----------------------------------------------

    def _incidents(self, rng):
        return [
            {
                "category": rng.choice(["kejahatan", "bencana", "laka_lantas"]),
                "severity": rng.choice(["hijau", "kuning", "merah"]),
                "occurred_at": NOON - dt.timedelta(hours=rng.randint(1, 20)),
                "place": "Pasar",
                "description": "Uraian",
            }
            for _ in range(rng.randint(0, 3))
        ]

    def report_write(self, rng):
        unit = Unit.objects.get(pk=rng.choice(self.hot))
        day = rng.choice(self.days)
        report = DailyReport.objects.filter(operation=self.op, unit=unit, report_date=day).first()
        by = self.admin
        if report is None:
            services.report_create(
                operation=self.op,
                unit=unit,
                by=by,
                channel=WEB,
                report_date=day,
                incidents=self._incidents(rng),
            )
            return
        step = rng.choice(["update", "submit", "return", "accept"])
        if step == "update":
            services.report_update(
                report=report, by=by, channel=WEB, incidents=self._incidents(rng)
            )
        elif step == "submit":
            services.report_submit(report=report, by=by, channel=WEB)
        elif step == "return":
            services.report_return(report=report, by=by, channel=WEB, reason="Lengkapi.")
        else:
            services.report_accept(report=report, by=by, channel=WEB)


ACTIONS = [
    "tps_create",
    "tps_create",
    "tps_edit",
    "tps_delete",
    "tps_import",
    "pattern_change",
    "unit_move",
    "assignment_issue",
    "assignment_remove",
    "report_write",
    "report_write",
    "report_write",
]


def _deadlock(exc: DatabaseError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) in ("40P01", "40001")


def _run(world: World, seed: int, tally: Counter, failures: list, start: threading.Barrier):
    rng = random.Random(seed)
    try:
        start.wait()
        for _ in range(STEPS):
            name = rng.choice(ACTIONS)
            try:
                getattr(world, name)(rng)
                tally[f"ok:{name}"] += 1
            except (ValidationError, PermissionDenied):
                tally[f"refused:{name}"] += 1  # a duplicate report, a state conflict, …
            except DatabaseError as exc:
                if not _deadlock(exc):
                    raise
                tally[f"deadlock:{name}"] += 1
    except BaseException as exc:  # surfaced in the main thread
        failures.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_writes_keep_every_maintained_number_exact(tree, op, personas, frozen, seed):
    world = World(tree, op, personas.admin)
    rng = random.Random(seed)
    for _ in range(20):
        world.tps_create(rng)
    world.assignment_issue(rng)  # the rank every later sprin names, made once
    tally: Counter = Counter()
    failures: list = []
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_run, args=(world, seed * 100 + i, tally, failures, start))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    done = sum(n for key, n in tally.items() if key.startswith("ok:"))
    assert done >= THREADS * STEPS // 2, tally
    for name in set(ACTIONS):
        assert tally[f"ok:{name}"] > 0, (name, tally)

    assert counts.drift() == []
    assert facts.drift() == {"incidents": 0, "reports": 0}
    assert tallies.drift() == dict.fromkeys(tallies.TABLES, 0)
    for unit in Unit.objects.all():
        for day in (None, DAY):
            assert_tallies_read_as_sources(personas.national, op, unit, board.zone_days(day))
    for unit in Unit.objects.all():
        assert count_selectors.tps_requirement_by_group(
            op, unit
        ) == selectors.tps_requirement_by_group(op, unit)


def assert_tallies_read_as_sources(user, op, unit, days) -> None:
    """What the dashboard reads from the tallies equals what it reads from the sources."""
    children = list(Unit.objects.filter(parent=unit))
    kept = aggregates.compute(user, op, unit, children, days)
    needs = aggregates.requirement(user, op, unit, children)
    original = tallies.maintained
    tallies.maintained = lambda: False
    try:
        assert aggregates.compute(user, op, unit, children, days) == kept, unit.code
        assert aggregates.requirement(user, op, unit, children) == needs, unit.code
    finally:
        tallies.maintained = original
