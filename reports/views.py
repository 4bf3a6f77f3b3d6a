"""Pages of the daily report: the unit's list, the phone form, the report, the review queue.

Every read goes through reports.selectors (scoped: out of scope is 404); every write
through reports.services with channel "web".
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Channel
from operations import clock
from operations.selectors import default_operation, operations_for
from pamilu.paging import CappedPaginator
from pamilu.scoping import can_review_unit, can_write_for_unit
from reports import rules, selectors, services, services_form
from reports.forms import (
    ActivityFormSet,
    IncidentFormSet,
    ReportForm,
    ReturnForm,
    activity_initial,
    incident_initial,
)
from reports.models import DailyReport, FlagCode, ReportStatus

WEB = Channel.WEB


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports the user may see, newest day first, filterable by state."""
    qs = selectors.reports_for(request.user)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = CappedPaginator(qs.order_by(*selectors.LIST_ORDER), 30).get_page(request.GET.get("page"))
    user = request.user
    can_create = user.unit_id is not None and can_write_for_unit(user, user.unit)
    today_report = None
    if can_create:
        today_report = (
            DailyReport.objects.filter(unit=user.unit, report_date=clock.local_date(user.unit))
            .order_by("-operation__start_date")
            .first()
        )
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "status": status,
            "statuses": ReportStatus.choices,
            "can_create": can_create,
            "today_report": today_report,
        },
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted reports from the reviewer's subtree, oldest day first; `?flag=` keeps the
    reports carrying that flag."""
    flag = request.GET.get("flag", "")
    flag = flag if flag in FlagCode.values else ""
    qs = selectors.review_queue(request.user, flag=flag)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/queue.html",
        {
            "page": page,
            "flag": flag,
            "flags": FlagCode.choices,
        },
    )


def _formsets(request, *, operation, unit, report=None):
    task_forces = (
        operation.task_forces.filter(level=rules.task_force_level(unit)) if operation else None
    )
    data = request.POST if request.method == "POST" else None
    activities = ActivityFormSet(
        data,
        prefix="act",
        initial=activity_initial(report) if report else None,
        form_kwargs={"task_forces": task_forces, "scope_user": request.user},
    )
    incidents = IncidentFormSet(
        data, prefix="inc", initial=incident_initial(report) if report else None
    )
    return activities, incidents


def _items(formset, **kwargs) -> tuple[list[dict], list[int]]:
    """Rows to keep (existing rows unless marked for deletion, and filled-in new rows), and
    the index of each one's form, so that a service error on row n finds its form."""
    kept, indices = [], []
    for index, form in enumerate(formset.forms):
        existing = index < formset.initial_form_count()
        if not (existing or form.has_changed()) or not form.is_valid():
            continue
        if not form.cleaned_data.get("DELETE"):
            kept.append(form.as_item(**kwargs))
            indices.append(index)
    return kept, indices


ROW_ERROR = re.compile(r"^(activities|incidents)\[(\d+)\]\.(\w+)$")


def _apply_service_errors(form, exc: ValidationError, *, rows=None, sections=None) -> None:
    """Put each service error beside its field: report fields, rows ("activities[2].personnel")
    and whole sections ("activities"); anything else at the top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        row = ROW_ERROR.match(field)
        if row and rows is not None:
            formset, indices = rows[row[1]]
            number, name = int(row[2]), row[3]
            if number < len(indices) and name in formset.forms[indices[number]].fields:
                formset.forms[indices[number]].add_error(name, errors)
                continue
        if sections is not None and field in sections:
            sections[field].extend(errors)
        elif field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


def _error_summary(form, activities, incidents, sections) -> list[dict]:
    """Every error of the page, in page order, each with the id of the field it is about."""
    items = []

    def add(bound_form, prefix_label=""):
        for name, errors in bound_form.errors.items():
            if name == "__all__":
                for error in errors:
                    items.append({"anchor": "report-form", "label": prefix_label, "text": error})
                continue
            field = bound_form[name]
            label = f"{prefix_label}{field.label}"
            for error in errors:
                items.append({"anchor": field.id_for_label, "label": label, "text": error})

    add(form)
    for key, formset, title in (
        ("activities", activities, _("Kegiatan")),
        ("incidents", incidents, _("Kejadian")),
    ):
        for error in formset.non_form_errors():
            items.append({"anchor": f"section-{key}", "label": title, "text": error})
        for error in sections.get(key, []):
            items.append({"anchor": f"section-{key}", "label": title, "text": error})
        for number, row in enumerate(formset.forms, start=1):
            add(row, f"{title} {number} · ")
    return items


def _report_form(request: HttpRequest, report: DailyReport | None) -> HttpResponse:
    user = request.user
    unit = report.unit if report else user.unit
    if unit is None or not can_write_for_unit(user, unit):
        raise PermissionDenied
    today = clock.local_date(unit)
    operations = operations_for(user).filter(unit__path__in=unit.ancestor_paths())
    if report is None:
        # A new report is for an operation running today in the unit's zone.
        operations = operations.filter(start_date__lte=today, end_date__gte=today)
    initial = {}
    if report is None:
        current = default_operation(user, today)
        current = current if current and operations.filter(pk=current.pk).exists() else None
        current = current or operations.order_by("-start_date").first()
        initial = {
            "operation": current.pk if current else None,
            "report_date": today,
            "personnel_on_duty": None,  # typed in, not a 0 to overlook
        }
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        instance=report,
        initial=initial,
        operations=operations,
        editing=report is not None,
        scope_user=user,
    )
    operation = report.operation if report else None
    if operation is None and request.method == "POST" and form.is_valid():
        operation = form.cleaned_data["operation"]
    elif operation is None and initial.get("operation"):
        operation = operations.filter(pk=initial["operation"]).first()
    activities, incidents = _formsets(request, operation=operation, unit=unit, report=report)
    sections: dict[str, list[str]] = {"activities": [], "incidents": []}
    warnings: list[rules.SendWarning] = []
    confirmed = request.POST.getlist("confirm_warnings") if request.method == "POST" else []

    if request.method == "POST":
        valid = form.is_valid() & activities.is_valid() & incidents.is_valid()
        if valid:
            data = form.cleaned_data
            day = report.report_date if report else (data["report_date"] or today)
            fields = {
                name: data[name]
                for name in ["personnel_on_duty", "summary", "obstacles", "next_day_plan"]
            }
            fields["personnel_on_duty"] = fields["personnel_on_duty"] or 0
            activity_items, activity_rows = _items(activities)
            incident_items, incident_rows = _items(incidents, unit=unit, day=day)
            rows = {
                "activities": (activities, activity_rows),
                "incidents": (incidents, incident_rows),
            }
            try:
                report = services_form.report_save(
                    report=report,
                    operation=report.operation if report else data["operation"],
                    unit=unit,
                    report_date=day,
                    by=user,
                    channel=WEB,
                    activities=activity_items,
                    incidents=incident_items,
                    attachment=data.get("attachment") or None,
                    submit=request.POST.get("action") == "submit",
                    confirm_warnings=confirmed,
                    **fields,
                )
            except (ValidationError, rules.SendWarnings) as exc:
                if isinstance(exc, rules.SendWarnings):
                    warnings = exc.warnings
                else:
                    _apply_service_errors(form, exc, rows=rows, sections=sections)
            else:
                if report.status == ReportStatus.SUBMITTED:
                    messages.success(request, _("Laporan terkirim ke pemeriksa."))
                else:
                    messages.success(request, _("Draf laporan tersimpan."))
                return redirect("reports:detail", pk=report.pk)
    errors = (
        _error_summary(form, activities, incidents, sections) if request.method == "POST" else []
    )
    existing = None
    if report is None and operation is not None:
        # Today's report (or the typed day's) already there: say so and link to it, rather
        # than let the kapolsek type a second one that the service refuses as a duplicate.
        day = today
        if form.is_bound and form.is_valid():
            day = form.cleaned_data.get("report_date") or today
        existing = selectors.report_of_day(
            user, unit_id=unit.pk, operation_id=operation.pk, day=day
        )
    return render(
        request,
        "reports/form.html",
        {
            "form": form,
            "activities": activities,
            "incidents": incidents,
            "report": report,
            "unit": unit,
            "today": today,
            "errors": errors,
            "sections": sections,
            "warnings": warnings,
            "warnings_by_field": {
                field: [w for w in warnings if w.field == field]
                for field in {w.field for w in warnings}
            },
            "confirmed": confirmed,
            "existing": existing,
            "existing_editable": existing is not None and existing.status in services.EDITABLE,
            "deadline": clock.report_deadline(operation, unit, today) if operation else None,
        },
        status=(422 if warnings and not errors else 400) if request.method == "POST" else 200,
    )


@login_required
def report_create(request: HttpRequest) -> HttpResponse:
    return _report_form(request, None)


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_in_scope(request.user, pk)
    if report.status not in services.EDITABLE:
        messages.error(request, _("Laporan yang sudah dikirim tidak dapat diubah."))
        return redirect("reports:detail", pk=report.pk)
    return _report_form(request, report)


@login_required
def report_detail(
    request: HttpRequest,
    pk: int,
    return_form: ReturnForm | None = None,
    warnings: list | None = None,
):
    report = selectors.report_in_scope(request.user, pk)
    user = request.user
    can_write = can_write_for_unit(user, report.unit)
    can_review = can_review_unit(user, report.unit)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "trail": selectors.audit_trail(report),
            "can_edit": can_write and report.status in services.EDITABLE,
            "can_review": can_review and report.status == ReportStatus.SUBMITTED,
            "return_form": return_form or ReturnForm(),
            "deadline": clock.report_deadline(report.operation, report.unit, report.report_date),
            "warnings": warnings or [],
        },
        status=400 if return_form is not None else 422 if warnings else 200,
    )


def _transition(request, pk, action) -> HttpResponse:
    report = selectors.report_in_scope(request.user, pk)
    try:
        action(report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send from the report's page; warnings come back there with a confirm box each."""
    report = selectors.report_in_scope(request.user, pk)
    try:
        services.report_submit(
            report=report,
            by=request.user,
            channel=WEB,
            confirm_warnings=request.POST.getlist("confirm_warnings"),
        )
    except rules.SendWarnings as exc:
        return report_detail(request, pk, warnings=exc.warnings)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Laporan terkirim ke pemeriksa."))
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def accept(report):
        services.report_accept(report=report, by=request.user, channel=WEB)
        messages.success(request, _("Laporan diterima."))

    response = _transition(request, pk, accept)
    if request.POST.get("next") == "queue":
        return redirect("reports:queue")
    return response


@login_required
@require_POST
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_in_scope(request.user, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if not can_review_unit(request.user, report.unit):
            raise PermissionDenied
        return report_detail(request, pk, return_form=form)
    try:
        services.report_return(
            report=report, by=request.user, channel=WEB, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Laporan dikembalikan ke satuan."))
    return redirect("reports:detail", pk=report.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an attachment only to users who may see its report."""
    attachment = get_object_or_404(selectors.attachments_for(request.user), pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(selectors.attachments_for(request.user), pk=pk)
    report_pk = attachment.report_id
    try:
        services.attachment_remove(attachment=attachment, by=request.user, channel=WEB)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Lampiran dihapus."))
    return redirect("reports:detail", pk=report_pk)
