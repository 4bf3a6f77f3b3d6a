"""The dashboard's day: each reporting unit in one state for its own today.

The clock stands at 16:30 UTC on 1 February 2024 (NOW): 23:30 WIB (Banten still on the
1st), 00:30 WITA and 01:30 WIT (Sulsel and Maluku already on the 2nd).
"""

from __future__ import annotations

import datetime as dt

from reports.models import DailyReport, ReportStatus
from tests.builders.reports import incident, report

NOW = dt.datetime(2024, 2, 1, 16, 30, tzinfo=dt.UTC)
FEB1, FEB2 = dt.date(2024, 2, 1), dt.date(2024, 2, 2)


def day_of_reports(tree, operation, *, by) -> dict[str, DailyReport]:
    """Reports of each reporting unit (Polres and Polsek) for its own today (and two of
    yesterday), as rows, with incidents."""
    r = {
        # Maluku (WIT, today = 2 Feb)
        "sirimau": report(operation, tree.sirimau, FEB2, personnel_on_duty=30, by=by),
        "sirimau_yesterday": report(operation, tree.sirimau, FEB1, late=True, by=by),
        "nusaniwe_draft": report(
            operation, tree.nusaniwe, FEB2, status=ReportStatus.DRAFT, personnel_on_duty=99, by=by
        ),
        "ambon": report(
            operation,
            tree.ambon,
            FEB2,
            status=ReportStatus.RETURNED,
            personnel_on_duty=50,
            by=by,
        ),
        # Sulsel (WITA, today = 2 Feb): Polres Sinjai only sent yesterday's.
        "sinjai_yesterday": report(operation, tree.sinjai, FEB1, personnel_on_duty=7, by=by),
        "sinjai_utara": report(
            operation,
            tree.sinjai_utara,
            FEB2,
            late=True,
            personnel_on_duty=20,
            by=by,
        ),
        # Banten (WIB, today = 1 Feb): Polsek Labuan sent nothing.
        "pandeglang": report(
            operation,
            tree.pandeglang,
            FEB1,
            status=ReportStatus.ACCEPTED,
            personnel_on_duty=40,
            by=by,
        ),
    }
    incident(r["sirimau"], category="kejahatan", severity="merah")
    incident(r["sirimau_yesterday"], category="laka_lantas")
    incident(r["nusaniwe_draft"], category="kejahatan")  # a draft: not counted
    incident(r["pandeglang"], category="unjuk_rasa", severity="kuning")
    return r
