"""Step 3: personnel with NRP/NIP, sprin and assignments (BKO among them), voting-day
deployments to TPS groups, today's warehouse shifts, apel records."""

from __future__ import annotations

from operations import tree
from testbed import shape as country
from testbed.generate.posts import reserve
from testbed.generate.sql import copy_rows, execute, rows

FIRST = [
    "Agus",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Irfan",
    "Joko",
    "Komang",
    "Made",
    "Nyoman",
    "Rizky",
    "Slamet",
    "Teguh",
    "Wahyu",
    "Yusuf",
    "Andi",
    "Bayu",
    "Dimas",
    "Gede",
    "Ketut",
    "La Ode",
    "Muhammad",
    "Putu",
    "Rahmat",
    "Sri",
    "Dewi",
    "Siti",
    "Rina",
    "Yohanes",
]
LAST = ["Santoso", "Pratama", "Saputra", "Wijaya", "Hidayat", "Nugroho", "Siregar", "Nasution",
        "Lubis", "Harahap", "Simanjuntak", "Wibowo", "Setiawan", "Kurniawan", "Rahman", "Pattiasina",
        "Latuconsina", "Mandagi", "Rumbiak", "Kogoya", "Suryadi", "Hasibuan", "Tanjung", "Putra",
        "Syahputra", "Ginting", "Sembiring", "Manurung", "Daeng", "Sinaga"]  # fmt: skip
# Ranks per level: the head first, then the ranks of the rank and file (drawn by hash).
HEAD_RANK = {"mabes": "KOMJEN", "polda": "IRJEN", "polres": "AKBP", "polsek": "AKP"}
RANKS = {
    "mabes": ["KOMPOL", "AKBP", "KOMBES", "AKP", "IPTU", "AIPTU", "BRIPKA"],
    "polda": ["BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "IPDA", "IPTU", "AKP", "KOMPOL",
              "BHARADA", "BHARATU"],
    "polres": ["BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "AIPTU", "IPDA", "IPTU",
               "BHARADA", "BHARATU"],
    "polsek": ["BRIPDA", "BRIPTU", "BRIGPOL", "BRIPKA", "AIPDA", "AIPTU", "IPDA"],
}  # fmt: skip
PNS_RANKS = ["II/a", "II/b", "II/c", "III/a", "III/b"]
PNS_SHARE = 0.04
# Shares of personnel by level; within a level in proportion to the TPS below the unit.
LEVEL_SHARE = {"mabes": 0.01, "polda": 0.10, "polres": 0.34, "polsek": 0.55}


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def load_personnel(scale: float) -> int:
    total = country.shape(scale).personnel
    units = rows(
        f"""
        SELECT u.ord, u.kind, COALESCE(sum(p.n), 0)
        FROM tb_unit u
        LEFT JOIN tb_unit below ON {tree.within_sql("below.path", "u.path")} AND below.kind = 'polsek'
        LEFT JOIN tb_tps_plan p ON p.unit_ord = below.ord
        GROUP BY u.ord, u.kind ORDER BY u.ord
        """
    )
    plan = []
    for kind, share in LEVEL_SHARE.items():
        mine = [(o, tps) for o, k, tps in units if k == kind]
        counts = country.allocate(round(total * share), [float(t) + 1 for _, t in mine], minimum=1)
        plan.extend((o, n) for (o, _), n in zip(mine, counts, strict=True))
    plan.sort()
    execute("CREATE TEMP TABLE tb_people_plan (unit_ord integer, n integer, first integer)")
    first, data = 1, []
    for unit_ord, n in plan:
        data.append((unit_ord, n, first))
        first += n
    copy_rows("tb_people_plan", ["unit_ord", "n", "first"], data)
    execute(
        """
        CREATE TEMP TABLE tb_person AS
        SELECT p.first + g.i - 1 AS ord, p.unit_ord, g.i AS k, u.kind,
               g.i > 1 AND pg_temp.rnd(p.first + g.i - 1, 21) < %(pns)s AS is_pns
        FROM tb_people_plan p JOIN tb_unit u ON u.ord = p.unit_ord,
             generate_series(1, p.n) AS g(i);
        ALTER TABLE tb_person ADD PRIMARY KEY (ord);
        """,
        {"pns": PNS_SHARE},
    )
    base = reserve("personnel_personnel", first - 1)
    execute(
        "ALTER TABLE tb_person ADD COLUMN id bigint; UPDATE tb_person SET id = %s + ord - 1", [base]
    )
    rank_case = (
        "CASE t.kind "
        + " ".join(
            f"WHEN '{kind}' THEN (CASE WHEN t.k = 1 THEN '{HEAD_RANK[kind]}' ELSE "
            f"({_array(ranks)})[1 + floor(pg_temp.rnd(t.ord, 22) * {len(ranks)})::int] END)"
            for kind, ranks in RANKS.items()
        )
        + " END"
    )
    return execute(
        f"""
        INSERT INTO personnel_personnel (id, nrp, nip, name, rank_id, unit_id, position, phone,
            is_active)
        SELECT t.id,
               CASE WHEN t.is_pns THEN NULL ELSE lpad((60000000 + t.ord)::text, 8, '0') END,
               CASE WHEN t.is_pns THEN '1980' || lpad(t.ord::text, 14, '0') END,
               ({_array(FIRST)})[1 + floor(pg_temp.rnd(t.ord, 23) * {len(FIRST)})::int] || ' '
                   || ({_array(LAST)})[1 + floor(pg_temp.rnd(t.ord, 24) * {len(LAST)})::int],
               r.id, u.id,
               CASE WHEN t.k = 1 THEN 'Kepala ' || u.name WHEN t.is_pns THEN 'Staf administrasi'
                    ELSE 'Anggota' END,
               '', true
        FROM tb_person t
        JOIN tb_unit u ON u.ord = t.unit_ord
        JOIN personnel_rank r ON r.code = CASE WHEN t.is_pns THEN
                ({_array(PNS_RANKS)})[1 + floor(pg_temp.rnd(t.ord, 25) * {len(PNS_RANKS)})::int]
            ELSE {rank_case} END
        ORDER BY t.ord
        """
    )


def load_warrants(operation_id: int, start_date) -> int:
    """One sprin per issuing unit (Mabes, Polda, Polres) naming its people and the Polsek's."""
    roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
    month = roman[start_date.month - 1]
    return execute(
        """
        INSERT INTO personnel_warrant (number, date, issuing_unit_id, operation_id, subject)
        SELECT 'Sprin/' || (1000 + u.ord) || '/' || %(month)s || '/OPS.'
                   || CASE u.kind WHEN 'mabes' THEN '1.1' WHEN 'polda' THEN '2.' || u.ord
                      ELSE '3.' || u.ord END || '/' || %(year)s,
               %(date)s, u.id, %(op)s, 'Pengamanan Operasi Mantap Brata ' || u.name
        FROM tb_unit u WHERE u.kind IN ('mabes', 'polda', 'polres') ORDER BY u.ord
        """,
        {"month": month, "year": start_date.year, "date": start_date, "op": operation_id},
    )


def load_assignments(operation_id: int, lopsided: str) -> int:
    """Everyone under the sprin of their Polres (Polsek people), or of their own unit.
    BKO: half of each Polda's own people serve under one of its Polres; a third of Mabes'
    people serve under a Polres of the lopsided Polda."""
    execute(
        """
        CREATE TEMP TABLE tb_polres AS
        SELECT ord, polda_ord, row_number() OVER (PARTITION BY polda_ord ORDER BY ord) AS k,
               count(*) OVER (PARTITION BY polda_ord) AS n
        FROM tb_unit WHERE kind = 'polres';
        CREATE TEMP TABLE tb_assign AS
        SELECT t.ord, t.id AS personnel_id, t.unit_ord AS home_ord, t.is_pns,
               CASE
                 WHEN t.kind = 'polda' AND t.k > 1 AND NOT t.is_pns
                      AND pg_temp.rnd(t.ord, 31) < 0.5 THEN
                   (SELECT r.ord FROM tb_polres r WHERE r.polda_ord = t.unit_ord
                    AND r.k = 1 + floor(pg_temp.rnd(t.ord, 32) * r.n)::int)
                 WHEN t.kind = 'mabes' AND t.k > 1 AND NOT t.is_pns
                      AND pg_temp.rnd(t.ord, 31) < 0.33 THEN
                   (SELECT r.ord FROM tb_polres r JOIN tb_unit pd ON pd.ord = r.polda_ord
                    WHERE pd.code = %(lopsided)s
                    AND r.k = 1 + floor(pg_temp.rnd(t.ord, 32) * r.n)::int)
                 ELSE t.unit_ord
               END AS unit_ord,
               CASE WHEN t.kind = 'polsek' THEN u.parent_ord ELSE t.unit_ord END AS issuer_ord
        FROM tb_person t JOIN tb_unit u ON u.ord = t.unit_ord;
        ALTER TABLE tb_assign ADD PRIMARY KEY (ord);
        """,
        {"lopsided": lopsided},
    )
    return execute(
        """
        INSERT INTO personnel_assignment (warrant_id, personnel_id, operation_id, unit_id,
            task_force_id, role, is_bko, home_unit_id)
        SELECT w.id, a.personnel_id, %(op)s, su.id, tf.id,
               CASE WHEN tf.id IS NULL THEN '' ELSE 'Anggota ' || tf.name END,
               a.unit_ord <> a.home_ord, hu.id
        FROM tb_assign a
        JOIN tb_unit su ON su.ord = a.unit_ord
        JOIN tb_unit hu ON hu.ord = a.home_ord
        JOIN tb_unit iu ON iu.ord = a.issuer_ord
        JOIN personnel_warrant w ON w.issuing_unit_id = iu.id AND w.operation_id = %(op)s
        LEFT JOIN LATERAL (
            SELECT id, name FROM operations_taskforce f
            WHERE f.operation_id = %(op)s
              AND f.level = CASE WHEN su.kind = 'polsek' THEN 'polres' ELSE su.kind END
            ORDER BY f.id
            OFFSET floor(pg_temp.rnd(a.ord, 33) * 6)::int LIMIT 1
        ) tf ON NOT a.is_pns
        ORDER BY a.ord
        """,
        {"op": operation_id},
    )
