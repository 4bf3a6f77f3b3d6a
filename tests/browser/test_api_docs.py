"""Swagger UI at /api/docs/ renders offline under the strict CSP for a signed-in user."""

from __future__ import annotations

import pytest


@pytest.mark.browser
def test_swagger_ui_renders_offline_for_signed_in_user(
    transactional_db, live_server, page, login, personas, screenshot_dir
):
    blocked = []
    page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
    )
    external = []
    page.on(
        "request",
        lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    login(page, "kabagops.ambon")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-tag", timeout=15000)
    tags = page.locator(".opblock-tag").all_inner_texts()
    assert any("posts" in t for t in tags)
    assert any("personnel" in t for t in tags)
    page.screenshot(path=str(screenshot_dir / "api_docs.png"), full_page=False)
    assert [u for u in external if not u.startswith("data:")] == []
    # Swagger UI sets one inline style that the CSP blocks (cosmetic, see the screenshot);
    # no script is blocked: the UI runs from the sidecar files alone.
    assert [m for m in blocked if "script-src" in m] == []
