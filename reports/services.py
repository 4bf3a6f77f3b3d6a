"""Every write to daily reports: create, edit and the review workflow (attachments in
reports.attachments, re-exported here).

Each function is one transaction that writes an audit entry; the transitions also mark
the summaries that include the report stale (summaries.services).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import _plain, record
from operations import clock
from operations.models import Operation, Unit
from pamilu.actors import Actor, ChannelName, user_of
from pamilu.errors import StateError
from pamilu.scoping import can_review_unit, can_write_for_unit
from reports import facts, items, notify, rules
from reports.limits import RETURN_REASON_MAX
from reports.models import (
    DailyReport,
    ReportFlag,
    ReportStatus,
)
from summaries.services import mark_stale_for_report

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
REPORT_FIELDS = ["personnel_on_duty", "summary", "obstacles", "next_day_plan"]
ACTIVITY_FIELDS = ["kind", "task_force", "count", "personnel", "notes"]
INCIDENT_FIELDS = [
    "category",
    "severity",
    "occurred_at",
    "place",
    "post",
    "description",
    "action_taken",
    "deaths",
    "injured_serious",
    "injured_light",
    "loss_rupiah",
    "forwarded_to_gakkumdu",
    "latitude",
    "longitude",
]


class ReportStateError(StateError):
    """The report is not in a state that allows this change (e.g. editing a submitted one)."""


# --- checks ----------------------------------------------------------------------------


def check_report_date(*, operation: Operation, unit: Unit, report_date: dt.date) -> None:
    """A report is for a day of the operation that has begun in the unit's own zone."""
    today = clock.local_date(unit)
    if report_date > today:
        raise ValidationError(
            {
                "report_date": _(
                    "Tanggal %(day)s belum tiba di %(unit)s: hari ini %(today)s (%(zone)s)."
                )
                % {
                    "day": date_format(report_date, "j F Y"),
                    "unit": unit.name,
                    "today": date_format(today, "j F Y"),
                    "zone": unit.zone_abbreviation,
                }
            }
        )
    if not operation.covers(report_date):
        raise ValidationError(
            {
                "report_date": _(
                    "Tanggal %(day)s di luar masa %(operation)s (%(start)s – %(end)s)."
                )
                % {
                    "day": date_format(report_date, "j F Y"),
                    "operation": operation.name,
                    "start": date_format(operation.start_date, "j F Y"),
                    "end": date_format(operation.end_date, "j F Y"),
                }
            }
        )


def _check_takes_part(operation: Operation, unit: Unit) -> None:
    if not unit.path.startswith(operation.unit.path) or unit.kind not in (
        operation.reporting_kinds or []
    ):
        raise ValidationError(
            {
                "operation": _("%(unit)s tidak wajib melapor dalam %(operation)s.")
                % {"unit": unit.name, "operation": operation.name}
            }
        )


def _check_writer(by: Actor, unit: Unit) -> None:
    if not can_write_for_unit(by, unit):
        raise PermissionDenied(_("Hanya operator satuan ini yang dapat mengubah laporannya."))


def _check_reviewer(by: Actor, report: DailyReport) -> None:
    if not can_review_unit(by, report.unit):
        raise PermissionDenied(
            _("Hanya pemeriksa dari satuan atas yang dapat menerima atau mengembalikan laporan.")
        )


def _check_items(
    operation: Operation,
    activities: list[dict[str, Any]] | None,
    incidents: list[dict[str, Any]] | None,
) -> None:
    errors: dict[str, list[str]] = {}
    for item in activities or ():
        task_force = item.get("task_force")
        if task_force is not None and task_force.operation_id != operation.pk:
            errors.setdefault("activities", []).append(_("Satgas bukan dari operasi ini."))
    for item in incidents or ():
        post = item.get("post")
        if post is not None and post.operation_id != operation.pk:
            errors.setdefault("incidents", []).append(_("Pos/TPS bukan dari operasi ini."))
        occurred = item.get("occurred_at")
        if occurred is not None and occurred > timezone.now() + dt.timedelta(minutes=5):
            errors.setdefault("incidents", []).append(
                _("Waktu kejadian tidak boleh di masa depan.")
            )
    if errors:
        raise ValidationError(errors)


# --- audit helpers ---------------------------------------------------------------------


def _plain_items(items: Iterable[Any], fields: list[str]) -> list[dict[str, Any]]:
    result = []
    for item in items:
        get = item.get if isinstance(item, dict) else lambda name, obj=item: getattr(obj, name)
        result.append({name: get(name) for name in fields if get(name) not in (None, "", 0)})
    return result


def _report_state(report: DailyReport) -> dict[str, Any]:
    state = {name: getattr(report, name) for name in REPORT_FIELDS}
    state["activities"] = _plain_items(report.activities.all(), ACTIVITY_FIELDS)
    state["incidents"] = _plain_items(report.incidents.all(), INCIDENT_FIELDS)
    return state


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    before, after = _plain(before), _plain(after)
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}


def _write_items(
    report: DailyReport,
    activities: list[dict[str, Any]] | None,
    incidents: list[dict[str, Any]] | None,
    **options: Any,
) -> None:
    items.write_items(
        report,
        activities,
        incidents,
        activity_fields=ACTIVITY_FIELDS,
        incident_fields=INCIDENT_FIELDS,
        **options,
    )


# --- writes ----------------------------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    operation: Operation,
    unit: Unit,
    by: Actor,
    channel: ChannelName,
    report_date: dt.date | None = None,
    activities: list[dict[str, Any]] | None = None,
    incidents: list[dict[str, Any]] | None = None,
    submit: bool = False,
    confirm_warnings: Iterable[str] = (),
    **fields: Any,
) -> DailyReport:
    """A draft report of `unit` for `report_date` (default: the unit's own today); with
    `submit`, sent in the same transaction (all or nothing: one request from a phone)."""
    _check_writer(by, unit)
    _check_takes_part(operation, unit)
    report_date = report_date or clock.local_date(unit)
    check_report_date(operation=operation, unit=unit, report_date=report_date)
    _check_items(operation, activities, incidents)
    rules.check_task_force_level(unit, activities)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    report = DailyReport(
        operation=operation,
        unit=unit,
        report_date=report_date,
        created_by=user_of(by),
        unit_path=unit.path,
        **fields,
    )
    # The database holds uniqueness and the check constraints (a new draft meets them).
    report.full_clean(
        exclude=["operation", "unit", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    # No savepoint: a duplicate aborts this transaction, and the error raised here rolls
    # it back (report_create runs no query after the IntegrityError).
    try:
        report.save()
    except IntegrityError:
        raise ValidationError(
            {
                "report_date": _(
                    "Laporan %(unit)s untuk tanggal %(day)s dalam operasi ini sudah ada."
                )
                % {"unit": unit.name, "day": date_format(report_date, "j F Y")}
            },
            code="duplicate",
        ) from None
    _write_items(
        report,
        activities or [],
        incidents or [],
        new=True,
        incident_status=ReportStatus.SUBMITTED if submit else None,
    )
    after = _report_state(report)
    after.update(operation=operation, report_date=report_date, status=report.status)
    record(actor=by, channel=channel, action="report.create", obj=report, changes=after)
    if submit:
        # report_submit's own body, in this transaction (no savepoint of its own); the
        # sent report keeps the items just written.
        with facts.incidents_written_as(report, ReportStatus.SUBMITTED):
            sent = report_submit.__wrapped__(  # type: ignore[attr-defined]  # no savepoint
                report=report, by=by, channel=channel, confirm_warnings=confirm_warnings
            )
        report = facts.carry_items(source=report, target=sent)
    return report


@transaction.atomic
def report_update(
    *,
    report: DailyReport,
    by: Actor,
    channel: ChannelName,
    activities: list[dict[str, Any]] | None = None,
    incidents: list[dict[str, Any]] | None = None,
    submit: bool = False,
    confirm_warnings: Iterable[str] = (),
    **fields: Any,
) -> DailyReport:
    """Change a draft or returned report; a submitted or accepted one is frozen. With
    `submit`, sent in the same transaction (all or nothing: a refused send keeps none of
    the changes)."""
    _check_writer(by, report.unit)
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    locked = DailyReport.objects.select_for_update().get(pk=report.pk)
    if locked.status not in EDITABLE:
        raise ReportStateError(
            _("Laporan berstatus %(status)s tidak dapat diubah.")
            % {"status": locked.get_status_display()},
            code="frozen",
        )
    _check_items(locked.operation, activities, incidents)
    rules.check_task_force_level(locked.unit, activities)
    before = _report_state(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["operation", "unit", "created_by"], validate_unique=False)
    locked.save()
    _write_items(locked, activities, incidents)
    changes = _changes(before, _report_state(locked))
    if changes:
        record(actor=by, channel=channel, action="report.update", obj=locked, changes=changes)
    if submit:
        # report_submit's own body, in this transaction (no savepoint of its own)
        return report_submit.__wrapped__(  # type: ignore[attr-defined, no-any-return]
            report=locked, by=by, channel=channel, confirm_warnings=confirm_warnings
        )
    return locked


def _claim(
    report: DailyReport, old: Iterable[str], *, locked: DailyReport | None = None, **values: Any
) -> DailyReport:
    """Move the report out of one of the `old` states atomically, or raise. With `locked`
    (the row as read under the caller's lock, values plain) it is returned updated."""
    claimed = DailyReport.objects.filter(pk=report.pk, status__in=list(old)).update(**values)
    if locked is not None and claimed == 1:
        for name, value in values.items():
            setattr(locked, name, value)
        return locked
    fresh = DailyReport.objects.select_related("unit", "operation").get(pk=report.pk)
    if claimed != 1:
        raise ReportStateError(
            _("Laporan sudah berstatus %(status)s.") % {"status": fresh.get_status_display()},
            code="state",
        )
    return fresh


@transaction.atomic
def report_submit(
    *, report: DailyReport, by: Actor, channel: ChannelName, confirm_warnings: Iterable[str] = ()
) -> DailyReport:
    """Send a draft, or send a returned report again. After the deadline it is marked late
    (by the first submission only), never refused.

    The sending rules (reports.rules) raise ValidationError naming the field, or
    rules.SendWarnings until the sender confirms each warning's code."""
    _check_writer(by, report.unit)
    now = timezone.now()
    late = clock.is_late(report.operation, report.unit, report.report_date, now)
    current = (
        DailyReport.objects.select_for_update(of=("self",))
        .select_related("unit", "operation")
        .annotate(**rules.send_figures())  # what the send rules read, in the same query
        .get(pk=report.pk)
    )
    previous, resubmit = current.status, current.first_submitted_at is not None
    submitted_before = current.submitted_at
    if getattr(report, "_facts_incidents_written_as", None) is not None:
        # created in this transaction (report_create): the rules read the items just
        # written, held in memory, instead of reading them back
        facts.carry_items(source=report, target=current)
    flags = rules.check_send(current, confirmed=confirm_warnings) if previous in EDITABLE else []
    fresh = _claim(
        report,
        EDITABLE,
        locked=current,  # the row is locked: plain values are exact, no read-back
        status=ReportStatus.SUBMITTED,
        submitted_at=now,
        first_submitted_at=current.first_submitted_at or now,
        is_late=current.is_late if resubmit else late,
        updated_at=now,
    )
    facts.report_status_changed(report_id=fresh.pk, status=fresh.status, held=report)
    record(
        actor=by,
        channel=channel,
        action="report.resubmit" if resubmit else "report.submit",
        obj=fresh,
        changes={
            "status": [previous, fresh.status],
            "submitted_at": [submitted_before, now],
            **({} if resubmit else {"is_late": [False, fresh.is_late]}),
            **({"flags": [None, [f.code for f in flags]]} if flags else {}),
        },
    )
    if resubmit:  # flags are only written when a report is sent: a first send has none
        ReportFlag.objects.filter(report=fresh).delete()
    written = ReportFlag.objects.bulk_create(
        ReportFlag(report=fresh, code=f.code, detail=f.detail, confirmed=f.confirmed) for f in flags
    )
    # the answer shows them without a read-back
    facts.hold_items(fresh, "flags", sorted(written, key=lambda flag: flag.code))
    mark_stale_for_report(report=fresh, by=by, channel=channel)
    return fresh


@transaction.atomic
def report_return(
    *, report: DailyReport, by: Actor, channel: ChannelName, reason: str
) -> DailyReport:
    """A reviewer of an ancestor unit sends a submitted report back with a reason."""
    _check_reviewer(by, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tuliskan alasan pengembalian.")})
    if len(reason) > RETURN_REASON_MAX:
        raise ValidationError(
            {"reason": _("Paling banyak %(n)s karakter.") % {"n": RETURN_REASON_MAX}}
        )
    now = timezone.now()
    fresh = _claim(
        report,
        [ReportStatus.SUBMITTED],
        status=ReportStatus.RETURNED,
        return_reason=reason,
        reviewed_by=by,
        reviewed_at=now,
        updated_at=now,
    )
    facts.report_status_changed(report_id=fresh.pk, status=fresh.status)
    record(
        actor=by,
        channel=channel,
        action="report.return",
        obj=fresh,
        changes={
            "status": [ReportStatus.SUBMITTED, ReportStatus.RETURNED],
            "return_reason": [report.return_reason, reason],
        },
    )
    mark_stale_for_report(report=fresh, by=by, channel=channel)
    transaction.on_commit(lambda: notify.report_returned(report_id=fresh.pk))
    return fresh


@transaction.atomic
def report_accept(*, report: DailyReport, by: Actor, channel: ChannelName) -> DailyReport:
    """A reviewer of an ancestor unit accepts a submitted report."""
    _check_reviewer(by, report)
    now = timezone.now()
    fresh = _claim(
        report,
        [ReportStatus.SUBMITTED],
        status=ReportStatus.ACCEPTED,
        reviewed_by=by,
        reviewed_at=now,
        updated_at=now,
    )
    facts.report_status_changed(report_id=fresh.pk, status=fresh.status)
    record(
        actor=by,
        channel=channel,
        action="report.accept",
        obj=fresh,
        changes={"status": [ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]},
    )
    mark_stale_for_report(report=fresh, by=by, channel=channel)
    return fresh


# Attachments live in reports.attachments; callers keep using reports.services.X.
from reports.attachments import (  # noqa: E402
    ATTACHMENT_TYPES,
    attachment_add,
    attachment_check,
    attachment_remove,
)

__all__ = [
    "ATTACHMENT_TYPES",
    "ReportStateError",
    "attachment_add",
    "attachment_check",
    "attachment_remove",
    "check_report_date",
    "report_accept",
    "report_create",
    "report_return",
    "report_submit",
    "report_update",
]
