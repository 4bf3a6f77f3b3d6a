"""Sign-in, sign-out, keepalive, one's own password, and the admin's login (which is this
sign-in).

Sign-in attempts are throttled by accounts.signin (counted in PostgreSQL, per account +
client address and per address); each sign-in, failure and sign-out is audited.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import services, sessions, signin
from accounts.admin import OwnPasswordForm
from accounts.models import Role


def _throttled(view, wait: int, message: str) -> HttpResponse:
    """The view's form again, with what was typed and the reason, as a 429 with Retry-After
    (no password is checked)."""
    form = view.get_form()
    form._errors, form.cleaned_data = ErrorDict(), {}
    form.add_error(None, message % {"s": wait})
    response = view.render_to_response(view.get_context_data(form=form), status=429)
    response["Retry-After"] = str(wait)
    return response


class SignInForm(AuthenticationForm):
    display = forms.BooleanField(
        label=gettext_lazy("Mode layar (hanya baca, untuk layar dinding command center)"),
        required=False,
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if self.cleaned_data.get("display") and user.role not in (Role.COMMAND_CENTER, Role.ADMIN):
            raise ValidationError(
                _("Mode layar hanya untuk command center."), code="display_not_allowed"
            )


class LoginView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self.username = signin.normalize_username(request.POST.get("username"))
        self.address = signin.client_address(request)
        wait = signin.retry_after(username=self.username, address=self.address)
        if wait:
            return self.refused(wait)
        return super().post(request, *args, **kwargs)

    def refused(self, wait: int) -> HttpResponse:
        return _throttled(
            self, wait, _("Terlalu banyak percobaan masuk. Coba lagi dalam %(s)d detik.")
        )

    def form_valid(self, form):
        response = super().form_valid(form)  # login(): a new session key
        display = bool(form.cleaned_data.get("display"))
        sessions.begin(self.request, display=display)
        services.signed_in(
            user=form.get_user(), address=self.address, display=display, channel="web"
        )
        return response

    def form_invalid(self, form):
        if not form.has_error(None, "display_not_allowed"):
            services.signin_failed(username=self.username, address=self.address, channel="web")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.signed_out(
                user=request.user, address=signin.client_address(request), channel="web"
            )
        return super().post(request, *args, **kwargs)


class WebPasswordForm(OwnPasswordForm):
    channel = "web"


class PasswordChangeView(auth_views.PasswordChangeView):
    """`/accounts/password/`: every signed-in user changes their own password (old one
    required). Saved by accounts.services.password_set: the user's other sessions and every
    token end and the change is audited; this session carries on (Django renews its hash).

    A wrong old password counts as a failed sign-in of the account from this address, so a
    taken-over session cannot be used to guess the password past the sign-in throttle."""

    form_class = WebPasswordForm
    template_name = "registration/password_change_form.html"

    def post(self, request, *args, **kwargs):
        self.username = signin.normalize_username(request.user.get_username())
        self.address = signin.client_address(request)
        wait = signin.retry_after(username=self.username, address=self.address)
        if wait:
            return _throttled(
                self, wait, _("Terlalu banyak percobaan. Coba lagi dalam %(s)d detik.")
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            services.signin_failed(username=self.username, address=self.address, channel="web")
        return super().form_invalid(form)


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def admin_login(request):
    """The admin signs in through the app's sign-in (same throttle, same audit)."""
    target = request.GET.get("next") or reverse("admin:index")
    if request.user.is_authenticated:
        # Signed in but not staff: the admin is not for them (no redirect loop).
        return redirect("home")
    return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': target})}")


def admin_password_change(request, extra_context=None):
    """The admin's own-password page: Django's (AdminSite.password_change), with the form
    saved by accounts.services.password_set (the password, the end of the other sessions
    and of the tokens, and the audit, in one transaction)."""

    def page(request):
        request.current_app = admin.site.name
        return auth_views.PasswordChangeView.as_view(
            form_class=OwnPasswordForm,
            success_url=reverse("admin:password_change_done"),
            extra_context={**admin.site.each_context(request), **(extra_context or {})},
        )(request)

    return admin.site.admin_view(page)(request)


@require_POST
def keepalive(request):
    """`POST /accounts/keepalive/`: activity for the idle limit (a report's autosave calls it).

    204 while signed in (the idle clock restarts), 401 once the session has ended."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    sessions.touch(request)
    return HttpResponse(status=204)
