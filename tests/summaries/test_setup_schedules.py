"""The default beat schedules are restored from code."""

from __future__ import annotations

import json

from django.core.management import call_command
from django_celery_beat.models import PeriodicTask


def test_setup_schedules_restores_defaults_after_admin_change(db):
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {"rekap-harian-wit", "rekap-harian-wita", "rekap-harian-wib", "rekap-nasional"} <= names
    wit = PeriodicTask.objects.get(name="rekap-harian-wit")
    assert wit.task == "summaries.build_due"
    assert json.loads(wit.kwargs) == {"time_zone": "Asia/Jayapura"}
    wit.enabled = False
    wit.kwargs = "{}"
    wit.save()
    count = PeriodicTask.objects.count()
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    wit.refresh_from_db()
    assert wit.enabled is True
    assert json.loads(wit.kwargs) == {"time_zone": "Asia/Jayapura"}
    assert PeriodicTask.objects.count() == count
