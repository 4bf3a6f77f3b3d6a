import importlib
import time

from django.db.models import Count
from django.utils import timezone

from audit.models import AuditEntry
from demo import reports as demo
from demo.operations import DemoContext
from operations.models import Unit
from reports import rules
from reports.models import DailyReport, Incident, ReportActivity


def _load(timings: dict | None = None) -> DemoContext:
    ctx = DemoContext(today=timezone.localdate())
    for name in ["demo.operations", "demo.personnel", "demo.accounts", "demo.reports"]:
        started = time.monotonic()
        importlib.import_module(name).load(ctx)
        if timings is not None:
            timings[name] = time.monotonic() - started
    return ctx


def _counts():
    return (
        DailyReport.objects.count(),
        ReportActivity.objects.count(),
        Incident.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_reports_load_twice_changes_nothing(db):
    _load()
    first = _counts()
    _load()
    assert _counts() == first


def test_demo_reports_cover_two_weeks_three_zones_and_every_state(db):
    timings = {}
    ctx = _load(timings)
    reports = DailyReport.objects.filter(operation=ctx.simulation)
    days = sorted(set(reports.values_list("report_date", flat=True)))
    assert len(days) == demo.DAYS
    assert days[-1] == ctx.today
    zones = set(reports.values_list("unit__time_zone", flat=True))
    assert zones == {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"}
    statuses = dict(reports.values_list("status").annotate(n=Count("id")))
    assert set(statuses) == {"draft", "submitted", "returned", "accepted"}
    assert reports.filter(is_late=True).exists()
    assert reports.filter(status="returned").exclude(return_reason="").exists()
    assert Incident.objects.filter(operation=ctx.simulation).exists()
    units = Unit.objects.filter(kind__in=ctx.simulation.reporting_kinds).count()
    assert reports.count() < units * demo.DAYS  # some are missing
    # Demo kapolsek wrote their own unit's reports; the reviewer reviewed them.
    sirimau = reports.filter(unit__code="POLSEK-SIRIMAU", status="accepted").first()
    assert sirimau.created_by.username == "kapolsek.sirimau"
    assert sirimau.reviewed_by.username == "kabagops.ambon"
    assert timings["demo.reports"] < 5, timings


def test_demo_reports_meet_the_sending_rules(db):
    """Every report the demo shows as sent could have been sent under reports.rules."""
    ctx = _load()
    sent = (
        DailyReport.objects.filter(operation=ctx.simulation)
        .exclude(status="draft")
        .select_related("unit", "operation")
        .prefetch_related("activities")
    )
    assert sent.count() > 100
    refused = {}
    for report in sent:
        errors = rules._errors(report, list(report.activities.all()))
        if errors:
            refused[str(report)] = errors
    assert refused == {}
