"""The shape of the country: 36 Polda in three zones, their TPS and Polres counts.

TPS per province after KPU's 2024 figures (rounded; Jawa Barat, the lopsided Polda,
~142,000); Polres per Polda close to the real count. Both are scaled to the national
totals below, so only the proportions matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from operations.models import TimeZone

TOTAL_TPS = 823_220
TOTAL_POLRES = 500
TOTAL_POLSEK = 5_525  # 1 Mabes + 36 Polda + 500 Polres + 5,525 Polsek = 6,062 units
TOTAL_PERSONNEL = 260_000
OPERATION_DAYS = 222

WIB, WITA, WIT = TimeZone.WIB.value, TimeZone.WITA.value, TimeZone.WIT.value

# (short code, name, zone, lat, lng, TPS 2024, Polres)
POLDA = [
    ("ACEH", "Polda Aceh", WIB, 5.5483, 95.3238, 16_046, 23),
    ("SUMUT", "Polda Sumatera Utara", WIB, 3.5952, 98.6722, 45_875, 28),
    ("SUMBAR", "Polda Sumatera Barat", WIB, -0.9471, 100.4172, 17_569, 19),
    ("RIAU", "Polda Riau", WIB, 0.5071, 101.4478, 19_366, 12),
    ("KEPRI", "Polda Kepulauan Riau", WIB, 1.0456, 104.0305, 7_660, 7),
    ("JAMBI", "Polda Jambi", WIB, -1.6101, 103.6131, 11_160, 11),
    ("SUMSEL", "Polda Sumatera Selatan", WIB, -2.9761, 104.7754, 26_070, 17),
    ("BABEL", "Polda Kepulauan Bangka Belitung", WIB, -2.1291, 106.1090, 4_500, 7),
    ("BENGKULU", "Polda Bengkulu", WIB, -3.7928, 102.2608, 6_000, 10),
    ("LAMPUNG", "Polda Lampung", WIB, -5.4500, 105.2667, 25_825, 15),
    ("METRO", "Polda Metro Jaya", WIB, -6.2297, 106.8295, 29_993, 13),
    ("JABAR", "Polda Jawa Barat", WIB, -6.9147, 107.6098, 142_000, 27),
    ("JATENG", "Polda Jawa Tengah", WIB, -6.9932, 110.4203, 117_299, 35),
    ("DIY", "Polda Daerah Istimewa Yogyakarta", WIB, -7.7956, 110.3695, 11_951, 5),
    ("JATIM", "Polda Jawa Timur", WIB, -7.2575, 112.7521, 120_666, 39),
    ("BANTEN", "Polda Banten", WIB, -6.1200, 106.1503, 33_324, 8),
    ("KALBAR", "Polda Kalimantan Barat", WIB, -0.0263, 109.3425, 16_558, 14),
    ("KALTENG", "Polda Kalimantan Tengah", WIB, -2.2161, 113.9135, 7_900, 14),
    ("BALI", "Polda Bali", WITA, -8.6705, 115.2126, 12_352, 9),
    ("NTB", "Polda Nusa Tenggara Barat", WITA, -8.5833, 116.1167, 16_209, 10),
    ("NTT", "Polda Nusa Tenggara Timur", WITA, -10.1772, 123.6070, 16_754, 21),
    ("KALSEL", "Polda Kalimantan Selatan", WITA, -3.3186, 114.5944, 12_000, 13),
    ("KALTIM", "Polda Kalimantan Timur", WITA, -0.5022, 117.1536, 11_400, 10),
    ("KALTARA", "Polda Kalimantan Utara", WITA, 2.8375, 117.3653, 2_000, 5),
    ("SULUT", "Polda Sulawesi Utara", WITA, 1.4748, 124.8421, 7_600, 15),
    ("GORONTALO", "Polda Gorontalo", WITA, 0.5435, 123.0568, 3_300, 6),
    ("SULTENG", "Polda Sulawesi Tengah", WITA, -0.8917, 119.8707, 10_000, 13),
    ("SULBAR", "Polda Sulawesi Barat", WITA, -2.6786, 118.8865, 4_000, 6),
    ("SULSEL", "Polda Sulawesi Selatan", WITA, -5.1477, 119.4327, 26_346, 24),
    ("SULTRA", "Polda Sulawesi Tenggara", WITA, -3.9985, 122.5129, 8_000, 17),
    ("MALUKU", "Polda Maluku", WIT, -3.6954, 128.1814, 5_700, 11),
    ("MALUT", "Polda Maluku Utara", WIT, 0.7893, 127.3815, 4_000, 10),
    ("PAPUA", "Polda Papua", WIT, -2.5337, 140.7181, 3_500, 9),
    ("PABAR", "Polda Papua Barat", WIT, -0.8615, 134.0620, 2_500, 7),
    ("PATENG", "Polda Papua Tengah", WIT, -3.3667, 135.5000, 5_000, 8),
    ("PASEL", "Polda Papua Selatan", WIT, -8.4991, 140.4050, 2_000, 4),
]
LOPSIDED = "POLDA-JABAR"
ORDINARY = "POLDA-SULSEL"  # a middle-sized Polda (WITA) for the benchmark

# Share of TPS per level (Bawaslu/Polri mapping 2024 is close to this mix).
VULNERABILITY_MIX = [
    ("kurang_rawan", 0.86),
    ("rawan", 0.10),
    ("sangat_rawan", 0.03),
    ("khusus", 0.01),
]


def allocate(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder), each at least `minimum`."""
    n = len(weights)
    total = max(total, minimum * n)
    spare = total - minimum * n
    weight_sum = sum(weights) or 1
    exact = [spare * w / weight_sum for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


@dataclass(frozen=True)
class Shape:
    """Counts per Polda at a given scale."""

    scale: float
    tps: list[int]
    polres: list[int]
    polsek: list[list[int]]  # per Polda, per Polres
    personnel: int

    @property
    def units(self) -> int:
        return 1 + len(POLDA) + sum(self.polres) + sum(sum(p) for p in self.polsek)


def shape(scale: float) -> Shape:
    tps_weights = [p[5] for p in POLDA]
    tps = allocate(round(TOTAL_TPS * scale), tps_weights, minimum=1)
    polres = allocate(round(TOTAL_POLRES * scale), [p[6] for p in POLDA], minimum=1)
    # Polsek follow half the TPS, half the Polres count (Java has more kecamatan per Polres).
    share_tps = [t / sum(tps) for t in tps]
    share_polres = [r / sum(polres) for r in polres]
    polsek_per_polda = allocate(
        round(TOTAL_POLSEK * scale),
        [a + b for a, b in zip(share_tps, share_polres, strict=True)],
        minimum=1,
    )
    polsek = [
        allocate(max(n, r), [1.0 + (i % 3) * 0.25 for i in range(r)], minimum=1)
        for n, r in zip(polsek_per_polda, polres, strict=True)
    ]
    return Shape(scale, tps, polres, polsek, max(1, round(TOTAL_PERSONNEL * scale)))
