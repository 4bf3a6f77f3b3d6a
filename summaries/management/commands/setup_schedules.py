"""Restore the default Celery beat schedules (django-celery-beat) from code.

Administrators may change the schedules in the admin; this command puts the
defaults back (and adds any that are missing). Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

# (name, task, kwargs, every N minutes, description)
DEFAULT_SCHEDULES = [
    (
        "rekap-harian-wit",
        "summaries.build_due",
        {"time_zone": "Asia/Jayapura"},
        5,
        "Rekap anev harian satuan WIT (ditutup paling awal).",
    ),
    (
        "rekap-harian-wita",
        "summaries.build_due",
        {"time_zone": "Asia/Makassar"},
        5,
        "Rekap anev harian satuan WITA.",
    ),
    (
        "rekap-harian-wib",
        "summaries.build_due",
        {"time_zone": "Asia/Jakarta"},
        5,
        "Rekap anev harian satuan WIB.",
    ),
    (
        "rekap-nasional",
        "summaries.build_due_national",
        {},
        5,
        "Rekap anev nasional, setelah zona terakhir ditutup.",
    ),
    ("rekap-usang", "summaries.rebuild_stale", {}, 2, "Bangun ulang rekap yang usang."),
    ("pengingat-laporan", "summaries.send_reminders", {}, 5, "Pengingat sebelum batas waktu."),
    ("eskalasi-laporan", "summaries.escalate", {}, 5, "Eskalasi laporan yang belum masuk."),
    ("segel-audit", "audit.seal", {}, 5, "Segel jejak audit ke dalam blok bertanda tangan."),
    (
        "retensi-koreksi",
        "reports.purge_correction_files",
        {},
        60,
        "Musnahkan berkas koreksi yang lewat masa simpan (CORRECTION_RETENTION_DAYS).",
    ),
]


def restore_default_schedules() -> list[PeriodicTask]:
    tasks = []
    with transaction.atomic():
        for name, task, kwargs, minutes, description in DEFAULT_SCHEDULES:
            interval, _created = IntervalSchedule.objects.get_or_create(
                every=minutes, period=IntervalSchedule.MINUTES
            )
            periodic, _created = PeriodicTask.objects.update_or_create(
                name=name,
                defaults={
                    "task": task,
                    "interval": interval,
                    "crontab": None,
                    "solar": None,
                    "clocked": None,
                    "kwargs": json.dumps(kwargs, sort_keys=True),
                    "args": "[]",
                    "enabled": True,
                    "one_off": False,
                    "description": description,
                    # Due at once when beat starts (beat would otherwise wait a whole
                    # interval): the demo shows summaries being generated right away.
                    "last_run_at": timezone.now() - dt.timedelta(minutes=minutes),
                },
            )
            tasks.append(periodic)
    return tasks


class Command(BaseCommand):
    help = (
        "Restore the default Celery beat schedules (rekap anev, reminders, escalations, "
        "audit seal, correction retention)."
    )

    def handle(self, *args, **options):
        for periodic in restore_default_schedules():
            self.stdout.write(f"  {periodic.name:<20} {periodic.task} {periodic.interval}")
        self.stdout.write(self.style.SUCCESS(f"{len(DEFAULT_SCHEDULES)} schedules restored."))
