from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Jejak audit")

    def ready(self):
        from django.contrib import admin

        from audit import receivers
        from pamilu.signals import out_of_scope

        out_of_scope.connect(receivers.on_out_of_scope, dispatch_uid="audit.out_of_scope")
        receivers.audit_every_admin(admin.site)
