from zoneinfo import ZoneInfo

from django.utils import timezone


class UserTimezoneMiddleware:
    """Show times in the zone of the user's unit (UTC is what is stored)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.unit_id:
            timezone.activate(ZoneInfo(user.unit.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
