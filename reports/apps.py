from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Laporan anev")

    def ready(self) -> None:
        from operations.services import unit_subtree_moved  # noqa: PLC0415 - app loading: imports the models, not ready before ready()
        from reports import facts  # noqa: PLC0415 - app loading: imports the models, not ready before ready()

        # A unit move rewrites the reports' sort key in the move's own transaction.
        unit_subtree_moved.connect(facts.subtree_moved, dispatch_uid="reports.facts")
