"""Load test plan: 500 kapolsek (one Polsek each) and command centers at each level.

Run inside Django (bench/load.sh does it). On the demo (`load_demo`) it adds the
Polsek needed to reach N kapolsek under the demo's Polres (codes LOAD-…); on the
national test bed it uses existing Polsek that have no report for their local today.
Writes a JSON plan with one API token per simulated user (tokens: no PBKDF2 per request).

    python bench/load_setup.py PLAN.json [N]
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
django.setup()

from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import token_issue  # noqa: E402
from operations import clock  # noqa: E402
from operations.models import Operation, Unit, UnitKind  # noqa: E402
from operations.services import unit_create  # noqa: E402
from reports.models import DailyReport  # noqa: E402


def running_operation() -> Operation:
    today = timezone.now().date()
    return (
        Operation.objects.filter(start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .first()
    )


def main(path: str, count: int) -> None:
    op = running_operation()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "load.admin", password=None
    )
    polres = list(Unit.objects.filter(kind=UnitKind.POLRES).order_by("path"))
    have = list(Unit.objects.filter(kind=UnitKind.POLSEK).order_by("path")[: count * 2])
    reported = set(
        DailyReport.objects.filter(
            operation=op, unit__in=have, report_date__gte=timezone.now().date() - dt.timedelta(1)
        ).values_list("unit_id", "report_date")
    )
    free = [u for u in have if (u.pk, clock.local_date(u)) not in reported][:count]
    n = len(free)
    while len(free) < count:
        parent = polres[len(free) % len(polres)]
        free.append(
            unit_create(
                code=f"LOAD-{n:04d}",
                name=f"Polsek Uji Beban {n:04d}",
                kind=UnitKind.POLSEK,
                parent=parent,
                by=admin,
                channel="system",
            )
        )
        n += 1
    expiry = timezone.now() + dt.timedelta(days=2)
    kapolsek = []
    for unit in free:
        user, _ = User.objects.get_or_create(
            username=f"load.kapolsek.{unit.code.lower()}",
            defaults={"role": Role.OPERATOR, "unit": unit},
        )
        _token, key = token_issue(user=user, expiry=expiry, by=admin, channel="system")
        kapolsek.append({"unit": unit.pk, "code": unit.code, "token": key})
    centers = []
    levels = [Unit.objects.get(kind=UnitKind.MABES)]
    levels += list(Unit.objects.filter(kind=UnitKind.POLDA).order_by("path")[:3])
    levels += list(Unit.objects.filter(kind=UnitKind.POLRES).order_by("path")[:3])
    for unit in levels:
        user, _ = User.objects.get_or_create(
            username=f"load.cc.{unit.code.lower()}",
            defaults={"role": Role.COMMAND_CENTER, "unit": unit},
        )
        _token, key = token_issue(user=user, expiry=expiry, by=admin, channel="system")
        centers.append({"unit": unit.pk, "code": unit.code, "kind": unit.kind, "token": key})
    plan = {
        "operation": op.pk,
        "kapolsek": kapolsek,
        "centers": centers,
        "started": timezone.now().isoformat(),
    }
    with open(path, "w") as out:
        json.dump(plan, out)
    print(f"plan: {len(kapolsek)} kapolsek, {len(centers)} command centers, operation {op.code}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500)
