from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.sessions import stamp_on_login

        # Every login (the sign-in page, the test client's force_login) starts the clocks.
        user_logged_in.connect(stamp_on_login, dispatch_uid="pamilu.accounts.stamp_on_login")
