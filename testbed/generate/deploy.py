"""Step 3b: voting-day deployments to TPS groups, today's warehouse shifts, apel records.

No person is ever deployed twice in overlapping spans (the exclusion constraint would
refuse it): every police officer gets at most one voting-day slot, and today's shifts
go to people without one.
"""

from __future__ import annotations

import datetime as dt

from testbed.generate.posts import reserve
from testbed.generate.sql import execute, rows

VOTING_HOURS = (6, 23)  # local: from before the TPS open until counting is done


def load_voting_day(operation_id: int, voting_day: dt.date) -> int:
    """Fill each TPS group's pattern slots (police per group): first with the police of the
    group's Polsek, then with those serving under its Polres (BKO included)."""
    execute(
        """
        CREATE TEMP TABLE tb_slot AS
        SELECT g.id AS group_id, g.unit_id, pu.ord AS polsek_ord, pu.parent_ord AS polres_ord,
               s.i AS seat,
               row_number() OVER (PARTITION BY g.unit_id ORDER BY g.ord, s.i) AS k_polsek
        FROM tb_group g
        JOIN tb_unit pu ON pu.id = g.unit_id
        JOIN operations_securitypattern sp ON sp.operation_id = %(op)s AND sp.unit_id IS NULL
             AND sp.vulnerability = g.vulnerability
        CROSS JOIN LATERAL generate_series(1, sp.police) AS s(i);
        CREATE TEMP TABLE tb_police AS
        SELECT a.ord, a.personnel_id, a.unit_ord, u.kind,
               row_number() OVER (PARTITION BY a.unit_ord ORDER BY pg_temp.rnd(a.ord, 41), a.ord)
                   AS k
        FROM tb_assign a JOIN tb_unit u ON u.ord = a.unit_ord
        WHERE NOT a.is_pns AND u.kind IN ('polsek', 'polres')
          AND pg_temp.rnd(a.ord, 42) < CASE u.kind WHEN 'polsek' THEN 0.93 ELSE 0.80 END;
        CREATE TEMP TABLE tb_vote AS
        SELECT s.group_id, s.unit_id, p.personnel_id, p.ord
        FROM tb_slot s JOIN tb_police p ON p.unit_ord = s.polsek_ord AND p.k = s.k_polsek;
        CREATE TEMP TABLE tb_slot_left AS
        SELECT s.*, row_number() OVER (PARTITION BY s.polres_ord ORDER BY s.polsek_ord, s.k_polsek)
                   AS k_polres
        FROM tb_slot s
        LEFT JOIN (SELECT unit_ord, count(*) AS n FROM tb_police GROUP BY unit_ord) c
               ON c.unit_ord = s.polsek_ord
        WHERE s.k_polsek > COALESCE(c.n, 0);
        INSERT INTO tb_vote
        SELECT s.group_id, s.unit_id, p.personnel_id, p.ord
        FROM tb_slot_left s JOIN tb_police p ON p.unit_ord = s.polres_ord AND p.k = s.k_polres;
        """,
        {"op": operation_id},
    )
    return execute(
        """
        INSERT INTO personnel_deployment (operation_id, assignment_id, personnel_id, unit_id,
            post_id, group_id, event_id, starts_at, ends_at, note, created_at)
        SELECT %(op)s, a.id, v.personnel_id, v.unit_id, NULL, v.group_id, NULL,
               (%(day)s::date + make_time(%(h0)s, 0, 0)) AT TIME ZONE u.time_zone,
               (%(day)s::date + make_time(%(h1)s, 0, 0)) AT TIME ZONE u.time_zone,
               'PAM TPS hari pemungutan suara',
               (%(day)s::date - 3 + time '09:00') AT TIME ZONE u.time_zone
        FROM tb_vote v
        JOIN personnel_assignment a ON a.operation_id = %(op)s AND a.personnel_id = v.personnel_id
        JOIN operations_unit u ON u.id = v.unit_id
        ORDER BY v.ord
        """,
        {"op": operation_id, "day": voting_day, "h0": VOTING_HOURS[0], "h1": VOTING_HOURS[1]},
    )


def load_shifts(operation_id: int, now: dt.datetime) -> int:
    """Warehouses guarded round the clock: three 8-hour shifts today (local), four guards
    each, from the Polres' people without a voting-day slot; one warehouse in five has no
    night shift (a guard gap)."""
    return execute(
        """
        WITH free AS (
            SELECT a.ord, a.personnel_id, a.unit_ord,
                   row_number() OVER (PARTITION BY a.unit_ord ORDER BY a.ord) AS k
            FROM tb_assign a JOIN tb_unit u ON u.ord = a.unit_ord
            WHERE u.kind = 'polres' AND NOT a.is_pns
              AND NOT EXISTS (SELECT 1 FROM tb_vote v WHERE v.personnel_id = a.personnel_id)
        ), shift AS (
            SELECT p.id AS post_id, u.ord AS polres_ord, u.time_zone, s.i AS shift, p.guards_required,
                   (timezone(u.time_zone, %(now)s::timestamptz))::date AS today
            FROM operations_post p JOIN tb_unit u ON u.id = p.unit_id
            CROSS JOIN generate_series(0, 2) AS s(i)
            WHERE p.operation_id = %(op)s AND p.kind = 'warehouse'
              AND NOT (s.i = 2 AND pg_temp.rnd(u.ord, 51) < 0.2)
        )
        INSERT INTO personnel_deployment (operation_id, assignment_id, personnel_id, unit_id,
            post_id, group_id, event_id, starts_at, ends_at, note, created_at)
        SELECT %(op)s, a.id, f.personnel_id, u.id, sh.post_id, NULL, NULL,
               (sh.today + make_time(8 * sh.shift, 0, 0)) AT TIME ZONE sh.time_zone,
               (sh.today + make_time(8 * sh.shift, 0, 0) + interval '8 hours')
                   AT TIME ZONE sh.time_zone,
               'Jaga gudang logistik, regu ' || (sh.shift + 1),
               (sh.today - 1 + time '10:00') AT TIME ZONE sh.time_zone
        FROM shift sh
        CROSS JOIN LATERAL generate_series(1, sh.guards_required) AS g(i)
        JOIN free f ON f.unit_ord = sh.polres_ord AND f.k = sh.shift * 4 + g.i
        JOIN tb_unit u ON u.ord = sh.polres_ord
        JOIN personnel_assignment a ON a.operation_id = %(op)s AND a.personnel_id = f.personnel_id
        ORDER BY sh.polres_ord, sh.shift, g.i
        """,
        {"op": operation_id, "now": now},
    )


def load_apels(operation_id: int, start: dt.date, now: dt.datetime) -> int:
    """An apel kesiapan every Monday 07:00 (local) at each Polda and Polres, with equipment."""
    execute(
        """
        CREATE TEMP TABLE tb_apel AS
        SELECT row_number() OVER (ORDER BY d.day, u.ord) AS ord, u.ord AS unit_ord, u.id AS unit_id,
               u.name, d.day, (d.day + time '07:00') AT TIME ZONE u.time_zone AS held_at,
               GREATEST(pp.n, 4) AS total
        FROM tb_unit u
        JOIN tb_people_plan pp ON pp.unit_ord = u.ord
        CROSS JOIN LATERAL generate_series(%(start)s::date, %(now)s::date, interval '1 day') AS d0(ts)
        CROSS JOIN LATERAL (SELECT d0.ts::date AS day) d
        WHERE u.kind IN ('polda', 'polres') AND extract(isodow FROM d.day) = 1
          AND (d.day + time '07:00') AT TIME ZONE u.time_zone <= %(now)s::timestamptz;
        ALTER TABLE tb_apel ADD COLUMN sick int, ADD COLUMN permit int, ADD COLUMN leave int,
            ADD COLUMN duty int, ADD COLUMN awol int;
        UPDATE tb_apel SET sick = floor(total * 0.03 * pg_temp.rnd(ord, 61))::int,
            permit = floor(total * 0.02 * pg_temp.rnd(ord, 62))::int,
            leave = floor(total * 0.02 * pg_temp.rnd(ord, 63))::int,
            duty = floor(total * 0.05 * pg_temp.rnd(ord, 64))::int,
            awol = CASE WHEN pg_temp.rnd(ord, 65) < 0.1 THEN 1 ELSE 0 END;
        """,
        {"start": start, "now": now},
    )
    n = rows("SELECT count(*) FROM tb_apel")[0][0]
    base = reserve("personnel_apel", n)
    execute(
        """
        INSERT INTO personnel_apel (id, operation_id, unit_id, kind, held_at, total, present, sick,
            permit, leave, duty, awol, commander, note, created_by_id, created_at)
        SELECT %(base)s + a.ord - 1, %(op)s, a.unit_id, 'kesiapan', a.held_at, a.total,
               a.total - a.sick - a.permit - a.leave - a.duty - a.awol,
               a.sick, a.permit, a.leave, a.duty, a.awol, 'Kepala ' || a.name, '', us.id,
               a.held_at + interval '2 hours'
        FROM tb_apel a
        JOIN accounts_user us ON us.unit_id = a.unit_id AND us.role = 'reviewer'
        ORDER BY a.ord
        """,
        {"base": base, "op": operation_id},
    )
    execute(
        """
        INSERT INTO personnel_apelequipment (apel_id, item, label, ready, not_ready)
        SELECT %(base)s + a.ord - 1, e.item, '',
               e.per * a.total / 100 + 1,
               floor(pg_temp.rnd(a.ord * 8 + e.n, 66) * (e.per * a.total / 1000 + 2))::int
        FROM tb_apel a
        CROSS JOIN (VALUES (1, 'ht', 40), (2, 'r2', 20), (3, 'r4', 5), (4, 'dalmas', 30))
            AS e(n, item, per)
        ORDER BY a.ord, e.item
        """,
        {"base": base},
    )
    return n
