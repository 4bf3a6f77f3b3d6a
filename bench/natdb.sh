#!/usr/bin/env bash
# The persistent PostgreSQL cluster that holds the national test bed.
#
#   bench/natdb.sh start      initdb on first use, then start it (127.0.0.1:$NATDB_PORT)
#   bench/natdb.sh stop
#   bench/natdb.sh generate   (re)create database `national` (or $NATDB_NAME): migrate +
#                             generate_national + VACUUM ANALYZE, with times and load average
#   bench/natdb.sh status
#
# Environment: NATDB_DIR (default /work/natdb), NATDB_PORT (55432), SCALE (1.0),
# SEED (1), DAYS (222). Other engineers copy the result: createdb -T national mine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
NATDB_DIR=${NATDB_DIR:-/work/natdb}
NATDB_PORT=${NATDB_PORT:-55432}
DATA=$NATDB_DIR/data
PG_BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; else as_pg() { "$@"; }; fi
psql_() { "$PG_BIN/psql" -h 127.0.0.1 -p "$NATDB_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"; }

start() {
    mkdir -p "$NATDB_DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$NATDB_DIR"
    if [ ! -s "$DATA/PG_VERSION" ]; then
        as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
        echo "natdb already running on 127.0.0.1:$NATDB_PORT"
        return 0
    fi
    # A test bed, not a production server: durability off, memory sized for a 24 GB
    # machine shared with others. pg_stat_statements (when installed) lets
    # bench/national.py list the run's slowest statements server-side.
    local preload=""
    [ -f "$(dirname "$PG_BIN")/../../../share/postgresql/$(basename "$(dirname "$PG_BIN")")/extension/pg_stat_statements.control" ] \
        && preload="-c shared_preload_libraries=pg_stat_statements"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$NATDB_DIR/postgres.log" -w -t 120 -o "-p $NATDB_PORT -k $NATDB_DIR \
        -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c shared_buffers=1GB -c work_mem=32MB -c maintenance_work_mem=512MB -c max_wal_size=4GB \
        -c max_connections=100 -c jit=off $preload" start >/dev/null
    echo "natdb running on 127.0.0.1:$NATDB_PORT (data $DATA)"
}

stop() { as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop; }

generate() {
    start
    [ -x .venv/bin/python ] || { echo "no .venv: run scripts/test once (or python3.11 -m venv .venv && .venv/bin/pip install -r requirements.txt)" >&2; exit 1; }
    local db=${NATDB_NAME:-national} t0 t
    echo "generate into database $db on $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    # The server's settings (a test bed's: see start); the generator prints its session's.
    echo "server: $(psql_ -d postgres -At -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size', 'max_parallel_workers_per_gather', 'max_parallel_maintenance_workers', 'jit', 'server_version')")"
    t0=$(date +%s)
    psql_ -d postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
    export DATABASE_URL="postgres://postgres@127.0.0.1:$NATDB_PORT/$db"
    export SECRET_KEY=${SECRET_KEY:-natdb-throwaway-secret-key-0123456789abcdefghijklmnopqrstuvwxyz}
    export AUDIT_SEAL_KEY=${AUDIT_SEAL_KEY:-natdb-throwaway-audit-seal-key}
    t=$(date +%s)
    .venv/bin/python manage.py migrate -v 0
    printf '  %-28s %7s s\n' "migrate" "$(($(date +%s) - t))"
    .venv/bin/python manage.py generate_national --scale "${SCALE:-1.0}" --seed "${SEED:-1}" --days "${DAYS:-222}"
    t=$(date +%s)
    psql_ -d "$db" -q -c "VACUUM (ANALYZE)"
    printf '  %-28s %7s s\n' "vacuum (analyze)" "$(($(date +%s) - t))"
    echo "wall time $(($(date +%s) - t0)) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
generate) generate ;;
status) as_pg "$PG_BIN/pg_ctl" -D "$DATA" status ;;
*) echo "usage: $0 start|stop|generate|status" >&2; exit 2 ;;
esac
