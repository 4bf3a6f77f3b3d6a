import datetime as dt
import io

import pytest
from django.core.management import call_command

from operations import clock
from operations.models import Event, Operation, Unit
from operations.selectors import voting_day
from personnel.models import Apel, Deployment
from personnel.selectors import coverage, guard_gaps, latest_apels

pytestmark = pytest.mark.usefixtures("demo_clock")


def test_demo_has_deployments_clash_events_gap_and_apel(db):
    out = io.StringIO()
    call_command("load_demo", allow_production=True, stdout=out)
    assert "penempatan bentrok ditolak" in out.getvalue()
    assert "waktu bertumpang tindih" in out.getvalue()
    sim = Operation.objects.get(code="omb-simulasi")
    ambon = Unit.objects.get(code="POLRESTA-AMBON")
    assert Event.objects.filter(operation=sim, unit=ambon).count() == 3
    assert Deployment.objects.filter(operation=sim, event__isnull=False).exists()
    # Voting day at Ambon's TPS: plotted by the pattern; the Polda rollup shows other gaps.
    polres = coverage(sim, ambon)
    assert polres.total.deployed > 0
    assert polres.total.deployed <= polres.total.required
    national = coverage(sim, Unit.objects.get(code="MABES"))
    assert national.total.uncovered_tps > polres.total.uncovered_tps
    # The warehouse is one guard short in the last night shift before voting day.
    vote = voting_day(sim)

    start = clock.day_start(ambon, vote - dt.timedelta(days=2))
    gaps = guard_gaps(sim, ambon, start, start + dt.timedelta(days=2))
    (gudang,) = gaps.posts
    assert [(guards, (e - s).seconds // 3600) for s, e, guards in gudang.ranges()] == [(3, 8)]
    assert Apel.objects.filter(operation=sim).count() > 20
    assert len(latest_apels(ambon, sim)) == 9  # Polresta and its eight Polsek
