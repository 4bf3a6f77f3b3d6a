from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Operators land on their unit's today (reports.home); everyone else on the dashboard."""
    if request.user.role == "operator":
        return redirect("reports:home" if request.user.unit_id else "reports:list")
    return redirect("dashboard")


@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Public liveness check: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
