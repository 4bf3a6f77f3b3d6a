"""Step 4: the daily reports of every reporting unit for every day so far, with
activities and incidents.

Each report has a timeline drawn from a seeded hash: created during the day, sent before
the deadline (or, for some, after it: late), then accepted, returned (some stay returned,
some are sent again and accepted) or left unreviewed. Every instant after ``now`` is cut:
a report not yet sent stays a draft, one not yet created does not exist. The columns the
services maintain (status, is_late, first_submitted_at, submitted_at, reviewed_at/by,
updated_at) are what ``reports.services`` would have written at those instants; the
timeline is kept in ``tb_rep`` for the derive step (audit entries, notices).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from testbed.generate.sql import execute, rows

P_MISSING = 0.016  # no report at all (~1.3 M of 1.34 M unit-days sent)
P_DRAFT = 0.003  # started, never sent
P_LATE = 0.06
P_RETURNED = 0.008  # returned and not sent again
P_RESENT = 0.010  # returned, sent again, accepted
P_UNREVIEWED = 0.012
RETURN_REASON = "Lengkapi jumlah personel dan uraian kejadian menonjol."

ACTIVITY_KINDS = ["patroli", "pam_kampanye", "pam_logistik", "sambang", "cooling",
                  "lalu_lintas", "apel", "pam_tps", "lainnya"]  # fmt: skip
# (category, cumulative share)
CATEGORIES = [("gangguan", 0.25), ("pelanggaran", 0.45), ("laka_lantas", 0.63),
              ("kejahatan", 0.78), ("unjuk_rasa", 0.84), ("bencana", 0.89),
              ("politik_uang", 0.92), ("hoaks_sara", 0.95), ("kampanye_luar_jadwal", 0.97),
              ("netralitas", 0.99), ("pemalsuan", 1.0)]  # fmt: skip
ELECTION = ("politik_uang", "pemalsuan", "kampanye_luar_jadwal", "netralitas")


def _category_case(draw: str) -> str:
    whens = " ".join(f"WHEN {draw} < {cum} THEN '{c}'" for c, cum in CATEGORIES[:-1])
    return f"CASE {whens} ELSE '{CATEGORIES[-1][0]}' END"


def build_timeline(operation_id: int, start: dt.date, deadline_hour: int, now: dt.datetime) -> int:
    """One pass: the timeline, the report's id (from the table's own sequence), its writer
    (the unit's operator) and reviewer (of the unit above)."""
    base = rows("SELECT nextval(pg_get_serial_sequence('reports_dailyreport', 'id'))")[0][0]
    execute(
        """
        CREATE TEMP TABLE tb_unit_users AS
        SELECT u.ord AS unit_ord, op.id AS creator_id, op.username AS creator_name,
               rv.id AS reviewer_id, rv.username AS reviewer_name
        FROM tb_unit u
        JOIN accounts_user op ON op.unit_id = u.id AND op.role = 'operator'
        JOIN tb_unit pu ON pu.ord = u.parent_ord
        JOIN accounts_user rv ON rv.unit_id = pu.id AND rv.role = 'reviewer'
        WHERE u.kind IN ('polres', 'polsek');
        ALTER TABLE tb_unit_users ADD PRIMARY KEY (unit_ord);
        """
    )
    execute(
        f"""
        CREATE TEMP TABLE tb_rep AS
        WITH cand AS (
            SELECT u.ord AS unit_ord, u.id AS unit_id, u.kind, u.time_zone, u.name AS unit_name,
                   d.day, (d.day - %(start)s::date) AS di,
                   u.ord::bigint * 4096 + (d.day - %(start)s::date) AS key,
                   (d.day + time '00:00') AT TIME ZONE u.time_zone AS day_start,
                   (d.day + make_time(%(hour)s, 0, 0)) AT TIME ZONE u.time_zone AS deadline
            FROM tb_unit u
            CROSS JOIN LATERAL generate_series(
                %(start)s::date, timezone(u.time_zone, %(now)s::timestamptz)::date,
                interval '1 day') AS g(ts)
            CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
            WHERE u.kind IN ('polres', 'polsek')
        ), drawn AS (
            SELECT c.*,
                   date_trunc('second', c.day_start + interval '7 hours'
                       + pg_temp.rnd(key, 103) * interval '11 hours') AS created,
                   pg_temp.rnd(key, 102) < {P_DRAFT} AS never_sent,
                   pg_temp.rnd(key, 104) < {P_LATE} AS goes_late,
                   pg_temp.rnd(key, 106) AS fate
            FROM cand c
            WHERE pg_temp.rnd(key, 101) >= {P_MISSING}
        ), timed AS (
            SELECT d.*,
                   date_trunc('second', CASE WHEN goes_late
                       THEN deadline + interval '1 minute' + pg_temp.rnd(key, 105) * interval '10 hours'
                       ELSE created + interval '5 minutes'
                            + pg_temp.rnd(key, 105) * (deadline - created - interval '5 minutes 1 second')
                   END) AS first_sub
            FROM drawn d
        ), chain AS (
            SELECT t.*,
                   date_trunc('second', first_sub + interval '30 minutes'
                       + pg_temp.rnd(key, 107) * interval '20 hours') AS rev1
            FROM timed t
        ), chain2 AS (
            SELECT c.*,
                   date_trunc('second', rev1 + interval '1 hour'
                       + pg_temp.rnd(key, 108) * interval '6 hours') AS resub
            FROM chain c
        ), chain3 AS (
            SELECT c.*,
                   date_trunc('second', resub + interval '1 hour'
                       + pg_temp.rnd(key, 109) * interval '10 hours') AS acc2
            FROM chain2 c
        ), cut AS (
            SELECT c.*,
                   CASE WHEN NOT never_sent AND first_sub <= %(now)s THEN first_sub END AS t_submit
            FROM chain3 c
            WHERE created <= %(now)s
        ), cut2 AS (
            SELECT c.*,
                   CASE WHEN t_submit IS NOT NULL AND fate < {P_RETURNED + P_RESENT}
                        AND rev1 <= %(now)s THEN rev1 END AS t_return
            FROM cut c
        ), cut3 AS (
            SELECT c.*,
                   CASE WHEN t_return IS NOT NULL AND fate >= {P_RETURNED}
                        AND resub <= %(now)s THEN resub END AS t_resubmit
            FROM cut2 c
        )
        SELECT row_number() OVER (ORDER BY c.day, c.unit_ord) AS ord,
               %(base)s + row_number() OVER (ORDER BY c.day, c.unit_ord) - 1 AS id,
               uu.creator_id, uu.creator_name, uu.reviewer_id, uu.reviewer_name,
               c.unit_ord, c.unit_id,
               c.kind, c.time_zone, c.unit_name, c.day, c.key, c.deadline, c.created AS t_create,
               c.t_submit, c.t_return, c.t_resubmit,
               CASE WHEN c.t_resubmit IS NOT NULL AND acc2 <= %(now)s THEN acc2
                    WHEN c.t_submit IS NOT NULL AND fate >= {P_RETURNED + P_RESENT + P_UNREVIEWED}
                         AND rev1 <= %(now)s THEN rev1 END AS t_accept,
               pg_temp.rnd(c.key, 110) < 0.25 AS via_api
        FROM cut3 c JOIN tb_unit_users uu ON uu.unit_ord = c.unit_ord;
        ALTER TABLE tb_rep ADD PRIMARY KEY (ord);
        CREATE INDEX ON tb_rep (id);
        ANALYZE tb_rep;
        """,
        {"start": start, "hour": deadline_hour, "now": now, "base": base},
    )
    n = rows("SELECT count(*) FROM tb_rep")[0][0]
    execute(
        "SELECT setval(pg_get_serial_sequence('reports_dailyreport', 'id'), %s)",
        [base + max(n, 1) - 1],
    )
    return n


# The personnel a unit can report on a day (reports.services' ceiling): its own people
# minus those sent away on BKO plus those received on BKO, by the sprin in force that day;
# a unit with no assignment at all gets the settings' ceiling. Kept per unit as running
# sums from each sprin date (few dates), so each report reads one row.
_CAPS = """
CREATE TEMP TABLE tb_cap AS
SELECT unit_id, date,
       sum(sum(home)) OVER w AS home, sum(sum(home_bko)) OVER w AS home_bko,
       sum(sum(bko_in)) OVER w AS bko_in
FROM (
    SELECT a.home_unit_id AS unit_id, w.date, 1 AS home, a.is_bko::int AS home_bko, 0 AS bko_in
    FROM personnel_assignment a JOIN personnel_warrant w ON w.id = a.warrant_id
    WHERE a.operation_id = %(op)s
    UNION ALL
    SELECT a.unit_id, w.date, 0, 0, 1
    FROM personnel_assignment a JOIN personnel_warrant w ON w.id = a.warrant_id
    WHERE a.operation_id = %(op)s AND a.is_bko
) e
GROUP BY unit_id, date
WINDOW w AS (PARTITION BY unit_id ORDER BY date);
CREATE INDEX ON tb_cap (unit_id, date);
ANALYZE tb_cap;
"""


def load_reports(operation_id: int) -> int:
    execute(_CAPS, {"op": operation_id})
    return execute(
        f"""
        INSERT INTO reports_dailyreport (id, operation_id, unit_id, report_date, status,
            personnel_on_duty, summary, obstacles, next_day_plan, is_late, first_submitted_at,
            submitted_at, reviewed_at, reviewed_by_id, return_reason, created_by_id, created_at,
            updated_at, unit_path)
        SELECT r.id, %(op)s, r.unit_id, r.day,
               CASE WHEN r.t_accept IS NOT NULL THEN 'accepted'
                    WHEN r.t_resubmit IS NOT NULL THEN 'submitted'
                    WHEN r.t_return IS NOT NULL THEN 'returned'
                    WHEN r.t_submit IS NOT NULL THEN 'submitted' ELSE 'draft' END,
               GREATEST(1, LEAST(
                    CASE WHEN COALESCE(c.home, 0) > 0 OR COALESCE(c.bko_in, 0) > 0
                         THEN c.home - c.home_bko + c.bko_in
                         ELSE CASE r.kind WHEN 'polsek' THEN %(ceil_polsek)s
                              ELSE %(ceil_polres)s END END,
                    CASE r.kind WHEN 'polsek'
                    THEN pg_temp.rint(r.key, 131, 20, 40)
                    ELSE pg_temp.rint(r.key, 131, 100, 200) END)),
               'Kegiatan kepolisian berjalan aman dan lancar di wilayah ' || r.unit_name || '.',
               CASE WHEN pg_temp.rnd(r.key, 132) < 0.2 THEN 'Cuaca hujan, akses jalan terbatas.'
                    ELSE '' END,
               'Patroli dialogis, sambang dan pengamanan tahapan pemilu.',
               COALESCE(r.t_submit > r.deadline, false), r.t_submit,
               COALESCE(r.t_resubmit, r.t_submit),
               COALESCE(r.t_accept, r.t_return),
               CASE WHEN COALESCE(r.t_accept, r.t_return) IS NOT NULL THEN r.reviewer_id END,
               CASE WHEN r.t_return IS NOT NULL THEN '{RETURN_REASON}' ELSE '' END,
               r.creator_id, r.t_create,
               COALESCE(r.t_accept, r.t_resubmit, r.t_return, r.t_submit, r.t_create),
               u.path
        FROM tb_rep r
        JOIN operations_unit u ON u.id = r.unit_id
        LEFT JOIN LATERAL (
            SELECT c.home, c.home_bko, c.bko_in FROM tb_cap c
            WHERE c.unit_id = r.unit_id AND c.date <= r.day
            ORDER BY c.date DESC LIMIT 1
        ) c ON true
        ORDER BY r.ord
        """,
        {
            "op": operation_id,
            "ceil_polsek": settings.PAMILU_PERSONNEL_CEILING["polsek"],
            "ceil_polres": settings.PAMILU_PERSONNEL_CEILING["polres"],
        },
    )


def load_activities(operation_id: int) -> int:
    kinds = "ARRAY[" + ", ".join(f"'{k}'" for k in ACTIVITY_KINDS) + "]"
    return execute(
        f"""
        WITH tf AS (
            SELECT id, row_number() OVER (ORDER BY id) AS k FROM operations_taskforce
            WHERE operation_id = %(op)s AND level = 'polres'
        )
        INSERT INTO reports_reportactivity (report_id, kind, task_force_id, count, personnel, notes)
        SELECT r.id,
               ({kinds})[1 + (floor(pg_temp.rnd(r.key, 112) * 9)::int + 2 * s.i) %% 9],
               tf.id, a.cnt,
               LEAST(a.cnt * pg_temp.rint(r.key * 8 + s.i, 115, 0, 6), d.personnel_on_duty / 4),
               ''
        FROM tb_rep r
        JOIN reports_dailyreport d ON d.id = r.id
        CROSS JOIN LATERAL generate_series(0, pg_temp.rint(r.key, 111, 0, 3)) AS s(i)
        CROSS JOIN LATERAL (SELECT pg_temp.rint(r.key * 8 + s.i, 114, 1, 8) AS cnt) a
        LEFT JOIN tf ON tf.k = pg_temp.rint(r.key * 8 + s.i, 113, 1, 7)
        ORDER BY r.ord, s.i
        """,
        {"op": operation_id},
    )


def load_incidents(operation_id: int) -> int:
    cat = _category_case("pg_temp.rnd(r.key * 4 + s.i, 122)")
    inserted = execute(
        f"""
        WITH inc AS (
            SELECT r.id AS report_id, r.unit_id, r.key, s.i, r.unit_ord,
                   {cat} AS category,
                   CASE WHEN pg_temp.rnd(r.key * 4 + s.i, 123) < 0.03 THEN 'merah'
                        WHEN pg_temp.rnd(r.key * 4 + s.i, 123) < 0.15 THEN 'kuning'
                        ELSE 'hijau' END AS severity,
                   date_trunc('second', (r.day + time '01:00') AT TIME ZONE r.time_zone
                       + pg_temp.rnd(r.key, 124)
                         * (r.t_create - ((r.day + time '01:00') AT TIME ZONE r.time_zone)))
                       - s.i * make_interval(mins => pg_temp.rint(r.key, 125, 1, 59)) AS occurred_at
            FROM tb_rep r
            CROSS JOIN LATERAL generate_series(1,
                CASE WHEN pg_temp.rnd(r.key, 121) < 0.02 THEN 2
                     WHEN pg_temp.rnd(r.key, 121) < 0.17 THEN 1 ELSE 0 END) AS s(i)
        )
        INSERT INTO reports_incident (report_id, operation_id, unit_id, category, severity,
            occurred_at, place, post_id, description, action_taken, deaths, injured_serious,
            injured_light, loss_rupiah, forwarded_to_gakkumdu, latitude, longitude,
            report_date, report_status)
        SELECT i.report_id, %(op)s, i.unit_id, i.category, i.severity, i.occurred_at,
               'Desa ' || u.code || '-' || pg_temp.rint(i.key * 4 + i.i, 126, 1, 12),
               NULL,
               'Kejadian ' || replace(i.category, '_', ' ') || ' di wilayah ' || u.name || '.',
               CASE WHEN pg_temp.rnd(i.key * 4 + i.i, 127) < 0.7
                    THEN 'Ditangani di tempat dan dilaporkan ke satuan atas.' ELSE '' END,
               CASE WHEN i.category IN ('laka_lantas', 'bencana')
                         AND pg_temp.rnd(i.key * 4 + i.i, 128) < 0.15
                    THEN pg_temp.rint(i.key * 4 + i.i, 129, 1, 3) ELSE 0 END,
               CASE WHEN i.category IN ('laka_lantas', 'bencana', 'unjuk_rasa')
                    THEN pg_temp.rint(i.key * 4 + i.i, 130, 0, 2) ELSE 0 END,
               CASE WHEN i.category IN ('laka_lantas', 'bencana', 'unjuk_rasa', 'kejahatan')
                    THEN pg_temp.rint(i.key * 4 + i.i, 131, 0, 4) ELSE 0 END,
               CASE WHEN i.category IN ('laka_lantas', 'bencana', 'kejahatan')
                    THEN pg_temp.rint(i.key * 4 + i.i, 132, 0, 200) * 50000 ELSE 0 END,
               i.category IN {ELECTION!r},
               round((u.latitude + (pg_temp.rnd(i.key * 4 + i.i, 133) - 0.5) * 0.1)::numeric, 6),
               round((u.longitude + (pg_temp.rnd(i.key * 4 + i.i, 134) - 0.5) * 0.1)::numeric, 6),
               d.report_date, d.status
        FROM inc i JOIN tb_unit u ON u.ord = i.unit_ord
        JOIN reports_dailyreport d ON d.id = i.report_id
        ORDER BY i.report_id, i.i
        """,
        {"op": operation_id},
    )
    return inserted - _drop_unconfirmed_elsewhere()


def _drop_unconfirmed_elsewhere() -> int:
    """A Polsek's incident on a day its Polres sent a report without incidents would make
    that send ask for confirmation (``reports.rules``: incidents elsewhere): not kept."""
    execute("ANALYZE reports_incident, operations_unit")  # else a nested loop per Polsek
    return execute(
        """
        DELETE FROM reports_incident i
        USING operations_unit u, operations_unit pu, tb_rep pr
        WHERE u.id = i.unit_id AND u.kind = 'polsek' AND pu.id = u.parent_id
          AND pr.unit_id = pu.id AND pr.t_submit IS NOT NULL
          AND pr.day = (i.occurred_at AT TIME ZONE pu.time_zone)::date
          AND NOT EXISTS (SELECT 1 FROM reports_incident o WHERE o.report_id = pr.id)
        """
    )
