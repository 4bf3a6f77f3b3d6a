"""The login page, throttled per client address (scope "login" in REST_FRAMEWORK)."""

from __future__ import annotations

import math

from django.contrib.auth import views as auth_views
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _

from pamilu.api.throttles import LoginRateThrottle


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        throttle = LoginRateThrottle()
        if not throttle.allow_request(request, self):
            wait = math.ceil(throttle.wait() or 60)
            # The form again, with what was typed and the reason, as a 429.
            form = self.get_form()
            form._errors, form.cleaned_data = ErrorDict(), {}  # not validated: no password check
            form.add_error(
                None,
                _("Terlalu banyak percobaan masuk. Coba lagi dalam %(s)d detik.") % {"s": wait},
            )
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)
