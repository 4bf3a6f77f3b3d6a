"""The PDF and the XLSX open (parsed back) and carry the same totals as the page."""

from __future__ import annotations

import io
import re

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.summaries.conftest import daily


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
