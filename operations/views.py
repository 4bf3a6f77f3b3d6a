from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from operations import selectors


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The operation at a glance for the user's subtree (fuller dashboard: see issue 4)."""
    user = request.user
    today = user.unit.local_today() if user.unit_id else None
    operation = selectors.default_operation(user, today)
    context = {"operation": operation, "today": today}
    if operation is not None and today is not None:
        vote = selectors.voting_day(operation)
        context.update(
            phase=selectors.phase_on(operation, today),
            day_number=operation.day_number(today),
            voting_day=vote,
            days_to_vote=(vote - today).days if vote else None,
        )
    return render(request, "operations/dashboard.html", context)
