"""One demo login per role (and per time zone for operators and reviewers)."""

from __future__ import annotations

from accounts.models import Role, User
from demo.operations import DemoContext
from operations.models import Unit

DEMO_PASSWORD = "pamilu-demo-2024"  # noqa: S105 - printed demo credentials, demo data only

# (username, full name, role, unit code)
LOGINS = [
    ("admin", "Administrator pamilu", Role.ADMIN, None),
    ("mabes.cc", "Posko Robinops Mabes Polri", Role.COMMAND_CENTER, "MABES"),
    ("maluku.cc", "Command Center Polda Maluku", Role.COMMAND_CENTER, "POLDA-MALUKU"),
    ("sulsel.cc", "Command Center Polda Sulsel", Role.COMMAND_CENTER, "POLDA-SULSEL"),
    ("banten.cc", "Command Center Polda Banten", Role.COMMAND_CENTER, "POLDA-BANTEN"),
    ("kabagops.ambon", "Kabag Ops Polresta Ambon", Role.REVIEWER, "POLRESTA-AMBON"),
    ("kabagops.sinjai", "Kabag Ops Polres Sinjai", Role.REVIEWER, "POLRES-SINJAI"),
    ("kabagops.pandeglang", "Kabag Ops Polres Pandeglang", Role.REVIEWER, "POLRES-PANDEGLANG"),
    ("kapolsek.sirimau", "Kapolsek Sirimau", Role.OPERATOR, "POLSEK-SIRIMAU"),
    ("kapolsek.sinjaiutara", "Kapolsek Sinjai Utara", Role.OPERATOR, "POLSEK-SINJAI-UTARA"),
    ("kapolsek.labuan", "Kapolsek Labuan", Role.OPERATOR, "POLSEK-LABUAN"),
]


def load(ctx: DemoContext) -> None:
    units = {u.code: u for u in Unit.objects.filter(code__in=[c for *_, c in LOGINS if c])}
    for username, full_name, role, unit_code in LOGINS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            unit=units.get(unit_code),
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()


def credentials() -> list[tuple[str, str, str]]:
    return [(u, str(Role(r).label), c or "seluruh Indonesia") for u, _n, r, c in LOGINS]
