"""The national command center reads the rekap anev in the browser and downloads it."""

from __future__ import annotations

import pytest

from pamilu import actors
from summaries import services
from tests.builders.summaries import D, daily, make_scenario

pytestmark = pytest.mark.browser


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "locale": "id-ID"}


def test_command_center_opens_the_national_rekap_and_downloads_pdf(
    transactional_db,
    live_server,
    page,
    login,
    personas,
    operation,
    tree,
    screenshot_dir,
):
    make_scenario(tree, operation, personas)
    for unit in (tree.mabes, tree.maluku, tree.sulsel, tree.banten):
        services.build_for_day(
            operation=operation, unit=unit, day=D, by=actors.TASKS, channel="system"
        )
    login(page, "mabes.cc")
    page.goto(f"{live_server.url}/summaries/?kind=daily")
    page.screenshot(path=str(screenshot_dir / "summaries-list.png"), full_page=True)
    rows = page.locator("tr[data-summary]")
    assert rows.count() == 4
    page.goto(f"{live_server.url}/summaries/{daily('MABES').pk}/")
    assert page.locator('[data-total="personnel"]').inner_text() == "65"
    assert page.locator('[data-missing="POLSEK-LABUAN"]').is_visible()
    page.screenshot(path=str(screenshot_dir / "summaries-detail-national.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF").click()
    assert download.value.suggested_filename == "rekap-daily-mabes-20240206.pdf"
