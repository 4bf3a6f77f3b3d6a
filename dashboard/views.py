"""The command-center dashboard pages: the page, its htmx-polled panels and the readiness
panel. Thin: the focus comes from operations.focus, the numbers from dashboard.build."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from dashboard import panels
from dashboard.build import build, chart_payload
from dashboard.query import resolve_query
from dashboard.versions import dashboard_version
from operations import focus as focus_of
from operations import tree
from operations.focus import Focus
from pamilu.scoping import visible_units
from personnel import selectors as personnel_selectors


def _context(request: AuthenticatedRequest, query: Focus | None = None) -> dict[str, Any]:
    query = query or resolve_query(request)
    board = build(request.user, query)
    params = request.GET.copy()
    params.pop("unit", None)
    return {
        **board.context(),
        "query": query,
        "operations": query.operations,
        "chart_data": chart_payload(board),
        "refresh_seconds": settings.PAMILU_DASHBOARD_REFRESH_SECONDS,
        "map_tile_url": settings.PAMILU_MAP_TILE_URL,
        "querystring": request.GET.urlencode(),
        "drill_query": params.urlencode(),
        "user_zone": request.user.unit.zone_abbreviation if request.user.unit else "",
        "invalid_day": query.invalid_day,
    }


def _with_panels(request: AuthenticatedRequest, context: dict[str, Any]) -> dict[str, Any]:
    html = panels.render(request, context)
    return {**context, "panels": html, "panel_digests": panels.digests(html)}


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    """The operation at a glance for a unit of the user's subtree, with drill-down."""
    context = _context(request)
    if context["operation"] and context["focus"]:
        context = _with_panels(request, context)
    return render(request, "dashboard/dashboard.html", context)


@login_required
@require_GET
def dashboard_panels(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboard's numbers as an htmx partial, polled to refresh the page. A poll whose
    `If-None-Match` holds the current version (dashboard.versions) is a 304, built from
    nothing but that version. Otherwise, a poll that says which panels it holds
    (dashboard.panels) gets back only those that moved; one that does not, all of them."""
    query = resolve_query(request)
    etag = f'"{dashboard_version(request, query)}"'
    have = panels.held(request)
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    elif have is None:
        response = render(
            request, "dashboard/_panels.html", _with_panels(request, _context(request, query))
        )
    else:
        context = _context(request, query)
        html = panels.render(request, context)
        moved = panels.changed(html, have)
        response = render(
            request,
            "dashboard/_panels_changed.html",
            {
                "changed": panels.render(request, context, names=moved, oob=True).values(),
                "panel_digests": panels.digests(html),
            },
        )
        response["HX-Reswap"] = "none"  # only the out-of-band panels are swapped
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


READINESS_ROWS = 25


@login_required
@require_GET
def readiness_panel(request: AuthenticatedRequest) -> HttpResponse:
    """Dashboard partial (htmx): the latest apel readiness of each unit below ?unit=."""
    query = focus_of.resolve(request, default_operation=False)
    unit, operation = focus_of.require_unit(query), query.operation
    latest = list(personnel_selectors.latest_apels(unit, operation, request.user)[:READINESS_ROWS])
    totals = personnel_selectors.readiness_totals(unit, operation, request.user)
    units_below = tree.in_subtree(visible_units(request.user), unit, "").count()
    apel_query = {"unit": unit.code, "operation": operation.code if operation else ""}
    with timezone.override(unit.zone):
        return render(
            request,
            "dashboard/_readiness_panel.html",
            {
                "unit": unit,
                "latest": latest,
                "totals": totals,
                "units_below": units_below,
                "percent": round(100 * totals["present"] / totals["total"])
                if totals["total"]
                else None,
                "more": totals["units"] > len(latest),
                "apel_query": urlencode({k: v for k, v in apel_query.items() if v}),
            },
        )
