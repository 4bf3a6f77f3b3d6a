"""Load test plan: N kapolsek (one Polsek each) and command centers at each level.

Run inside Django (bench/load.sh does it). On the national test bed (a copy made by
bench/natdb.sh) it takes real Polsek of the generated data: first those with no report
for their local today (the kapolsek creates it), then those whose today's report is
still a draft (the kapolsek completes and sends it), spread over the country. Their
kapolsek are the generated operator users of those Polsek; command centers are the
generated ones of Mabes and three Polda plus one made here for three Polres. On the
demo (`load_demo`) it adds the Polsek needed to reach N under the demo's Polres
(codes LOAD-…). Tokens come from `accounts.services.token_issue` (no PBKDF2 per request).

Each kapolsek's report is valid to send: personnel on duty within the unit's strength
from the sprin (or the ceiling while none covers it), one activity, a summary. A send
warning (422) is confirmed by the client, as the kapolsek would.

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

from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from accounts.services import token_issue  # noqa: E402
from operations import clock  # noqa: E402
from operations.models import Operation, Unit, UnitKind  # noqa: E402
from operations.services import unit_create  # noqa: E402
from reports import rules  # noqa: E402
from reports.models import DailyReport, ReportStatus, sent_q  # noqa: E402


def running_operation() -> Operation:
    today = timezone.now().date()
    return (
        Operation.objects.filter(start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .first()
    )


def spread(items: list, count: int) -> list:
    """`count` items evenly over `items` (ordered by path: over the whole country)."""
    if count <= 0:
        return []
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def choose_polsek(op: Operation, count: int) -> list[tuple[Unit, DailyReport | None]]:
    """Real Polsek: without a report today first, then with today's draft."""
    polsek = list(Unit.objects.filter(kind=UnitKind.POLSEK).order_by("path"))
    days = {clock.local_date(u) for u in polsek}
    today = {}
    for report in DailyReport.objects.filter(
        operation=op, unit__kind=UnitKind.POLSEK, report_date__in=days
    ).only("id", "unit_id", "report_date", "status"):
        today[(report.unit_id, report.report_date)] = report
    free, drafts = [], []
    for unit in polsek:
        report = today.get((unit.pk, clock.local_date(unit)))
        if report is None:
            free.append((unit, None))
        elif report.status == ReportStatus.DRAFT:
            drafts.append((unit, report))
    if os.environ.get("LOAD_PREFER") == "drafts":  # to try the other path on its own
        free, drafts = drafts, free
    chosen = spread(free, count)
    return chosen + spread(drafts, count - len(chosen))


def personnel_for(op: Operation, unit: Unit, day: dt.date) -> int | None:
    """A plausible count that passes the sending rules (None: the unit cannot send)."""
    power = rules.strength(op, unit, day)
    limit = power.total if power.has_warrant else rules.ceiling(unit)
    yesterday = (
        DailyReport.objects.filter(
            sent_q(), operation=op, unit=unit, report_date=day - dt.timedelta(days=1)
        )
        .values_list("personnel_on_duty", flat=True)
        .first()
    )
    if limit < 1:
        return None
    return max(1, min(limit, yesterday or 12))


def kapolsek_user(unit: Unit) -> User:
    user = User.objects.filter(unit=unit, role=Role.OPERATOR, is_active=True).order_by("pk").first()
    if user is None:  # the demo's generated Polsek have none
        user, _ = User.objects.get_or_create(
            username=f"load.kapolsek.{unit.code.lower()}",
            defaults={"role": Role.OPERATOR, "unit": unit},
        )
    return user


def center_user(unit: Unit) -> User:
    user = (
        User.objects.filter(unit=unit, role=Role.COMMAND_CENTER, is_active=True)
        .order_by("pk")
        .first()
    )
    if user is None:
        user, _ = User.objects.get_or_create(
            username=f"load.cc.{unit.code.lower()}",
            defaults={"role": Role.COMMAND_CENTER, "unit": unit},
        )
    return user


def main(path: str, count: int) -> None:
    op = running_operation()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "load.admin", password=None
    )
    chosen = choose_polsek(op, count)
    polres = list(Unit.objects.filter(kind=UnitKind.POLRES).order_by("path"))
    n = Unit.objects.filter(code__startswith="LOAD-").count()
    while len(chosen) < count:  # the demo: not enough Polsek of its own
        parent = polres[len(chosen) % len(polres)]
        unit = unit_create(
            code=f"LOAD-{n:04d}",
            name=f"Polsek Uji Beban {n:04d}",
            kind=UnitKind.POLSEK,
            parent=parent,
            by=admin,
            channel="system",
        )
        chosen.append((unit, None))
        n += 1
    expiry = timezone.now() + dt.timedelta(days=2)
    kapolsek, skipped = [], 0
    for unit, draft in chosen:
        day = clock.local_date(unit)
        on_duty = personnel_for(op, unit, day)
        if on_duty is None:
            skipped += 1
            continue
        user = kapolsek_user(unit)
        _token, key = token_issue(user=user, expiry=expiry, by=admin, channel="system")
        body = {
            "personnel_on_duty": on_duty,
            "summary": f"Uji beban: {unit.name} aman terkendali.",
            "activities": [{"kind": "patroli", "count": 1, "personnel": on_duty}],
        }
        if draft is None:
            body["operation"] = op.pk
        kapolsek.append(
            {
                "unit": unit.pk,
                "code": unit.code,
                "day": day.isoformat(),
                "token": key,
                "draft": draft.pk if draft else None,
                "body": body,
            }
        )
    levels = [Unit.objects.get(kind=UnitKind.MABES)]
    levels += spread(list(Unit.objects.filter(kind=UnitKind.POLDA).order_by("path")), 3)
    levels += spread(polres, 3)
    centers = []
    for unit in levels:
        user = center_user(unit)
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
    drafts = sum(1 for k in kapolsek if k["draft"])
    units = Unit.objects.filter(Q(kind=UnitKind.POLSEK)).count()
    print(
        f"plan: {len(kapolsek)} kapolsek ({len(kapolsek) - drafts} create today's report, "
        f"{drafts} complete today's draft; {skipped} skipped without strength) of {units} "
        f"Polsek, {len(centers)} command centers, operation {op.code}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 500)
