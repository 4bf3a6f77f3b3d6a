from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from personnel.ranks import ensure_ranks


def _ensure_ranks(sender, using="default", **kwargs):
    from personnel.models import Rank  # noqa: PLC0415 - app loading: this module is imported before the models are ready

    ensure_ranks(Rank, using=using)


class PersonnelConfig(AppConfig):
    name = "personnel"
    verbose_name = _("Personel")

    def ready(self) -> None:
        # The rank list is reference data: restore it after a flush as well.
        post_migrate.connect(_ensure_ranks, sender=self, dispatch_uid="personnel.ensure_ranks")
        # The maintained coverage numbers follow TPS edits and unit moves (lower room).
        from operations.services import post_tps_changed, unit_subtree_moved  # noqa: PLC0415 - app loading: models must be ready
        from personnel import coverage_counts  # noqa: PLC0415 - app loading: models must be ready

        post_tps_changed.connect(coverage_counts.post_changed, dispatch_uid="personnel.coverage")
        unit_subtree_moved.connect(coverage_counts.subtree_moved, dispatch_uid="personnel.coverage")
