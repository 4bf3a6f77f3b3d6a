"""The one place that decides which units, and so which records, a user may see.

Every view, API viewset, export and dashboard query goes through `scope` or
`visible_units`. Out of scope is a 404 (`get_in_scope_or_404`), never a 403.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from operations import tree
from operations.models import Unit
from pamilu.actors import SystemActor
from pamilu.roles import Role
from pamilu.signals import report_out_of_scope

M = TypeVar("M", bound=Model)


class Viewer(Protocol):
    """What scoping reads of a user (an accounts.models.User; the kernel does not import
    the accounts app). Functions taking a `Viewer | None` also accept an anonymous user
    or none at all: they check `is_authenticated` before anything else."""

    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_superuser(self) -> bool: ...
    @property
    def role(self) -> str: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def unit(self) -> Unit | None: ...


def _root_unit(user: Viewer) -> Unit | None:
    """The unit whose subtree the user sees, or None for nationwide administrators."""
    return user.unit


def sees_everything(user: Viewer | SystemActor | None) -> bool:
    """Superusers, nationwide administrators (no unit) and the system's own actors."""
    if isinstance(user, SystemActor):
        return True
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or (user.role == Role.ADMIN and user.unit_id is None))
    )


def visible_units(user: Viewer | None) -> QuerySet[Unit]:
    """Units the user may see: an operator only their own unit; others their subtree."""
    if sees_everything(user):
        return Unit.objects.all()
    if user is None or not user.is_authenticated:
        return Unit.objects.none()
    if user.unit_id is None:
        return Unit.objects.none()
    if user.role == Role.OPERATOR:
        return Unit.objects.filter(pk=user.unit_id)
    assert user.unit is not None  # unit_id is set
    return user.unit.subtree()


def scope(user: Viewer | None, queryset: QuerySet[M], unit_field: str = "unit") -> QuerySet[M]:
    """Narrow `queryset` to rows whose `unit_field` is a unit the user may see.

    `unit_field` is a lookup path to a Unit foreign key (e.g. "unit", "report__unit").
    Uses the unit's materialized path, so it is one join, never a list of ids.
    """
    if sees_everything(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.unit_id is None:
        return queryset.none()
    if user.role == Role.OPERATOR:
        return queryset.filter(**{f"{unit_field}_id": user.unit_id})
    assert user.unit is not None  # unit_id is set
    return tree.in_subtree(queryset, user.unit, unit_field)


def within(queryset: QuerySet[M], unit: Unit, unit_field: str = "unit") -> QuerySet[M]:
    """Narrow `queryset` to `unit`'s subtree (a unit the caller found among visible_units)."""
    return tree.in_subtree(queryset, unit, unit_field)


def get_in_scope_or_404(
    user: Viewer | None, queryset: QuerySet[M], unit_field: str = "unit", **lookup: Any
) -> M:
    try:
        return scope(user, queryset, unit_field).get(**lookup)
    except queryset.model.DoesNotExist:  # type: ignore[attr-defined]  # every model has one
        report_out_of_scope(user, queryset, **lookup)
        raise Http404 from None


def unit_in_scope(user: Viewer | None, unit: Unit) -> bool:
    """Whether `unit` lies within what the user may see (no query)."""
    if sees_everything(user):
        return True
    if user is None or not user.is_authenticated or user.unit_id is None:
        return False
    if user.role == Role.OPERATOR:
        return bool(unit.pk == user.unit_id)
    assert user.unit is not None  # unit_id is set
    return tree.is_within(unit, user.unit)


def can_write_for_unit(user: Viewer | SystemActor | None, unit: Unit) -> bool:
    """Operators write their own unit's records; administrators anywhere in their scope."""
    if isinstance(user, SystemActor):
        return True
    if user is None or not unit_in_scope(user, unit):
        return False
    if user.role == Role.OPERATOR:
        return bool(unit.pk == user.unit_id)
    return user.role == Role.ADMIN or user.is_superuser


def can_review_unit(user: Viewer | SystemActor | None, unit: Unit) -> bool:
    """Reviewers accept or return reports of units strictly below their own."""
    if isinstance(user, SystemActor):
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.role != Role.REVIEWER or user.unit_id is None:
        return False
    assert user.unit is not None  # unit_id is set
    return bool(unit.pk != user.unit_id) and tree.is_within(unit, user.unit)


def can_deploy(user: Viewer | SystemActor | None, unit: Unit) -> bool:
    """Who may deploy personnel, plot and record an apel for `unit`: an operator for their own
    unit, a reviewer (Kabag Ops) within their subtree, an administrator. Command-center staff
    watch only."""
    if isinstance(user, SystemActor):
        return True
    if user is None or not unit_in_scope(user, unit):
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role == Role.OPERATOR:
        return bool(unit.pk == user.unit_id)
    return user.role == Role.REVIEWER


def can_manage_unit(user: Viewer | SystemActor | None, unit: Unit | None) -> bool:
    """Who may create, change or move a unit under `unit` (None: at the top of the tree):
    an administrator within their scope; only a nationwide one at the top."""
    if sees_everything(user):
        return True
    if unit is None or user is None or isinstance(user, SystemActor):  # returned True above
        return False
    if not user.is_authenticated:
        return False
    return user.role == Role.ADMIN and unit_in_scope(user, unit)


# --- the checks services make (PermissionDenied: the views and the API answer 403) --------


def check_write_for_unit(user: Viewer | SystemActor | None, unit: Unit) -> None:
    if not can_write_for_unit(user, unit):
        raise PermissionDenied(_("Anda tidak berwenang menulis data untuk satuan ini."))


def check_deploy(user: Viewer | SystemActor | None, unit: Unit) -> None:
    if not can_deploy(user, unit):
        raise PermissionDenied(_("Anda tidak berwenang menempatkan personel untuk satuan ini."))


def check_manage_unit(user: Viewer | SystemActor | None, unit: Unit | None) -> None:
    if not can_manage_unit(user, unit):
        raise PermissionDenied(_("Anda tidak berwenang mengubah susunan satuan ini."))


def check_manage_operation(user: Viewer | SystemActor | None, unit: Unit) -> None:
    """An operation and what hangs on it (phases, task forces) are kept by an administrator
    of the organising unit's scope (pamilu.scoping.can_manage_unit)."""
    if not can_manage_unit(user, unit):
        raise PermissionDenied(_("Anda tidak berwenang mengubah operasi satuan ini."))


# --- references in writes -----------------------------------------------------------------

# How a model's rows are scoped when a write names one (a foreign key in a serializer or a
# form): the lookup path to its Unit. Unit and Operation have their own rules below.
UNIT_FIELD_OF = {
    "operations.post": "unit",
    "operations.event": "unit",
    "operations.securitypattern": "unit",
    "personnel.personnel": "unit",
    "personnel.assignment": "unit",
    "personnel.warrant": "issuing_unit",
    "personnel.postgroup": "unit",
    "personnel.deployment": "unit",
    "personnel.apel": "unit",
    "reports.dailyreport": "unit",
    "reports.incident": "report__unit",
    "reports.reportactivity": "report__unit",
    "reports.attachment": "report__unit",
    "accounts.user": "unit",
}
# Reference data, the same for everyone: any row may be named.
UNSCOPED_MODELS = {"personnel.rank"}


def narrow(user: Viewer | None, queryset: QuerySet[M]) -> QuerySet[M]:
    """`queryset` narrowed to the rows `user` may name in a write (their scope).

    Raises LookupError for a model with no rule, so a new foreign key cannot slip by."""
    from operations.selectors import operations_for  # noqa: PLC0415 - cycle: operations.selectors imports this module

    label = queryset.model._meta.label_lower
    if label in UNSCOPED_MODELS:
        return queryset
    if label == "operations.unit":
        return queryset.filter(pk__in=visible_units(user).values("pk"))
    if label == "operations.operation":
        return queryset.filter(pk__in=operations_for(user).values("pk"))
    if label in ("operations.taskforce", "operations.phase"):
        return queryset.filter(operation__in=operations_for(user).values("pk"))
    if label in UNIT_FIELD_OF:
        return scope(user, queryset, UNIT_FIELD_OF[label])
    raise LookupError(f"pamilu.scoping.narrow: no scoping rule for {label}")
