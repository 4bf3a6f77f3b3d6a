"""The base of every API serializer: each reference a write names lies in the writer's scope.

Every writable relation (nested serializers' too, as each one derives from this base) is
narrowed with `pamilu.scoping.narrow`, once, here: naming a row outside the user's scope
is the same 400 as naming one that does not exist, on that field. A serializer never
narrows its own fields (tests/pamilu/test_architecture.py holds that).
"""

from __future__ import annotations

from rest_framework import serializers

from pamilu.api.scoped import narrow_relation


class ScopedSerializerMixin:
    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        for field in fields.values():
            narrow_relation(field, user)
        return fields


# No docstrings on the bases: drf-spectacular would show them on every schema component.


class ScopedSerializer(ScopedSerializerMixin, serializers.Serializer):  # e.g. an upload's fields
    pass


class ScopedModelSerializer(ScopedSerializerMixin, serializers.ModelSerializer):
    pass
