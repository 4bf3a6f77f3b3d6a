"""What the offline browser tests share: the phone, the cut link, waiting on the page.

The link is cut with routes on the browser *context* (they cover the service worker's
own requests too) and checked from the server's side (the `server_hits` fixture in
conftest.py): while it is cut, no request at all reaches the live server.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "id-ID",
}
USER = "kapolsek.sirimau"
# The incident's time on the report's day (today in the unit's zone when the date is left
# empty). An incident may not lie in the future, so a time like 07:15 would be refused
# between midnight and 07:15 WIT (15:00–22:15 UTC); midnight has always passed.
INCIDENT_TIME = "00:00"


def api_calls(hits: list[str]) -> list[str]:
    """The reports API's paths among the server's hits."""
    return [path for path in hits if path.startswith("/api/v1/reports")]


def cut_link(context) -> None:
    context.route("**/*", lambda route: route.abort("internetdisconnected"))


def restore_link(context) -> None:
    context.unroute("**/*")


def ready(page) -> None:
    """The form is wired (autosave restored) and the service worker controls the page and
    holds the home and the form."""
    page.wait_for_selector("form[data-offline-ready]")
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    until_true(page, "caches.open('pamilu-pages').then(c => c.keys()).then(k => k.length >= 2)")


def until_true(page, expression: str, arg=None, timeout: float = 20.0) -> None:
    """Evaluate an expression whose value is a promise until it resolves truthy (evaluate
    awaits the promise; wait_for_function would take the promise itself as truthy)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true in time: {expression}")
        page.wait_for_timeout(100)


def draft_has(page, name: str, value) -> None:
    until_true(
        page, "([n, v]) => pamiluOffline.draft().then(d => !!d && d.values[n] === v)", [name, value]
    )


def wait_until(predicate, page=None, timeout: float = 20.0):
    """Poll `predicate`; with a page, wait through Playwright so that route handlers run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if page is not None:
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)
    raise AssertionError("condition not met in time")


def big_photo(path: Path) -> Path:
    """A 3000×2000 phone photo with detail (noise), several MB as JPEG."""
    noise = Image.effect_noise((3000, 2000), 90).convert("RGB")
    noise.save(path, "JPEG", quality=95)
    return path


def type_report(page, summary: str) -> None:
    page.fill("[name=personnel_on_duty]", "18")
    page.fill("[name=summary]", summary)
    page.select_option("[name=act-0-kind]", "patroli")
    page.fill("[name=act-0-count]", "3")
    page.fill("[name=act-0-personnel]", "12")
    page.select_option("[name=inc-0-category]", "laka_lantas")
    page.fill("[name=inc-0-time]", INCIDENT_TIME)
    page.fill("[name=inc-0-place]", "Jalan Sultan Hasanuddin")
    page.fill("[name=inc-0-description]", "Tabrakan R2, satu korban luka ringan.")
    page.fill("[name=inc-0-injured_light]", "1")
    page.fill("[name=next_day_plan]", "Apel pagi dan sambang ke PPS.")


def queue_offline(context, page, live_server, summary: str, photo: Path | None = None) -> None:
    page.goto(f"{live_server.url}/reports/new/")
    ready(page)
    cut_link(context)
    type_report(page, summary)
    if photo:
        page.set_input_files("[name=attachment]", str(photo))
        until_true(page, "pamiluOffline.draft().then(d => !!(d && d.photo))")
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("[data-offline-notice=queued]").wait_for()
