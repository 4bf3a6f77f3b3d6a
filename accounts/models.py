"""Users belong to a unit and act in one role there."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from pamilu.roles import Role  # defined in the kernel for pamilu.scoping; imported from here


class User(AbstractUser):
    unit = models.ForeignKey(
        "operations.Unit",
        verbose_name=_("satuan"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("peran"), max_length=20, choices=Role.choices, default=Role.COMMAND_CENTER
    )
    full_name = models.CharField(_("nama lengkap"), max_length=200, blank=True)
    session_epoch = models.PositiveIntegerField(
        _("generasi sesi"),
        default=0,
        editable=False,
        help_text=_("Dinaikkan saat pengguna dinonaktifkan atau diaktifkan lagi: sesi lama mati."),
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # Everyone but an administrator works for a unit.
            models.CheckConstraint(
                condition=Q(role=Role.ADMIN) | Q(unit__isnull=False),
                name="user_unit_required_unless_admin",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        """Sessions and tokens are bound to the password, role, unit and session epoch:
        changing any of them ends every session and token issued before (Django checks this
        hash on every request; accounts.tokens checks the same for API tokens)."""
        key_salt = "pamilu.accounts.User.session_auth_hash"
        value = f"{self.password}|{self.role}|{self.unit_id}|{self.session_epoch}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_command_center(self) -> bool:
        return self.role == Role.COMMAND_CENTER

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class ApiToken(AuthToken):
    """A REST client's token (knox: hashed at rest). Issued, listed and revoked by an
    administrator through accounts.services; revoking deletes it, so it fails at once."""

    class Meta:
        proxy = True
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user})"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


class ApiTokenInfo(models.Model):
    """What knox does not keep about a token: the device name and the credentials stamp
    (the user's session hash when issued; a token whose stamp no longer matches is refused)."""

    token = models.OneToOneField(
        AuthToken, on_delete=models.CASCADE, primary_key=True, related_name="info"
    )
    name = models.CharField(_("nama perangkat"), max_length=100, blank=True)
    stamp = models.CharField(max_length=64)
    self_issued = models.BooleanField(_("diterbitkan sendiri"), default=False)

    class Meta:
        verbose_name = _("keterangan token")
        verbose_name_plural = _("keterangan token")

    def __str__(self) -> str:
        return self.name or self.token_id


class SignInFailure(models.Model):
    """One failed sign-in (a wrong password, an unknown or a disabled user), counted per
    account + client address and per address by accounts.signin; kept in PostgreSQL so the
    throttle holds with Redis down and administrators see the attempts in the admin."""

    username = models.CharField(_("nama pengguna"), max_length=150)
    address = models.GenericIPAddressField(_("alamat klien"))
    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("saluran"), max_length=10, default="web")

    class Meta:
        verbose_name = _("gagal masuk")
        verbose_name_plural = _("gagal masuk")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["address", "at"], name="signin_failure_addr_at"),
            models.Index(fields=["username", "address", "at"], name="signin_failure_user_addr"),
        ]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address}"
