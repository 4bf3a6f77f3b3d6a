"""Every reference in a write lies in the writer's scope.

`narrow_relation` narrows one writable relation of a serializer with
`pamilu.scoping.narrow`; the API's base serializer (pamilu.api.serializers) applies it to
every field. `ScopedChoicesMixin` does the same for a form's ModelChoiceFields when it is
cleaned.
"""

from __future__ import annotations

from django import forms
from rest_framework import relations

from pamilu.scoping import narrow


def narrow_relation(field, user) -> None:
    if isinstance(field, relations.ManyRelatedField):
        field = field.child_relation
    if not isinstance(field, relations.RelatedField) or field.read_only:
        return
    if field.queryset is None:
        return
    field.queryset = narrow(user, field.queryset) if user else field.queryset.none()


class ScopedChoicesMixin:
    """A form built with `scope_user=`; its ModelChoiceFields only accept rows in scope."""

    def __init__(self, *args, scope_user=None, **kwargs):
        self.scope_user = scope_user
        super().__init__(*args, **kwargs)

    def full_clean(self):
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                user = self.scope_user
                field.queryset = narrow(user, field.queryset) if user else field.queryset.none()
        super().full_clean()
