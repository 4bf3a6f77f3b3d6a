"""The ordered pangkat list (Perkap 3/2016) and the civil grades of PNS Polri.

Police ranks order 101+, civil grades 1+, so "highest rank first" lists officers
before civil staff. Loaded by migration 0002 and again after every flush (tests
that truncate tables, `manage.py flush`) through a post_migrate handler.
"""

from __future__ import annotations

POLICE = [
    ("tamtama", ["Bharada", "Bharatu", "Bharaka", "Abripda", "Abriptu", "Abrippol"]),
    ("bintara", ["Bripda", "Briptu", "Brigpol", "Bripka", "Aipda", "Aiptu"]),
    ("pama", ["Ipda", "Iptu", "AKP"]),
    ("pamen", ["Kompol", "AKBP", "Kombes"]),
    ("pati", ["Brigjen", "Irjen", "Komjen", "Jenderal"]),
]
CIVIL = [
    ("I", ["Juru Muda", "Juru Muda Tingkat I", "Juru", "Juru Tingkat I"]),
    ("II", ["Pengatur Muda", "Pengatur Muda Tingkat I", "Pengatur", "Pengatur Tingkat I"]),
    ("III", ["Penata Muda", "Penata Muda Tingkat I", "Penata", "Penata Tingkat I"]),
    ("IV", ["Pembina", "Pembina Tingkat I", "Pembina Utama Muda", "Pembina Utama Madya", "Pembina Utama"]),
]  # fmt: skip


def rank_rows() -> list[dict]:
    rows = []
    order = 100
    for group, names in POLICE:
        for name in names:
            order += 1
            rows.append({"code": name.upper(), "name": name, "group": group, "order": order})
    order = 0
    for golongan, names in CIVIL:
        for index, name in enumerate(names):
            order += 1
            code = f"{golongan}/{'abcde'[index]}"
            rows.append({"code": code, "name": f"{name} ({code})", "group": "pns", "order": order})
    return rows


def ensure_ranks(rank_model, using: str = "default") -> None:
    """Insert the ranks that are missing (never changes existing rows)."""
    existing = set(rank_model.objects.using(using).values_list("code", flat=True))
    missing = [rank_model(**row) for row in rank_rows() if row["code"] not in existing]
    if missing:
        rank_model.objects.using(using).bulk_create(missing, ignore_conflicts=True)
