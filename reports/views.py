from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Placeholder until the daily report workflow lands (issue 3)."""
    return render(request, "reports/placeholder.html")


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/placeholder.html")
