"""Signals of the kernel: what the audit app listens to without the kernel importing it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.dispatch import Signal

# Sent when a signed-in user asked for a record that exists outside their scope (they
# get a 404). The audit app records it, rate-capped (audit.receivers).
out_of_scope = Signal()


def report_out_of_scope(user, queryset: QuerySet, channel: str = "web", **lookup) -> None:
    """Tell the audit trail if `lookup` names a record that exists outside `user`'s scope."""
    if user is None or not user.is_authenticated:
        return
    try:
        found = queryset.model._default_manager.filter(**lookup).first()
    except (ValueError, TypeError, ValidationError):
        return
    if found is not None:
        out_of_scope.send(sender=queryset.model, user=user, obj=found, channel=channel)
