"""Writes about users' API tokens (issue, revoke), each audited on the token's user."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from audit.services import record

MAX_TOKEN_LIFETIME = dt.timedelta(days=366)


@transaction.atomic
def token_issue(
    *, user: User, expiry: dt.datetime, by: User, channel: str = "api"
) -> tuple[ApiToken, str]:
    """Create a token for `user` valid until `expiry`; returns it and the key (shown once)."""
    now = timezone.now()
    if expiry is None or expiry <= now:
        raise ValidationError({"expiry": _("Masa berlaku harus di masa depan.")})
    if expiry > now + MAX_TOKEN_LIFETIME:
        raise ValidationError({"expiry": _("Masa berlaku paling lama satu tahun.")})
    if not user.is_active:
        raise ValidationError({"user": _("Pengguna tidak aktif.")})
    token, key = ApiToken.objects.create(user=user, expiry=expiry - now)
    record(
        actor=by,
        channel=channel,
        action="token.issue",
        obj=user,
        unit=user.unit,
        changes={"token_key": token.token_key, "expiry": token.expiry},
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, by: User, channel: str = "api") -> None:
    """Delete the token: the next request with it gets 401."""
    user = token.user
    deleted, _rows = ApiToken.objects.filter(digest=token.digest).delete()
    if deleted:
        record(
            actor=by,
            channel=channel,
            action="token.revoke",
            obj=user,
            unit=user.unit,
            changes={"token_key": token.token_key},
        )
