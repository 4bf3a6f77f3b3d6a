from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from accounts.sessions import stamp_on_login


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Pengguna")

    def ready(self):
        # Every login (the sign-in page, the test client's force_login) starts the clocks.
        user_logged_in.connect(stamp_on_login, dispatch_uid="pamilu.accounts.stamp_on_login")
