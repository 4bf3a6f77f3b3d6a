"""The open reminders/escalations count shown in the navigation bar."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from summaries.selectors import open_notices_for


def notices(request) -> dict:
    """`open_notice_count`: counted (one query) only when a template uses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"open_notice_count": 0}
    return {"open_notice_count": SimpleLazyObject(lambda: open_notices_for(user).count())}
