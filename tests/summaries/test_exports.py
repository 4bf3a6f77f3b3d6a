"""The PDF and the XLSX open (parsed back) and carry the same totals as the page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from operations.models import Operation, Unit
from pamilu import actors
from pamilu.exports import csv_writer, xlsx_append
from summaries import services
from tests.builders.summaries import D, daily


def _page_totals(client, pk) -> dict[str, int]:
    body = client.get(reverse("summaries:detail", args=[pk])).content.decode()
    return {
        key: int(value.replace(".", "").replace(",", ""))
        for key, value in re.findall(r'data-total="(\w+)">([\d.,]+)<', body)
    }


def test_summary_pdf_and_xlsx_carry_the_page_totals(client, built, personas):
    client.force_login(personas.national)
    summary = daily("MABES")
    page = _page_totals(client, summary.pk)
    assert page["personnel"] == 65
    assert page["loss_rupiah"] == 1_500_000
    assert len(page) == 8

    response = client.get(reverse("summaries:xlsx", args=[summary.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "rekap-daily-mabes-20240206.xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Total", "Per satuan"]
    rows: dict = {}
    for r in workbook["Total"].iter_rows(values_only=True):
        if r and r[0] and r[0] not in rows:  # the totals block comes before the comparison
            rows[r[0]] = r[1]
    labels = {
        "personnel": "Personel bertugas",
        "activities": "Kegiatan",
        "activity_personnel": "Personel kegiatan",
        "incidents": "Kejadian",
        "deaths": "Meninggal dunia (MD)",
        "injured_serious": "Luka berat (LB)",
        "injured_light": "Luka ringan (LR)",
        "loss_rupiah": "Kerugian materiil (Rp)",
    }
    assert {key: rows[label] for key, label in labels.items()} == page
    assert rows["Tepat waktu (%)"] == 57.14
    units = list(workbook["Per satuan"].iter_rows(values_only=True))
    assert units[0][:3] == ("Kode", "Satuan", "Laporan wajib")
    assert [(r[0], r[2], r[3], r[6]) for r in units[1:]] == [
        ("POLDA-BANTEN", 2, 1, 15),
        ("POLDA-MALUKU", 3, 3, 40),
        ("POLDA-SULSEL", 2, 1, 10),
    ]
    assert sum(r[6] for r in units[1:]) == page["personnel"]

    response = client.get(reverse("summaries:pdf", args=[summary.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    text = re.sub(r"[ \t]+", " ", text)
    assert "REKAP ANALISA DAN EVALUASI" in text
    for key, label in labels.items():
        value = f"{page[key]:,}".replace(",", ".")
        assert re.search(rf"{re.escape(label)}\s+{re.escape(value)}\b", text), (label, value)
    assert "Polsek-Labuan" in text and "Polsek-Sinjai-Utara" in text


FORMULAS = ['=HYPERLINK("http://contoh.invalid","klik")', "+62 811", "-1+2", "@SUM(A1)", "\tx"]


def test_xlsx_writes_formula_like_unit_names_as_text(client, tree, built, personas):
    """Failure 7: a unit name starting with "=" was written as a live formula."""
    for unit, name in zip([tree.maluku, tree.sulsel, tree.banten], FORMULAS, strict=False):
        Unit.objects.filter(pk=unit.pk).update(name=name)
    services.build_for_day(
        operation=built_operation(), unit=tree.mabes, day=D, by=actors.TASKS, channel="system"
    )
    client.force_login(personas.national)
    response = client.get(reverse("summaries:xlsx", args=[daily("MABES").pk]))
    sheet = load_workbook(io.BytesIO(response.content))["Per satuan"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert {code: (c.value, c.data_type) for code, c in cells.items()} == {
        "POLDA-MALUKU": (FORMULAS[0], "s"),
        "POLDA-SULSEL": (FORMULAS[1], "s"),
        "POLDA-BANTEN": (FORMULAS[2], "s"),
    }


def built_operation():
    return Operation.objects.get()


def test_formula_helper_covers_every_prefix_in_xlsx_and_csv():
    sheet = Workbook().active
    xlsx_append(sheet, [*FORMULAS, "\rx", "biasa", -5, 3.5])
    assert [c.data_type for c in sheet[1]] == ["s"] * 7 + ["n", "n"]
    buffer = io.StringIO()
    csv_writer(buffer).writerow([*FORMULAS, "\rx", "biasa", -5])
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert [v[:1] for v in row] == ["'"] * 6 + ["b", "-"]


def test_every_spreadsheet_export_goes_through_the_helper():
    """Any module that builds a workbook or a CSV writer uses pamilu.exports."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in [
        "accounts",
        "audit",
        "operations",
        "personnel",
        "reports",
        "summaries",
        "dashboard",
        "pamilu",
    ]:
        for file in (root / app).rglob("*.py"):
            text = file.read_text()
            if file.name == "exports.py" and file.parent.name == "pamilu":
                continue
            builds = "Workbook(" in text or "csv.writer(" in text or "DictWriter(" in text
            if builds and "pamilu.exports" not in text:
                offenders.append(str(file.relative_to(root)))
    assert offenders == []
