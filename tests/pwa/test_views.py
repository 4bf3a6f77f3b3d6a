"""The installable app's server side: the service worker's headers and scope, the
manifest, the session probe the offline queue asks before delivering."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_service_worker_is_served_at_root_scope_revalidated_and_under_the_csp(db):
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache, max-age=0"
    csp = response["Content-Security-Policy"]
    assert "worker-src 'self'" in csp and "script-src 'self'" in csp
    body = response.content.decode()
    assert 'importScripts("/static/vendor/idb-8.0.4/umd.js", "/static/pamilu/js/outbox.js")' in body
    assert '"/reports/today/", "/reports/", "/reports/new/"' in body
    assert '"/static/pamilu/js/offline.js"' in body


def test_service_worker_cache_version_follows_the_shell_urls(db, settings):
    first = Client().get("/sw.js").content.decode()
    settings.STATIC_URL = "/assets/"
    second = Client().get("/sw.js").content.decode()
    version = [line for line in first.splitlines() if line.startswith("var VERSION")]
    assert version and version[0] not in second
    assert '"/assets/pamilu/js/outbox.js"' in second


def test_manifest_is_installable_json(db):
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    body = json.loads(response.content)
    assert (body["start_url"], body["scope"], body["display"]) == ("/", "/", "standalone")
    assert [icon["sizes"] for icon in body["icons"]] == ["192x192", "512x512", "512x512"]
    assert finders.find(body["icons"][1]["src"].removeprefix("/static/"))


def test_session_probe_signed_out_is_json_not_a_redirect(db):
    response = Client().get("/pwa/session/")
    assert response.status_code == 200
    body = response.json()
    assert (body["authenticated"], body["user"]) == (False, None)
    assert len(body["csrf"]) == 64
    assert "no-cache" in response["Cache-Control"]


def test_session_probe_signed_in_names_the_user_and_its_token_passes_csrf(personas, operation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.kapolsek_a)
    who = client.get("/pwa/session/").json()
    assert (who["authenticated"], who["user"]) == (True, personas.kapolsek_a.pk)
    body = {"operation": operation.pk, "report_date": "2024-02-14", "summary": "Aman."}
    refused = client.post("/api/v1/reports/", body, content_type="application/json")
    assert refused.status_code == 403
    accepted = client.post(
        "/api/v1/reports/", body, content_type="application/json", HTTP_X_CSRFTOKEN=who["csrf"]
    )
    assert accepted.status_code == 201, accepted.content


@pytest.mark.parametrize("unit_zone, offset", [("sirimau", "+09:00"), ("labuan", "+07:00")])
def test_pages_carry_the_offline_settings_of_the_user(personas, unit_zone, offset, settings):
    user = personas.kapolsek_a if unit_zone == "sirimau" else personas.outsider_operator
    page = _signed_in(user).get("/reports/").content.decode()
    assert f'data-user="{user.pk}"' in page
    assert f'data-zone-offset="{offset}"' in page
    assert f'data-max-bytes="{settings.PAMILU_ATTACHMENT_MAX_BYTES}"' in page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page


def test_login_page_has_no_user_for_the_offline_scripts(db):
    page = Client().get("/accounts/login/").content.decode()
    assert 'data-user=""' in page
    assert "/static/pamilu/js/offline.js" in page


def test_pages_are_gzipped_for_clients_that_accept_it(personas):
    client = _signed_in(personas.kapolsek_a)
    plain = client.get("/reports/")
    packed = client.get("/reports/", HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert len(packed.content) < len(plain.content) / 2
