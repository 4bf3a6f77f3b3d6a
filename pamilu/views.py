from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from pamilu.roles import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Operators land on their unit's today (reports.home); everyone else on the dashboard."""
    if request.user.role == Role.OPERATOR:
        return redirect("reports:home" if request.user.unit_id else "reports:list")
    return redirect("dashboard")
