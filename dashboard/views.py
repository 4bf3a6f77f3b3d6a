from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from operations import dashboard as board


def _context(request: HttpRequest) -> dict:
    query = board.resolve_query(request.user, request.GET)
    data = board.build(request.user, query)
    params = request.GET.copy()
    params.pop("unit", None)
    return {
        **data,
        "query": query,
        "operations": query.operations,
        "chart_data": board.chart_payload(data),
        "refresh_seconds": settings.PAMILU_DASHBOARD_REFRESH_SECONDS,
        "map_tile_url": settings.PAMILU_MAP_TILE_URL,
        "querystring": request.GET.urlencode(),
        "drill_query": params.urlencode(),
        "user_zone": request.user.unit.zone_abbreviation if request.user.unit_id else "",
        "invalid_day": bool(request.GET.get("day")) and query.day is None,
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The operation at a glance for a unit of the user's subtree, with drill-down."""
    return render(request, "operations/dashboard.html", _context(request))


@login_required
@require_GET
def dashboard_panels(request: HttpRequest) -> HttpResponse:
    """The dashboard's numbers as an htmx partial, polled to refresh the page."""
    return render(request, "operations/_dashboard_panels.html", _context(request))
