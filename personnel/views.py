"""Pages: personnel, deployments (and their import), coverage by the TPS pattern, the proposed
plotting, guard gaps of round-the-clock posts, events, apel and the readiness panel, and the
duty roster PDF. Everything is scoped by pamilu.scoping; writes go through the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from operations import clock, focus, tree
from operations.models import Event, Operation, Post, Unit, UnitKind, Vulnerability
from operations.selectors import operations_for, voting_day
from pamilu import scoping
from pamilu.api.csvfile import CsvFileError
from pamilu.scoping import get_in_scope_or_404, scope
from personnel import imports, plotting, selectors, services, services_plotting
from personnel.forms import ApelForm, DeploymentForm, GapsForm, ImportForm, SpanForm
from personnel.models import Apel, Assignment, Deployment, Personnel

DEFAULT_ZONE = ZoneInfo("Asia/Jakarta")


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


# --- shared helpers -------------------------------------------------------------------------


def _focus(request: HttpRequest) -> tuple[Unit, Operation | None, dt.date | None]:
    """The focus unit, operation and day, by the one resolver (operations.focus): ?unit=
    (code or id) among the units the user may see, default their own; ?operation= (code)
    among their operations, default the one running today; ?day= (ISO, else None). Out of
    scope: 404."""
    query = focus.resolve(request)
    return focus.require_unit(query), query.operation, query.day


def _zone(request: HttpRequest, unit: Unit | None = None) -> ZoneInfo:
    unit = unit or request.user.unit
    return unit.zone if unit is not None else DEFAULT_ZONE


def _require_deploy(request: HttpRequest, unit: Unit) -> None:
    if not scoping.can_deploy(request.user, unit):
        raise PermissionDenied(_("Anda tidak berwenang menempatkan personel untuk satuan ini."))


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _context(request, unit, operation, **extra) -> dict:
    base_query = _query(unit=unit.code, operation=operation.code if operation else "")
    return {
        "unit": unit,
        "operation": operation,
        "operations": operations_for(request.user).order_by("-start_date"),
        "can_deploy": scoping.can_deploy(request.user, unit),
        "base_query": base_query,
        **extra,
    }


def _render(request, template: str, unit, operation, **extra) -> HttpResponse:
    """A page of this app, its times shown in the focus unit's zone."""
    with timezone.override(unit.zone):
        return render(request, template, _context(request, unit, operation, **extra))


# --- deployments ----------------------------------------------------------------------------


@login_required
def deployment_list(request: HttpRequest) -> HttpResponse:
    """Deployments below the focus unit, by local day, searchable by NRP or name."""
    unit, operation, day = _focus(request)
    qs = scope(request.user, tree.in_subtree(Deployment.objects.all(), unit))
    if operation is not None:
        qs = qs.filter(operation=operation)
    if day is not None:
        qs = qs.filter(
            starts_at__lt=clock.day_start(unit, day + dt.timedelta(days=1)),
            ends_at__gt=clock.day_start(unit, day),
        )
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(personnel__nrp__startswith=query) | Q(personnel__name__icontains=query))
    qs = qs.select_related(
        "personnel__rank", "unit", "post", "group", "event", "assignment"
    ).order_by("starts_at", "unit__path", "personnel__name", "pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    with timezone.override(_zone(request, unit)):
        return render(
            request,
            "personnel/deployments.html",
            _context(
                request,
                unit,
                operation,
                page=page,
                query=query,
                day=day,
                today=clock.local_date(unit),
            ),
        )


FORM_FIELD_OF = {"assignment": "nrp", "post": "post_code", "ends_at": "ends_at"}


@login_required
@require_http_methods(["GET", "POST"])
def deployment_create(request: HttpRequest) -> HttpResponse:
    unit, operation, _day = _focus(request)
    if operation is None:
        raise Http404
    _require_deploy(request, unit)
    events = scope(
        request.user,
        tree.in_subtree(Event.objects.filter(operation=operation), unit),
    ).order_by("starts_at")
    zone = _zone(request, unit)
    with timezone.override(zone):
        form = DeploymentForm(
            request.POST or None,
            events=events,
            initial=request.GET.dict(),
            scope_user=request.user,
        )
        if request.method == "POST" and form.is_valid():
            deployment = _deploy_from_form(request, form, operation, unit)
            if deployment is not None:
                messages.success(
                    request,
                    _("%(person)s ditempatkan di %(target)s.")
                    % {"person": deployment.personnel, "target": deployment.target},
                )
                return redirect(
                    reverse("personnel:deployments")
                    + "?"
                    + _query(unit=unit.code, operation=operation.code)
                )
        return render(
            request,
            "personnel/deployment_form.html",
            _context(request, unit, operation, form=form, zone_name=unit.zone_abbreviation),
        )


def _deploy_from_form(request, form, operation, unit) -> Deployment | None:
    data = form.cleaned_data
    assignment = (
        scope(
            request.user,
            Assignment.objects.filter(operation=operation, personnel__nrp=data["nrp"]),
        )
        .select_related("personnel__rank", "unit")
        .first()
    )
    if assignment is None:
        form.add_error(
            "nrp", _("Personel dengan NRP ini tidak bertugas dalam operasi di wilayah Anda.")
        )
        return None
    post = None
    if data.get("post_code"):
        post = (
            scope(request.user, Post.objects.filter(operation=operation, code=data["post_code"]))
            .select_related("unit")
            .first()
        )
        if post is None:
            form.add_error("post_code", _("Pos dengan kode ini tidak ditemukan di wilayah Anda."))
            return None
    target_unit = post.unit if post else data["event"].unit
    if not scoping.can_deploy(request.user, target_unit):
        form.add_error("post_code", _("Anda tidak berwenang menempatkan personel di pos ini."))
        return None
    try:
        return services.deployment_create(
            assignment=assignment,
            post=post,
            event=data.get("event"),
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            note=data.get("note", ""),
            by=request.user,
            channel="web",
        )
    except ValidationError as exc:
        for key, errors in exc.message_dict.items():
            field = FORM_FIELD_OF.get(key)
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def deployment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deployment = get_in_scope_or_404(
        request.user,
        Deployment.objects.select_related("personnel__rank", "unit", "post", "group", "event"),
        pk=pk,
    )
    _require_deploy(request, deployment.unit)
    if request.method == "POST":
        services.deployment_cancel(deployment=deployment, by=request.user, channel="web")
        messages.success(request, _("Penempatan dibatalkan."))
        return redirect(
            reverse("personnel:deployments")
            + "?"
            + _query(unit=deployment.unit.code, operation=deployment.operation.code)
        )
    with timezone.override(deployment.unit.zone):
        return render(request, "personnel/deployment_delete.html", {"deployment": deployment})


@login_required
@require_http_methods(["GET", "POST"])
def deployment_import(request: HttpRequest) -> HttpResponse:
    unit, operation, _day = _focus(request)
    if operation is None:
        raise Http404
    _require_deploy(request, unit)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.deployments_import(
                raw=form.cleaned_data["file"].encode("utf-8"),
                operation=operation,
                within=unit,
                by=request.user,
                channel="import",
                only_valid=form.cleaned_data["only_valid"],
            )
        except CsvFileError as exc:
            form.add_error("file", exc.message)
    # Each refused row with the CSV column it names (its first, Indonesian, header).
    error_rows = [
        (e.line, imports.DEPLOYMENT_COLUMNS.get(e.field or "", (e.field,))[0], e.message)
        for e in (result.errors if result else [])
    ]
    return _render(
        request,
        "personnel/deployment_import.html",
        unit,
        operation,
        form=form,
        result=result,
        error_rows=error_rows,
    )


# --- coverage, plotting, guard gaps, events -------------------------------------------------


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Required vs deployed at TPS by the pattern, for the unit and each unit below it."""
    unit, operation, day = _focus(request)
    result = None
    if operation is not None:
        span = None
        if day is not None:
            span = (clock.day_start(unit, day), clock.day_start(unit, day + dt.timedelta(days=1)))
        result = selectors.coverage(operation, unit, span)
    return render(
        request,
        "personnel/coverage.html",
        _context(
            request,
            unit,
            operation,
            result=result,
            levels=[
                (Vulnerability(level).label, level, row) for level, row in result.by_level.items()
            ]
            if result
            else [],
            day=day,
            voting_day=voting_day(operation) if operation else None,
            is_polres=unit.kind == UnitKind.POLRES,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plotting_view(request: HttpRequest) -> HttpResponse:
    """Propose a plotting for a Polres's unassigned TPS; a person reviews and confirms it."""
    unit, operation, _day = _focus(request)
    if operation is None or unit.kind != UnitKind.POLRES:
        raise Http404
    _require_deploy(request, unit)
    vote = voting_day(operation)
    data = (
        request.POST
        if request.method == "POST"
        else (request.GET if "day" in request.GET else None)
    )
    form = SpanForm(
        data, initial={"day": vote or clock.local_date(unit), "start_hour": 6, "hours": 18}
    )
    proposal = None
    if form.is_valid():
        starts_at, ends_at = form.span(unit.zone)
        if request.method == "POST":
            try:
                created = services_plotting.plotting_confirm(
                    operation=operation,
                    polres=unit,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    plan=request.POST.get("plan", ""),
                    by=request.user,
                    channel="web",
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("%(n)s penempatan dibuat dari usulan plotting.") % {"n": created}
                )
                return redirect(
                    reverse("personnel:coverage")
                    + "?"
                    + _query(unit=unit.code, operation=operation.code)
                )
        proposal = plotting.propose(operation, unit, starts_at, ends_at)
    return _render(
        request, "personnel/plotting.html", unit, operation, form=form, proposal=proposal
    )


@login_required
def guard_gaps(request: HttpRequest) -> HttpResponse:
    """Hours in which a round-the-clock post (warehouse, office) has fewer guards than needed."""
    unit, operation, day = _focus(request)
    today = clock.local_date(unit)
    form = GapsForm(
        request.GET if "day" in request.GET else None, initial={"day": today, "days": 1}
    )
    result = None
    if operation is not None:
        day, days = (
            (form.cleaned_data["day"], form.cleaned_data["days"]) if form.is_valid() else (today, 1)
        )
        start = clock.day_start(unit, day)
        end = clock.day_start(unit, day + dt.timedelta(days=days))
        result = selectors.guard_gaps(operation, unit, start, end)
    return _render(request, "personnel/guard_gaps.html", unit, operation, form=form, result=result)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    """Events to secure below the unit, with personnel required and deployed."""
    unit, operation, _day = _focus(request)
    qs = scope(request.user, tree.in_subtree(Event.objects.all(), unit))
    if operation is not None:
        qs = qs.filter(operation=operation)
    qs = (
        qs.select_related("unit")
        .annotate(deployed=Count("deployments__personnel", distinct=True))
        .order_by("starts_at", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return _render(request, "personnel/events.html", unit, operation, page=page)


# --- apel and readiness ---------------------------------------------------------------------


@login_required
def apel_list(request: HttpRequest) -> HttpResponse:
    unit, operation, _day = _focus(request)
    qs = scope(request.user, tree.in_subtree(Apel.objects.all(), unit))
    if operation is not None:
        qs = qs.filter(operation=operation)
    qs = qs.select_related("unit").prefetch_related("equipment").order_by("-held_at", "-pk")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return _render(request, "personnel/apel_list.html", unit, operation, page=page)


@login_required
@require_http_methods(["GET", "POST"])
def apel_create(request: HttpRequest) -> HttpResponse:
    unit, operation, _day = _focus(request)
    if operation is None:
        raise Http404
    _require_deploy(request, unit)
    with timezone.override(unit.zone):
        form = ApelForm(
            request.POST or None,
            initial={"held_at": timezone.localtime().replace(second=0, microsecond=0)},
        )
        if request.method == "POST" and form.is_valid():
            try:
                apel = services.apel_record(
                    operation=operation,
                    unit=unit,
                    kind=form.cleaned_data["kind"],
                    held_at=form.cleaned_data["held_at"],
                    strength=form.strength(),
                    equipment=form.equipment(),
                    commander=form.cleaned_data["commander"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                    channel="web",
                )
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:
                messages.success(
                    request,
                    _("Apel %(unit)s dicatat: %(present)s dari %(total)s personel hadir.")
                    % {"unit": unit, "present": apel.present, "total": apel.total},
                )
                return redirect(
                    reverse("personnel:apels")
                    + "?"
                    + _query(unit=unit.code, operation=operation.code)
                )
        return render(
            request, "personnel/apel_form.html", _context(request, unit, operation, form=form)
        )


# --- duty roster PDF ------------------------------------------------------------------------


@login_required
def roster_pdf(request: HttpRequest) -> HttpResponse:
    """The duty roster of a local day for a unit, as PDF (who, where, when, rank, NRP)."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy (WeasyPrint, Pango): loaded only when a roster PDF is asked for

    unit, operation, day = _focus(request)
    day = day or clock.local_date(unit)
    rows = list(scope(request.user, selectors.roster(unit, day, operation)))
    with timezone.override(unit.zone):
        html = render_to_string(
            "personnel/roster_pdf.html",
            {
                "unit": unit,
                "operation": operation,
                "day": day,
                "rows": rows,
                "printed_at": timezone.localtime(),
                "printed_by": request.user,
            },
            request=request,
        )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="roster-{unit.code}-{day.isoformat()}.pdf"'
    return response
