"""One error format across the API, and the one place where service errors become HTTP.

{"status": 400, "code": "invalid", "detail": "…",
 "errors": [{"field": "nrp", "code": "invalid", "message": "NRP harus 8 angka."}]}

`exception_handler` maps every error type a service raises (pamilu.errors lists them)
to its answer; views and viewsets call services and let the errors through.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from pamilu.api.csvfile import CsvFileError
from pamilu.errors import NeedsConfirmation, StateError
from pamilu.signals import report_out_of_scope


def _flatten(detail, prefix: str = "") -> list[dict]:
    errors: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list serializer's errors by row index
                errors.extend(_flatten(value, f"{prefix}[{key}]" if prefix else str(key)))
                continue
            field = key if key != "non_field_errors" else ""
            name = f"{prefix}.{field}" if prefix and field else (field or prefix)
            errors.extend(_flatten(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, exceptions.ErrorDetail):
                errors.extend(_flatten(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                errors.extend(_flatten(value, prefix))
    else:
        errors.append(
            {
                "field": prefix or None,
                "code": getattr(detail, "code", "invalid"),
                "message": str(detail),
            }
        )
    return errors


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class Conflict(exceptions.APIException):
    """A service's StateError: the record's state does not allow this change."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Status data tidak mengizinkan perubahan ini.")
    default_code = "conflict"


class WarningsToConfirm(exceptions.APIException):
    """A service's NeedsConfirmation: resend with the warnings' codes in confirm_warnings."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "confirm_warnings"

    def __init__(self, exc: NeedsConfirmation):
        warnings = exc.warnings
        super().__init__(
            _("Periksa peringatan lalu kirim lagi dengan kodenya di confirm_warnings: %s")
            % "; ".join(w.message for w in warnings)
        )
        self.error_items = [
            {"field": w.field, "code": w.code, "message": w.message} for w in warnings
        ]
        self.extra_body = {"warnings": [w.as_dict() for w in warnings]}


def _service_error(exc: Exception) -> Exception:
    """The APIException answering a service's error (pamilu.errors), else `exc` itself."""
    if isinstance(exc, RequestDataTooBig):
        return _too_large()
    if isinstance(exc, StateError):  # before ValidationError: a StateError is one
        return Conflict(" ".join(exc.messages))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, NeedsConfirmation):
        return WarningsToConfirm(exc)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, IntegrityError):
        return exceptions.ValidationError(
            {"non_field_errors": ["Data bertentangan dengan data yang sudah ada."]},
            code="conflict",
        )
    if isinstance(exc, CsvFileError):
        message = f"Baris {exc.line}: {exc.message}" if exc.line else exc.message
        return exceptions.ValidationError({exc.field or "file": [message]})
    return exc


def _too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    size = f"{limit:,}".replace(",", ".")
    return PayloadTooLarge(
        f"Isi permintaan melebihi batas {size} byte ({limit / (1024 * 1024):.1f} MB, "
        "DATA_UPLOAD_MAX_MEMORY_SIZE)."
    )


def _report_out_of_scope(context) -> None:
    """A detail route's 404 for a record that exists outside the user's scope: audit it."""
    view, request = context.get("view"), context.get("request")
    if view is None or request is None or not hasattr(view, "get_queryset"):
        return
    lookup_field = getattr(view, "lookup_field", "pk")
    value = getattr(view, "kwargs", {}).get(getattr(view, "lookup_url_kwarg", None) or lookup_field)
    if value is None:
        return
    try:
        model = view.get_queryset().model
    except Exception:
        return
    report_out_of_scope(
        request.user, model._default_manager.all(), channel="api", **{lookup_field: value}
    )


def exception_handler(exc, context):
    exc = _service_error(exc)
    if isinstance(exc, Http404 | exceptions.NotFound):
        _report_out_of_scope(context)
    if isinstance(exc, Http404):  # as DRF does, so the body's code is "not_found" too
        exc = exceptions.NotFound(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = errors[0]["message"] if len(errors) == 1 else "Data tidak valid."
        code = "invalid"
    else:
        detail_obj = getattr(exc, "detail", str(exc))
        detail = str(detail_obj)
        code = getattr(detail_obj, "code", None) or getattr(exc, "default_code", "error")
        errors = list(getattr(exc, "error_items", []))
    body = {"status": response.status_code, "code": code, "detail": detail, "errors": errors}
    body.update(getattr(exc, "extra_body", {}))
    response.data = body
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        wait = getattr(exc, "wait", None)
        response["Retry-After"] = str(int(wait or 60))
    return response


def handler404(request, exception):
    """A URL under /api/ that matches no route answers in the API's error format too."""
    if request.path.startswith("/api/"):
        body = {"status": 404, "code": "not_found", "detail": "Tidak ditemukan.", "errors": []}
        return JsonResponse(body, status=404)

    return page_not_found(request, exception)
