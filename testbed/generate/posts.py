"""Step 2: TPS with the real vulnerability mix, warehouses and offices, TPS groups."""

from __future__ import annotations

import random

from testbed import shape as country
from testbed.generate.sql import copy_rows, execute, rows

# Cumulative thresholds of the vulnerability mix, for one hash draw per TPS.
_MIX_CASE = (
    "CASE "
    + " ".join(
        f"WHEN pg_temp.rnd(t.ord, 11) < {sum(s for _, s in country.VULNERABILITY_MIX[: i + 1]):.6f} "
        f"THEN '{level}'"
        for i, (level, _share) in enumerate(country.VULNERABILITY_MIX[:-1])
    )
    + f" ELSE '{country.VULNERABILITY_MIX[-1][0]}' END"
)

NOKEN_POLDA = ("POLDA-PATENG", "POLDA-PAPUA")


def reserve(table: str, n: int) -> int:
    """Reserve `n` ids of `table`'s sequence; returns the first (ids first..first+n-1)."""
    if n <= 0:
        return 0
    first = rows(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))")[0][0]
    execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first + n - 1])
    return first


def load_tps(operation_id: int, scale: float, seed: int) -> int:
    """TPS per Polsek: each Polda's total split over its Polsek with uneven weights."""
    counts = country.shape(scale)
    polsek = rows("SELECT ord, polda_ord FROM tb_unit WHERE kind = 'polsek' ORDER BY ord")
    polda_ords = [r[0] for r in rows("SELECT ord FROM tb_unit WHERE kind = 'polda' ORDER BY ord")]
    rng = random.Random(f"tps:{seed}")
    plan = []
    for index, polda_ord in enumerate(polda_ords):
        mine = [o for o, p in polsek if p == polda_ord]
        weights = [rng.uniform(0.5, 1.5) for _ in mine]
        for unit_ord, n in zip(mine, country.allocate(counts.tps[index], weights), strict=True):
            plan.append((unit_ord, n))
    execute(
        "CREATE TEMP TABLE tb_tps_plan (unit_ord integer PRIMARY KEY, n integer, first integer)"
    )
    first, data = 1, []
    for unit_ord, n in plan:
        data.append((unit_ord, n, first))
        first += n
    copy_rows("tb_tps_plan", ["unit_ord", "n", "first"], data)
    base = reserve("operations_post", first - 1)
    execute(
        """
        CREATE TEMP TABLE tb_tps AS
        SELECT p.first + g.i - 1 AS ord, p.unit_ord, g.i AS number
        FROM tb_tps_plan p, generate_series(1, p.n) AS g(i);
        """
    )
    inserted = execute(
        f"""
        INSERT INTO operations_post (id, operation_id, unit_id, kind, code, name, village,
            subdistrict, district, address, voters, vulnerability, is_noken, linmas,
            round_the_clock, guards_required, latitude, longitude)
        SELECT %(base)s + t.ord - 1, %(op)s, u.id, 'tps',
               'TPS-' || lpad(u.ord::text, 5, '0') || '-' || lpad(t.number::text, 4, '0'),
               'TPS ' || lpad(t.number::text, 3, '0') || ' Desa ' || u.code || '-'
                   || (1 + (t.number - 1) / 25),
               'Desa ' || u.code || '-' || (1 + (t.number - 1) / 25),
               substr(u.name, 8), pr.name, '',
               pg_temp.rint(t.ord, 12, 150, 300),
               {_MIX_CASE},
               pd.code IN {NOKEN_POLDA!r} AND pg_temp.rnd(t.ord, 13) < 0.3,
               2, false, 0,
               round((u.latitude + (pg_temp.rnd(t.ord, 14) - 0.5) * 0.08)::numeric, 6),
               round((u.longitude + (pg_temp.rnd(t.ord, 15) - 0.5) * 0.08)::numeric, 6)
        FROM tb_tps t
        JOIN tb_unit u ON u.ord = t.unit_ord
        JOIN tb_unit pr ON pr.ord = u.parent_ord
        JOIN tb_unit pd ON pd.ord = u.polda_ord
        ORDER BY t.ord
        """,
        {"base": base, "op": operation_id},
    )
    execute("CREATE TEMP TABLE tb_post_base AS SELECT %s::bigint AS tps_base", [base])
    # A logistics warehouse (guarded round the clock) and the KPU and Bawaslu offices per Polres.
    inserted += execute(
        """
        INSERT INTO operations_post (operation_id, unit_id, kind, code, name, village,
            subdistrict, district, address, voters, vulnerability, is_noken, linmas,
            round_the_clock, guards_required, latitude, longitude)
        SELECT %(op)s, u.id, k.kind, k.prefix || '-' || u.code, k.label || ' ' || u.name, '', '',
               u.name, '', 0, '', false, 0, k.kind = 'warehouse', k.guards,
               round(u.latitude + 0.004, 6), round(u.longitude + 0.004, 6)
        FROM tb_unit u
        CROSS JOIN (VALUES (1, 'warehouse', 'GUDANG', 'Gudang Logistik KPU', 4),
                           (2, 'office', 'KPU', 'Kantor KPU', 2),
                           (3, 'office', 'BAWASLU', 'Kantor Bawaslu', 2))
             AS k(n, kind, prefix, label, guards)
        WHERE u.kind = 'polres'
        ORDER BY u.ord, k.n
        """,
        {"op": operation_id},
    )
    return inserted


def load_groups(operation_id: int) -> int:
    """TPS of one level under one Polsek grouped by the pattern's TPS per group (2-8-16:
    eight kurang-rawan TPS per group), as the plotting proposal would."""
    execute(
        """
        CREATE TEMP TABLE tb_member AS
        SELECT t.ord AS post_ord, p.id AS post_id, p.unit_id, p.vulnerability,
               (row_number() OVER (PARTITION BY p.unit_id, p.vulnerability ORDER BY t.ord) - 1)
                   / sp.tps_per_group AS group_no
        FROM tb_tps t
        JOIN tb_post_base b ON true
        JOIN operations_post p ON p.id = b.tps_base + t.ord - 1
        JOIN operations_securitypattern sp
          ON sp.operation_id = %(op)s AND sp.unit_id IS NULL
         AND sp.vulnerability = p.vulnerability;
        CREATE TEMP TABLE tb_group AS
        SELECT row_number() OVER (ORDER BY min(post_ord)) AS ord, unit_id, vulnerability,
               group_no, min(post_ord) AS first_post
        FROM tb_member GROUP BY unit_id, vulnerability, group_no;
        CREATE INDEX ON tb_group (unit_id, vulnerability, group_no);
        """,
        {"op": operation_id},
    )
    n = rows("SELECT count(*) FROM tb_group")[0][0]
    base = reserve("personnel_postgroup", n)
    execute(
        "ALTER TABLE tb_group ADD COLUMN id bigint; UPDATE tb_group SET id = %s + ord - 1", [base]
    )
    execute(
        """
        INSERT INTO personnel_postgroup (id, operation_id, unit_id, vulnerability, name)
        SELECT g.id, %(op)s, g.unit_id, g.vulnerability,
               'Kelompok ' || CASE g.vulnerability WHEN 'kurang_rawan' THEN 'Kurang rawan'
                   WHEN 'rawan' THEN 'Rawan' WHEN 'sangat_rawan' THEN 'Sangat rawan'
                   ELSE 'Khusus' END || ' ' || u.name || ' #' || (g.group_no + 1)
        FROM tb_group g JOIN operations_unit u ON u.id = g.unit_id ORDER BY g.id
        """,
        {"op": operation_id},
    )
    execute(
        """
        INSERT INTO personnel_postgroupmember (group_id, post_id)
        SELECT g.id, m.post_id
        FROM tb_member m
        JOIN tb_group g USING (unit_id, vulnerability, group_no)
        ORDER BY m.post_ord
        """
    )
    return n
