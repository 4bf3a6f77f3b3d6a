"""Idempotency-Key for the reports API's writes: a retry of a request (same user, key,
method, path and body) replays the first response instead of writing twice."""

from __future__ import annotations

import hashlib
import json

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from reports.models import IdempotencyKey


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("Idempotency-Key ini sudah dipakai untuk permintaan dengan isi berbeda.")
    default_code = "idempotency_key_reused"


def _file_or_str(value) -> str:
    # An uploaded file counts by its name and size (a retry sends the same bytes).
    if hasattr(value, "size") and hasattr(value, "name"):
        return f"file:{value.name}:{value.size}"
    return str(value)


def _body_hash(data) -> str:
    if hasattr(data, "lists"):
        data = dict(data.lists())
    text = json.dumps(data, sort_keys=True, cls=JSONEncoder, default=_file_or_str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request, handler) -> Response:
    """Run `handler` once per (user, Idempotency-Key): a retry replays the first response.

    The key row and the report commit in one transaction. A concurrent retry blocks on
    the unique constraint until the first commits, then replays its response; if the
    first failed (and rolled back), the retry runs as if it were the first.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return handler()
    if len(key) > 255:
        raise exceptions.ValidationError({"Idempotency-Key": [_("Paling banyak 255 karakter.")]})
    digest = _body_hash(request.data)
    target = f"{request.method} {request.path}"[:255]
    with transaction.atomic():
        stored = _claim_key(request.user, key, target, digest)
        if stored is None:
            first = IdempotencyKey.objects.get(user=request.user, key=key)
            if first.body_hash != digest or first.method_path != target:
                raise IdempotencyKeyReused
            return Response(
                first.response_body,
                status=first.response_status,
                headers={"Idempotent-Replayed": "true"},
            )
        response = handler()
        stored.response_status = response.status_code
        stored.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
        stored.save(update_fields=["response_status", "response_body"])
        return response


def _claim_key(user, key: str, target: str, digest: str) -> IdempotencyKey | None:
    """Insert the key row, or None when it exists: one INSERT … ON CONFLICT DO NOTHING
    (a concurrent first request holds it until it commits or rolls back)."""
    table = IdempotencyKey._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (user_id, "key", method_path, body_hash, response_status, '  # noqa: S608 - constant table name
            "response_body, created_at) VALUES (%s, %s, %s, %s, 0, %s, %s) "
            'ON CONFLICT (user_id, "key") DO NOTHING RETURNING id',
            [user.pk, key, target, digest, "{}", now],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return IdempotencyKey(
        pk=row[0], user=user, key=key, method_path=target, body_hash=digest, response_status=0
    )
