"""Writes about users: sign-in events, ending sessions, API tokens; each audited.

Secrets (passwords, token keys beyond knox's 15-character public prefix) never reach the
audit trail."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import signin
from accounts.models import ApiToken, ApiTokenInfo, SignInFailure, User
from audit.services import delete_audited, record, save_audited
from pamilu import actors
from pamilu.actors import Actor, ChannelName, user_of
from pamilu.scoping import can_manage_unit

MAX_TOKEN_LIFETIME = dt.timedelta(days=366)


@transaction.atomic
def token_issue(
    *, user: User, expiry: dt.datetime, by: Actor, channel: ChannelName, name: str = ""
) -> tuple[ApiToken, str]:
    """Create a token for `user` valid until `expiry`; returns it and the key (shown once).
    It is bound to the user's current credentials (accounts.tokens refuses it after a
    password, role or unit change, or after the user was disabled)."""
    now = timezone.now()
    if expiry is None or expiry <= now:
        raise ValidationError({"expiry": _("Masa berlaku harus di masa depan.")})
    if expiry > now + MAX_TOKEN_LIFETIME:
        raise ValidationError({"expiry": _("Masa berlaku paling lama satu tahun.")})
    if not user.is_active:
        raise ValidationError({"user": _("Pengguna tidak aktif.")})
    token, key = ApiToken.objects.create(user=user, expiry=expiry - now)
    ApiTokenInfo.objects.create(
        token=token,
        name=name[:100],
        stamp=user.get_session_auth_hash(),
        self_issued=user_of(by) == user,
    )
    record(
        actor=by,
        channel=channel,
        action="token.issue",
        obj=user,
        unit=user.unit,
        changes={"token_key": token.token_key, "expiry": token.expiry, "name": name[:100]},
    )
    return token, key


@transaction.atomic
def token_revoke(*, token: ApiToken, by: Actor, channel: ChannelName) -> None:
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


# --- sign-in, sign-out, password, ending sessions -------------------------------------------


@transaction.atomic
def signin_failed(*, username: str, address: str, channel: ChannelName) -> SignInFailure:
    """Count a failed sign-in (wrong password, unknown or disabled user: all look the same)."""
    failure = signin.failed(username=username, address=address, channel=channel)
    record(
        actor=actors.SYSTEM,  # nobody signed in: the attempt is the system's record
        channel=channel,
        action="auth.signin_failed",
        obj=failure,
        changes={"username": username, "address": address},
    )
    return failure


@transaction.atomic
def signed_in(*, user: User, address: str, channel: ChannelName, display: bool = False) -> None:
    signin.succeeded(username=signin.normalize_username(user.get_username()), address=address)
    changes: dict[str, object] = {"address": address}
    if display:
        changes["display"] = True
    record(actor=user, channel=channel, action="auth.signin", obj=user, changes=changes)


@transaction.atomic
def signed_out(*, user: User, address: str, channel: ChannelName) -> None:
    record(
        actor=user, channel=channel, action="auth.signout", obj=user, changes={"address": address}
    )


def _end_tokens(user: User) -> int:
    tokens = ApiToken.objects.filter(user=user)
    count: int = tokens.count()
    tokens.delete()
    return count


@transaction.atomic
def password_set(*, user: User, password: str | None, by: Actor, channel: ChannelName) -> User:
    """A new password for `user` (None: password sign-in disabled), in one transaction with
    its consequences: every session (the hash covers the password) and every token of the
    user ends, and the audit entry says so, without the password. Someone else's password
    is set by an administrator of the account's unit; one's own, by oneself."""
    if user_of(by) != user:
        _check_manage_user(by, user)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    password_changed(user=user, by=by, channel=channel)
    return user


@transaction.atomic
def password_changed(*, user: User, by: Actor, channel: ChannelName) -> None:
    """After `user.set_password(...)` and save: every session (the hash covers the password)
    and every token of the user ends. The audit entry says so, without the password.
    (password_set does both; this is for a password stored elsewhere, e.g. the shell.)"""
    ended = _end_tokens(user)
    record(
        actor=by,
        channel=channel,
        action="auth.password_change",
        obj=user,
        changes={"tokens_ended": ended},
    )


SESSION_FIELDS = ("password", "is_active", "role", "unit_id")


@transaction.atomic
def user_access_changed(
    *, user: User, before: dict[str, object], by: Actor, channel: ChannelName
) -> list[str]:
    """Call after saving `user` with `before` = its stored values of SESSION_FIELDS. When the
    password, role, unit or active flag changed, every session and token of the user ends;
    re-enabling revives nothing (the session epoch moved on when the user was disabled)."""
    changed = [f for f in SESSION_FIELDS if before.get(f) != getattr(user, f)]
    if not changed:
        return []
    if "is_active" in changed:
        User.objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
        user.refresh_from_db(fields=["session_epoch"])
    ended = _end_tokens(user)
    record(
        actor=by,
        channel=channel,
        action="auth.sessions_end",
        obj=user,
        changes={"because": [f.removesuffix("_id") for f in changed], "tokens_ended": ended},
    )
    return changed


def _check_manage_user(by: Actor, user: User) -> None:
    """Accounts are kept by an administrator of the account's unit (a nationwide one for an
    account without a unit), for the unit as stored and as changed."""
    units = [user.unit]
    if user.pk:
        stored = User.objects.select_related("unit").filter(pk=user.pk).first()
        if stored is not None and stored.unit_id != user.unit_id:
            units.append(stored.unit)
    for unit in units:
        if not can_manage_unit(by, unit):
            raise PermissionDenied(_("Anda tidak berwenang mengelola akun satuan ini."))


@transaction.atomic
def user_save(*, user: User, by: Actor, channel: ChannelName) -> User:
    """Create or change an account (the admin's form has set its fields, a new password
    hashed). Disabling, re-enabling, a new password, role or unit end all its sessions and
    tokens (user_access_changed). The entry never holds the password hash."""
    _check_manage_user(by, user)
    stored = User.objects.filter(pk=user.pk).values(*SESSION_FIELDS).first() if user.pk else None
    user = save_audited(
        user, by=by, channel=channel, action="user.update" if stored else "user.create"
    )
    if stored is not None:
        user_access_changed(user=user, before=stored, by=by, channel=channel)
    return user


@transaction.atomic
def user_delete(*, user: User, by: Actor, channel: ChannelName) -> None:
    """Delete an account (its tokens and sessions go with it)."""
    _check_manage_user(by, user)
    delete_audited(user, by=by, channel=channel, action="user.delete")
