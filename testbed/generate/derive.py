"""Step 5: what the services derive from the generated rows, one INSERT … SELECT per table.

Each entry of ``DERIVED`` is (name, SQL) and runs after every base row is in place, so
a table that the services maintain from other rows (an audit trail, notices, a counter
kept in the same transaction as the write) is filled here by one set-based statement.
A new maintained table (e.g. per-unit TPS counts, incidents carrying their report's day
and state) is one more entry. The SQL may use the generator's temp tables (``tb_unit``,
``tb_rep`` with each report's timeline) and the parameters in ``params()``.

The audit entries reproduce ``audit.services.record`` as each service calls it:
``report.create`` (the state after creation: fields, activities, incidents),
``report.submit`` / ``report.resubmit`` / ``report.return`` / ``report.accept``,
``unit.create``, ``personnel.create``, ``warrant.issue``, ``assignment.add``,
``postgroup.create``, ``deployment.create``, ``apel.record``, ``notice.acknowledge``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from dashboard import tallies
from operations import counts
from operations.models import Unit
from personnel.models import Apel, Assignment, Deployment, Personnel, PostGroup, Warrant
from reports import facts
from reports.models import DailyReport
from summaries.models import Notice
from testbed.generate.sql import execute, scalar

ISO = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""
AUDIT_COLUMNS = (
    "at, actor_id, actor_name, channel, action, content_type_id, object_id, object_repr, "
    "unit_id, unit_code, changes"
)


def _iso(column: str) -> str:
    return ISO.format(column)


def _code(unit_id: str) -> str:
    """The unit's code as ``audit.services.record`` copies it ('' without a unit)."""
    return (
        f"COALESCE((SELECT left(uc.code, 50) FROM operations_unit uc WHERE uc.id = {unit_id}), '')"
    )


def params(operation) -> dict:
    types = {
        name: ContentType.objects.get_for_model(model, for_concrete_model=False).pk
        for name, model in {
            "ct_report": DailyReport,
            "ct_unit": Unit,
            "ct_personnel": Personnel,
            "ct_warrant": Warrant,
            "ct_assignment": Assignment,
            "ct_deployment": Deployment,
            "ct_postgroup": PostGroup,
            "ct_apel": Apel,
            "ct_notice": Notice,
        }.items()
    }
    return {
        **types,
        "op": operation.pk,
        "op_name": operation.name,
        "start": operation.start_date,
        "reminder_minutes": settings.PAMILU_REMINDER_MINUTES_BEFORE_DEADLINE,
        "escalation_minutes": settings.PAMILU_ESCALATION_MINUTES_AFTER_DEADLINE,
    }


_PERSON = "(rk.name || ' ' || pe.name || ' (' || COALESCE(pe.nrp, pe.nip) || ')')"

_REPORT_STATE = f"""
CREATE TEMP TABLE tb_act_json AS
SELECT a.report_id, jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'kind', a.kind,
           'task_force', CASE WHEN tf.id IS NOT NULL THEN tf.name || ' ('
               || CASE tf.level WHEN 'mabes' THEN 'Mabes Polri' WHEN 'polda' THEN 'Polda'
                  ELSE 'Polres' END || ')' END,
           'count', a.count,
           'personnel', NULLIF(a.personnel, 0),
           'notes', NULLIF(a.notes, ''))) ORDER BY a.kind, a.id) AS items
FROM reports_reportactivity a
JOIN tb_rep r ON r.id = a.report_id
LEFT JOIN operations_taskforce tf ON tf.id = a.task_force_id
GROUP BY a.report_id;
CREATE INDEX ON tb_act_json (report_id);
CREATE TEMP TABLE tb_inc_json AS
SELECT i.report_id, jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
           'category', i.category,
           'severity', NULLIF(i.severity, ''),
           'occurred_at', {_iso("i.occurred_at")},
           'place', NULLIF(i.place, ''),
           'post', CASE WHEN p.id IS NOT NULL THEN p.name || ' (' || p.code || ')' END,
           'description', NULLIF(i.description, ''),
           'action_taken', NULLIF(i.action_taken, ''),
           'deaths', NULLIF(i.deaths, 0),
           'injured_serious', NULLIF(i.injured_serious, 0),
           'injured_light', NULLIF(i.injured_light, 0),
           'loss_rupiah', NULLIF(i.loss_rupiah, 0),
           'forwarded_to_gakkumdu', CASE WHEN i.forwarded_to_gakkumdu THEN true END,
           'latitude', CASE WHEN i.latitude <> 0 THEN i.latitude::text END,
           'longitude', CASE WHEN i.longitude <> 0 THEN i.longitude::text END))
       ORDER BY i.occurred_at DESC, i.id) AS items
FROM reports_incident i
JOIN tb_rep r ON r.id = i.report_id
LEFT JOIN operations_post p ON p.id = i.post_id
GROUP BY i.report_id;
CREATE INDEX ON tb_inc_json (report_id);
"""

# The report audit's ids are reserved before the rekap start on another connection (their
# own audit entries then come after, as when built one after the other): one per step.
_RESERVE = """
CREATE TEMP TABLE tb_audit_base AS
SELECT nextval(pg_get_serial_sequence('audit_auditentry', 'id')) AS base,
       count(*) + count(t_submit) + count(t_return) + count(t_resubmit) + count(t_accept)
           AS n
FROM tb_rep;
SELECT setval(pg_get_serial_sequence('audit_auditentry', 'id'), base + n - 1) FROM tb_audit_base;
"""


def reserve_report_audit() -> int:
    execute(_RESERVE)
    return scalar("SELECT n FROM tb_audit_base")


# The ids follow the instants (as the services drew them): numbered on a narrow table of
# (instant, report, step), so the wide rows are never sorted.
_REPORT_AUDIT = f"""
CREATE TEMP TABLE tb_event AS
SELECT ord, step, at, row_number() OVER (ORDER BY at, ord, step) AS n FROM (
    SELECT ord, 1 AS step, t_create AS at FROM tb_rep
    UNION ALL SELECT ord, 2, t_submit FROM tb_rep WHERE t_submit IS NOT NULL
    UNION ALL SELECT ord, 3, t_return FROM tb_rep WHERE t_return IS NOT NULL
    UNION ALL SELECT ord, 4, t_resubmit FROM tb_rep WHERE t_resubmit IS NOT NULL
    UNION ALL SELECT ord, 5, t_accept FROM tb_rep WHERE t_accept IS NOT NULL
) e;
INSERT INTO audit_auditentry (id, {AUDIT_COLUMNS})
SELECT b.base + e.n - 1, e.at,
       CASE WHEN e.step IN (3, 5) THEN r.reviewer_id ELSE r.creator_id END,
       CASE WHEN e.step IN (3, 5) THEN r.reviewer_name ELSE r.creator_name END,
       CASE WHEN e.step NOT IN (3, 5) AND r.via_api THEN 'api' ELSE 'web' END,
       CASE e.step WHEN 1 THEN 'report.create' WHEN 2 THEN 'report.submit'
            WHEN 3 THEN 'report.return' WHEN 4 THEN 'report.resubmit' ELSE 'report.accept' END,
       %(ct_report)s, r.id::text,
       left('Anev ' || r.unit_name || ' ' || to_char(r.day, 'DD/MM/YYYY'), 255), r.unit_id,
       left(tu.code, 50),
       CASE e.step
         WHEN 1 THEN jsonb_build_object(
               'personnel_on_duty', d.personnel_on_duty, 'summary', d.summary,
               'obstacles', d.obstacles, 'next_day_plan', d.next_day_plan,
               'activities', COALESCE(aj.items, '[]'::jsonb),
               'incidents', COALESCE(ij.items, '[]'::jsonb),
               'operation', %(op_name)s::text, 'report_date', r.day::text, 'status', 'draft')
         WHEN 2 THEN jsonb_build_object('status', jsonb_build_array('draft', 'submitted'),
               'submitted_at', jsonb_build_array(NULL, {_iso("r.t_submit")}),
               'is_late', jsonb_build_array(false, r.t_submit > r.deadline))
         WHEN 3 THEN jsonb_build_object('status', jsonb_build_array('submitted', 'returned'),
               'return_reason', jsonb_build_array('', d.return_reason))
         WHEN 4 THEN jsonb_build_object('status', jsonb_build_array('returned', 'submitted'),
               'submitted_at', jsonb_build_array({_iso("r.t_submit")}, {_iso("r.t_resubmit")}))
         ELSE jsonb_build_object('status', jsonb_build_array('submitted', 'accepted'))
       END
FROM tb_event e
CROSS JOIN tb_audit_base b
JOIN tb_rep r ON r.ord = e.ord
JOIN tb_unit tu ON tu.ord = r.unit_ord
JOIN reports_dailyreport d ON d.id = r.id
LEFT JOIN tb_act_json aj ON e.step = 1 AND aj.report_id = r.id
LEFT JOIN tb_inc_json ij ON e.step = 1 AND ij.report_id = r.id
"""

# Reminders (level 0) before the deadline and escalations one and two units up after it,
# for every unit-day whose report was not sent by then, as the beat tasks leave them.
_NOTICES = """
WITH days AS (
    SELECT u.ord, u.id AS unit_id, u.parent_ord, u.time_zone, d.day,
           (d.day + make_time(o.report_deadline_hour, 0, 0)) AT TIME ZONE u.time_zone AS deadline
    FROM tb_unit u
    JOIN operations_operation o ON o.id = %(op)s
    CROSS JOIN LATERAL generate_series(%(start)s::date, %(now)s::date, interval '1 day') AS g(ts)
    CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
    WHERE u.kind IN ('polres', 'polsek')
), levels AS (
    SELECT d.*, l.level,
           d.deadline + make_interval(mins => CASE l.level WHEN 0 THEN -%(reminder_minutes)s
                                                ELSE l.level * %(escalation_minutes)s END) AS at,
           CASE l.level WHEN 0 THEN d.ord WHEN 1 THEN d.parent_ord ELSE p.parent_ord END AS to_ord
    FROM days d
    JOIN tb_unit p ON p.ord = d.parent_ord
    CROSS JOIN (VALUES (0), (1), (2)) AS l(level)
)
INSERT INTO summaries_notice (operation_id, unit_id, report_date, level, kind,
    recipient_unit_id, deadline, created_at, emailed_at, acknowledged_at, acknowledged_by_id)
SELECT %(op)s, l.unit_id, l.day, l.level,
       CASE l.level WHEN 0 THEN 'reminder' ELSE 'escalation' END, t.id, l.deadline, l.at, NULL,
       CASE WHEN l.at < %(now)s::timestamptz - interval '2 days'
            THEN l.at + interval '3 hours' END,
       CASE WHEN l.at < %(now)s::timestamptz - interval '2 days' THEN ack.id END
FROM levels l
JOIN tb_unit t ON t.ord = l.to_ord
LEFT JOIN tb_rep r ON r.unit_ord = l.ord AND r.day = l.day
LEFT JOIN (SELECT unit_id, min(id) AS id FROM accounts_user GROUP BY unit_id) ack
       ON ack.unit_id = t.id
WHERE l.at <= %(now)s AND (l.level > 0 OR l.at >= (l.day + time '00:00') AT TIME ZONE l.time_zone)
  AND (r.t_submit IS NULL OR r.t_submit > l.at)
ORDER BY l.at, l.ord, l.level
"""

_NOTICE_AUDIT = f"""
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT n.acknowledged_at, us.id, us.username, 'web', 'notice.acknowledge', %(ct_notice)s,
       n.id::text,
       left(CASE n.kind WHEN 'reminder' THEN 'Pengingat' ELSE 'Eskalasi' END || ' ' || u.name
            || ' ' || to_char(n.report_date, 'DD/MM/YYYY'), 255),
       n.recipient_unit_id, {_code("n.recipient_unit_id")},
       jsonb_build_object('acknowledged_at', jsonb_build_array(NULL, {_iso("n.acknowledged_at")}))
FROM summaries_notice n
JOIN operations_unit u ON u.id = n.unit_id
JOIN accounts_user us ON us.id = n.acknowledged_by_id
WHERE n.operation_id = %(op)s AND n.acknowledged_at IS NOT NULL
ORDER BY n.acknowledged_at, n.id
"""

_SETUP_AUDIT = f"""
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT %(start)s::date - 60 + time '09:00', NULL, 'sistem', 'system', 'unit.create', %(ct_unit)s,
       u.id::text, left(u.name, 255), u.id, {_code("u.id")}, '{{}}'::jsonb
FROM tb_unit u ORDER BY u.ord;
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT %(start)s::date - 30 + time '09:00', NULL, 'sistem', 'import', 'personnel.create',
       %(ct_personnel)s, pe.id::text, left({_PERSON}, 255), pe.unit_id, {_code("pe.unit_id")}, '{{}}'::jsonb
FROM tb_person t JOIN personnel_personnel pe ON pe.id = t.id
JOIN personnel_rank rk ON rk.id = pe.rank_id ORDER BY t.ord;
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT w.date + time '08:00', NULL, 'sistem', 'import', 'warrant.issue', %(ct_warrant)s,
       w.id::text, w.number, w.issuing_unit_id, {_code("w.issuing_unit_id")}, '{{}}'::jsonb
FROM personnel_warrant w WHERE w.operation_id = %(op)s ORDER BY w.id;
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT w.date + time '08:00', NULL, 'sistem', 'import', 'assignment.add', %(ct_assignment)s,
       a.id::text,
       left({_PERSON} || ' → ' || su.name || CASE WHEN a.is_bko THEN ' (BKO)' ELSE '' END, 255),
       a.unit_id, {_code("a.unit_id")}, jsonb_build_object('bko', a.is_bko, 'home_unit', hu.name)
FROM personnel_assignment a
JOIN personnel_warrant w ON w.id = a.warrant_id
JOIN personnel_personnel pe ON pe.id = a.personnel_id
JOIN personnel_rank rk ON rk.id = pe.rank_id
JOIN operations_unit su ON su.id = a.unit_id
JOIN operations_unit hu ON hu.id = a.home_unit_id
WHERE a.operation_id = %(op)s ORDER BY a.id;
"""

_GROUP_AUDIT = f"""
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT ph.start_date - 10 + time '09:00', NULL, 'sistem', 'system', 'postgroup.create',
       %(ct_postgroup)s, g.id::text, left(g.name, 255), g.unit_id, {_code("g.unit_id")},
       jsonb_build_object('posts', m.codes)
FROM personnel_postgroup g
JOIN operations_phase ph ON ph.operation_id = %(op)s AND ph.is_voting_day
JOIN (SELECT gm.group_id, jsonb_agg(p.code ORDER BY p.id) AS codes
      FROM personnel_postgroupmember gm JOIN operations_post p ON p.id = gm.post_id
      GROUP BY gm.group_id) m ON m.group_id = g.id
WHERE g.operation_id = %(op)s ORDER BY g.id
"""

_DEPLOYMENT_AUDIT = f"""
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT d.created_at, NULL, 'sistem', 'import', 'deployment.create', %(ct_deployment)s,
       d.id::text, left({_PERSON} || ' @ ' || t.label, 255), d.unit_id, {_code("d.unit_id")},
       jsonb_build_object('personnel', {_PERSON}, 'target', t.label,
           'starts_at', {_iso("d.starts_at")}, 'ends_at', {_iso("d.ends_at")}, 'bko', a.is_bko)
FROM personnel_deployment d
JOIN personnel_assignment a ON a.id = d.assignment_id
JOIN personnel_personnel pe ON pe.id = d.personnel_id
JOIN personnel_rank rk ON rk.id = pe.rank_id
LEFT JOIN personnel_postgroup g ON g.id = d.group_id
LEFT JOIN operations_post p ON p.id = d.post_id
CROSS JOIN LATERAL (SELECT COALESCE(g.name, p.name || ' (' || p.code || ')') AS label) t
WHERE d.operation_id = %(op)s ORDER BY d.created_at, d.id
"""

_APEL_AUDIT = f"""
INSERT INTO audit_auditentry ({AUDIT_COLUMNS})
SELECT a.created_at, us.id, us.username, 'web', 'apel.record', %(ct_apel)s, a.id::text,
       left('Apel kesiapan ' || u.name || ' ' || to_char(a.held_at AT TIME ZONE 'UTC',
            'DD/MM/YYYY HH24:MI'), 255),
       a.unit_id, {_code("a.unit_id")},
       jsonb_build_object('total', a.total, 'present', a.present, 'sick', a.sick,
           'permit', a.permit, 'leave', a.leave, 'duty', a.duty, 'awol', a.awol,
           'equipment', COALESCE(e.items, '{{}}'::jsonb))
FROM personnel_apel a
JOIN operations_unit u ON u.id = a.unit_id
JOIN accounts_user us ON us.id = a.created_by_id
LEFT JOIN LATERAL (SELECT jsonb_object_agg(e.item, jsonb_build_array(e.ready, e.not_ready))
                   AS items FROM personnel_apelequipment e WHERE e.apel_id = a.id) e ON true
WHERE a.operation_id = %(op)s ORDER BY a.created_at, a.id
"""

# The app's own statements (operations.counts, dashboard.tallies), the rows inserted in key
# order so that their ids do not depend on the plan (the tables are analyzed by then).
_TPS_COUNTS = (
    f"{counts._INSERT} SELECT * FROM "
    f"({counts._expected(where='AND p.operation_id = %(op)s', insert='')}) x ORDER BY 1, 2, 3"
)


def _tally(table: str) -> str:
    keys, numbers = tallies.TABLES[table]
    columns = ", ".join(keys + numbers)
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}_expected "
        f"ORDER BY {', '.join(keys)}"
    )


# (name, SQL): run in this order by `derive_all`. What the rekap read, and every audit
# entry but the reports' (their ids reserved in between), comes before the rekap;
# the rest may run beside them.
BEFORE_SUMMARIES: list[tuple[str, str]] = [
    ("report unit paths", facts.REBUILD_REPORT_PATHS_SQL),
    ("incident report day and state", facts.REBUILD_INCIDENTS_SQL),
    ("tps counts", _TPS_COUNTS),
    # the dashboard's tallies (kept by triggers, which the bulk load's replica role skips)
    *((f"dashboard tally {table}", _tally(table)) for table in tallies.TABLES),
    ("audit: units, people, sprin", _SETUP_AUDIT),
    ("audit: TPS groups", _GROUP_AUDIT),
    ("audit: deployments", _DEPLOYMENT_AUDIT),
    ("audit: apel", _APEL_AUDIT),
    ("notices", _NOTICES),
    ("audit: notices", _NOTICE_AUDIT),
]
AFTER_SUMMARIES: list[tuple[str, str]] = [
    ("report state (json)", _REPORT_STATE),
    ("audit: reports", _REPORT_AUDIT),
]
DERIVED = BEFORE_SUMMARIES + AFTER_SUMMARIES


def derive_all(operation, now, timer, steps: list[tuple[str, str]] = DERIVED) -> None:
    values = {**params(operation), "now": now}
    for name, sql in steps:
        timer.step(f"derive {name}", execute, sql, values)
