"""On a phone (390×844): the empty report refused with the field named, rows added without a
round trip, a warning confirmed and sent, a returned report on the kapolsek's home.

Screenshots of the form and the home at 390×844 and 1920×1080 go to var/screenshots/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from audit.models import Channel
from operations import clock
from reports import services
from reports.models import DailyReport
from tests import builders

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1920, "height": 1080}
FULL = {
    "summary": "Patroli dialogis, situasi aman.",
    "activities": [{"kind": "patroli", "count": 2, "personnel": 10}],
}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 1,
        "is_mobile": True,
        "has_touch": True,
        "locale": "id-ID",
    }


@pytest.fixture
def running(tree):
    today = clock.local_date(tree.sirimau)
    return builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"page is {width}px wide in a {viewport}px viewport"


@pytest.mark.browser
def test_empty_report_is_refused_on_a_phone_with_the_field_named(
    transactional_db, live_server, page, login, personas, running, screenshot_dir
):
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "kapolsek.sirimau")
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Buat laporan hari ini").click()
    page.wait_for_load_state("networkidle")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(screenshot_dir / "report-form-390.png"), full_page=True)

    # Rows without a round trip: a third activity row appears at once.
    assert page.locator(".activity-row").count() == 2
    page.get_by_role("button", name="+ Tambah kegiatan").click()
    assert page.locator(".activity-row").count() == 3
    assert page.input_value("#id_act-TOTAL_FORMS") == "3"
    assert page.evaluate("document.activeElement.id") == "id_act-2-kind"
    page.get_by_role("button", name="+ Tambah kejadian").click()
    assert page.locator("#id_inc-1-category").count() == 1

    # offline.js asks the server first, then posts the form: wait for that page to load.
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state("networkidle")
    summary = page.locator("#form-errors")
    assert summary.is_visible()
    text = summary.inner_text()
    assert "Personel bertugas: Isi jumlah personel yang bertugas" in text
    assert "Kegiatan: Isi paling sedikit satu kegiatan." in text
    # The page moved to the first field in error.
    assert page.evaluate("document.activeElement.id") == "id_personnel_on_duty"
    page.get_by_role("link", name="Kegiatan: Isi paling sedikit satu kegiatan.").click()
    assert page.locator("#section-activities").is_visible()
    _no_horizontal_overflow(page)
    page.screenshot(path=str(screenshot_dir / "report-form-errors-390.png"), full_page=False)
    assert DailyReport.objects.count() == 0


@pytest.mark.browser
def test_a_warning_is_confirmed_and_the_report_sent(
    transactional_db, live_server, page, login, personas, running, tree
):
    user = personas.kapolsek_a
    today = clock.local_date(tree.sirimau)
    yesterday = services.report_create(
        operation=running, unit=tree.sirimau, by=user, channel=Channel.WEB,
        report_date=today - dt.timedelta(days=1), personnel_on_duty=60, **FULL,
    )  # fmt: skip
    services.report_submit(report=yesterday, by=user, channel=Channel.WEB)
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "kapolsek.sirimau")
    page.goto(f"{live_server.url}/reports/new/")
    page.fill("#id_personnel_on_duty", "20")
    page.fill("#id_summary", "Sebagian personel BKO ke Polres untuk pengamanan rapat pleno.")
    page.select_option("#id_act-0-kind", "patroli")
    page.fill("#id_act-0-count", "2")
    page.fill("#id_act-0-personnel", "8")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state("networkidle")
    warning = page.locator("#warning-personnel_drop")
    assert "20 kurang dari separuh kemarin (60)" in warning.inner_text()
    assert page.evaluate("document.activeElement.id") == "confirm-personnel_drop"
    page.check("#confirm-personnel_drop")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#report-status [data-status]").inner_text() == "Dikirim"
    assert page.locator('[data-flag="personnel_drop"]').count() == 1
    _no_horizontal_overflow(page)
    report = DailyReport.objects.get(report_date=today)
    assert (report.status, report.personnel_on_duty) == ("submitted", 20)


@pytest.mark.browser
def test_a_returned_report_heads_the_kapolsek_home_with_its_reason(
    transactional_db, live_server, page, browser, login, personas, running, tree, screenshot_dir
):
    user = personas.kapolsek_a
    today = clock.local_date(tree.sirimau)
    report = services.report_create(
        operation=running, unit=tree.sirimau, by=user, channel=Channel.WEB,
        report_date=today - dt.timedelta(days=1), personnel_on_duty=18, **FULL,
    )  # fmt: skip
    services.report_submit(report=report, by=user, channel=Channel.WEB)
    services.report_return(
        report=report,
        by=personas.reviewer,
        channel=Channel.WEB,
        reason="Jumlah personel tidak sesuai sprin, mohon diperbaiki.",
    )
    login(page, "kapolsek.sirimau")
    page.goto(f"{live_server.url}/")
    returned = page.locator("#returned-reports")
    assert "Jumlah personel tidak sesuai sprin, mohon diperbaiki." in returned.inner_text()
    assert page.locator("[data-returned-reports]").inner_text() == "1"
    today_card = page.locator(".today-report").first
    assert "Batas kirim pukul 20:00 WIT" in today_card.inner_text()
    assert "sisa" in today_card.inner_text() or "lewat" in today_card.inner_text()
    _no_horizontal_overflow(page)
    page.screenshot(path=str(screenshot_dir / "kapolsek-home-390.png"), full_page=True)

    page.get_by_role("link", name="Perbaiki laporan").click()
    page.wait_for_load_state("networkidle")
    assert "Dikembalikan pemeriksa:" in page.locator(".return-reason").inner_text()

    # The same pages on a command-center screen.
    wide = browser.new_context(viewport=DESKTOP)
    desk = wide.new_page()
    login(desk, "kapolsek.sirimau")
    desk.goto(f"{live_server.url}/")
    desk.screenshot(path=str(screenshot_dir / "kapolsek-home-1920.png"), full_page=True)
    desk.goto(f"{live_server.url}/reports/{report.pk}/edit/")
    desk.screenshot(path=str(screenshot_dir / "report-form-1920.png"), full_page=True)
    desk.goto(f"{live_server.url}/reports/{report.pk}/")
    desk.screenshot(path=str(screenshot_dir / "report-detail-1920.png"), full_page=True)
    wide.close()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    _no_horizontal_overflow(page)
    cell = page.locator(".activities-table td").first
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") == '"Jenis"'
    page.screenshot(path=str(screenshot_dir / "report-detail-390.png"), full_page=True)
