"""A kapolsek on a weak island link: the report survives, waits, and arrives exactly once.

The link is cut with routes on the browser *context* (they cover the service worker's
own requests too) and checked from the server's side: while it is cut, no request at
all reaches the live server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.signals import request_started
from django.utils import timezone
from PIL import Image

from audit.models import AuditEntry, Channel
from operations import clock
from reports import services
from reports.models import Attachment, DailyReport, IdempotencyKey
from tests import builders

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


@pytest.fixture
def op(tree):
    today = timezone.now().date()
    return builders.operation(
        tree.mabes,
        name="Operasi Mantap Brata (uji)",
        start_date=today - dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=30),
    )


@pytest.fixture
def phone(browser):
    contexts = []

    def make():
        context = browser.new_context(**PHONE)
        context.on("console", lambda message: print("console:", message.text))
        context.on("weberror", lambda error: print("page error:", error.error))
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def server_hits():
    """Paths of every request that reached the live server, in order."""
    hits: list[str] = []

    def record(sender, environ, **kwargs):
        hits.append(environ["PATH_INFO"])

    request_started.connect(record)
    yield hits
    request_started.disconnect(record)


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


@pytest.mark.browser
def test_report_typed_without_a_link_arrives_exactly_once_with_its_photo(
    transactional_db, live_server, phone, login, personas, op, server_hits, screenshot_dir, tmp_path
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    page.goto(f"{live_server.url}/reports/new/")
    ready(page)

    cut_link(context)
    server_hits.clear()
    page.reload()  # the form comes from the phone now
    page.wait_for_selector("form[data-offline-ready]")
    summary = "Patroli dialogis ke gudang logistik KPU di Ambon, situasi aman."
    type_report(page, summary)
    page.set_input_files("[name=attachment]", str(big_photo(tmp_path / "IMG_2041.jpg")))
    until_true(page, "pamiluOffline.draft().then(d => !!(d && d.photo))")
    page.get_by_role("button", name="Kirim laporan").click()

    notice = page.locator("[data-offline-notice=queued]")
    notice.wait_for()
    assert "menunggu sinyal" in notice.inner_text()
    status = page.locator("#outbox-status")
    assert status.locator("[data-queue-count]").get_attribute("data-queue-count") == "1"
    assert "Menunggu sinyal" in status.inner_text()
    # The message is where the kapolsek looks: the page scrolled up to the queue.
    page.wait_for_function(
        "() => { const top = document.getElementById('outbox-status')"
        ".getBoundingClientRect().top; return top > -2 && top < 200; }",
        timeout=5000,
    )
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshot_dir / "offline-queued-phone.png"), full_page=False)
    page.wait_for_timeout(1500)  # background sync and retries run against the cut link
    # Nothing reached the server but the browser's own update check of /sw.js (made by
    # the browser itself, outside the page's and the worker's routes).
    assert [path for path in server_hits if path != "/sw.js"] == []
    assert DailyReport.objects.count() == 0
    page.close()

    restore_link(context)
    page = context.new_page()
    page.goto(f"{live_server.url}/reports/")
    report = wait_until(lambda: DailyReport.objects.filter(status="submitted").first(), page)
    page.locator('#outbox-status [data-queue-count="0"]').wait_for()
    assert page.locator("#outbox-status [data-last-sync]").get_attribute("data-last-sync") != ""
    page.screenshot(path=str(screenshot_dir / "offline-delivered-phone.png"), full_page=False)

    assert DailyReport.objects.count() == 1
    assert (report.unit, report.summary, report.personnel_on_duty) == (
        personas.kapolsek_a.unit,
        summary,
        18,
    )
    incident = report.incidents.get()
    local = incident.occurred_at.astimezone(report.unit.zone)
    assert (local.date(), local.strftime("%H:%M")) == (report.report_date, INCIDENT_TIME)
    assert report.activities.get().count == 3
    photo = Attachment.objects.get()
    limit = 5 * 1024 * 1024
    assert (photo.report_id, photo.content_type, photo.original_name) == (
        report.pk,
        "image/jpeg",
        "IMG_2041.jpg",
    )
    assert photo.size <= limit
    with Image.open(photo.file.path) as image:
        assert max(image.size) == 1600  # downscaled on the phone
    assert AuditEntry.objects.filter(action="report.submit").count() == 1
    assert AuditEntry.objects.filter(action="attachment.add").count() == 1
    keys = sorted(k.key.rsplit(":", 1)[1] for k in IdempotencyKey.objects.all())
    assert keys == ["attach", "create", "submit"]
    # A photo goes on a draft: create, attach, submit, each once.
    assert api_calls(server_hits) == [
        "/api/v1/reports/",
        f"/api/v1/reports/{report.pk}/attachments/",
        f"/api/v1/reports/{report.pk}/submit/",
    ]

    # Opening the app again sends nothing twice.
    page.reload()
    page.wait_for_timeout(1000)
    assert (DailyReport.objects.count(), Attachment.objects.count()) == (1, 1)


def _browser_pids(user_data_dir: Path) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if f"--user-data-dir={user_data_dir}" in cmdline:
            pids.append(int(entry.name))
    return pids


@pytest.mark.browser
def test_report_survives_the_browser_killed_mid_typing(
    transactional_db,
    live_server,
    browser_type,
    browser_type_launch_args,
    login,
    personas,
    op,
    tmp_path,
):
    profile = tmp_path / "phone-profile"
    launch = {**browser_type_launch_args, **PHONE}
    context = browser_type.launch_persistent_context(str(profile), **launch)
    page = context.new_page()
    login(page, USER)
    page.goto(f"{live_server.url}/reports/new/")
    page.wait_for_selector("form[data-offline-ready]")
    type_report(page, "")
    page.fill("[name=obstacles]", "Jalan ke Pulau Haruku putus.")
    page.check("[name=inc-0-forwarded_to_gakkumdu]")
    page.locator("[name=summary]").press_sequentially("Patroli di Batu Merah, aman")
    draft_has(page, "summary", "Patroli di Batu Merah, aman")

    for pid in _browser_pids(profile):  # the phone kills the browser: no unload, no goodbye
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not _browser_pids(profile), timeout=10)

    context = browser_type.launch_persistent_context(str(profile), **launch)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(f"{live_server.url}/reports/new/")
        if "/accounts/login/" in page.url:  # the session cookie may not have reached disk
            login(page, USER)
            page.goto(f"{live_server.url}/reports/new/")
        page.wait_for_selector("form[data-offline-ready]")
        values = {
            name: page.input_value(f"[name={name}]")
            for name in [
                "personnel_on_duty",
                "summary",
                "obstacles",
                "next_day_plan",
                "act-0-kind",
                "act-0-count",
                "act-0-personnel",
                "inc-0-category",
                "inc-0-time",
                "inc-0-place",
                "inc-0-description",
                "inc-0-injured_light",
            ]
        }
        assert values == {
            "personnel_on_duty": "18",
            "summary": "Patroli di Batu Merah, aman",
            "obstacles": "Jalan ke Pulau Haruku putus.",
            "next_day_plan": "Apel pagi dan sambang ke PPS.",
            "act-0-kind": "patroli",
            "act-0-count": "3",
            "act-0-personnel": "12",
            "inc-0-category": "laka_lantas",
            "inc-0-time": INCIDENT_TIME,
            "inc-0-place": "Jalan Sultan Hasanuddin",
            "inc-0-description": "Tabrakan R2, satu korban luka ringan.",
            "inc-0-injured_light": "1",
        }
        assert page.is_checked("[name=inc-0-forwarded_to_gakkumdu]")
        assert "dipulihkan" in page.locator("[data-offline-notice=restored]").inner_text()

        # Sign-out wipes the phone's copy.
        page.locator("form[action='/accounts/logout/'] button").click()
        page.wait_for_url("**/accounts/login/**")
        login(page, USER)
        page.goto(f"{live_server.url}/reports/new/")
        page.wait_for_selector("form[data-offline-ready]")
        assert page.input_value("[name=summary]") == ""
    finally:
        context.close()


@pytest.mark.browser
def test_queued_report_refused_with_400_names_the_field_to_fix(
    transactional_db, live_server, phone, login, personas, op, screenshot_dir
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    page.goto(f"{live_server.url}/reports/new/")
    ready(page)
    cut_link(context)
    type_report(page, "Situasi aman.")
    outside = (timezone.now() - dt.timedelta(days=60)).date().isoformat()
    page.fill("[name=report_date]", outside)  # the phone cannot know the operation's dates
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("[data-offline-notice=queued]").wait_for()

    restore_link(context)
    page.evaluate("pamiluOffline.deliver()")
    item = page.locator("#outbox-status [data-outbox-item][data-state=error]")
    item.wait_for()
    error = item.locator("li[data-field=report_date]")
    assert "Tanggal laporan" in error.inner_text()
    assert "di luar masa" in error.inner_text()
    assert "is-invalid" in page.get_attribute("[name=report_date]", "class")
    assert DailyReport.objects.count() == 0
    page.locator("#outbox-status").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "offline-refused-phone.png"), full_page=False)

    # Fixed and sent again with the link back: the form posts normally, the queue empties.
    page.fill("[name=report_date]", "")  # empty: today in the unit's zone
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_url(re.compile(r"/reports/\d+/$"))
    assert DailyReport.objects.get().status == "submitted"
    page.goto(f"{live_server.url}/reports/")
    page.locator('#outbox-status [data-queue-count="0"]').wait_for()


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


@pytest.mark.browser
def test_queued_report_waits_for_sign_in_and_a_503_then_arrives_once(
    transactional_db, live_server, phone, login, personas, op
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    queue_offline(context, page, live_server, "Situasi aman terkendali.")
    Session.objects.all().delete()  # the session expires while the phone is offline

    restore_link(context)
    page.evaluate("pamiluOffline.deliver()")
    item = page.locator("#outbox-status [data-outbox-item][data-state=auth]")
    item.wait_for()
    assert "masuk lagi" in item.inner_text()
    assert DailyReport.objects.count() == 0

    answered = []

    def busy_once(route):
        if route.request.method == "POST" and not answered:
            answered.append(route.request.headers.get("idempotency-key"))
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body='{"status": 503, "code": "unavailable", "detail": "Sibuk.", "errors": []}',
            )
        else:
            route.continue_()

    context.route("**/api/v1/reports/", busy_once)
    login(page, USER)  # the next sign-in delivers; the server is busy once (503, Retry-After 1)
    report = wait_until(lambda: DailyReport.objects.filter(status="submitted").first(), page)
    assert answered and answered[0].endswith(":send")  # no photo: create and send at once
    assert report.summary == "Situasi aman terkendali."
    page.locator('#outbox-status [data-queue-count="0"]').wait_for()
    assert DailyReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="report.submit").count() == 1


@pytest.mark.browser
def test_queued_report_already_sent_from_another_device_is_shown_not_overwritten(
    transactional_db, live_server, phone, login, personas, op
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    queue_offline(context, page, live_server, "Versi dari ponsel.")

    unit = personas.kapolsek_a.unit
    other = services.report_create(  # meanwhile, from the Polsek's desktop
        operation=op,
        unit=unit,
        by=personas.kapolsek_a,
        channel=Channel.WEB,
        report_date=clock.local_date(unit),
        summary="Versi dari komputer kantor.",
        personnel_on_duty=18,
        activities=[{"kind": "patroli", "count": 2, "personnel": 10}],
    )
    services.report_submit(report=other, by=personas.kapolsek_a, channel=Channel.WEB)

    restore_link(context)
    page.evaluate("pamiluOffline.deliver()")
    item = page.locator("#outbox-status [data-outbox-item][data-state=conflict]")
    item.wait_for()
    assert "sudah dikirim dari perangkat lain" in item.inner_text()
    assert list(DailyReport.objects.values_list("summary", flat=True)) == [
        "Versi dari komputer kantor."
    ]
    assert page.input_value("[name=summary]") == "Versi dari ponsel."  # nothing typed is lost


@pytest.mark.browser
def test_queued_report_without_a_photo_goes_in_one_request(
    transactional_db, live_server, phone, login, personas, op, server_hits
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    queue_offline(context, page, live_server, "Satu permintaan dari ponsel.")

    restore_link(context)
    server_hits.clear()
    page.evaluate("pamiluOffline.deliver()")
    report = wait_until(lambda: DailyReport.objects.filter(status="submitted").first(), page)
    page.locator('#outbox-status [data-queue-count="0"]').wait_for()
    assert api_calls(server_hits) == ["/api/v1/reports/"]  # create and send in one POST
    assert [k.key.rsplit(":", 1)[1] for k in IdempotencyKey.objects.all()] == ["send"]
    assert (DailyReport.objects.count(), report.summary) == (1, "Satu permintaan dari ponsel.")
    assert AuditEntry.objects.filter(action="report.submit").count() == 1

    # A draft kept on the server, completed on the phone without a link: one PATCH.
    server_hits.clear()
    unit = personas.kapolsek_b.unit
    draft = builders.report(
        op,
        unit,
        clock.local_date(unit),
        by=personas.kapolsek_b,
        status="draft",
        via_services=True,
        summary="Belum lengkap.",
    )
    other = phone()
    page = other.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "kapolsek.nusaniwe")
    page.goto(f"{live_server.url}/reports/{draft.pk}/edit/")
    ready(page)
    cut_link(other)
    page.fill("[name=summary]", "Dilengkapi di ponsel tanpa sinyal.")
    page.get_by_role("button", name="Kirim laporan").click()
    page.locator("[data-offline-notice=queued]").wait_for()
    restore_link(other)
    server_hits.clear()
    page.evaluate("pamiluOffline.deliver()")
    wait_until(lambda: DailyReport.objects.filter(pk=draft.pk, status="submitted").exists(), page)
    assert api_calls(server_hits) == [f"/api/v1/reports/{draft.pk}/"]  # PATCH with submit
    draft.refresh_from_db()
    assert draft.summary == "Dilengkapi di ponsel tanpa sinyal."
    assert DailyReport.objects.count() == 2


@pytest.mark.browser
@pytest.mark.parametrize("with_photo", [False, True], ids=["one-request", "photo-steps"])
def test_queued_report_with_a_warning_is_confirmed_from_the_queue_and_sent_once(
    transactional_db,
    live_server,
    phone,
    login,
    personas,
    op,
    server_hits,
    screenshot_dir,
    tmp_path,
    with_photo,
):
    unit = personas.kapolsek_a.unit
    today = clock.local_date(unit)
    builders.report(  # yesterday 40 on duty: today's 18 is less than half (a warning)
        op,
        unit,
        today - dt.timedelta(days=1),
        by=personas.kapolsek_a,
        via_services=True,
        personnel_on_duty=40,
    )
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    photo = None
    if with_photo:
        photo = tmp_path / "apel.jpg"
        Image.new("RGB", (640, 480), (30, 90, 160)).save(photo, "JPEG")
    queue_offline(context, page, live_server, "Separuh personel BKO ke Polresta.", photo)

    restore_link(context)
    server_hits.clear()
    page.evaluate("pamiluOffline.deliver()")
    item = page.locator("#outbox-status [data-outbox-item][data-state=confirm]")
    item.wait_for()
    warning = item.locator("li[data-warning=personnel_drop]")
    assert warning.get_attribute("data-field") == "personnel_on_duty"
    assert "«Personel bertugas»" in warning.inner_text()  # the field's label, as for errors
    assert "kurang dari separuh kemarin (40)" in warning.inner_text()
    assert "Perlu konfirmasi" in item.inner_text()
    # Nothing sent yet (with a photo, the draft holding it is on the server).
    held = list(DailyReport.objects.filter(report_date=today).values_list("status", flat=True))
    assert held == (["draft"] if with_photo else [])
    assert page.locator("[data-offline-notice=queued]").count() == 0  # no longer "waiting"
    page.evaluate("window.scrollTo(0, 0)")
    if not with_photo:
        page.screenshot(path=str(screenshot_dir / "offline-confirm-phone.png"), full_page=False)

    item.get_by_role("button", name="Konfirmasi dan kirim").click()
    report = wait_until(
        lambda: DailyReport.objects.filter(report_date=today, status="submitted").first(), page
    )
    page.locator('#outbox-status [data-queue-count="0"]').wait_for()
    assert DailyReport.objects.filter(report_date=today).count() == 1
    assert report.summary == "Separuh personel BKO ke Polresta."
    assert list(report.flags.values_list("code", "confirmed")) == [("personnel_drop", True)]
    sent = AuditEntry.objects.get(action="report.submit", object_id=str(report.pk))
    assert sent.changes["flags"] == [None, ["personnel_drop"]]
    # The refused send kept no key; the confirmed one went under a key of its own.
    keys = sorted(k.key.rsplit(":", 1)[1] for k in IdempotencyKey.objects.all())
    if not with_photo:  # one request, refused; then one request, confirmed
        assert keys == ["send+personnel_drop"]
        assert api_calls(server_hits) == ["/api/v1/reports/", "/api/v1/reports/"]
        return
    assert keys == ["attach", "create", "submit+personnel_drop"]
    submit = f"/api/v1/reports/{report.pk}/submit/"
    assert api_calls(server_hits) == [
        "/api/v1/reports/",
        f"/api/v1/reports/{report.pk}/attachments/",
        submit,
        submit,
    ]
    assert Attachment.objects.get().report_id == report.pk


@pytest.mark.browser
def test_another_user_on_the_same_phone_never_sees_the_first_users_pages(
    transactional_db, live_server, phone, login, personas, op
):
    context = phone()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, USER)
    queue_offline(context, page, live_server, "Laporan Sirimau dari ponsel bersama.")
    pages = ["/reports/today/", "/reports/", "/reports/new/"]
    cached = (
        "(p) => caches.open('pamilu-pages').then(c => c.match(p))"
        ".then(r => r ? r.text() : '').then(t => t.toLowerCase())"
    )
    assert all("sirimau" in page.evaluate(cached, path) for path in pages)  # A's, on the phone

    Session.objects.all().delete()  # A's session ends without a sign-out
    restore_link(context)
    login(page, "kapolsek.nusaniwe")
    for path in pages:  # B's pages reach the phone
        until_true(page, f"({cached})({path!r}).then(t => t.includes('nusaniwe'))")

    cut_link(context)
    for path in pages:  # from the phone's cache: B's, none of A's
        page.goto(f"{live_server.url}{path}")
        html = page.content().lower()
        assert "kapolsek.nusaniwe" in html, path
        assert "sirimau" not in html, path
        count = page.locator("#outbox-status [data-queue-count]")
        assert count.get_attribute("data-queue-count") == "0", path  # A's queue not shown

    # A's queued report stays on the phone (never dropped, never shown to B) and B's
    # sign-out leaves it; it goes at A's next sign-in.
    restore_link(context)
    page.goto(f"{live_server.url}/reports/today/")
    page.locator("form[action='/accounts/logout/'] button").click()
    page.wait_for_url("**/accounts/login/**")
    waiting = page.evaluate("pamiluOutbox.items().then(all => all.map(it => String(it.user)))")
    assert waiting == [str(personas.kapolsek_a.pk)]
    assert DailyReport.objects.count() == 0
    login(page, USER)
    report = wait_until(lambda: DailyReport.objects.filter(status="submitted").first(), page)
    assert (report.unit, report.summary) == (
        personas.kapolsek_a.unit,
        "Laporan Sirimau dari ponsel bersama.",
    )
    assert DailyReport.objects.count() == 1
