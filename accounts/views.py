"""The login page, throttled per client address (scope "login" in REST_FRAMEWORK)."""

from __future__ import annotations

import math

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.utils.translation import gettext as _

from pamilu.api.throttles import LoginRateThrottle


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            wait = math.ceil(throttle.wait() or 60)
            response = HttpResponse(
                _("Terlalu banyak percobaan masuk. Coba lagi dalam %(s)d detik.") % {"s": wait},
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)
