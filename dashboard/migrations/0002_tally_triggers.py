"""The tallies of dashboard.models kept by PostgreSQL triggers, then filled from scratch.

Every row sums what lies strictly below one unit at depth 1 or deeper
(``dashboard_above(path)``: the paths of a unit's ancestors below the root). A trigger on
each source table applies the change of one row (its old contribution out, its new one
in) in the writing transaction; a trigger on the units moves a unit's own contributions
when its path, kind, activity or zone changes (each unit of a moved subtree fires its
own); a trigger on the operations rebuilds an operation's report tallies when the kinds of
reporting units change. Writers below one Polda take one transaction-scoped advisory lock
for it before touching its rows, so two writers never lock tally rows in opposite orders.
A row's unit is read ``FOR SHARE``: a write below a unit that is being moved waits for
the move and then reads the new path (and a move waits for the writes in flight), so no
contribution is applied under a path the move did not see.

The ``*_expected`` views compute every tally from the source tables alone: the rebuild
(``dashboard.tallies.rebuild``) and the drift check read them.

SQLite (the embedded default) has no triggers here: the dashboard reads the source tables
there (dashboard.selectors).
"""

from django.db import migrations

SENT = "('submitted', 'returned', 'accepted')"

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION dashboard_above(p text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(array_to_string(parts[1:n], '/') || '/' ORDER BY n), '{{}}')
    FROM (SELECT string_to_array(p, '/') AS parts) s,
         generate_series(2, COALESCE(array_length(string_to_array(p, '/'), 1), 0) - 2) n
$$;

CREATE OR REPLACE FUNCTION dashboard_lock(p text) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(
        hashtextextended('pamilu-dashboard-tally:' || split_part(p, '/', 2), 0))
$$;

CREATE OR REPLACE FUNCTION dashboard_report_apply(
    op bigint, p text, tz text, u_kind text, u_active boolean, d date, st text,
    is_late boolean, on_duty bigint, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE groups text[];
BEGIN
    IF st NOT IN {SENT} OR NOT u_active OR d IS NULL THEN RETURN; END IF;
    IF NOT EXISTS (SELECT 1 FROM operations_operation o
                   WHERE o.id = op AND jsonb_exists(o.reporting_kinds, u_kind)) THEN
        RETURN;
    END IF;
    groups := dashboard_above(p);
    IF cardinality(groups) = 0 THEN RETURN; END IF;
    PERFORM dashboard_lock(p);
    INSERT INTO dashboard_reporttally
        (operation_id, group_path, time_zone, day, sent, on_time, late, returned, personnel)
    SELECT op, g, tz, d, sign, sign * (NOT is_late)::int, sign * is_late::int,
           sign * (st = 'returned')::int, sign * on_duty
    FROM unnest(groups) g
    ON CONFLICT (operation_id, group_path, day, time_zone) DO UPDATE SET
        sent = dashboard_reporttally.sent + EXCLUDED.sent,
        on_time = dashboard_reporttally.on_time + EXCLUDED.on_time,
        late = dashboard_reporttally.late + EXCLUDED.late,
        returned = dashboard_reporttally.returned + EXCLUDED.returned,
        personnel = dashboard_reporttally.personnel + EXCLUDED.personnel;
END $$;

CREATE OR REPLACE FUNCTION dashboard_incident_apply(
    op bigint, p text, tz text, d date, st text, cat text, sev text, dead bigint,
    hurt bigint, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE groups text[];
BEGIN
    IF st NOT IN {SENT} OR d IS NULL THEN RETURN; END IF;
    groups := dashboard_above(p);
    IF cardinality(groups) = 0 THEN RETURN; END IF;
    PERFORM dashboard_lock(p);
    INSERT INTO dashboard_incidenttally
        (operation_id, group_path, time_zone, day, category, severity, n, deaths, injured)
    SELECT op, g, tz, d, cat, sev, sign, sign * dead, sign * hurt FROM unnest(groups) g
    ON CONFLICT (operation_id, group_path, day, time_zone, category, severity) DO UPDATE SET
        n = dashboard_incidenttally.n + EXCLUDED.n,
        deaths = dashboard_incidenttally.deaths + EXCLUDED.deaths,
        injured = dashboard_incidenttally.injured + EXCLUDED.injured;
    INSERT INTO dashboard_incidenttotal
        (operation_id, group_path, category, severity, n, deaths, injured)
    SELECT op, g, cat, sev, sign, sign * dead, sign * hurt FROM unnest(groups) g
    ON CONFLICT (operation_id, group_path, category, severity) DO UPDATE SET
        n = dashboard_incidenttotal.n + EXCLUDED.n,
        deaths = dashboard_incidenttotal.deaths + EXCLUDED.deaths,
        injured = dashboard_incidenttotal.injured + EXCLUDED.injured;
END $$;

CREATE OR REPLACE FUNCTION dashboard_assignment_apply(
    op bigint, p text, lent boolean, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
DECLARE groups text[];
BEGIN
    groups := dashboard_above(p);
    IF cardinality(groups) = 0 THEN RETURN; END IF;
    PERFORM dashboard_lock(p);
    INSERT INTO dashboard_assignmenttally (operation_id, group_path, committed, bko)
    SELECT op, g, sign, sign * lent::int FROM unnest(groups) g
    ON CONFLICT (operation_id, group_path) DO UPDATE SET
        committed = dashboard_assignmenttally.committed + EXCLUDED.committed,
        bko = dashboard_assignmenttally.bko + EXCLUDED.bko;
END $$;

CREATE OR REPLACE FUNCTION dashboard_report_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE u record;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status IN {SENT} THEN
        SELECT path, time_zone, kind, is_active INTO u FROM operations_unit WHERE id = OLD.unit_id
            FOR SHARE;
        PERFORM dashboard_report_apply(OLD.operation_id, u.path, u.time_zone, u.kind,
            u.is_active, OLD.report_date, OLD.status, OLD.is_late, OLD.personnel_on_duty, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status IN {SENT} THEN
        SELECT path, time_zone, kind, is_active INTO u FROM operations_unit WHERE id = NEW.unit_id
            FOR SHARE;
        PERFORM dashboard_report_apply(NEW.operation_id, u.path, u.time_zone, u.kind,
            u.is_active, NEW.report_date, NEW.status, NEW.is_late, NEW.personnel_on_duty, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_incident_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE u record;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.report_status IN {SENT} THEN
        SELECT path, time_zone INTO u FROM operations_unit WHERE id = OLD.unit_id
            FOR SHARE;
        PERFORM dashboard_incident_apply(OLD.operation_id, u.path, u.time_zone,
            OLD.report_date, OLD.report_status, OLD.category, OLD.severity, OLD.deaths,
            OLD.injured_serious + OLD.injured_light, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.report_status IN {SENT} THEN
        SELECT path, time_zone INTO u FROM operations_unit WHERE id = NEW.unit_id
            FOR SHARE;
        PERFORM dashboard_incident_apply(NEW.operation_id, u.path, u.time_zone,
            NEW.report_date, NEW.report_status, NEW.category, NEW.severity, NEW.deaths,
            NEW.injured_serious + NEW.injured_light, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_assignment_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE p text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        SELECT path INTO p FROM operations_unit WHERE id = OLD.unit_id FOR SHARE;
        PERFORM dashboard_assignment_apply(OLD.operation_id, p, OLD.is_bko, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        SELECT path INTO p FROM operations_unit WHERE id = NEW.unit_id FOR SHARE;
        PERFORM dashboard_assignment_apply(NEW.operation_id, p, NEW.is_bko, 1);
    END IF;
    RETURN NULL;
END $$;

-- A unit's own contributions, under the unit's state (p, tz, kind, active), times sign.
CREATE OR REPLACE FUNCTION dashboard_unit_apply(
    uid bigint, p text, tz text, u_kind text, u_active boolean, sign integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(dashboard_above(p)) = 0 THEN RETURN; END IF;
    IF u_active THEN
        INSERT INTO dashboard_reporttally
            (operation_id, group_path, time_zone, day, sent, on_time, late, returned, personnel)
        SELECT r.operation_id, g, tz, r.report_date, sign * count(*),
               sign * count(*) FILTER (WHERE NOT r.is_late),
               sign * count(*) FILTER (WHERE r.is_late),
               sign * count(*) FILTER (WHERE r.status = 'returned'),
               sign * COALESCE(sum(r.personnel_on_duty), 0)
        FROM reports_dailyreport r
        JOIN operations_operation o ON o.id = r.operation_id
        CROSS JOIN unnest(dashboard_above(p)) g
        WHERE r.unit_id = uid AND r.status IN {SENT} AND jsonb_exists(o.reporting_kinds, u_kind)
        GROUP BY r.operation_id, g, r.report_date
        ON CONFLICT (operation_id, group_path, day, time_zone) DO UPDATE SET
            sent = dashboard_reporttally.sent + EXCLUDED.sent,
            on_time = dashboard_reporttally.on_time + EXCLUDED.on_time,
            late = dashboard_reporttally.late + EXCLUDED.late,
            returned = dashboard_reporttally.returned + EXCLUDED.returned,
            personnel = dashboard_reporttally.personnel + EXCLUDED.personnel;
    END IF;
    INSERT INTO dashboard_incidenttally
        (operation_id, group_path, time_zone, day, category, severity, n, deaths, injured)
    SELECT i.operation_id, g, tz, i.report_date, i.category, i.severity, sign * count(*),
           sign * COALESCE(sum(i.deaths), 0),
           sign * COALESCE(sum(i.injured_serious + i.injured_light), 0)
    FROM reports_incident i CROSS JOIN unnest(dashboard_above(p)) g
    WHERE i.unit_id = uid AND i.report_status IN {SENT} AND i.report_date IS NOT NULL
    GROUP BY i.operation_id, g, i.report_date, i.category, i.severity
    ON CONFLICT (operation_id, group_path, day, time_zone, category, severity) DO UPDATE SET
        n = dashboard_incidenttally.n + EXCLUDED.n,
        deaths = dashboard_incidenttally.deaths + EXCLUDED.deaths,
        injured = dashboard_incidenttally.injured + EXCLUDED.injured;
    INSERT INTO dashboard_incidenttotal
        (operation_id, group_path, category, severity, n, deaths, injured)
    SELECT i.operation_id, g, i.category, i.severity, sign * count(*),
           sign * COALESCE(sum(i.deaths), 0),
           sign * COALESCE(sum(i.injured_serious + i.injured_light), 0)
    FROM reports_incident i CROSS JOIN unnest(dashboard_above(p)) g
    WHERE i.unit_id = uid AND i.report_status IN {SENT} AND i.report_date IS NOT NULL
    GROUP BY i.operation_id, g, i.category, i.severity
    ON CONFLICT (operation_id, group_path, category, severity) DO UPDATE SET
        n = dashboard_incidenttotal.n + EXCLUDED.n,
        deaths = dashboard_incidenttotal.deaths + EXCLUDED.deaths,
        injured = dashboard_incidenttotal.injured + EXCLUDED.injured;
    INSERT INTO dashboard_assignmenttally (operation_id, group_path, committed, bko)
    SELECT a.operation_id, g, sign * count(*), sign * count(*) FILTER (WHERE a.is_bko)
    FROM personnel_assignment a CROSS JOIN unnest(dashboard_above(p)) g
    WHERE a.unit_id = uid
    GROUP BY a.operation_id, g
    ON CONFLICT (operation_id, group_path) DO UPDATE SET
        committed = dashboard_assignmenttally.committed + EXCLUDED.committed,
        bko = dashboard_assignmenttally.bko + EXCLUDED.bko;
END $$;

CREATE OR REPLACE FUNCTION dashboard_unit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF split_part(OLD.path, '/', 2) <= split_part(NEW.path, '/', 2) THEN
        PERFORM dashboard_lock(OLD.path);
        PERFORM dashboard_lock(NEW.path);
    ELSE
        PERFORM dashboard_lock(NEW.path);
        PERFORM dashboard_lock(OLD.path);
    END IF;
    PERFORM dashboard_unit_apply(OLD.id, OLD.path, OLD.time_zone, OLD.kind, OLD.is_active, -1);
    PERFORM dashboard_unit_apply(NEW.id, NEW.path, NEW.time_zone, NEW.kind, NEW.is_active, 1);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION dashboard_operation_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM dashboard_reporttally WHERE operation_id = NEW.id;
    INSERT INTO dashboard_reporttally
        (operation_id, group_path, time_zone, day, sent, on_time, late, returned, personnel)
    SELECT operation_id, group_path, time_zone, day, sent, on_time, late, returned, personnel
    FROM dashboard_reporttally_expected WHERE operation_id = NEW.id;
    RETURN NULL;
END $$;
"""

VIEWS = f"""
CREATE VIEW dashboard_reporttally_expected AS
SELECT r.operation_id, g AS group_path, u.time_zone, r.report_date AS day,
       count(*) AS sent,
       count(*) FILTER (WHERE NOT r.is_late) AS on_time,
       count(*) FILTER (WHERE r.is_late) AS late,
       count(*) FILTER (WHERE r.status = 'returned') AS returned,
       COALESCE(sum(r.personnel_on_duty), 0) AS personnel
FROM reports_dailyreport r
JOIN operations_unit u ON u.id = r.unit_id
JOIN operations_operation o ON o.id = r.operation_id
CROSS JOIN LATERAL unnest(dashboard_above(u.path)) g
WHERE r.status IN {SENT} AND u.is_active AND jsonb_exists(o.reporting_kinds, u.kind)
GROUP BY r.operation_id, g, u.time_zone, r.report_date;

CREATE VIEW dashboard_incidenttally_expected AS
SELECT i.operation_id, g AS group_path, u.time_zone, i.report_date AS day, i.category,
       i.severity, count(*) AS n, COALESCE(sum(i.deaths), 0) AS deaths,
       COALESCE(sum(i.injured_serious + i.injured_light), 0) AS injured
FROM reports_incident i
JOIN operations_unit u ON u.id = i.unit_id
CROSS JOIN LATERAL unnest(dashboard_above(u.path)) g
WHERE i.report_status IN {SENT} AND i.report_date IS NOT NULL
GROUP BY i.operation_id, g, u.time_zone, i.report_date, i.category, i.severity;

CREATE VIEW dashboard_incidenttotal_expected AS
SELECT operation_id, group_path, category, severity, sum(n) AS n, sum(deaths) AS deaths,
       sum(injured) AS injured
FROM dashboard_incidenttally_expected
GROUP BY operation_id, group_path, category, severity;

CREATE VIEW dashboard_assignmenttally_expected AS
SELECT a.operation_id, g AS group_path, count(*) AS committed,
       count(*) FILTER (WHERE a.is_bko) AS bko
FROM personnel_assignment a
JOIN operations_unit u ON u.id = a.unit_id
CROSS JOIN LATERAL unnest(dashboard_above(u.path)) g
GROUP BY a.operation_id, g;
"""

_CHANGED_REPORT = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}"
    for c in ("status", "is_late", "personnel_on_duty", "report_date", "unit_id", "operation_id")
)
_CHANGED_INCIDENT = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}"
    for c in (
        "report_status",
        "report_date",
        "unit_id",
        "operation_id",
        "category",
        "severity",
        "deaths",
        "injured_serious",
        "injured_light",
    )
)
_CHANGED_ASSIGNMENT = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("unit_id", "operation_id", "is_bko")
)
_CHANGED_UNIT = " OR ".join(
    f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ("path", "kind", "is_active", "time_zone")
)

TRIGGERS = f"""
CREATE TRIGGER dashboard_report_write AFTER INSERT OR DELETE ON reports_dailyreport
    FOR EACH ROW EXECUTE FUNCTION dashboard_report_row();
CREATE TRIGGER dashboard_report_change AFTER UPDATE ON reports_dailyreport
    FOR EACH ROW WHEN ({_CHANGED_REPORT}) EXECUTE FUNCTION dashboard_report_row();
CREATE TRIGGER dashboard_incident_write AFTER INSERT OR DELETE ON reports_incident
    FOR EACH ROW EXECUTE FUNCTION dashboard_incident_row();
CREATE TRIGGER dashboard_incident_change AFTER UPDATE ON reports_incident
    FOR EACH ROW WHEN ({_CHANGED_INCIDENT}) EXECUTE FUNCTION dashboard_incident_row();
CREATE TRIGGER dashboard_assignment_write AFTER INSERT OR DELETE ON personnel_assignment
    FOR EACH ROW EXECUTE FUNCTION dashboard_assignment_row();
CREATE TRIGGER dashboard_assignment_change AFTER UPDATE ON personnel_assignment
    FOR EACH ROW WHEN ({_CHANGED_ASSIGNMENT}) EXECUTE FUNCTION dashboard_assignment_row();
CREATE TRIGGER dashboard_unit_change AFTER UPDATE ON operations_unit
    FOR EACH ROW WHEN ({_CHANGED_UNIT}) EXECUTE FUNCTION dashboard_unit_row();
CREATE TRIGGER dashboard_operation_change AFTER UPDATE ON operations_operation
    FOR EACH ROW WHEN (OLD.reporting_kinds IS DISTINCT FROM NEW.reporting_kinds)
    EXECUTE FUNCTION dashboard_operation_row();
"""

FILL = """
INSERT INTO dashboard_reporttally
    (operation_id, group_path, time_zone, day, sent, on_time, late, returned, personnel)
SELECT * FROM dashboard_reporttally_expected;
INSERT INTO dashboard_incidenttally
    (operation_id, group_path, time_zone, day, category, severity, n, deaths, injured)
SELECT * FROM dashboard_incidenttally_expected;
INSERT INTO dashboard_incidenttotal
    (operation_id, group_path, category, severity, n, deaths, injured)
SELECT * FROM dashboard_incidenttotal_expected;
INSERT INTO dashboard_assignmenttally (operation_id, group_path, committed, bko)
SELECT * FROM dashboard_assignmenttally_expected;
"""

DROP = """
DROP TRIGGER IF EXISTS dashboard_report_write ON reports_dailyreport;
DROP TRIGGER IF EXISTS dashboard_report_change ON reports_dailyreport;
DROP TRIGGER IF EXISTS dashboard_incident_write ON reports_incident;
DROP TRIGGER IF EXISTS dashboard_incident_change ON reports_incident;
DROP TRIGGER IF EXISTS dashboard_assignment_write ON personnel_assignment;
DROP TRIGGER IF EXISTS dashboard_assignment_change ON personnel_assignment;
DROP TRIGGER IF EXISTS dashboard_unit_change ON operations_unit;
DROP TRIGGER IF EXISTS dashboard_operation_change ON operations_operation;
DROP VIEW IF EXISTS dashboard_incidenttotal_expected, dashboard_incidenttally_expected,
    dashboard_reporttally_expected, dashboard_assignmenttally_expected;
DROP FUNCTION IF EXISTS dashboard_operation_row(), dashboard_unit_row(),
    dashboard_unit_apply(bigint, text, text, text, boolean, integer),
    dashboard_assignment_row(), dashboard_incident_row(), dashboard_report_row(),
    dashboard_assignment_apply(bigint, text, boolean, integer),
    dashboard_incident_apply(bigint, text, text, date, text, text, text, bigint, bigint, integer),
    dashboard_report_apply(bigint, text, text, text, boolean, date, text, boolean, bigint, integer),
    dashboard_lock(text), dashboard_above(text);
DELETE FROM dashboard_reporttally;
DELETE FROM dashboard_incidenttally;
DELETE FROM dashboard_incidenttotal;
DELETE FROM dashboard_assignmenttally;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (FUNCTIONS, VIEWS, TRIGGERS, FILL):
        schema_editor.execute(sql, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_tallies"),
        ("operations", "0002_tps_counts"),
        ("personnel", "0003_deployments_apel"),
        ("reports", "0005_corrections_keep_removed_records"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
