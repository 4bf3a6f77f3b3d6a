"""A summary's content with its labels: the one shape the page, the PDF and the XLSX show.

The stored content holds keys only (no language); labels are added here at display
time, so the three outputs carry exactly the same rows and numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from operations.models import UnitKind
from reports.models import ActivityKind, IncidentCategory, Severity
from summaries.models import PeriodKind, Summary


def total_labels() -> dict[str, str]:
    return {
        "personnel": _("Personel bertugas"),
        "activities": _("Kegiatan"),
        "activity_personnel": _("Personel kegiatan"),
        "incidents": _("Kejadian"),
        "deaths": _("Meninggal dunia (MD)"),
        "injured_serious": _("Luka berat (LB)"),
        "injured_light": _("Luka ringan (LR)"),
        "loss_rupiah": _("Kerugian materiil (Rp)"),
    }


def trend_label(trend: str) -> str:
    return {"naik": _("naik"), "turun": _("turun"), "tetap": _("tetap")}.get(trend, trend)


def percent_text(value: float | None) -> str:
    """Indonesian notation, e.g. 17,65%; a rise from zero has no percentage."""
    if value is None:
        return "–"
    return f"{abs(value):.2f}".replace(".", ",") + "%"


def _label(choices, key: str) -> str:
    try:
        return str(choices(key).label)
    except ValueError:
        return key


def title(summary: Summary) -> str:
    kind = summary.period_kind
    unit = summary.unit.name
    if kind == PeriodKind.DAILY:
        return _("Rekap anev harian %(unit)s, %(day)s") % {
            "unit": unit,
            "day": summary.period_start.strftime("%d/%m/%Y"),
        }
    if kind == PeriodKind.WEEKLY:
        return _("Rekap anev mingguan %(unit)s, %(start)s–%(end)s") % {
            "unit": unit,
            "start": summary.period_start.strftime("%d/%m/%Y"),
            "end": summary.period_end.strftime("%d/%m/%Y"),
        }
    return _("Rekap anev tahapan %(phase)s, %(unit)s") % {
        "phase": summary.phase.name if summary.phase else "",
        "unit": unit,
    }


def present(summary: Summary) -> dict[str, Any]:
    c = summary.content
    labels = total_labels()
    totals = [
        {"key": key, "label": label, "value": c["totals"].get(key, 0)}
        for key, label in labels.items()
    ]
    comparison = None
    if c.get("comparison"):
        comparison = {
            "start": dt.date.fromisoformat(c["comparison"]["start"]),
            "end": dt.date.fromisoformat(c["comparison"]["end"]),
            "rows": [
                {
                    **row,
                    "label": labels.get(row["key"], row["key"]),
                    "percent_text": percent_text(row["percent"]),
                    "trend_label": trend_label(row["trend"]),
                }
                for row in c["comparison"]["rows"]
            ]
            + [
                {
                    **row,
                    "label": _label(IncidentCategory, row["key"]),
                    "percent_text": percent_text(row["percent"]),
                    "trend_label": trend_label(row["trend"]),
                }
                for row in c["comparison"]["categories"]
            ],
        }
    reporting = c["reporting"]
    return {
        "title": title(summary),
        "first": dt.date.fromisoformat(c["period"]["first"]),
        "through": dt.date.fromisoformat(c["period"]["through"]),
        "content": c,
        "totals": totals,
        "activities": [
            {**row, "label": _label(ActivityKind, row["kind"])} for row in c["activities_by_kind"]
        ],
        "task_forces": [
            {**row, "level_label": _label(UnitKind, row["level"])}
            for row in c["activities_by_task_force"]
        ],
        "incidents": [
            {**row, "label": _label(IncidentCategory, row["category"])}
            for row in c["incidents_by_category"]
        ],
        "notable": [
            {
                **row,
                "category_label": _label(IncidentCategory, row["category"]),
                "severity_label": _label(Severity, row["severity"]),
            }
            for row in c["notable_incidents"]
        ],
        "comparison": comparison,
        "reporting": {
            **reporting,
            "on_time_percent_text": percent_text(reporting["on_time_percent"]),
        },
        "units": c["units"],
    }
