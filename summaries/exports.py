"""PDF (a formal report a Kabag Ops can forward) and XLSX (totals + per-unit rows)."""

from __future__ import annotations

import io
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from pamilu.exports import xlsx_append
from summaries.models import Summary
from summaries.presentation import present

PDF_CSS = Path(__file__).resolve().parent / "static" / "summaries" / "rekap-pdf.css"


def filename(summary: Summary, extension: str) -> str:
    return (
        f"rekap-{summary.period_kind}-{summary.unit.code.lower()}-"
        f"{summary.period_start:%Y%m%d}.{extension}"
    )


def render_pdf(summary: Summary) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - heavy (WeasyPrint, Pango): loaded only when a PDF is asked for

    html = render_to_string(
        "summaries/pdf.html",
        {
            "summary": summary,
            "p": present(summary),
            "printed_at": timezone.localtime(timezone.now(), summary.unit.zone),
        },
    )
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(PDF_CSS))])


def render_xlsx(summary: Summary) -> bytes:
    p = present(summary)
    workbook = Workbook()
    totals = workbook.active
    totals.title = _("Total")
    bold = Font(bold=True)
    xlsx_append(totals, [p["title"]])
    totals["A1"].font = bold
    xlsx_append(totals, [_("Data sampai"), summary.through.isoformat()])
    xlsx_append(totals, [])
    xlsx_append(totals, [_("Uraian"), _("Jumlah")])
    for row in p["totals"]:
        xlsx_append(totals, [row["label"], row["value"]])
    reporting = p["reporting"]
    xlsx_append(totals, [_("Laporan wajib"), reporting["expected"]])
    xlsx_append(totals, [_("Laporan masuk"), reporting["reported"]])
    xlsx_append(totals, [_("Tepat waktu"), reporting["on_time"]])
    xlsx_append(totals, [_("Terlambat"), reporting["late"]])
    xlsx_append(totals, [_("Tidak melapor"), reporting["missing"]])
    xlsx_append(totals, [_("Tepat waktu (%)"), reporting["on_time_percent"]])
    if p["comparison"]:
        xlsx_append(totals, [])
        xlsx_append(
            totals,
            [_("Perbandingan"), _("Sebelumnya"), _("Sekarang"), _("Selisih"), "%", _("Tren")],
        )
        for row in p["comparison"]["rows"]:
            xlsx_append(
                totals,
                [
                    row["label"],
                    row["previous"],
                    row["current"],
                    row["change"],
                    row["percent"],
                    row["trend_label"],
                ],
            )
    totals.column_dimensions["A"].width = 34

    units = workbook.create_sheet(_("Per satuan"))
    xlsx_append(
        units,
        [
            _("Kode"),
            _("Satuan"),
            _("Laporan wajib"),
            _("Laporan masuk"),
            _("Tepat waktu"),
            _("Tidak melapor"),
            _("Personel"),
            _("Kegiatan"),
            _("Kejadian"),
        ],
    )
    for cell in units[1]:
        cell.font = bold
    for row in p["units"]:
        xlsx_append(
            units,
            [
                row["code"],
                row["name"],
                row["expected"],
                row["reported"],
                row["on_time"],
                row["missing"],
                row["personnel"],
                row["activities"],
                row["incidents"],
            ],
        )
    units.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
