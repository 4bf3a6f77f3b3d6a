"""The unit tree: Mabes, Polda, Polres, Polsek, with their zones and materialized paths."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.tree import subtree_q


class TimeZone(models.TextChoices):
    WIB = "Asia/Jakarta", _("WIB (UTC+7)")
    WITA = "Asia/Makassar", _("WITA (UTC+8)")
    WIT = "Asia/Jayapura", _("WIT (UTC+9)")


TIME_ZONE_ABBREVIATION = {
    TimeZone.WIB: "WIB",
    TimeZone.WITA: "WITA",
    TimeZone.WIT: "WIT",
}


class UnitKind(models.TextChoices):
    MABES = "mabes", _("Mabes Polri")
    POLDA = "polda", _("Polda")
    POLRES = "polres", _("Polres")
    POLSEK = "polsek", _("Polsek")


# Order of the kinds: a parent is always of a lower rank than its child.
UNIT_KIND_RANK = {UnitKind.MABES: 0, UnitKind.POLDA: 1, UnitKind.POLRES: 2, UnitKind.POLSEK: 3}


class PolresType(models.TextChoices):
    POLRESTABES = "polrestabes", _("Polrestabes (tipe A)")
    POLRES_METRO = "polres_metro", _("Polres Metro (tipe B)")
    POLRESTA = "polresta", _("Polresta (tipe C)")
    POLRES = "polres", _("Polres (tipe D)")


unit_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{0,39}$",
    _("Kode satuan hanya huruf besar, angka dan tanda hubung (maks. 40)."),
)

PATH_SEPARATOR = "/"


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: Unit, *, include_self: bool = True) -> UnitQuerySet:
        """Every unit below `unit` in one indexed prefix query (materialized path)."""
        qs = self.filter(subtree_q(unit))
        return qs if include_self else qs.exclude(pk=unit.pk)

    def children_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(parent=unit)


class Unit(models.Model):
    """A Polri unit. `path` is the materialized path of codes, e.g. ``MABES/POLDA-MALUKU/``."""

    code = models.CharField(_("kode"), max_length=40, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=UnitKind.choices)
    subtype = models.CharField(
        _("tipe Polres"), max_length=20, choices=PolresType.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("satuan atas"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    path = models.CharField(_("jalur"), max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("kedalaman"), editable=False)
    time_zone = models.CharField(
        _("zona waktu"),
        max_length=20,
        choices=TimeZone.choices,
        help_text=_("Kosongkan untuk mengikuti zona satuan atas (Polda)."),
    )
    latitude = models.DecimalField(
        _("lintang"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("bujur"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("satuan")
        verbose_name_plural = _("satuan")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs the pattern opclass to use the index.
            models.Index(
                fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="unit_kind_path_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.MABES) & Q(parent__isnull=True))
                | (~Q(kind=UnitKind.MABES) & Q(parent__isnull=False)),
                name="unit_only_mabes_is_root",
            ),
            models.CheckConstraint(
                condition=Q(kind=UnitKind.POLRES) | Q(subtype=""),
                name="unit_subtype_only_for_polres",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def zone_abbreviation(self) -> str:
        return TIME_ZONE_ABBREVIATION.get(self.time_zone, self.time_zone)

    def clean(self) -> None:
        super().clean()
        check_parent_kind(kind=self.kind, parent=self.parent)
        if self.subtype and self.kind != UnitKind.POLRES:
            raise ValidationError({"subtype": _("Tipe hanya untuk Polres.")})

    def subtree(self, *, include_self: bool = True) -> UnitQuerySet:
        return Unit.objects.subtree_of(self, include_self=include_self)

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every unit above it, root first."""
        parts = self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
        return [PATH_SEPARATOR.join(parts[: i + 1]) + PATH_SEPARATOR for i in range(len(parts))]

    def ancestors(self, *, include_self: bool = False) -> UnitQuerySet:
        paths = self.ancestor_paths()
        if not include_self:
            paths = paths[:-1]
        return Unit.objects.filter(path__in=paths)

    def is_descendant_of(self, other: Unit) -> bool:
        return self.path.startswith(other.path)

    def local_now(self) -> dt.datetime:
        return timezone.now().astimezone(self.zone)

    def local_today(self) -> dt.date:
        return self.local_now().date()


def check_parent_kind(*, kind: str, parent: Unit | None) -> None:
    """The kinds' order: Mabes → Polda → Polres → Polsek, each under a lower rank."""
    if kind == UnitKind.MABES:
        if parent is not None:
            raise ValidationError({"parent": _("Mabes Polri tidak memiliki satuan atas.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("Satuan ini memerlukan satuan atas.")})
    if UNIT_KIND_RANK[UnitKind(parent.kind)] >= UNIT_KIND_RANK[UnitKind(kind)]:
        raise ValidationError(
            {
                "parent": _("%(parent)s tidak dapat menjadi satuan atas %(kind)s.")
                % {"parent": parent.get_kind_display(), "kind": UnitKind(kind).label}
            }
        )
