"""The audit trail: who changed what, when, from what to what, through which channel."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Impor")
    SYSTEM = "system", _("Sistem")


class AuditEntry(models.Model):
    """One recorded write. Entries are only ever inserted (see audit.services.record)."""

    # A default, not auto_now_add: loaders (demo, imports) give the real instant on insert,
    # since the row can never be updated afterwards.
    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("oleh"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("nama pelaku"), max_length=150, blank=True)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    action = models.CharField(_("tindakan"), max_length=50)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("jenis objek"), on_delete=models.PROTECT
    )
    object_id = models.CharField(_("ID objek"), max_length=64)
    object_repr = models.CharField(_("objek"), max_length=255)
    unit = models.ForeignKey(
        "operations.Unit",
        verbose_name=_("satuan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The unit's code as it was: the seal covers names and codes, not ids that a
    # deleted user or unit turns into NULL (the one UPDATE the database allows here).
    unit_code = models.CharField(_("kode satuan"), max_length=50, blank=True, default="")
    changes = models.JSONField(_("perubahan"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catatan audit")
        verbose_name_plural = _("jejak audit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class AuditBlock(models.Model):
    """A sealed run of audit entries (ids first_entry_id..last_entry_id, in id order).

    `entry_digests` are the SHA-256 of each entry's content (audit.sealing.entry_payload);
    `hash` covers the block's number, range, digests and the previous block's hash, and
    `signature` is its HMAC with AUDIT_SEAL_KEY, a key kept outside the database. Like
    the entries, blocks are append-only at the database (migration 0003).
    """

    number = models.PositiveBigIntegerField(_("nomor"), unique=True)
    first_entry_id = models.BigIntegerField(_("catatan pertama"))
    last_entry_id = models.BigIntegerField(_("catatan terakhir"))
    entry_digests = models.JSONField(_("sidik catatan"), default=list)
    previous_hash = models.CharField(_("hash sebelumnya"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)
    signature = models.CharField(_("tanda tangan"), max_length=64)
    sealed_at = models.DateTimeField(_("disegel"), auto_now_add=True)

    class Meta:
        verbose_name = _("blok segel audit")
        verbose_name_plural = _("blok segel audit")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"#{self.number} ({self.first_entry_id}..{self.last_entry_id})"
