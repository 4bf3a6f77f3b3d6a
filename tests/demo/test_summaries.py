"""The demo step: summaries for the rehearsal's past days, idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from summaries.models import Summary

pytestmark = pytest.mark.usefixtures("demo_clock")


def test_load_demo_builds_summaries_for_past_days_once(db):
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    daily = Summary.objects.filter(period_kind="daily", operation__code="omb-simulasi")
    assert daily.filter(unit__code="MABES").count() == 7
    assert daily.filter(unit__code="POLRESTA-AMBON").count() == 7
    assert Summary.objects.filter(period_kind="weekly", unit__code="MABES").exists()
    assert Summary.objects.filter(period_kind="phase", unit__code="MABES").exists()
    mabes = daily.filter(unit__code="MABES").order_by("-period_start").first()
    # The demo's reports (demo.reports) are in it; 47 units must report (polres + polsek).
    assert mabes.content["reporting"]["expected"] == 41
    assert mabes.content["reporting"]["reported"] > 0
    before = dict(Summary.objects.values_list("pk", "content"))
    call_command("load_demo", allow_production=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert dict(Summary.objects.values_list("pk", "content")) == before
