from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Operators land on their reports; everyone else on the command-center dashboard."""
    if request.user.role == "operator":
        return redirect("reports:list")
    return redirect("dashboard")
