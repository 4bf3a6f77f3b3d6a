"""The dashboard's query: which operation, focus unit and day, from operations.focus (the
one resolver; out of scope is a 404)."""

from __future__ import annotations

from django.http import HttpRequest

from operations import focus


def resolve_query(request: HttpRequest) -> focus.Focus:
    """The operation (`operation` code), focus unit (`unit` code or id) and `day` (ISO);
    the user's operations listed for the page's selector."""
    return focus.resolve(request, list_operations=True)
