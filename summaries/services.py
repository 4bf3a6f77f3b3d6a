"""Writes for evaluation summaries (rekap anev), reminders and escalations. See issue 5."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record
from operations import clock
from operations.models import Operation, Phase, Unit
from pamilu.actors import Actor, ChannelName, user_of
from pamilu.roles import Role
from summaries import periods, selectors, state
from summaries.content import build_full, build_incremental
from summaries.models import DirtyUnit, Notice, NoticeKind, PeriodKind, Summary
from summaries.periods import Period

if TYPE_CHECKING:
    from reports.models import DailyReport

logger = logging.getLogger(__name__)

# Built "to date" and extended day by day: a late task for an earlier day must not
# move them back.
TO_DATE_KINDS = {PeriodKind.WEEKLY, PeriodKind.PHASE}
REBUILD_DELAY_SECONDS = 20


def _key(operation: Operation, unit: Unit, period: Period) -> dict[str, Any]:
    if period.kind == PeriodKind.PHASE:
        return {
            "operation": operation,
            "unit": unit,
            "period_kind": period.kind,
            "phase": period.phase,
        }
    return {
        "operation": operation,
        "unit": unit,
        "period_kind": period.kind,
        "period_start": period.start,
    }


@transaction.atomic
def summary_build(
    *,
    operation: Operation,
    unit: Unit,
    period: Period,
    by: Actor,
    channel: ChannelName,
    full: bool = False,
) -> Summary | None:
    """Build (or rebuild) one summary in one transaction: an upsert on its unique key.

    A stale summary of the same period whose marks name the units that changed
    (`DirtyUnit`) swaps only those units' parts (summaries.content.build_incremental);
    anything else, or `full=True`, is built in full. Both give the same content.
    Returns None when a to-date summary already covers a later day (nothing to do).
    The same reports always give the same `content`; only `built_at` changes.
    """
    key = _key(operation, unit, period)
    # Not the old content: a national one is megabytes; its hash says whether it changed.
    current = Summary.objects.select_for_update().defer("content").filter(**key).first()
    if current is not None and period.kind in TO_DATE_KINDS and current.through > period.through:
        return None
    # Read the marks before the data: a report changed after this point marks the row
    # again (it waits for this transaction's lock) and the summary stays stale.
    marks = current.stale_marks if current is not None else 0
    built, dirty = None, []
    if current is not None:
        dirty = list(DirtyUnit.objects.filter(summary=current).values_list("pk", "unit_id"))
    if current is not None and not full and current.is_stale and _same_period(current, period):
        if not dirty and state.exists(current.pk):
            # Marked only by days it does not count (after `through`): nothing changed.
            current.built_marks = marks
            current.save(update_fields=["built_marks"])
            return current
        built = build_incremental(
            operation=operation,
            unit=unit,
            period=period,
            summary_id=current.pk,
            unit_ids=[u for _, u in dirty],
        )
    if built is None:
        built = build_full(operation=operation, unit=unit, period=period)
    content = built.content
    acc_text = state.dump(built.acc)
    fields = {
        "period_start": period.start,
        "period_end": period.end,
        "through": period.through,
        "phase": period.phase,
        "previous_start": period.previous_start,
        "previous_end": period.previous_end,
        "content": content,
        "content_hash": content_hash(content, acc_text),
        "built_at": timezone.now(),
        "built_marks": marks,
    }
    created = False
    if current is None:
        try:
            with transaction.atomic():
                current = Summary.objects.create(**{**key, **fields, "stale_marks": 0})
                created = True
        except IntegrityError:
            # Built concurrently by another worker: take that row and overwrite it.
            current = Summary.objects.select_for_update().defer("content").get(**key)
            fields["built_marks"] = current.stale_marks
    changed = (
        created
        or current.content_hash != fields["content_hash"]
        or current.through != period.through
    )
    if not created:
        for name, value in fields.items():
            setattr(current, name, value)
        current.save(update_fields=[*fields])
    state.store(current.pk, built, acc_text=acc_text)
    if dirty:
        DirtyUnit.objects.filter(pk__in=[pk for pk, _ in dirty]).delete()
    if changed:
        record(
            actor=by,
            channel=channel,
            action="summary.build" if created else "summary.rebuild",
            obj=current,
            changes={
                "period_kind": period.kind,
                "period_start": period.start,
                "through": period.through,
            },
        )
    return current


def content_hash(content: dict[str, Any], acc_text: str) -> str:
    """A fingerprint of the content: the sums it is rendered from (already JSON text)
    and its heading; cheaper than serialising a national content again."""
    head = {k: content[k] for k in ("operation", "unit", "period")}
    return hashlib.sha256((acc_text + json.dumps(head, sort_keys=True)).encode()).hexdigest()


def _same_period(summary: Summary, period: Period) -> bool:
    return (
        summary.period_start == period.start
        and summary.period_end == period.end
        and summary.through == period.through
        and summary.previous_start == period.previous_start
        and summary.previous_end == period.previous_end
    )


def period_of(summary: Summary) -> Period:
    """The period a stored summary covers (to rebuild it as it was)."""
    if summary.period_kind == PeriodKind.DAILY:
        return periods.daily(summary.operation, summary.period_start)
    if summary.period_kind == PeriodKind.WEEKLY:
        return periods.weekly(summary.operation, summary.through)
    assert summary.phase is not None  # a phase summary names its phase
    return periods.for_phase(summary.operation, summary.phase, summary.through)


def summary_rebuild(*, summary: Summary, by: Actor, channel: ChannelName) -> Summary | None:
    return summary_build(
        operation=summary.operation,
        unit=summary.unit,
        period=period_of(summary),
        by=by,
        channel=channel,
    )


def build_for_day(
    *, operation: Operation, unit: Unit, day: dt.date, by: Actor, channel: ChannelName
) -> list[Summary]:
    """The daily summary of `day`, and the week and phase(s) to date, for one unit."""
    periods_of_day = [periods.daily(operation, day), periods.weekly(operation, day)]
    for phase in Phase.objects.filter(operation=operation).on(day).order_by("start_date", "id"):
        periods_of_day.append(periods.for_phase(operation, phase, day))
    built = [
        summary_build(operation=operation, unit=unit, period=period, by=by, channel=channel)
        for period in periods_of_day
    ]
    return [s for s in built if s is not None]


def mark_stale_for_report(*, report: DailyReport, by: Actor, channel: ChannelName) -> None:
    """Mark the summaries that include `report` stale, up the chain.

    Called by reports.services inside the transaction of every report transition
    (submit, return, accept), so the marks are committed with the change itself; the
    report's unit is appended to each summary's `dirty_units` in the same UPDATE, so the
    rebuild re-reads that unit only (the next period's comparison included). The
    rebuild is queued on commit; if the broker is down, the marks stay and the beat
    task `summaries.rebuild_stale` picks them up.
    """
    day = report.report_date
    unit = Unit.objects.only("path").get(pk=report.unit_id)
    ids = list(
        Summary.objects.filter(
            operation_id=report.operation_id, unit__path__in=unit.ancestor_paths()
        )
        .filter(
            Q(period_start__lte=day, period_end__gte=day)
            | Q(previous_start__lte=day, previous_end__gte=day)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    # Every one is marked; the unit is noted only where its day counts (up to `through`,
    # or in the comparison period). A build holding a row makes the UPDATE wait, and
    # RETURNING then reads the row the build wrote: a to-date summary extended to this
    # day meanwhile gets the unit noted too.
    # Locked in id order, as summaries.batch locks them: no deadlock between the two.
    placeholders = ", ".join(["%s"] * len(ids))
    lock = " ORDER BY id FOR UPDATE" if connection.vendor == "postgresql" else ""
    sql = (
        "UPDATE summaries_summary SET stale_marks = stale_marks + 1"  # noqa: S608 - placeholders
        f" WHERE id IN (SELECT id FROM summaries_summary WHERE id IN ({placeholders}){lock})"
        " RETURNING id, (through >= %s OR (previous_start <= %s AND previous_end >= %s))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, day, day, day])
        counted = [pk for pk, counts in cursor.fetchall() if counts]
    if counted:
        DirtyUnit.objects.bulk_create(
            [DirtyUnit(summary_id=pk, unit_id=report.unit_id) for pk in sorted(counted)],
            ignore_conflicts=True,
        )
    transaction.on_commit(partial(enqueue_rebuild, ids))


def enqueue_rebuild(ids: list[int]) -> None:
    """Queue a rebuild; never fails the caller (the user's work is already committed)."""
    from summaries import tasks  # noqa: PLC0415 - cycle: tasks imports this module

    try:
        # A short delay coalesces a burst of transitions (evening submissions) into one
        # rebuild: the task skips summaries that an earlier run already refreshed.
        tasks.rebuild_summaries.apply_async(
            args=[list(ids)], countdown=REBUILD_DELAY_SECONDS, retry=False
        )
    except Exception:  # the broker may be down in any way; beat rebuilds from the marks
        logger.warning("could not queue rebuild of summaries %s; beat will", ids, exc_info=True)


def rebuild_stale(*, by: Actor, channel: ChannelName, limit: int = 500) -> int:
    """Rebuild stale summaries (oldest period first). Returns how many were rebuilt."""
    from summaries import batch  # noqa: PLC0415 - cycle: batch imports this module

    return batch.rebuild(selectors.stale_summary_ids(limit=limit))


# --- reminders and escalations -----------------------------------------------


def _email_enabled() -> bool:
    return settings.EMAIL_BACKEND != "django.core.mail.backends.dummy.EmailBackend"


def _create_notices(rows: list[Notice]) -> int:
    if not rows:
        return 0
    before = Notice.objects.count()
    Notice.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return Notice.objects.count() - before


def send_reminders(*, by: Actor, channel: ChannelName, now: dt.datetime | None = None) -> int:
    """Before the deadline, remind every unit that has not reported yet (level 0)."""
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.PAMILU_REMINDER_MINUTES_BEFORE_DEADLINE)
    rows = []
    for operation in selectors.running_operations(now):
        for time_zone in selectors.zones_of(operation):
            zone = periods.zone_unit(time_zone)
            day = clock.local_date(zone, now)
            deadline = clock.report_deadline(operation, zone, day)
            if not (operation.covers(day) and deadline - window <= now < deadline):
                continue
            for unit_id in selectors.missing_units(operation, time_zone, day).values_list(
                "pk", flat=True
            ):
                rows.append(
                    Notice(
                        operation=operation,
                        unit_id=unit_id,
                        report_date=day,
                        level=0,
                        kind=NoticeKind.REMINDER,
                        recipient_unit_id=unit_id,
                        deadline=deadline,
                    )
                )
    created = _create_notices(rows)
    email_open_notices(now=now, by=by, channel=channel)
    return created


def escalate(*, by: Actor, channel: ChannelName, now: dt.datetime | None = None) -> int:
    """After the deadline (+ the configured delay), escalate a missing report one unit up,
    and after twice the delay, two units up. Looks at the last two closed days."""
    now = now or timezone.now()
    delay = dt.timedelta(minutes=settings.PAMILU_ESCALATION_MINUTES_AFTER_DEADLINE)
    rows = []
    for operation in selectors.running_operations(now):
        for time_zone in selectors.zones_of(operation):
            zone = periods.zone_unit(time_zone)
            last = periods.closed_day(operation, time_zone, now)
            if last is None:
                continue
            for day in (last - dt.timedelta(days=1), last):
                if not operation.covers(day):
                    continue
                deadline = clock.report_deadline(operation, zone, day)
                levels = [lvl for lvl in (1, 2) if now >= deadline + lvl * delay]
                if not levels:
                    continue
                missing = selectors.missing_units(operation, time_zone, day).values_list(
                    "pk", "parent_id", "parent__parent_id"
                )
                for unit_id, parent_id, grandparent_id in missing:
                    for level in levels:
                        recipient = parent_id if level == 1 else grandparent_id
                        if recipient is None:
                            continue
                        rows.append(
                            Notice(
                                operation=operation,
                                unit_id=unit_id,
                                report_date=day,
                                level=level,
                                kind=NoticeKind.ESCALATION,
                                recipient_unit_id=recipient,
                                deadline=deadline,
                            )
                        )
    created = _create_notices(rows)
    email_open_notices(now=now, by=by, channel=channel)
    return created


def email_open_notices(*, by: Actor, channel: ChannelName, now: dt.datetime | None = None) -> int:
    """E-mail notices not yet e-mailed, when a real e-mail backend is configured."""
    if not _email_enabled():
        return 0
    now = now or timezone.now()
    notices = list(
        Notice.objects.filter(
            emailed_at__isnull=True,
            acknowledged_at__isnull=True,
            created_at__gte=now - dt.timedelta(days=2),
        ).select_related("unit", "operation")[:2000]
    )
    if not notices:
        return 0
    recipients: dict[tuple[int, bool], list[str]] = {}
    for unit_id, role, email in (
        User.objects.filter(unit_id__in={n.recipient_unit_id for n in notices}, is_active=True)
        .exclude(email="")
        .values_list("unit_id", "role", "email")
    ):
        recipients.setdefault((unit_id, role == Role.OPERATOR), []).append(email)
    messages, sent_ids = [], []
    for notice in notices:
        to = recipients.get((notice.recipient_unit_id, notice.level == 0), [])
        if not to:
            continue
        subject, body = _notice_text(notice)
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, sorted(to)))
        sent_ids.append(notice.pk)
    if messages:
        send_mass_mail(messages, fail_silently=False)
        Notice.objects.filter(pk__in=sent_ids).update(emailed_at=now)
    return len(messages)


def _notice_text(notice: Notice) -> tuple[str, str]:
    local_deadline = timezone.localtime(notice.deadline, notice.unit.zone)
    values = {
        "unit": notice.unit.name,
        "day": notice.report_date.strftime("%d/%m/%Y"),
        "deadline": local_deadline.strftime("%H:%M"),
        "zone": notice.unit.zone_abbreviation,
        "operation": notice.operation.name,
    }
    if notice.kind == NoticeKind.REMINDER:
        subject = _("Pengingat: laporan anev %(unit)s tanggal %(day)s") % values
        body = (
            _(
                "Laporan anev harian %(unit)s untuk tanggal %(day)s (%(operation)s) belum dikirim. "
                "Batas waktu pukul %(deadline)s %(zone)s."
            )
            % values
        )
    else:
        subject = _("Eskalasi: laporan anev %(unit)s tanggal %(day)s belum masuk") % values
        body = (
            _(
                "Laporan anev harian %(unit)s untuk tanggal %(day)s (%(operation)s) belum masuk "
                "setelah batas waktu pukul %(deadline)s %(zone)s. Mohon ditindaklanjuti."
            )
            % values
        )
    return subject, body


def notice_acknowledge(*, notice: Notice, by: Actor, channel: ChannelName) -> bool:
    """Close an open notice. Returns False when someone acknowledged it already."""
    with transaction.atomic():
        now = timezone.now()
        claimed = Notice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=user_of(by)
        )
        if not claimed:
            return False
        record(
            actor=by,
            channel=channel,
            action="notice.acknowledge",
            obj=notice,
            changes={"acknowledged_at": [None, now]},
            unit=notice.recipient_unit,
        )
    notice.acknowledged_at, notice.acknowledged_by = now, user_of(by)
    return True
