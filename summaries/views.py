from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def summary_list(request: HttpRequest) -> HttpResponse:
    """Placeholder until the rekap anev lands (issue 5)."""
    return render(request, "reports/placeholder.html")
