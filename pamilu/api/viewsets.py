"""Base classes for pamilu's viewsets: scoped by `pamilu.scoping`, writes through services."""

from __future__ import annotations

from django.http import Http404
from rest_framework import exceptions, viewsets

from pamilu.scoping import can_write_for_unit, scope


class ScopedMixin:
    """The queryset is always narrowed by `scope(user, …, unit_field)`; out of scope is 404."""

    unit_field = "unit"
    base_queryset = None

    def get_queryset(self):
        return scope(self.request.user, self.base_queryset.all(), self.unit_field)

    def check_write_unit(self, unit) -> None:
        """Refuse to write a record for a unit the user may not write for (nothing changes)."""
        if unit is None:
            return
        if not can_write_for_unit(self.request.user, unit):
            raise exceptions.PermissionDenied("Anda tidak berwenang menulis data untuk satuan ini.")


class WriteForUnitMixin(ScopedMixin):
    """Create/update/delete through the resource's services (by the user, channel "api").
    The service checks the right (pamilu.scoping.check_write_for_unit): refused with 403
    and its reason, nothing written, for a unit the user may not write for (the old and
    the new unit of an update).

    A viewset names its services and the keyword its instance goes by:
    `create_service = staticmethod(services.post_create)`, `instance_kwarg = "post"`."""

    create_service = update_service = delete_service = None
    instance_kwarg = ""

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = type(self).create_service(by=self.request.user, channel="api", **data)

    def perform_update(self, serializer):
        instance = serializer.instance
        data = dict(serializer.validated_data)
        serializer.instance = type(self).update_service(
            **{self.instance_kwarg: instance}, by=self.request.user, channel="api", **data
        )

    def perform_destroy(self, instance):
        type(self).delete_service(
            **{self.instance_kwarg: instance}, by=self.request.user, channel="api"
        )


class ScopedReadOnlyViewSet(ScopedMixin, viewsets.ReadOnlyModelViewSet):
    pass


def not_found() -> Http404:
    return Http404("Tidak ditemukan.")
