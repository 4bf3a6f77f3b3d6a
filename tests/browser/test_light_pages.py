"""Light pages on a 3G island link: the report form's weight and time, first and repeat visit.

Served the way production serves it: `collectstatic` with whitenoise's
CompressedManifestStaticFilesStorage (hashed names, gzip and brotli copies, cached
"forever"), whitenoise in front of Django, pages gzipped. Chromium is throttled with
CDP `Network.emulateNetworkConditions` (400 kbit/s both ways, 400 ms round trip).
Requests the service worker makes itself escape the page's emulation, so the test
server also holds every response for the same model (400 ms + size at 400 kbit/s);
requests made by the page pay both, so the times below are an upper bound.

Bytes are counted on the server (status line, headers and body of every response,
including the service worker's own fetches); CDP's encodedDataLength of the page's
requests is printed next to it. `pytest tests/browser/test_light_pages.py -s` prints
the figures for the README.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.testcases import LiveServerThread
from django.utils import timezone

from tests import builders
from tests.browser.offline import PHONE, until_true

RTT_S = 0.4
BYTES_PER_S = 400_000 / 8
THREE_G = {
    "offline": False,
    "latency": RTT_S * 1000,
    "downloadThroughput": BYTES_PER_S,
    "uploadThroughput": BYTES_PER_S,
}
FIRST_VISIT_LIMIT = 200 * 1024
REPEAT_VISIT_LIMIT = 30 * 1024
REPEAT_USABLE_S = 5.0


class Wire:
    """WSGI wrapper: counts the bytes of every response and holds it per the 3G model."""

    def __init__(self):
        self.log: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def reset(self) -> None:
        with self.lock:
            self.log = []

    def total(self) -> int:
        with self.lock:
            return sum(size for _path, size in self.log)

    def wrap(self, app):
        def application(environ, start_response):
            head = {}

            def recording_start_response(status, headers, exc_info=None):
                head["size"] = len(status) + 11 + sum(len(k) + len(v) + 4 for k, v in headers)
                return start_response(status, headers, exc_info)

            result = app(environ, recording_start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            size = head.get("size", 0) + len(body)
            with self.lock:
                self.log.append((environ["PATH_INFO"], size))
            time.sleep(RTT_S + size / BYTES_PER_S)
            return [body]

        return application


@pytest.fixture
def production_server(transactional_db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only what the kapolsek's pages use: compressing the admin, Swagger UI and chart
    # bundles (several MB) would take minutes on a shared machine.
    skip = ["admin", "rest_framework", "drf_spectacular_sidecar", "chart.js-*", "leaflet-*"]
    call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=skip)
    wire = Wire()
    thread = LiveServerThread("localhost", static_handler=wire.wrap)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}", wire
    thread.terminate()


def _page_bytes(cdp) -> dict:
    finished: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: finished.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    return finished


def _throttled_page(context):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    return page, _page_bytes(cdp)


def _open_form(page, url: str) -> float:
    start = time.monotonic()
    page.goto(f"{url}/reports/new/", wait_until="commit")
    page.wait_for_selector("form[data-offline-ready]", timeout=30000)
    page.locator("[name=summary]").fill("Aman.")  # usable: it takes what is typed
    return time.monotonic() - start


@pytest.mark.browser
def test_report_form_on_3g_first_visit_and_repeat_visit_within_limits(
    production_server, browser, personas, tree
):
    url, wire = production_server
    today = timezone.now().date()
    builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )
    client = Client()
    client.force_login(personas.kapolsek_a)
    context = browser.new_context(**PHONE)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}]
    )

    wire.reset()
    page, first_cdp = _throttled_page(context)
    first_s = _open_form(page, url)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    until_true(page, "caches.open('pamilu-pages').then(c => c.keys()).then(k => k.length >= 2)")
    page.wait_for_timeout(1500)
    first_bytes, first_log = wire.total(), list(wire.log)
    page.close()

    wire.reset()
    page, repeat_cdp = _throttled_page(context)
    repeat_s = _open_form(page, url)
    page.wait_for_timeout(1500)  # anything the page or the worker fetches afterwards counts
    repeat_bytes, repeat_log = wire.total(), list(wire.log)
    context.close()

    print(f"\n3G first visit: {first_bytes / 1024:.1f} KB on the wire, usable in {first_s:.2f} s")
    print(f"   page-side CDP encodedDataLength {sum(first_cdp.values()) / 1024:.1f} KB")
    for path, size in first_log:
        print(f"   {size / 1024:7.1f} KB  {path}")
    print(f"3G repeat visit: {repeat_bytes / 1024:.1f} KB on the wire, usable in {repeat_s:.2f} s")
    print(f"   page-side CDP encodedDataLength {sum(repeat_cdp.values()) / 1024:.1f} KB")
    for path, size in repeat_log:
        print(f"   {size / 1024:7.1f} KB  {path}")

    assert first_bytes <= FIRST_VISIT_LIMIT
    assert repeat_bytes <= REPEAT_VISIT_LIMIT
    assert repeat_s <= REPEAT_USABLE_S
    assert not [path for path, _size in repeat_log if path.startswith("/static/")]
