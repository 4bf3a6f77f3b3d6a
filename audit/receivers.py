"""What the audit app records on its own: out-of-scope access and every admin action."""

from __future__ import annotations

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import timezone

from audit.admin import _unit_of
from audit.models import AuditEntry, Channel
from audit.services import record, scrub

logger = logging.getLogger(__name__)

# At most this many out-of-scope entries per user and hour: a script probing ids must
# not flood the trail (the first ones are the evidence).
OUT_OF_SCOPE_PER_HOUR = 20


# Records whose key is a secret (an API token's digest): the probe is not worth a trail
# entry that would carry the key.
SECRET_KEYED = {("accounts", "apitoken")}


def on_out_of_scope(sender, *, user, obj, channel="web", **kwargs) -> None:
    if (obj._meta.app_label, obj._meta.model_name) in SECRET_KEYED:
        return
    key = f"audit:out-of-scope:{user.pk}:{timezone.now():%Y%m%d%H}"
    try:
        cache.add(key, 0, 3600)
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, 3600)
        count = 1
    except Exception:  # the cache (Redis) is down: record, uncapped, rather than fail
        logger.warning("out-of-scope cap unavailable (cache down)", exc_info=True)
        count = 1
    if count > OUT_OF_SCOPE_PER_HOUR:
        return
    record(
        actor=user,
        channel=channel,
        action="access.out_of_scope",
        obj=obj,
        changes={"capped_after": OUT_OF_SCOPE_PER_HOUR} if count == OUT_OF_SCOPE_PER_HOUR else {},
    )


def _admin_entry(request, obj, action: str, message="") -> None:
    unit = _unit_of(obj)
    AuditEntry.objects.create(
        actor=request.user if request.user.is_authenticated else None,
        actor_name=request.user.get_username()[:150] if request.user.is_authenticated else "",
        channel=Channel.ADMIN,
        action=f"{obj._meta.model_name}.admin_{action}"[:50],
        content_type_id=_content_type_id(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit=unit,
        unit_code=getattr(unit, "code", "") or "",
        changes=scrub({"message": str(message)} if message else {}),
    )


def _content_type_id(obj) -> int:
    return ContentType.objects.get_for_model(obj, for_concrete_model=False).pk


def audit_every_admin(site) -> None:
    """Record every add/change/delete of a ModelAdmin that does not audit by itself.

    AuditedAdmin (and admins whose writes go through audited services) set
    `writes_audit_trail = True`; every other registered admin gets its log hooks wrapped.
    """
    for model_admin in site._registry.values():
        if getattr(model_admin, "writes_audit_trail", False):
            continue
        _wrap(model_admin)


def _wrap(model_admin) -> None:
    add, change, deletions = (
        model_admin.log_addition,
        model_admin.log_change,
        model_admin.log_deletions,
    )

    def log_addition(request, obj, message):
        _admin_entry(request, obj, "add", message)
        return add(request, obj, message)

    def log_change(request, obj, message):
        _admin_entry(request, obj, "change", message)
        return change(request, obj, message)

    def log_deletions(request, queryset):
        for obj in queryset:
            _admin_entry(request, obj, "delete")
        return deletions(request, queryset)

    model_admin.log_addition = log_addition
    model_admin.log_change = log_change
    model_admin.log_deletions = log_deletions
