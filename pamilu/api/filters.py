"""Ordering that is always stable: the primary key breaks every tie."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from pamilu.scoping import visible_units, within


class StableOrderingFilter(OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view) or list(
            queryset.query.order_by or queryset.model._meta.ordering or []
        )
        ordering = [
            o for o in ordering if not (isinstance(o, str) and o.lstrip("-") in ("pk", "id"))
        ]
        return queryset.order_by(*ordering, "pk")


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.NumberFilter):
    """`?subtree=<unit id>`: rows of that unit and every unit below it (if the user sees it)."""

    def __init__(self, *args, unit_field: str = "unit", **kwargs):
        self.unit_field = unit_field
        kwargs.setdefault("label", "Subtree")
        kwargs.setdefault("help_text", "ID satuan: data satuan itu dan semua satuan di bawahnya.")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs

        unit = visible_units(self.parent.request.user).filter(pk=value).first()
        if unit is None:
            return qs.none()
        return within(qs, unit, self.unit_field)
