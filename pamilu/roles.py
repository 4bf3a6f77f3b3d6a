"""The roles a user acts in. Kept in the kernel so the one scoping module (pamilu.scoping)
compares against these members, never against strings; accounts.models re-exports it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator (Kapolsek / operator Polsek)")
    REVIEWER = "reviewer", _("Pemeriksa (Kabag Ops)")
    COMMAND_CENTER = "command_center", _("Command center")
    ADMIN = "admin", _("Administrator")
