"""Telling a unit that its report came back, by e-mail where an e-mail backend is set.

In the app the returned report is the notice: it heads the kapolsek's home (reports.home)
with the reviewer's reason, and the navigation counts it. The deadline reminder is
summaries' (summaries.services.send_reminders: an in-app Notice and its e-mail); reports
never imports summaries for it, the import direction being reports → summaries only
for marking summaries stale.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from accounts.models import Role, User
from reports.models import DailyReport

logger = logging.getLogger(__name__)
DUMMY = "django.core.mail.backends.dummy.EmailBackend"


def email_enabled() -> bool:
    return settings.EMAIL_BACKEND != DUMMY


def report_returned(*, report_id: int) -> int:
    """E-mail the unit's active operators that their report was returned, with the reason.

    Runs after the commit; a mail server that fails is logged, never undoes the return."""
    if not email_enabled():
        return 0
    report = DailyReport.objects.select_related("unit", "operation").filter(pk=report_id).first()
    if report is None:
        return 0
    to = sorted(
        User.objects.filter(unit_id=report.unit_id, role=Role.OPERATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not to:
        return 0
    values = {
        "unit": report.unit.name,
        "day": report.report_date.strftime("%d/%m/%Y"),
        "operation": report.operation.name,
        "reason": report.return_reason,
    }
    subject = _("Laporan anev %(unit)s tanggal %(day)s dikembalikan") % values
    body = (
        _(
            "Laporan anev harian %(unit)s untuk tanggal %(day)s (%(operation)s) dikembalikan "
            "oleh pemeriksa.\n\nAlasan: %(reason)s\n\nPerbaiki lalu kirim ulang."
        )
        % values
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except OSError:
        logger.exception("report %s: the return e-mail could not be sent", report_id)
        return 0
    return len(to)
