"""The offline queue sends as the API allows: one request when it can, warnings confirmed
from the queue, and a phone shared by two users (issue 16).

Cut link, phone and server log as in test_offline.py (helpers in tests/browser/offline.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import formats, translation
from PIL import Image

from audit.models import AuditEntry
from operations import clock
from reports.models import Attachment, DailyReport, IdempotencyKey
from tests import builders
from tests.browser.offline import (
    USER,
    api_calls,
    cut_link,
    queue_offline,
    ready,
    restore_link,
    until_true,
    wait_until,
)


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
    with translation.override("id"):  # the queued report's day, as the page writes days
        assert f"· {formats.date_format(today, 'j F Y')}" in item.inner_text()
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
