"""A kapolsek on a phone sends the daily report; the Kabag Ops returns it; the kapolsek sees why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reports.models import DailyReport
from tests import builders

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": PHONE,
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "locale": "id-ID",
    }


@pytest.mark.browser
def test_kapolsek_submits_on_a_phone_and_sees_the_reviewers_reason(
    transactional_db, live_server, page, browser, login, personas, tree, screenshot_dir
):
    today = timezone.now().date()
    builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "kapolsek.sirimau")
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Buat laporan hari ini").click()
    page.fill("#id_personnel_on_duty", "18")
    page.fill("#id_summary", "Patroli dialogis ke gudang logistik KPU, situasi aman.")
    page.select_option("#id_act-0-kind", "patroli")
    page.fill("#id_act-0-count", "3")
    page.fill("#id_act-0-personnel", "12")
    page.select_option("#id_inc-0-category", "laka_lantas")
    page.fill("#id_inc-0-time", "00:00")  # never in the future of the unit's today
    page.fill("#id_inc-0-place", "Jalan Sultan Hasanuddin")
    page.fill("#id_inc-0-description", "Tabrakan R2, satu korban luka ringan.")
    page.fill("#id_inc-0-injured_light", "1")
    page.fill("#id_next_day_plan", "Apel pagi dan sambang ke PPS.")
    page.screenshot(path=str(screenshot_dir / "reports-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#report-status [data-status]").inner_text() == "Dikirim"
    assert page.locator(".incident").count() == 1

    page.goto(f"{live_server.url}/reports/")
    row = page.locator("[data-report]").first
    assert "Dikirim" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "reports-list-submitted.png"), full_page=True)
    report = DailyReport.objects.get()
    assert (report.status, report.unit, report.incidents.count()) == ("submitted", tree.sirimau, 1)

    reviewer_context = browser.new_context(viewport={"width": 1280, "height": 900})
    reviewer = reviewer_context.new_page()
    reviewer.on("dialog", lambda dialog: dialog.accept())
    login(reviewer, "kabagops.ambon")
    reviewer.goto(f"{live_server.url}/reports/queue/")
    reviewer.get_by_role("link", name="Kembalikan").first.click()
    reviewer.fill("#id_reason", "Jumlah personel tidak sesuai sprin, mohon diperbaiki.")
    reviewer.locator("#kembalikan button[type=submit]").click()
    reviewer.wait_for_load_state("networkidle")
    assert reviewer.locator("#report-status [data-status]").inner_text() == "Dikembalikan"
    reviewer.screenshot(path=str(screenshot_dir / "reports-returned-reviewer.png"), full_page=True)
    reviewer_context.close()

    page.goto(f"{live_server.url}/reports/")
    reason = page.locator(".return-reason").first.inner_text()
    assert "Jumlah personel tidak sesuai sprin" in reason
    assert "Dikembalikan" in page.locator("[data-report]").first.inner_text()
    page.screenshot(path=str(screenshot_dir / "reports-list-returned-phone.png"), full_page=True)
    page.locator("[data-report] a").first.click()
    assert "Jumlah personel tidak sesuai sprin" in page.locator(".return-reason").inner_text()
    page.screenshot(path=str(screenshot_dir / "reports-detail-returned-phone.png"), full_page=True)
