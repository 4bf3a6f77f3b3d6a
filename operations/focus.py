"""The one answer to "which operation, unit and day does this page show".

Every page and endpoint that has a focus (the dashboard and its panels, the deployment,
coverage, guard-gap, event, apel and roster pages, the coverage and guard-gap API) reads
it here, with one parameter convention:

- ``?operation=`` is the operation's **code** (``mantap-brata-2024``). An old link with the
  operation's numeric id still works when no operation has that code.
- ``?unit=`` is the unit's code (any case) or its numeric id.
- ``?day=`` is an ISO date (``2024-02-14``).

A unit the user may not see, or an operation they do not take part in, is a 404, and so is
a value that cannot name one (``?unit=²``, a NUL byte, a huge number): never a 500. An
unreadable day is reported as such (`Focus.invalid_day`); whether that is a 400 or a
notice is the caller's choice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from operations import clock, selectors
from operations.models import Operation, Unit
from pamilu.scoping import sees_everything, visible_units

_UNIT_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}", re.ASCII)
_OPERATION_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,49}", re.ASCII)
_ID = re.compile(r"[0-9]{1,18}", re.ASCII)
_MAX_ID = 2**63 - 1


@dataclass
class Focus:
    """What a request asks to see, checked against the user's scope."""

    operation: Operation | None
    unit: Unit | None
    day: dt.date | None  # the explicit day, or None for "each unit's own today"
    user_today: dt.date
    invalid_day: bool = False  # a day was given but could not be read
    operations: list[Operation] = field(default_factory=list)

    @property
    def focus(self) -> Unit | None:  # the dashboard's name for the unit
        return self.unit


def parse_day(raw: str | None) -> dt.date | None:
    """An ISO date, or None when empty or unreadable."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _as_id(value: str) -> int | None:
    if _ID.fullmatch(value) and int(value) <= _MAX_ID:
        return int(value)
    return None


def user_today(user) -> dt.date:
    if getattr(user, "unit_id", None):
        return clock.local_date(user.unit)
    return timezone.localdate()


def _prefer_code(queryset, code: str):
    """One query for "the code, else the id": at most two rows, the code's first."""
    rows = list(queryset[:2])
    return next((r for r in rows if r.code == code), rows[0] if rows else None)


def unit_from(user, raw: str | None) -> Unit | None:
    """The visible unit named by `raw` (code or id); None when `raw` is empty; 404 when it
    names no unit the user may see."""
    value = (raw or "").strip()
    if not value:
        return None
    code = value.upper()
    lookup = Q(code=code) if _UNIT_CODE.fullmatch(code) else Q()
    pk = _as_id(value)
    if pk is not None:
        lookup |= Q(pk=pk)
    if not lookup:
        raise Http404
    unit = _prefer_code(visible_units(user).filter(lookup), code)
    if unit is None:
        raise Http404
    return unit


def operation_from(user, raw: str | None, among: list[Operation] | None = None) -> Operation | None:
    """The user's operation named by `raw` (its code; an id for old links); None when
    `raw` is empty; 404 when it names none of the user's operations (`among`, when the
    caller has listed them already: no query)."""
    value = (raw or "").strip()
    if not value:
        return None
    if among is not None:
        pk = _as_id(value)
        operation = next((op for op in among if op.code == value), None) or next(
            (op for op in among if pk is not None and op.pk == pk), None
        )
        if operation is None:
            raise Http404
        return operation
    lookup = Q(code=value) if _OPERATION_CODE.fullmatch(value) else Q()
    pk = _as_id(value)
    if pk is not None:
        lookup |= Q(pk=pk)
    if not lookup:
        raise Http404
    operation = _prefer_code(selectors.operations_for(user).filter(lookup), value)
    if operation is None:
        raise Http404
    return operation


def resolve(
    request,
    *,
    default_operation: bool = True,
    default_unit: bool = True,
    list_operations: bool = False,
) -> Focus:
    """The focus of `request` (a Django or DRF request).

    Without ``?unit=``: the user's own unit; for nationwide administrators the operation's
    organising unit (else the root of what they see). Without ``?operation=`` (also read
    from the POST body of a form): the user's operation running on their local today, else
    their latest (or none, with `default_operation=False`).
    """
    user = request.user
    params = getattr(request, "query_params", request.GET)
    today = user_today(user)
    raw_day = params.get("day")
    day = parse_day(raw_day)
    operations = (
        list(selectors.operations_for(user).order_by("-start_date", "name"))
        if list_operations
        else []
    )
    raw_operation = params.get("operation") or (
        request.POST.get("operation") if request.method == "POST" else None
    )
    operation = operation_from(user, raw_operation, operations if list_operations else None)
    if operation is None and default_operation:
        operation = selectors.default_operation(user, day or today)
    unit = unit_from(user, params.get("unit"))
    if unit is None and default_unit:
        if user.unit_id:
            unit = user.unit
        elif sees_everything(user):
            unit = operation.unit if operation is not None else _root(user)
    return Focus(
        operation=operation,
        unit=unit,
        day=day,
        user_today=today,
        invalid_day=bool(raw_day) and day is None,
        operations=operations,
    )


def _root(user) -> Unit | None:
    return visible_units(user).filter(parent__isnull=True).order_by("path").first()


def require_unit(focus: Focus) -> Unit:
    """The focus unit of a page that has no meaning without one (else 404)."""
    if focus.unit is None:
        raise Http404
    return focus.unit
