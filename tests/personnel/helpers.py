"""Test data for deployments and coverage, built through the services."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

from django.apps import apps

from operations import counts
from operations.models import Post, PostKind, Unit
from personnel.models import Assignment, Warrant
from personnel.services import assignment_add, warrant_issue
from tests import builders

_numbers = itertools.count(1)
UTC = dt.UTC


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=UTC)


def warrant(operation, unit: Unit) -> Warrant:
    return warrant_issue(
        number=f"Sprin/{next(_numbers)}/I/OPS.1.1/2024",
        date=dt.date(2024, 1, 2),
        issuing_unit=unit,
        operation=operation,
    )


def assigned(
    operation, serve: Unit, *, home: Unit | None = None, rank="BRIPTU", warrant_=None, **extra
) -> Assignment:
    person = builders.person(home or serve, rank=rank, **extra)
    return assignment_add(
        warrant=warrant_ or warrant(operation, serve), personnel=person, unit=serve
    )


def tps(operation, unit: Unit, level: str, n: int, *, lat=None, lng=None, prefix="") -> list[Post]:
    start = Post.objects.count()
    posts = Post.objects.bulk_create(
        Post(
            operation=operation,
            unit=unit,
            kind=PostKind.TPS,
            code=f"{prefix}{unit.code}-{level}-{start + i}",
            name=f"TPS {start + i}",
            vulnerability=level,
            latitude=None if lat is None else lat + i * 0.001,
            longitude=None if lng is None else lng,
        )
        for i in range(n)
    )
    counts.posts_added(posts)  # as operations.imports does: the maintained TPS counts
    return posts


def warehouse(operation, unit: Unit, guards: int = 2, code: str = "GUDANG") -> Post:
    return Post.objects.create(
        operation=operation,
        unit=unit,
        kind=PostKind.WAREHOUSE,
        code=code,
        name=f"Gudang Logistik {unit.name}",
        round_the_clock=True,
        guards_required=guards,
    )


def load_ranks() -> None:
    """The ranks of the data migration (transactional tests flush them away)."""
    importlib.import_module("personnel.migrations.0002_ranks").load(apps, None)


def restore_ranks_after_module(django_db_blocker):
    """Body of a module-scoped autouse fixture for modules with transactional tests: its
    teardown runs after the last test's flush, so the tests that follow on this worker
    (other transactional tests, e.g. browser tests) still find the ranks."""
    yield
    with django_db_blocker.unblock():
        load_ranks()
