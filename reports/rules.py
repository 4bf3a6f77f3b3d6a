"""What a daily report must hold to be sent, and what looks implausible enough to ask.

Checked when a report is sent (reports.services.report_submit), from the form and the
API alike. Drafts may be incomplete and reports already stored are never re-checked.

- Errors (a ValidationError naming the field): no personnel on duty, no activity, no
  summary; more personnel on duty than the unit's strength on that day (from the sprin:
  its own assignments in the operation, minus those lent out BKO, plus those received
  BKO), or, while no sprin covers it, more than the ceiling configured for its kind; an
  activity with more personnel than were on duty.
- Warnings (`SendWarnings`, the API's 422): personnel on duty under half of the day
  before; no incident on a day its posts (or the units below it) recorded one. The
  sender confirms them by code and sends again.
- Flags for the reviewer: the confirmed warnings, and activity rows adding up to more
  people than were on duty (allowed: the same officers patrol by day and guard by night).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from operations import clock
from operations.models import Operation, Unit, UnitKind
from pamilu.errors import NeedsConfirmation
from personnel.models import Assignment
from reports.models import DailyReport, FlagCode, Incident, sent_q


@dataclass(frozen=True)
class SendWarning:
    code: str
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


@dataclass(frozen=True)
class Flag:
    code: str
    detail: str
    confirmed: bool


class SendWarnings(NeedsConfirmation):
    """The report can be sent once the sender confirms these warnings (by code)."""

    warnings: list[SendWarning]


@dataclass(frozen=True)
class Strength:
    """A unit's strength in an operation on a day, from the sprin in force by then."""

    own: int
    lent_out: int
    received: int

    @property
    def total(self) -> int:
        return self.own - self.lent_out + self.received

    @property
    def has_warrant(self) -> bool:
        return bool(self.own or self.received)


def strength(operation: Operation, unit: Unit, day: dt.date) -> Strength:
    """One aggregate query over the assignments of warrants dated on or before `day`."""
    totals = Assignment.objects.filter(
        Q(unit=unit) | Q(home_unit=unit), operation=operation, warrant__date__lte=day
    ).aggregate(
        own=Count("pk", filter=Q(home_unit=unit)),
        lent_out=Count("pk", filter=Q(home_unit=unit, is_bko=True)),
        received=Count("pk", filter=Q(unit=unit, is_bko=True)),
    )
    return Strength(**totals)


def send_figures() -> dict[str, Subquery]:
    """Annotations of a DailyReport queryset with what the rules read besides the report:
    its unit's strength counts on its day and the personnel of the day before (sent), so
    the row read that locks the report carries them (reports.services.report_submit)."""
    assignments = Assignment.objects.filter(
        operation_id=OuterRef("operation_id"), warrant__date__lte=OuterRef("report_date")
    ).order_by()

    def count(q: Q) -> Subquery:
        counted = assignments.filter(q).annotate(
            n=Func(F("pk"), function="COUNT", output_field=IntegerField())
        )
        return Subquery(counted.values("n")[:1], output_field=IntegerField())

    day_before = ExpressionWrapper(
        OuterRef("report_date") - Value(dt.timedelta(days=1)), output_field=DateField()
    )
    yesterday = DailyReport.objects.filter(
        sent_q(),
        operation_id=OuterRef("operation_id"),
        unit_id=OuterRef("unit_id"),
        report_date=day_before,
    ).values("personnel_on_duty")[:1]
    return {
        "rules_own": count(Q(home_unit_id=OuterRef("unit_id"))),
        "rules_lent_out": count(Q(home_unit_id=OuterRef("unit_id"), is_bko=True)),
        "rules_received": count(Q(unit_id=OuterRef("unit_id"), is_bko=True)),
        "rules_yesterday": Subquery(yesterday, output_field=IntegerField()),
    }


def _strength_of(report: DailyReport) -> Strength:
    if hasattr(report, "rules_own"):  # read with send_figures()
        return Strength(report.rules_own, report.rules_lent_out, report.rules_received)
    return strength(report.operation, report.unit, report.report_date)


def _yesterday_of(report: DailyReport) -> int | None:
    if hasattr(report, "rules_yesterday"):  # read with send_figures()
        return report.rules_yesterday
    return (
        DailyReport.objects.filter(
            operation_id=report.operation_id,
            unit_id=report.unit_id,
            report_date=report.report_date - dt.timedelta(days=1),
        )
        .filter(sent_q())
        .values_list("personnel_on_duty", flat=True)
        .first()
    )


# The satgas level a unit reports under: a Polsek's people serve in its Polres's satgas.
TASK_FORCE_LEVEL = {
    UnitKind.MABES: UnitKind.MABES,
    UnitKind.POLDA: UnitKind.POLDA,
    UnitKind.POLRES: UnitKind.POLRES,
    UnitKind.POLSEK: UnitKind.POLRES,
}


def task_force_level(unit: Unit) -> str:
    return TASK_FORCE_LEVEL[UnitKind(unit.kind)]


def check_task_force_level(unit: Unit, activities) -> None:
    """An activity's satgas is one of the unit's own level (drafts too: it is a choice)."""
    level = task_force_level(unit)
    for index, item in enumerate(activities or ()):
        task_force = item.get("task_force")
        if task_force is not None and task_force.level != level:
            raise ValidationError(
                {
                    f"activities[{index}].task_force": _(
                        "Satgas %(task_force)s bukan satgas tingkat %(level)s."
                    )
                    % {"task_force": task_force, "level": UnitKind(level).label}
                }
            )


def ceiling(unit: Unit) -> int:
    return settings.PAMILU_PERSONNEL_CEILING[unit.kind]


def _strength_error(report: DailyReport) -> str | None:
    on_duty = report.personnel_on_duty
    power = _strength_of(report)
    day = date_format(report.report_date, "j F Y")
    if power.has_warrant:
        if on_duty <= power.total:
            return None
        return _(
            "Personel bertugas %(on_duty)s melebihi kekuatan %(unit)s menurut sprin pada "
            "%(day)s: %(total)s (%(own)s personel sendiri − %(lent)s BKO keluar + "
            "%(received)s BKO masuk)."
        ) % {
            "on_duty": on_duty,
            "unit": report.unit.name,
            "day": day,
            "total": power.total,
            "own": power.own,
            "lent": power.lent_out,
            "received": power.received,
        }
    limit = ceiling(report.unit)
    if on_duty <= limit:
        return None
    return _(
        "Personel bertugas %(on_duty)s melebihi batas %(limit)s untuk %(kind)s: belum ada "
        "sprin yang menugaskan personel %(unit)s dalam operasi ini pada %(day)s."
    ) % {
        "on_duty": on_duty,
        "limit": limit,
        "kind": report.unit.get_kind_display(),
        "unit": report.unit.name,
        "day": day,
    }


def _errors(report: DailyReport, activities: list) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    on_duty = report.personnel_on_duty
    if on_duty < 1:
        errors["personnel_on_duty"] = [_("Isi jumlah personel yang bertugas (paling sedikit 1).")]
    else:
        message = _strength_error(report)
        if message:
            errors["personnel_on_duty"] = [message]
    if not activities:
        errors["activities"] = [_("Isi paling sedikit satu kegiatan.")]
    if not (report.summary or "").strip():
        errors["summary"] = [_("Tuliskan ringkasan kegiatan hari ini.")]
    for index, activity in enumerate(activities):
        if on_duty >= 1 and activity.personnel > on_duty:
            errors[f"activities[{index}].personnel"] = [
                _(
                    "Personel kegiatan %(kind)s (%(personnel)s) melebihi personel bertugas "
                    "(%(on_duty)s)."
                )
                % {
                    "kind": activity.get_kind_display(),
                    "personnel": activity.personnel,
                    "on_duty": on_duty,
                }
            ]
    return errors


def _warnings(report: DailyReport, has_incident: bool) -> list[SendWarning]:
    found = []
    yesterday = _yesterday_of(report)
    if yesterday and report.personnel_on_duty * 2 < yesterday:
        found.append(
            SendWarning(
                FlagCode.PERSONNEL_DROP,
                "personnel_on_duty",
                _("Personel bertugas %(today)s kurang dari separuh kemarin (%(yesterday)s). Benar?")
                % {"today": report.personnel_on_duty, "yesterday": yesterday},
            )
        )
    if not has_incident:
        start = clock.day_start(report.unit, report.report_date)
        end = clock.day_start(report.unit, report.report_date + dt.timedelta(days=1))
        elsewhere = (
            Incident.objects.filter(
                Q(post__unit_id=report.unit_id)
                | Q(unit__in=report.unit.subtree(include_self=False)),
                operation_id=report.operation_id,
                occurred_at__gte=start,
                occurred_at__lt=end,
            )
            .exclude(report_id=report.pk)
            .count()
        )
        if elsewhere:
            found.append(
                SendWarning(
                    FlagCode.INCIDENTS_ELSEWHERE,
                    "incidents",
                    _(
                        "Laporan ini tanpa kejadian menonjol, padahal %(n)s kejadian tercatat "
                        "hari itu di pos atau satuan di bawah %(unit)s. Benar tidak ada?"
                    )
                    % {"n": elsewhere, "unit": report.unit.name},
                )
            )
    return found


def check_send(report: DailyReport, *, confirmed: Iterable[str] = ()) -> list[Flag]:
    """Raise ValidationError (errors) or SendWarnings (unconfirmed warnings); else return
    the flags to store for the reviewer."""
    activities = list(report.activities.all())
    errors = _errors(report, activities)
    if errors:
        raise ValidationError(errors, code="incomplete")
    has_incident = report.incidents.exists()
    warnings = _warnings(report, has_incident)
    confirmed = set(confirmed or ())
    pending = [w for w in warnings if w.code not in confirmed]
    if pending:
        raise SendWarnings(pending)
    flags = [Flag(w.code, w.message[:255], True) for w in warnings]
    total = sum(a.personnel for a in activities)
    if total > report.personnel_on_duty:
        flags.append(
            Flag(
                FlagCode.ACTIVITY_PERSONNEL_SUM,
                _("Kegiatan %(total)s orang, personel bertugas %(on_duty)s.")
                % {"total": total, "on_duty": report.personnel_on_duty},
                False,
            )
        )
    return flags
