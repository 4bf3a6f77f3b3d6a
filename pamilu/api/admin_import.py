"""The admin's bulk-import page, shared by the TPS and personnel imports.

Each ModelAdmin adds one URL (`<app>_<model>_import`) that renders
templates/admin/imports/import.html with a form and the per-row report.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pamilu.api.csvfile import CsvFileError


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV (UTF-8)"))
    only_valid = forms.BooleanField(
        label=_("Tulis baris yang valid saja"),
        required=False,
        help_text=_("Tanpa centang: tidak ada yang ditulis bila satu baris ditolak."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


def import_page(
    model_admin, request, *, form_class, title: str, help_text: str, run
) -> TemplateResponse:
    """GET: the form. POST: `run(form.cleaned_data, raw_bytes)` → ImportReport, shown below."""
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    report = file_error = None
    form = form_class(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = run(form.cleaned_data, form.cleaned_data["file"].read())
        except CsvFileError as exc:
            file_error = _("Baris %(line)s: %(message)s") % {
                "line": exc.line,
                "message": exc.message,
            }
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": opts,
        "title": title,
        "help": help_text,
        "form": form,
        "report": report,
        "file_error": file_error,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
    }
    return TemplateResponse(request, "admin/imports/import.html", context)
