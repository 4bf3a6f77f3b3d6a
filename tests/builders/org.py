"""Units, operations, users with roles and personnel, through the services as the app does."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from accounts.models import Role, User
from operations.models import (
    Operation,
    OperationKind,
    Phase,
    PhaseKind,
    SecurityPattern,
    TaskForce,
    TimeZone,
    Unit,
    UnitKind,
    Vulnerability,
)
from operations.services import unit_create
from pamilu import actors
from personnel.models import Personnel, Rank
from personnel.services import personnel_create

_counter = itertools.count(1)


def unit(code: str, kind: str, parent: Unit | None, *, time_zone: str = "", **extra) -> Unit:
    return unit_create(
        code=code,
        name=extra.pop("name", code.title()),
        kind=kind,
        parent=parent,
        time_zone=time_zone,
        **{"by": actors.SYSTEM, "channel": "system", **extra},
    )


def mabes() -> Unit:
    existing = Unit.objects.filter(code="MABES").first()
    return existing or unit("MABES", UnitKind.MABES, None, time_zone=TimeZone.WIB)


def operation(root: Unit, **fields) -> Operation:
    defaults = {
        "code": f"op-{next(_counter)}",
        "name": "Operasi Uji",
        "kind": OperationKind.PEMILU,
        "unit": root,
        "start_date": dt.date(2024, 1, 1),
        "end_date": dt.date(2024, 3, 31),
        "report_deadline_hour": 20,
    }
    defaults.update(fields)
    op = Operation.objects.create(**defaults)
    Phase.objects.create(
        operation=op,
        kind=PhaseKind.KAMPANYE,
        name="Kampanye",
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 2, 10),
    )
    Phase.objects.create(
        operation=op,
        kind=PhaseKind.PEMUNGUTAN,
        name="Pemungutan suara",
        start_date=dt.date(2024, 2, 14),
        end_date=dt.date(2024, 2, 14),
        is_voting_day=True,
    )
    TaskForce.objects.create(
        operation=op, level=UnitKind.POLRES, code="preventif", name="Preventif"
    )
    for level, (police, tps) in {
        Vulnerability.KURANG_RAWAN: (2, 8),
        Vulnerability.RAWAN: (2, 2),
        Vulnerability.SANGAT_RAWAN: (2, 1),
        Vulnerability.KHUSUS: (2, 1),
    }.items():
        SecurityPattern.objects.create(
            operation=op, vulnerability=level, police=police, tps_per_group=tps
        )
    return op


def user(role: str, unit: Unit | None, username: str | None = None, **extra) -> User:
    name = username or f"{role}-{next(_counter)}"
    u = User(username=name, role=role, unit=unit, **extra)
    u.set_password("pw")
    u.save()
    return u


def person(unit: Unit, *, rank: str = "BRIPTU", nrp: str | None = None, **extra) -> Personnel:
    rank_obj = Rank.objects.get(code=rank)
    ident: dict[str, Any] = {}
    if rank_obj.is_police:
        ident["nrp"] = nrp or f"{90000000 + next(_counter):08d}"
    else:
        ident["nip"] = extra.pop("nip", f"{198001012010011000 + next(_counter):018d}")
    return personnel_create(
        name=extra.pop("name", "Budi Santoso"),
        rank=rank_obj,
        unit=unit,
        **ident,
        **{"by": actors.SYSTEM, "channel": "system", **extra},
    )


ROLE = Role
