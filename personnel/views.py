from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pamilu.scoping import scope
from personnel.models import Personnel


@login_required
def personnel_list(request: HttpRequest) -> HttpResponse:
    """Personnel of the user's subtree, searchable by NRP/NIP, name or position."""
    qs = scope(request.user, Personnel.objects.select_related("rank", "unit"))
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(
            Q(nrp__startswith=query)
            | Q(nip__startswith=query)
            | Q(name__icontains=query)
            | Q(position__icontains=query)
        )
    qs = qs.order_by("unit__path", "-rank__order", "name")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "personnel/list.html", {"page": page, "query": query})


@login_required
def readiness_panel(request: HttpRequest) -> HttpResponse:
    """Dashboard partial: latest apel readiness per unit (placeholder until issue 7)."""
    return HttpResponse("")
