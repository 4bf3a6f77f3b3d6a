"""The unit's own day and deadline (WIT, WITA, WIB) decide a report's date and late mark."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.models import Role
from audit.models import Channel
from reports import services
from tests import builders
from tests.builders.reports import FULL

D = dt.date(2024, 2, 14)
NEXT = D + dt.timedelta(days=1)
# (place, unit attribute in the tree fixture, IANA zone, abbreviation)
ZONES = [
    ("Ambon", "sirimau", "Asia/Jayapura", "WIT"),
    ("Sinjai", "sinjai_utara", "Asia/Makassar", "WITA"),
    ("Pandeglang", "labuan", "Asia/Jakarta", "WIB"),
]
# (local clock time on `day`, expected default report date, late when submitted then)
MOMENTS = [
    (D, dt.time(19, 59), D, False),  # a minute before the 20:00 deadline
    (D, dt.time(20, 1), D, True),  # a minute after it
    (D, dt.time(23, 59), D, True),  # just before midnight: still D, late
    (NEXT, dt.time(0, 1), NEXT, False),  # just after midnight: the new day, early
]


def _operator(tree, attr):
    unit = getattr(tree, attr)
    return builders.user(Role.OPERATOR, unit, f"op-{unit.code.lower()}")


@pytest.mark.parametrize(("place", "attr", "zone", "abbr"), ZONES)
@pytest.mark.parametrize(("day", "clock", "expected_date", "late"), MOMENTS)
def test_report_date_and_late_mark_follow_the_units_zone(
    tree, op, place, attr, zone, abbr, day, clock, expected_date, late
):
    user = _operator(tree, attr)
    local = dt.datetime.combine(day, clock, tzinfo=ZoneInfo(zone))
    with time_machine.travel(local, tick=False):
        report = services.report_create(
            operation=op, unit=user.unit, by=user, channel=Channel.WEB, **FULL
        )
        report = services.report_submit(report=report, by=user, channel=Channel.WEB)
    assert report.report_date == expected_date, place
    assert report.is_late is late, place
    assert report.first_submitted_at == local.astimezone(dt.UTC)


@pytest.mark.parametrize(("place", "attr", "zone", "abbr"), ZONES)
def test_yesterdays_report_sent_after_midnight_is_late_not_refused(
    tree, op, place, attr, zone, abbr
):
    user = _operator(tree, attr)
    with time_machine.travel(dt.datetime.combine(D, dt.time(18), tzinfo=ZoneInfo(zone))):
        report = services.report_create(
            operation=op, unit=user.unit, by=user, channel=Channel.WEB, **FULL
        )
    after_midnight = dt.datetime.combine(NEXT, dt.time(0, 1), tzinfo=ZoneInfo(zone))
    with time_machine.travel(after_midnight, tick=False):
        report = services.report_submit(report=report, by=user, channel=Channel.WEB)
    assert (report.report_date, report.status, report.is_late) == (D, "submitted", True)


def test_one_instant_is_tomorrow_in_ambon_but_still_today_in_pandeglang(tree, op):
    """At 23:59 WIB it is 00:59 WITA and 01:59 WIT the next day."""
    instant = dt.datetime(2024, 2, 14, 23, 59, tzinfo=ZoneInfo("Asia/Jakarta"))
    users = {attr: _operator(tree, attr) for _p, attr, _z, _a in ZONES}
    with time_machine.travel(instant, tick=False):
        for attr in ("sirimau", "sinjai_utara"):
            report = services.report_create(
                operation=op, unit=users[attr].unit, by=users[attr], channel=Channel.WEB
            )
            assert report.report_date == NEXT
        with pytest.raises(ValidationError) as info:
            services.report_create(
                operation=op,
                unit=users["labuan"].unit,
                by=users["labuan"],
                channel=Channel.WEB,
                report_date=NEXT,
            )
    message = info.value.message_dict["report_date"][0]
    assert "belum tiba" in message and "WIB" in message


@pytest.mark.parametrize(("place", "attr", "zone", "abbr"), ZONES)
def test_deadline_is_the_operations_hour_in_the_units_zone(tree, place, attr, zone, abbr):
    op = builders.operation(tree.mabes, report_deadline_hour=17)
    user = _operator(tree, attr)
    with time_machine.travel(dt.datetime.combine(D, dt.time(17, 30), tzinfo=ZoneInfo(zone))):
        report = services.report_create(
            operation=op, unit=user.unit, by=user, channel=Channel.WEB, **FULL
        )
        report = services.report_submit(report=report, by=user, channel=Channel.WEB)
    assert report.is_late is True
