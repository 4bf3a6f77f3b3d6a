"""Posts: TPS (with the maintained TPS counts, as the import keeps them) and warehouses."""

from __future__ import annotations

import itertools
from decimal import Decimal

from operations import counts
from operations.models import Post, PostKind, Unit

_serial = itertools.count(1)


def tps(operation, unit: Unit, level: str, n: int, *, lat=None, lng=None, prefix="") -> list[Post]:
    """`n` TPS of `level` under `unit`; with `lat`/`lng`, placed 0.001° apart northwards."""
    posts = Post.objects.bulk_create(
        Post(
            operation=operation,
            unit=unit,
            kind=PostKind.TPS,
            code=f"{prefix}{unit.code}-{level}-{number}",
            name=f"TPS {number}",
            vulnerability=level,
            latitude=None if lat is None else lat + _step(lat) * i,
            longitude=lng,
        )
        for i, number in enumerate(itertools.islice(_serial, n))
    )
    counts.posts_added(posts)  # as operations.imports does: the maintained TPS counts
    return posts


def _step(lat):
    return Decimal("0.001") if isinstance(lat, Decimal) else 0.001


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
