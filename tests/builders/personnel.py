"""Warrants (sprin) and the personnel assigned on them; the rank list after a flush."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools

from django.apps import apps

from operations.models import Unit
from pamilu import actors
from personnel.models import Assignment, Personnel, Rank, Warrant
from personnel.services import assignment_add, warrant_issue
from tests.builders.org import person

_numbers = itertools.count(1)


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> dt.datetime:
    """An instant in 2024 (UTC)."""
    return dt.datetime(2024, month, day, hour, minute, tzinfo=dt.UTC)


def warrant(operation, unit: Unit) -> Warrant:
    return warrant_issue(
        number=f"Sprin/{next(_numbers)}/I/OPS.1.1/2024",
        date=dt.date(2024, 1, 2),
        issuing_unit=unit,
        operation=operation,
        by=actors.SYSTEM,
        channel="system",
    )


def assigned(
    operation, serve: Unit, *, home: Unit | None = None, rank="BRIPTU", warrant_=None, **extra
) -> Assignment:
    """One person of `home` (default `serve`) assigned to serve under `serve` (services)."""
    someone = person(home or serve, rank=rank, **extra)
    return assignment_add(
        warrant=warrant_ or warrant(operation, serve),
        personnel=someone,
        unit=serve,
        by=actors.SYSTEM,
        channel="system",
    )


def assignments(operation, unit: Unit, n: int, *, bko: int = 0, home=None) -> list[Assignment]:
    """`n` people serving under `unit`, the first `bko` of them lent from `home`: bulk rows
    on one warrant, for reads that count many (`assigned` goes through the services)."""
    if not Rank.objects.filter(code="BRIPTU").exists():
        load_ranks()  # a flushed database (transactional_db, live_server)
    rank = Rank.objects.get(code="BRIPTU")
    sprin = Warrant.objects.create(
        number=f"Sprin/{next(_numbers)}/I/OPS.1.1/2024",
        date=operation.start_date,
        issuing_unit=unit,
        operation=operation,
    )
    people = Personnel.objects.bulk_create(
        Personnel(
            nrp=f"{80000000 + next(_numbers):08d}",
            name="Personel Uji",
            rank=rank,
            unit=home if i < bko else unit,
        )
        for i in range(n)
    )
    return Assignment.objects.bulk_create(
        Assignment(
            warrant=sprin,
            personnel=p,
            operation=operation,
            unit=unit,
            is_bko=p.unit_id != unit.pk,
            home_unit=p.unit,
        )
        for p in people
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
