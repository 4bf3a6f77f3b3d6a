"""Command center on a wall screen: the counts the database holds, drill-down, chart and map."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from operations import clock
from operations.models import Vulnerability
from operations.selectors import reporting_units
from reports.models import DailyReport, ReportStatus
from tests import builders

WALL = {"width": 1920, "height": 1080}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": WALL, "locale": "id-ID"}


def _expected_compliance(operation) -> dict[str, int]:
    """Counted straight from the rows, each unit on its own local today."""
    counts = {"on_time": 0, "late": 0, "missing": 0}
    for unit in reporting_units(operation):
        report = DailyReport.objects.filter(
            operation=operation, unit=unit, report_date=clock.local_date(unit)
        ).first()
        if report is None or report.status == ReportStatus.DRAFT:
            counts["missing"] += 1
        elif report.is_late:
            counts["late"] += 1
        else:
            counts["on_time"] += 1
    return counts


@pytest.mark.browser
def test_command_center_sees_database_counts_and_drills_to_polsek(
    transactional_db, live_server, page, login, personas, tree, screenshot_dir
):
    today = timezone.now().date()
    operation = builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=40),
    )
    by = personas.admin
    for unit, lat, lng in [
        (tree.sirimau, "-3.70", "128.18"),
        (tree.nusaniwe, "-3.72", "128.15"),
        (tree.sinjai_utara, "-5.12", "120.25"),
        (tree.labuan, "-6.38", "105.83"),
    ]:
        builders.tps(
            operation, unit, Vulnerability.KURANG_RAWAN, 3, lat=Decimal(lat), lng=Decimal(lng)
        )
        builders.tps(operation, unit, Vulnerability.RAWAN, 1, lat=Decimal(lat), lng=Decimal(lng))
    builders.assignments(operation, tree.sirimau, 6, bko=2, home=tree.ambon)
    for back in range(1, 8):  # a week of history for the trend charts
        for unit in (tree.sirimau, tree.nusaniwe, tree.ambon, tree.labuan):
            day = clock.local_date(unit) - dt.timedelta(days=back)
            builders.report(
                operation, unit, day, late=back % 3 == 0, personnel_on_duty=10 + back, by=by
            )
    sirimau = builders.report(
        operation, tree.sirimau, clock.local_date(tree.sirimau), personnel_on_duty=25, by=by
    )
    builders.incident(
        sirimau,
        category="unjuk_rasa",
        severity="kuning",
        place="Lapangan Merdeka",
        latitude=Decimal("-3.69"),
        longitude=Decimal("128.18"),
    )
    builders.report(
        operation, tree.ambon, clock.local_date(tree.ambon), late=True, personnel_on_duty=40, by=by
    )
    builders.report(
        operation,
        tree.nusaniwe,
        clock.local_date(tree.nusaniwe),
        status=ReportStatus.DRAFT,
        by=by,
    )
    builders.report(
        operation, tree.pandeglang, clock.local_date(tree.pandeglang), personnel_on_duty=30, by=by
    )
    expected = _expected_compliance(operation)
    assert expected == {"on_time": 2, "late": 1, "missing": 4}
    for polda, lat, lng in [(tree.maluku, -3.6, 128.2), (tree.sulsel, -5.1, 119.4), (tree.banten, -6.1, 106.1)]:  # fmt: skip
        polda.latitude, polda.longitude = Decimal(str(lat)), Decimal(str(lng))
        polda.save(update_fields=["latitude", "longitude"])

    login(page, "mabes.cc")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_load_state("networkidle")
    assert page.text_content("#compliance-on-time").strip() == str(expected["on_time"])
    assert page.text_content("#compliance-late").strip() == str(expected["late"])
    assert page.text_content("#compliance-missing").strip() == str(expected["missing"])
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-compliance'))"
    )
    # National level: one marker per Polda (no points), sized by its TPS.
    assert page.locator("#dashboard-map .dash-aggregate").count() == 3
    assert page.locator("#dashboard-map .dash-post, #dashboard-map .dash-incident").count() == 0
    assert page.locator(".leaflet-tile").count() == 0  # no tile URL: grey background
    page.screenshot(path=str(screenshot_dir / "dashboard-mabes.png"))

    page.get_by_role("link", name="Polda-Maluku").click()
    page.wait_for_load_state("networkidle")
    assert page.text_content("#compliance-on-time").strip() == "1"
    assert page.text_content("#compliance-late").strip() == "1"
    assert page.text_content("#compliance-missing").strip() == "1"
    page.locator("#compliance-table").get_by_role("link", name="Polresta-Ambon").click()
    page.wait_for_load_state("networkidle")
    page.locator("#compliance-table").get_by_role("link", name="Polsek-Sirimau").click()
    page.wait_for_load_state("networkidle")
    assert page.text_content("#dashboard-breadcrumb .active").startswith("Polsek-Sirimau")
    assert [t.strip() for t in page.locator("#dashboard-breadcrumb li").all_text_contents()][
        :3
    ] == ["Mabes", "Polda-Maluku", "Polresta-Ambon"]
    assert page.text_content("#compliance-on-time").strip() == "1"
    assert page.text_content("#compliance-missing").strip() == "0"
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('chart-personnel'))"
    )
    assert page.locator("#chart-compliance").is_visible()
    assert page.locator("#dashboard-map .dash-post").count() == 4
    assert page.locator("#dashboard-map .dash-incident").count() == 1
    page.screenshot(path=str(screenshot_dir / "dashboard-polsek.png"), full_page=True)

    # The panels refresh on their own: a second incident arrives, the poll brings back
    # only the panels it moved (the header's clock too), and the map stays and redraws.
    before = page.get_attribute("#dashboard-updated time", "datetime")
    assert page.text_content("#stat-incidents-today").strip() == "1"
    page.evaluate(
        """() => ['panel-personnel', 'panel-incidents', 'dashboard-map'].forEach(
                     (id) => { document.getElementById(id).dataset.mark = 'before-poll'; })"""
    )
    builders.incident(sirimau, category="laka_lantas", severity="merah", place="Jalan Pattimura",
                      latitude=Decimal("-3.70"), longitude=Decimal("128.17"))  # fmt: skip
    page.wait_for_timeout(1100)
    with page.expect_response(lambda r: "/dashboard/panels/" in r.url) as polled:
        page.evaluate(
            """() => htmx.ajax('GET', document.getElementById('dashboard-panels').getAttribute('hx-get'),
                               {source: '#dashboard-panels', target: '#dashboard-panels', swap: 'outerHTML'})"""
        )
    assert polled.value.request.headers["x-dashboard-panels"].startswith("header=")
    assert polled.value.headers["hx-reswap"] == "none"
    page.wait_for_function(
        "(before) => document.querySelector('#dashboard-updated time').getAttribute('datetime') !== before",
        arg=before,
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#dashboard-map .dash-incident').length === 2"
    )
    assert page.text_content("#stat-incidents-today").strip() == "2"
    assert page.get_attribute("#panel-personnel", "data-mark") == "before-poll"  # not re-sent
    assert page.get_attribute("#panel-incidents", "data-mark") is None  # swapped in anew
    assert page.get_attribute("#dashboard-map", "data-mark") == "before-poll"  # the same map
    assert page.locator("#dashboard-map .dash-post").count() == 4
    assert page.text_content("#compliance-on-time").strip() == "1"
