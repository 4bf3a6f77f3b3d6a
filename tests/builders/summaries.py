"""A day of reports across the three zones, with numbers the summaries' tests compute by
hand.

Day D = Tuesday 6 February 2024 (kampanye), compared with Monday 5 February.
Reporting units (polres + polsek): Ambon, Sirimau, Nusaniwe (WIT); Sinjai,
Sinjai Utara (WITA); Pandeglang, Labuan (WIB).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from reports.models import ReportStatus
from summaries.models import Summary
from tests.builders import reports as builders

D = dt.date(2024, 2, 6)
PREV = dt.date(2024, 2, 5)


def make_scenario(tree, operation, personas) -> SimpleNamespace:
    """The reports of day D and the day before (see the module docstring)."""
    t = tree
    by = personas.admin
    preventif = operation.task_forces.get(code="preventif")
    r = SimpleNamespace()
    # Day D
    r.sirimau = builders.report(
        operation,
        t.sirimau,
        D,
        by=by,
        personnel_on_duty=12,
        activities=[
            {"kind": "patroli", "count": 3, "personnel": 8, "task_force": preventif},
            {"kind": "sambang", "count": 2, "personnel": 4},
        ],
        incidents=[
            {
                "category": "kejahatan",
                "severity": "kuning",
                "injured_light": 2,
                "loss_rupiah": 1_500_000,
                "place": "Pasar Mardika",
            }
        ],
    )
    r.nusaniwe = builders.report(
        operation,
        t.nusaniwe,
        D,
        by=by,
        status=ReportStatus.ACCEPTED,
        late=True,
        personnel_on_duty=8,
        activities=[{"kind": "patroli", "count": 1, "personnel": 2}],
        incidents=[
            {"category": "laka_lantas", "severity": "hijau", "deaths": 1, "injured_serious": 1}
        ],
    )
    r.ambon = builders.report(
        operation,
        t.ambon,
        D,
        by=by,
        personnel_on_duty=20,
        activities=[{"kind": "apel", "count": 1, "personnel": 20}],
    )
    r.sinjai_utara = builders.report(
        operation, t.sinjai_utara, D, by=by, status=ReportStatus.DRAFT, personnel_on_duty=6
    )
    r.sinjai = builders.report(
        operation,
        t.sinjai,
        D,
        by=by,
        personnel_on_duty=10,
        activities=[{"kind": "pam_kampanye", "count": 2, "personnel": 10}],
    )
    r.pandeglang = builders.report(
        operation,
        t.pandeglang,
        D,
        by=by,
        status=ReportStatus.RETURNED,
        personnel_on_duty=15,
        activities=[{"kind": "patroli", "count": 4, "personnel": 12}],
    )
    # Labuan: no report for D.
    # The day before
    builders.report(
        operation,
        t.sirimau,
        PREV,
        by=by,
        personnel_on_duty=10,
        activities=[{"kind": "patroli", "count": 2, "personnel": 6}],
        incidents=[{"category": "kejahatan", "severity": "hijau"}],
    )
    builders.report(operation, t.nusaniwe, PREV, by=by, personnel_on_duty=8)
    builders.report(operation, t.ambon, PREV, by=by, personnel_on_duty=16)
    builders.report(operation, t.sinjai, PREV, by=by, personnel_on_duty=10)
    builders.report(operation, t.pandeglang, PREV, by=by, personnel_on_duty=15)
    builders.report(operation, t.labuan, PREV, by=by, personnel_on_duty=5)
    return r


def daily(code: str) -> Summary:
    """The daily summary of day D of the unit with this code."""
    return Summary.objects.get(period_kind="daily", period_start=D, unit__code=code)
