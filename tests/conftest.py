"""Shared fixtures: a tree across the three zones and one persona per role.

Mabes (WIB)
├── Polda Maluku (WIT) ── Polresta Ambon ── Polsek Sirimau, Polsek Nusaniwe
├── Polda Sulsel (WITA) ── Polres Sinjai ── Polsek Sinjai Utara
└── Polda Banten (WIB) ── Polres Pandeglang ── Polsek Labuan
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from rest_framework.test import APIClient

from accounts.models import Role
from operations.models import PolresType, TimeZone, UnitKind
from tests import builders
from tests.builders import token_client


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def tree(db):
    mabes = builders.mabes()
    maluku = builders.unit("POLDA-MALUKU", UnitKind.POLDA, mabes, time_zone=TimeZone.WIT)
    ambon = builders.unit("POLRESTA-AMBON", UnitKind.POLRES, maluku, subtype=PolresType.POLRESTA)
    sirimau = builders.unit("POLSEK-SIRIMAU", UnitKind.POLSEK, ambon)
    nusaniwe = builders.unit("POLSEK-NUSANIWE", UnitKind.POLSEK, ambon)
    sulsel = builders.unit("POLDA-SULSEL", UnitKind.POLDA, mabes, time_zone=TimeZone.WITA)
    sinjai = builders.unit("POLRES-SINJAI", UnitKind.POLRES, sulsel, subtype=PolresType.POLRES)
    sinjai_utara = builders.unit("POLSEK-SINJAI-UTARA", UnitKind.POLSEK, sinjai)
    banten = builders.unit("POLDA-BANTEN", UnitKind.POLDA, mabes, time_zone=TimeZone.WIB)
    pandeglang = builders.unit(
        "POLRES-PANDEGLANG", UnitKind.POLRES, banten, subtype=PolresType.POLRES
    )
    labuan = builders.unit("POLSEK-LABUAN", UnitKind.POLSEK, pandeglang)
    return SimpleNamespace(**locals())


@pytest.fixture
def operation(tree):
    return builders.operation(tree.mabes)


@pytest.fixture
def personas(tree):
    """kapolsek of Polsek A and B (same Polres), reviewer at that Polres, command center
    at its Polda, a reviewer outside the subtree, an administrator."""
    return SimpleNamespace(
        kapolsek_a=builders.user(Role.OPERATOR, tree.sirimau, "kapolsek.sirimau"),
        kapolsek_b=builders.user(Role.OPERATOR, tree.nusaniwe, "kapolsek.nusaniwe"),
        reviewer=builders.user(Role.REVIEWER, tree.ambon, "kabagops.ambon"),
        command_center=builders.user(Role.COMMAND_CENTER, tree.maluku, "cc.maluku"),
        outsider=builders.user(Role.REVIEWER, tree.pandeglang, "kabagops.pandeglang"),
        outsider_operator=builders.user(Role.OPERATOR, tree.labuan, "kapolsek.labuan"),
        national=builders.user(Role.COMMAND_CENTER, tree.mabes, "mabes.cc"),
        admin=builders.user(Role.ADMIN, None, "admin", is_staff=True, is_superuser=True),
    )


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"pamilu: database {engine}, redis {'yes' if os.environ.get('REDIS_URL') else 'no'}"


@pytest.fixture
def demo_clock():
    """Demo data is anchored on 'today': keep a test that loads it twice on one day
    (noon WIB, far from any zone's midnight), whenever the suite runs."""
    with time_machine.travel(dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.UTC), tick=True):
        yield


@pytest.fixture
def api(personas):
    """api("kapolsek_a") → an APIClient signed in (with a token) as that persona."""
    cache: dict[str, APIClient] = {}

    def client_for(name: str) -> APIClient:
        if name not in cache:
            cache[name] = token_client(getattr(personas, name))
        return cache[name]

    return client_for
