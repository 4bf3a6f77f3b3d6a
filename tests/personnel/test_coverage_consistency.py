"""The maintained coverage numbers stay exact under concurrent writes (PostgreSQL).

Threads, each with its own connection, run a random mix of the writes that change them:
deployments created (to a TPS, to a group of TPS, own and BKO, the same persons and posts
from several threads) and cancelled (a group's last one dissolves it), TPS vulnerability
and kind edits, TPS deletes, persons deactivated and assigned, unit moves. Afterwards
every number is compared with a full recomputation (``coverage_counts.drift``, also what
``rebuild_counts --check`` runs), and the page's answer with the one read from the
deployments.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.models import ProtectedError

from operations import services as op_services
from operations import tree
from operations.models import Post, PostKind, Unit, Vulnerability
from pamilu import actors
from personnel import coverage_counts, selectors, services
from personnel.models import Assignment, DeployedCount, Deployment, PostGroup
from tests import builders
from tests.builders import assigned, at, tps, warrant

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
STEPS = 30
LEVELS = list(Vulnerability.values)
_hours = itertools.count(0)
_lock = threading.Lock()


def _slot() -> tuple[dt.datetime, dt.datetime]:
    with _lock:
        hour = next(_hours)
    start = at(1, 0) + dt.timedelta(hours=hour % 400)
    return start, start + dt.timedelta(hours=2)


class World:
    def __init__(self, tree, operation):
        self.op = operation
        self.polsek = [tree.sirimau, tree.nusaniwe, tree.sinjai_utara]
        self.polres = [tree.ambon, tree.sinjai]
        for unit in self.polsek:
            for level in LEVELS:
                tps(operation, unit, level, 3)
        self.assignments = [assigned(operation, u) for u in self.polsek for _ in range(2)]
        self.assignments += [assigned(operation, tree.ambon, home=tree.maluku) for _ in range(2)]
        self.assignments += [assigned(operation, tree.sinjai, home=tree.sulsel) for _ in range(2)]
        self.people = [a.personnel_id for a in self.assignments]
        self.warrant = warrant(operation, tree.maluku)

    def _tps(self, rng, unit=None):
        qs = Post.objects.filter(operation=self.op, kind=PostKind.TPS)
        if unit is not None:
            qs = qs.filter(tree.subtree_q(unit, "unit"))
        ids = list(qs.values_list("pk", flat=True))
        return Post.objects.select_related("unit").get(pk=rng.choice(ids)) if ids else None

    def deploy_post(self, rng):
        assignment = Assignment.objects.select_related("unit").get(
            pk=rng.choice(self.assignments).pk
        )
        post = self._tps(rng, assignment.unit)
        if post is not None:
            start, end = _slot()
            services.deployment_create(
                assignment=assignment, post=post, starts_at=start, ends_at=end, by=actors.SYSTEM,
                channel="system",
            )  # fmt: skip

    def deploy_group(self, rng):
        assignment = Assignment.objects.select_related("unit").get(
            pk=rng.choice(self.assignments).pk
        )
        group = PostGroup.objects.filter(tree.subtree_q(assignment.unit, "unit")).first()
        if group is None or rng.random() < 0.3:
            unit = Unit.objects.get(pk=rng.choice(self.polsek).pk)
            if not tree.is_within(unit, assignment.unit):
                return
            level = rng.choice(LEVELS)
            free = list(
                Post.objects.filter(
                    operation=self.op, unit=unit, kind=PostKind.TPS, vulnerability=level,
                    group_memberships__isnull=True,
                )[:2]
            )  # fmt: skip
            if not free:
                return
            group = services.post_group_create(
                operation=self.op, unit=unit, vulnerability=level, name="G", posts=free,
                by=actors.SYSTEM, channel="system",
            )  # fmt: skip
        start, end = _slot()
        services.deployment_create(
            assignment=assignment, group=group, starts_at=start, ends_at=end, by=actors.SYSTEM,
            channel="system",
        )  # fmt: skip

    def cancel(self, rng):
        ids = list(Deployment.objects.values_list("pk", flat=True))
        if ids:
            deployment = Deployment.objects.get(pk=rng.choice(ids))
            services.deployment_cancel(deployment=deployment, by=actors.SYSTEM, channel="system")

    def tps_edit(self, rng):
        post = self._tps(rng)
        if post is None:
            return
        changes = {"vulnerability": rng.choice(LEVELS)}
        if rng.random() < 0.2 and not post.group_memberships.exists():
            changes = {"kind": PostKind.WAREHOUSE, "vulnerability": ""}
        op_services.post_update(post=post, by=actors.SYSTEM, channel="system", **changes)

    def tps_delete(self, rng):
        post = self._tps(rng)
        if post is not None and not post.deployments.exists():
            op_services.post_delete(post=post, by=actors.SYSTEM, channel="system")

    def person_edit(self, rng):
        person = rng.choice(self.assignments).personnel
        person.refresh_from_db()
        services.personnel_update(
            person=person, is_active=not person.is_active, by=actors.SYSTEM, channel="system"
        )

    def assign(self, rng):
        unit = rng.choice(self.polsek + self.polres)
        person = builders.person(unit)
        services.assignment_add(
            warrant=self.warrant, personnel=person, unit=unit, by=actors.SYSTEM, channel="system"
        )

    def unit_move(self, rng):
        unit = Unit.objects.get(pk=rng.choice(self.polsek).pk)
        parent = Unit.objects.get(pk=rng.choice(self.polres).pk)
        op_services.unit_update(unit=unit, parent=parent, by=actors.SYSTEM, channel="system")


ACTIONS = ["deploy_post"] * 4 + ["deploy_group"] * 2 + ["cancel"] * 2
ACTIONS += ["tps_edit", "tps_delete", "person_edit", "assign", "unit_move"]


def _run(world, seed, tally, failures, start):
    rng = random.Random(seed)
    try:
        start.wait()
        for _ in range(STEPS):
            name = rng.choice(ACTIONS)
            try:
                getattr(world, name)(rng)
                tally[f"ok:{name}"] += 1
            except (ValidationError, ProtectedError, Post.DoesNotExist, Deployment.DoesNotExist):
                tally[f"refused:{name}"] += 1  # a clash, a post gone meanwhile, …
            except DatabaseError as exc:
                if getattr(exc.__cause__, "sqlstate", None) not in ("40P01", "40001"):
                    raise
                tally[f"deadlock:{name}"] += 1
    except BaseException as exc:  # surfaced in the main thread
        failures.append(exc)
    finally:
        connection.close()


def _answer(result):
    def row(r):
        code = r.unit.code if r.unit else None
        return (code, r.tps, r.required, r.deployed_own, r.deployed_bko, r.uncovered_tps, r.available)  # fmt: skip

    levels = [(k, row(v)) for k, v in result.by_level.items()]
    return row(result.total), [row(c) for c in result.children], levels


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_deployment_writes_keep_coverage_numbers_exact(tree, operation, seed):
    world = World(tree, operation)
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
        thread.join(timeout=180)
    assert not failures, failures
    for name in set(ACTIONS):
        assert tally[f"ok:{name}"] > 0, (name, tally)
    assert DeployedCount.objects.filter(personnel__gt=0).exists()

    assert coverage_counts.drift() == []
    call_command("rebuild_counts", check=True)
    forever = (at(1, 0, month=1) - dt.timedelta(days=400), at(1, 0) + dt.timedelta(days=400))
    for unit in Unit.objects.all():
        kept = selectors.coverage(operation, unit)
        assert _answer(kept) == _answer(selectors.coverage(operation, unit, forever)), unit


def test_drift_names_a_number_written_around_the_services(tree, operation):
    post = tps(operation, tree.sirimau, LEVELS[0], 1)[0]
    assignment = assigned(operation, tree.sirimau)
    start, end = _slot()
    services.deployment_create(
        assignment=assignment,
        post=post,
        starts_at=start,
        ends_at=end,
        by=actors.SYSTEM,
        channel="system",
    )
    assert coverage_counts.drift() == []
    Deployment.objects.all().delete()  # around the services: the numbers no longer hold
    wrong = coverage_counts.drift()
    assert ("covered", (operation.pk, tree.sirimau.pk), 1, 0) in wrong
    assert ("deployed", (operation.pk, tree.sirimau.pk, "*", False), 1, 0) in wrong
    coverage_counts.rebuild()
    assert coverage_counts.drift() == []
