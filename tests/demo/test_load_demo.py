import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.accounts import DEMO_PASSWORD, LOGINS
from operations.models import Operation, Post, Unit
from personnel.models import Assignment

pytestmark = pytest.mark.usefixtures("demo_clock")


def _table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "audit", "operations", "personnel", "reports", "summaries"}
    }


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _table_counts()
    paths = list(Unit.objects.values_list("path", flat=True))
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _table_counts() == first
    assert list(Unit.objects.values_list("path", flat=True)) == paths


def test_demo_has_the_real_places_in_three_zones(db):
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    zones = dict(Unit.objects.filter(kind="polda").values_list("code", "time_zone"))
    assert zones["POLDA-MALUKU"] == "Asia/Jayapura"
    assert zones["POLDA-SULSEL"] == "Asia/Makassar"
    assert zones["POLDA-BANTEN"] == "Asia/Jakarta"
    for name in [
        "Polresta Pulau Ambon dan Pulau-Pulau Lease",
        "Polres Sinjai",
        "Polres Pandeglang",
        "Polres Jombang",
        "Polres Seruyan",
    ]:
        assert Unit.objects.filter(name=name, kind="polres").exists(), name
    omb = Operation.objects.get(code="omb-2023-2024")
    voting = omb.phases.get(is_voting_day=True)
    assert voting.start_date.isoformat() == "2024-02-14"
    assert omb.task_forces.filter(level="mabes").count() == 9
    levels = set(Post.objects.filter(kind="tps").values_list("vulnerability", flat=True))
    assert levels == {"kurang_rawan", "rawan", "sangat_rawan", "khusus"}

    assert Assignment.objects.filter(is_bko=True).exists()


def test_every_demo_login_works(client, db):
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for username, *_ in LOGINS:
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, username
        assert client.get("/").status_code == 302
        client.post("/accounts/logout/")


def test_load_demo_refuses_production_without_flag(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("load_demo")
