"""Recording audit entries. Every service that writes calls `record` in its transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from audit.models import AuditEntry, Channel
from pamilu.actors import Actor, ChannelName, SystemActor, user_of

# Never written to an entry: password hashes, token digests and salts, session keys.
# (A token's `token_key` is knox's public 15-character prefix, shown in the admin list,
# not the secret; it stays so an entry says which token was issued or revoked.)
SECRET_NAMES = frozenset(
    {"password", "digest", "salt", "token", "key", "session_key", "session_data", "secret"}
)
REDACTED = "[disembunyikan]"

M = TypeVar("M", bound=models.Model)


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_NAMES or "password" in lowered or "secret" in lowered


def scrub(value: Any) -> Any:
    """`value` with every secret-named field's value replaced by REDACTED (nested too).

    A changed password still shows as a change ([REDACTED, REDACTED]); its hash never.
    """
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if is_secret(str(key)):
                result[key] = (
                    [REDACTED if v not in (None, "") else v for v in item]
                    if isinstance(item, list)
                    else (REDACTED if item not in (None, "") else item)
                )
            else:
                result[key] = scrub(item)
        return result
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj`, for diffing before and after a change."""
    names = fields or [f.name for f in obj._meta.concrete_fields]
    result = {}
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, getattr(field, "attname", name))
        result[name] = _plain(value)
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field that changed."""
    return {
        key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)
    }


def record(
    *,
    actor: Actor,
    channel: ChannelName,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    unit: models.Model | None = None,
) -> AuditEntry:
    """Insert one audit entry for a write to `obj`, naming who acted (a user, or a system
    actor by its name)."""
    if channel not in Channel.values:
        raise ValueError(f"unknown audit channel {channel!r}")
    if actor is None:
        raise TypeError("audit.services.record: an actor is required (a user or a SystemActor)")
    is_user = not isinstance(actor, SystemActor) and getattr(actor, "is_authenticated", False)
    if unit is None:
        unit = getattr(obj, "unit", None)
    return AuditEntry.objects.create(
        actor=user_of(actor) if is_user else None,
        actor_name=actor.get_username()[:150],
        channel=channel,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit=unit,  # type: ignore[misc]  # a Unit: audit does not import operations
        unit_code=(getattr(unit, "code", "") or "")[:50],
        changes=scrub(_plain(changes or {})),
    )


def entries_for(obj: models.Model) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")


def save_audited(
    obj: M,
    *,
    by: Actor,
    channel: ChannelName,
    action: str,
    changes: dict[str, Any] | None = None,
) -> M:
    """Validate and save `obj`, recording what changed against the stored row.

    A new object's entry holds its values; an existing one's the {field: [old, new]} diff.
    Call it inside the service's transaction.
    """
    stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    before = snapshot(stored) if stored is not None else {}
    obj.full_clean()
    obj.save()
    after = snapshot(obj)
    record(
        actor=by,
        channel=channel,
        action=action,
        obj=obj,
        changes=changes if changes is not None else (diff(before, after) if stored else after),
    )
    return obj


def delete_audited(
    obj: models.Model,
    *,
    by: Actor,
    channel: ChannelName,
    action: str,
    unit: models.Model | None = None,
) -> None:
    """Record `obj`'s values, then delete it (the database refuses a protected row, and the
    entry goes with the rolled-back transaction). Call it inside the service's transaction."""
    record(actor=by, channel=channel, action=action, obj=obj, changes=snapshot(obj), unit=unit)
    obj.delete()
