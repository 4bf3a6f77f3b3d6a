"""Users belong to a unit and act in one role there."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator (Kapolsek / operator Polsek)")
    REVIEWER = "reviewer", _("Pemeriksa (Kabag Ops)")
    COMMAND_CENTER = "command_center", _("Command center")
    ADMIN = "admin", _("Administrator")


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

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # Everyone but an administrator works for a unit.
            models.CheckConstraint(
                condition=Q(role="admin") | Q(unit__isnull=False),
                name="user_unit_required_unless_admin",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

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
        from django.utils import timezone

        return self.expiry is not None and self.expiry <= timezone.now()
