"""The error types services raise, each answered in one way by the API.

Services raise these (and Django's own); `pamilu.api.errors.exception_handler` maps every
one of them to its HTTP answer, in one place:

- `django.core.exceptions.ValidationError` → 400 `invalid`, each field named;
- `StateError` (a ValidationError) → 409 `conflict`: the record's state does not allow
  the change (e.g. editing a report that was sent);
- `django.core.exceptions.PermissionDenied` → 403 `permission_denied`, the reason kept;
- `NeedsConfirmation` → 422 `confirm_warnings`: plausible-looking input to confirm by code;
- `django.http.Http404` → 404 `not_found` (out of scope is the same as absent);
- `django.db.IntegrityError` → 400 `conflict` (a unique constraint held);
- `pamilu.api.csvfile.CsvFileError` → 400 `invalid` on the file (or the column named).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.core.exceptions import ValidationError


class StateError(ValidationError):
    """The record is not in a state that allows this change."""


class ConfirmableWarning(Protocol):
    """Read-only members: a frozen dataclass (reports.rules.SendWarning) satisfies it."""

    @property
    def code(self) -> str: ...
    @property
    def field(self) -> str: ...
    @property
    def message(self) -> str: ...

    def as_dict(self) -> dict[str, str]: ...


class NeedsConfirmation(Exception):
    """The change breaks no rule but looks implausible: repeat it with these codes confirmed."""

    def __init__(self, warnings: Iterable[ConfirmableWarning]):
        self.warnings = list(warnings)
        super().__init__("; ".join(w.message for w in self.warnings))

    @property
    def codes(self) -> list[str]:
        return [w.code for w in self.warnings]
