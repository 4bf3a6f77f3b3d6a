"""One error format across the API.

{"status": 400, "code": "invalid", "detail": "…",
 "errors": [{"field": "nrp", "code": "invalid", "message": "NRP harus 8 angka."}]}
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

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
    if isinstance(exc, RequestDataTooBig):
        exc = _too_large()
    if isinstance(exc, Http404 | exceptions.NotFound):
        _report_out_of_scope(context)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            {"non_field_errors": ["Data bertentangan dengan data yang sudah ada."]},
            code="conflict",
        )
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
