from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordChangeForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import ApiToken, SignInFailure, User
from accounts.services import (
    MAX_TOKEN_LIFETIME,
    password_set,
    token_issue,
    token_revoke,
    user_delete,
    user_save,
)
from audit.admin import AuditedAdmin
from pamilu.actors import ChannelName

# Who sets a password on the admin's "change password" page. Django's view builds and
# saves the form itself, so the acting user reaches the form's save() through this
# variable, set for that one request (UserAdmin.user_change_password).
_SETTING_PASSWORD: ContextVar[User] = ContextVar("pamilu_admin_setting_password")


class PasswordSetForm(AdminPasswordChangeForm):
    """Django's form for another user's password, saved by accounts.services.password_set
    (the password, the end of the user's sessions and tokens and the audit, in one
    transaction)."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        by = _SETTING_PASSWORD.get()
        return password_set(user=self.user, password=password, by=by, channel="admin")


class OwnPasswordForm(OwnPasswordChangeForm):
    """One's own password (old password required), saved by password_set: the admin's page
    (accounts.views.admin_password_change) and, with channel "web", everyone's
    (accounts.views.PasswordChangeView)."""

    channel: ChannelName = "admin"

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["new_password1"]
        return password_set(user=self.user, password=password, by=self.user, channel=self.channel)


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "unit__name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["unit"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Satuan dan peran"), {"fields": ("full_name", "unit", "role")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Satuan dan peran"), {"fields": ("full_name", "unit", "role")}),
    )

    # Disabling, re-enabling, a new role or unit end all the user's sessions and tokens
    # (accounts.services.user_save).
    save_service = user_save
    delete_service = user_delete

    change_password_form = PasswordSetForm

    def user_change_password(self, request, id, form_url=""):
        acting = _SETTING_PASSWORD.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _SETTING_PASSWORD.reset(acting)


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins the throttle counts (kept a week); read-only."""

    list_display = ["at", "username", "address", "channel"]
    list_filter = ["channel"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApiTokenIssueForm(forms.ModelForm):
    expiry = forms.DateTimeField(
        label=_("Berlaku sampai"),
        help_text=_("Paling lama satu tahun. Token ditolak (401) setelah waktu ini."),
    )

    class Meta:
        model = ApiToken
        fields = ["user"]

    def clean_expiry(self):
        expiry = self.cleaned_data["expiry"]
        now = timezone.now()
        if expiry <= now:
            raise ValidationError(_("Masa berlaku harus di masa depan."))
        if expiry > now + MAX_TOKEN_LIFETIME:
            raise ValidationError(_("Masa berlaku paling lama satu tahun."))
        return expiry


# knox registers its own AuthToken admin; pamilu's goes through accounts.services.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue a token (the key is shown once), list them and revoke them."""

    writes_audit_trail = True  # token_issue / token_revoke record it

    list_display = ["token_key", "user", "created", "expiry", "is_expired"]
    list_select_related = ["user"]
    search_fields = ["token_key", "user__username", "user__full_name"]
    autocomplete_fields = ["user"]
    form = ApiTokenIssueForm
    actions = ["revoke_selected"]

    @admin.display(boolean=True, description=_("kedaluwarsa"))
    def is_expired(self, obj):
        return obj.is_expired

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        token, key = token_issue(
            user=form.cleaned_data["user"],
            expiry=form.cleaned_data["expiry"],
            by=request.user,
            channel="admin",
        )
        obj.digest, obj.token_key, obj.created, obj.expiry = (
            token.digest,
            token.token_key,
            token.created,
            token.expiry,
        )
        obj._state.adding = False
        self.message_user(
            request,
            _("Token untuk %(user)s (salin sekarang, tidak ditampilkan lagi): %(key)s")
            % {"user": token.user, "key": key},
            messages.WARNING,
        )

    def delete_model(self, request, obj):
        token_revoke(token=obj, by=request.user, channel="admin")

    def delete_queryset(self, request, queryset):
        for token in queryset.select_related("user"):
            token_revoke(token=token, by=request.user, channel="admin")

    @admin.action(description=_("Cabut token terpilih"), permissions=["delete"])
    def revoke_selected(self, request, queryset):
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(request, _("%(count)d token dicabut.") % {"count": count})
