"""Pages: the rekap anev list and page, its PDF/XLSX exports, reminders and escalations."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import focus
from operations.selectors import operations_for
from pamilu.scoping import get_in_scope_or_404
from summaries import exports, selectors, services
from summaries.models import PeriodKind, Summary
from summaries.presentation import present


def _summary_or_404(request: HttpRequest, pk: int) -> Summary:
    return get_in_scope_or_404(request.user, selectors.summaries_for(request.user), pk=pk)


@login_required
def summary_list(request: HttpRequest) -> HttpResponse:
    """Summaries of the user's subtree, newest first, filtered by operation, kind and unit."""
    qs = (
        selectors.summaries_for(request.user)
        .defer("content")
        .annotate(
            personnel=KT("content__totals__personnel"),
            activities=KT("content__totals__activities"),
            incidents=KT("content__totals__incidents"),
            on_time_percent=KT("content__reporting__on_time_percent"),
        )
    )
    operations = list(operations_for(request.user).select_related(None).only("pk", "code", "name"))
    # ?operation= is the operation's code, as on every page (an id still works: old links).
    operation = focus.operation_from(request.user, request.GET.get("operation"), operations)
    filters = {
        "operation": operation.code if operation else "",
        "kind": request.GET.get("kind", ""),
        "q": request.GET.get("q", "").strip(),
    }
    if operation is not None:
        qs = qs.filter(operation=operation)
    if filters["kind"] in PeriodKind.values:
        qs = qs.filter(period_kind=filters["kind"])
    if filters["q"]:
        qs = qs.filter(unit__name__icontains=filters["q"])
    qs = qs.order_by("-through", "period_kind", "unit__path", "-period_start")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "summaries/list.html",
        {
            "page": page,
            "filters": filters,
            "operations": operations,
            "kinds": PeriodKind.choices,
        },
    )


@login_required
def summary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_or_404(request, pk)
    return render(request, "summaries/detail.html", {"summary": summary, "p": present(summary)})


@login_required
def summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_or_404(request, pk)
    response = HttpResponse(exports.render_pdf(summary), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(summary, "pdf")}"'
    return response


@login_required
def summary_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    summary = _summary_or_404(request, pk)
    response = HttpResponse(
        exports.render_xlsx(summary),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(summary, "xlsx")}"'
    return response


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """Reminders and escalations addressed to the user's unit; open ones first."""
    show_all = request.GET.get("all") == "1"
    qs = selectors.notices_for(request.user)
    if not show_all:
        qs = qs.filter(acknowledged_at__isnull=True)
    qs = qs.order_by("acknowledged_at", "-report_date", "-level", "unit__path")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "summaries/notices.html",
        {"page": page, "show_all": show_all},
    )


@login_required
@require_POST
def notice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notices_for(request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    if services.notice_acknowledge(notice=notice, by=request.user, channel="web"):
        messages.success(request, _("Ditandai sudah ditindaklanjuti."))
    else:
        messages.info(request, _("Sudah ditindaklanjuti sebelumnya."))
    return redirect("summaries:notices")
