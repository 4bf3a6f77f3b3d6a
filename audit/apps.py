from django.apps import AppConfig
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pamilu.signals import out_of_scope


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Jejak audit")

    def ready(self):
        from audit import receivers  # noqa: PLC0415 - app loading: receivers import the models, not ready before ready()

        out_of_scope.connect(receivers.on_out_of_scope, dispatch_uid="audit.out_of_scope")
        receivers.audit_every_admin(admin.site)
