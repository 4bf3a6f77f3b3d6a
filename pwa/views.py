"""The installable app: the service worker at the root scope, the manifest, the session probe.

The service worker is a template so that it names the static files by their (hashed)
production URLs; its cache version is a digest of those URLs (and, with plain storage,
of the files' contents), so a new release replaces the cached shell.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The app shell: what every page loads, cached when the service worker installs.
SHELL = [
    "vendor/bootstrap-5.3.9/css/bootstrap.min.css",
    "pamilu/css/pamilu.css",
    "pamilu/css/reports.css",
    "vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "vendor/idb-8.0.4/umd.js",
    "pamilu/js/outbox.js",
    "pamilu/js/offline.js",
    "pamilu/js/reports.js",
    "pamilu/icons/icon-192.png",
]

# Pages a kapolsek needs without a link: the home (today's state, returned reports), their
# reports and the report form (which carries the form's reference data: operations,
# satgas, categories).
PAGES = ["reports:home", "reports:list", "reports:create"]


@cache
def _version(urls: tuple[str, ...]) -> str:
    digest = hashlib.sha256("\n".join(urls).encode())
    for name in SHELL:
        path = finders.find(name)
        if path:
            with open(path, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """/sw.js: root scope (Service-Worker-Allowed: /), revalidated on every check."""
    shell = [static(name) for name in SHELL]
    body = render_to_string(
        "pwa/sw.js",
        {
            "version": _version(tuple(shell)),
            "shell_json": json.dumps(shell),
            "pages_json": json.dumps([reverse(name) for name in PAGES]),
            "home": reverse("home"),
            "pages_home": reverse(PAGES[0]),
            "idb": static("vendor/idb-8.0.4/umd.js"),
            "outbox": static("pamilu/js/outbox.js"),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("pamilu: pengamanan pemilu"),
        "short_name": "pamilu",
        "description": _("Laporan anev harian dan dasbor pengamanan pemilu"),
        "lang": "id",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#5a1f1f",
        "icons": [
            {"src": static("pamilu/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("pamilu/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("pamilu/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
@never_cache
def session(request: HttpRequest) -> JsonResponse:
    """Who is signed in and a fresh CSRF token: the offline queue asks before every delivery.

    Never a redirect to the login page: an expired session answers authenticated=false
    and the queue waits for the next sign-in.
    """
    user = request.user
    signed_in = user.is_authenticated
    return JsonResponse(
        {
            "authenticated": signed_in,
            "user": user.pk if signed_in else None,
            "csrf": get_token(request),
        }
    )
