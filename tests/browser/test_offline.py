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
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from PIL import Image

from accounts import sessions
from audit.models import AuditEntry, Channel
from operations import clock
from reports import services
from reports.models import Attachment, DailyReport, IdempotencyKey
from tests.browser.offline import (
    INCIDENT_TIME,
    PHONE,
    USER,
    api_calls,
    big_photo,
    cut_link,
    draft_has,
    queue_offline,
    ready,
    restore_link,
    type_report,
    until_true,
    wait_until,
)


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
def test_typing_a_report_keeps_the_session_alive_through_the_keepalive(
    transactional_db, live_server, phone, login, personas, op, server_hits
):
    # The autosave is local (IndexedDB): without its keepalive, a kapolsek typing a long
    # report for 30 minutes would reach no server and be signed out at the idle limit.
    context = phone()
    page = context.new_page()
    login(page, USER)
    page.goto(f"{live_server.url}/reports/new/")
    ready(page)
    (row,) = Session.objects.all()
    store = SessionStore(session_key=row.session_key)
    store[sessions.SEEN] -= 20 * 60  # the last activity, 20 minutes ago
    store.save()
    server_hits.clear()

    page.fill("[name=summary]", "Patroli dialogis ke gudang logistik KPU.")
    draft_has(page, "summary", "Patroli dialogis ke gudang logistik KPU.")

    def idle_seconds() -> float:
        return time.time() - SessionStore(session_key=row.session_key).load()[sessions.SEEN]

    # The idle clock restarted (read once the keepalive's answer has saved the session).
    wait_until(lambda: "/accounts/keepalive/" in server_hits and idle_seconds() < 60, page)
    page.fill("[name=summary]", "Patroli dialogis ke gudang logistik KPU dan PPS.")
    draft_has(page, "summary", "Patroli dialogis ke gudang logistik KPU dan PPS.")
    assert server_hits.count("/accounts/keepalive/") == 1  # at most once a minute
