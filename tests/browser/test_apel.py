"""A Kapolsek records an apel on a phone; the command center sees it on the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from personnel.models import Apel
from tests import builders
from tests.builders import restore_ranks_after_module

PHONE = {"width": 390, "height": 844}
WALL = {"width": 1920, "height": 1080}

# This transactional test flushes the ranks (a data migration); put them back afterwards.
_restore_ranks = pytest.fixture(scope="module", autouse=True)(restore_ranks_after_module)


@pytest.mark.browser
def test_apel_recorded_on_phone_shows_on_dashboard(
    transactional_db, live_server, browser, login, personas, tree, screenshot_dir
):
    today = timezone.now().date()
    operation = builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=10),
        end_date=today + dt.timedelta(days=30),
    )
    phone = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
    page = phone.new_page()
    login(page, "kapolsek.sirimau")
    page.goto(f"{live_server.url}/apel/new/?unit={tree.sirimau.code}&operation={operation.code}")
    page.select_option("#id_kind", "kesiapan")
    page.fill("#id_total", "30")
    page.fill("#id_present", "25")  # does not add up: 25 + 2 + 1 + 1 != 30
    page.fill("#id_sick", "2")
    page.fill("#id_permit", "1")
    page.fill("#id_duty", "1")
    page.fill("#id_r2_ready", "6")
    page.fill("#id_r2_not_ready", "1")
    page.fill("#id_ht_ready", "10")
    page.click("#apel-form button[type=submit]")
    error = page.locator(".invalid-feedback").first
    assert "harus sama dengan" in error.inner_text()
    assert page.input_value("#id_ht_ready") == "10"  # what was typed is kept
    page.screenshot(path=str(screenshot_dir / "apel-form-error-phone.png"), full_page=True)
    page.fill("#id_present", "26")
    page.click("#apel-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "26 dari 30 personel hadir" in page.inner_text("main")
    page.screenshot(path=str(screenshot_dir / "apel-list-phone.png"), full_page=True)
    apel = Apel.objects.get()
    assert (apel.unit, apel.present, apel.sick, apel.equipment.count()) == (tree.sirimau, 26, 2, 2)
    phone.close()

    wall = browser.new_context(viewport=WALL, locale="id-ID")
    page = wall.new_page()
    login(page, "cc.maluku")
    page.goto(f"{live_server.url}/dashboard/?operation={operation.code}")
    row = page.locator("#readiness-panel .readiness-row").first
    row.wait_for(timeout=15000)
    text = row.inner_text()
    assert "Polsek-Sirimau" in text
    assert "26/30" in text and "87%" in text
    assert "16/17" in text  # equipment ready / counted (R2 6+1, HT 10)
    page.locator("#readiness-panel").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "apel-dashboard-readiness.png"), full_page=True)
    wall.close()
