"""The dashboard's panels, rendered one by one with a digest of each, so that a poll sends
back only the panels whose content moved (issue #12: "changed: only the panels whose
numbers moved").

The page carries the digests of what it shows (``#dashboard-panel-digests``); the poll
sends them back in the ``X-Dashboard-Panels`` header (``static/pamilu/js/dashboard.js``).
A poll whose data version changed answers with the panels whose digest differs, as htmx
out-of-band swaps, and ``HX-Reswap: none`` for the rest. A poll without the header (the
first one, a client of its own) gets every panel, as before.

The answer does not name the header in ``Vary``, on purpose: the browser revalidates the
poll with ``If-None-Match``, and a 304 hands the cached answer back to htmx, whose swaps
are exactly the ones that brought the page to that version; applying them again changes
nothing. Naming it would turn every poll after a change into a cache miss and a full build.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString

PANELS = (
    "header",
    "stats",
    "compliance",
    "missing",
    "map",
    "trend",
    "personnel",
    "incidents",
    "latest",
)
DATA = "data"  # the JSON the charts and the map are drawn from
NAMES = (*PANELS, DATA)
HEADER = "X-Dashboard-Panels"
_HELD = re.compile(r"^([a-z]+)=([0-9a-f]{16})$")


def digest(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()[:16]


def render(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    names: Sequence[str] = NAMES,
    oob: bool = False,
) -> dict[str, SafeString]:
    """Each named panel's HTML; with ``oob``, marked for htmx's out-of-band swap."""
    html: dict[str, SafeString] = {}
    for name in names:
        if name == DATA:
            html[name] = format_html(
                '<div id="panel-data"{}>{}</div>',
                SafeString(' hx-swap-oob="true"') if oob else "",
                json_script(context["chart_data"], "dashboard-data"),
            )
        else:
            html[name] = SafeString(
                render_to_string(f"dashboard/panels/{name}.html", {**context, "oob": oob}, request)
            )
    return html


def digests(html: dict[str, SafeString]) -> str:
    """The value of ``data-digests`` and of the poll's header: ``name=digest;…``."""
    return ";".join(f"{name}={digest(text)}" for name, text in html.items())


def held(request: HttpRequest) -> dict[str, str] | None:
    """The digests the page holds, from the poll's header; None when it sent none. A part
    that is not ``panel=16 hex digits`` counts as not held (that panel is sent again)."""
    value = request.headers.get(HEADER)
    if value is None:
        return None
    pairs = (_HELD.match(part.strip()) for part in value.split(";")[: len(NAMES)])
    return {m[1]: m[2] for m in pairs if m and m[1] in NAMES}


def changed(html: dict[str, SafeString], have: dict[str, str]) -> list[str]:
    return [name for name, text in html.items() if have.get(name) != digest(text)]
