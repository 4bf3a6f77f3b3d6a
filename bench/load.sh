#!/usr/bin/env bash
# Load test: kapolsek submit around the deadline while command centers poll the
# dashboard (bench/locustfile_load.py), against gunicorn served as in production
# (gunicorn.conf.py: gthread, one connection per thread, a short backlog, the per-process
# concurrency limit), then a SQL check that every intended report exists exactly once
# and the figures (bench/load_check.py).
#
#   bench/load.sh                      # throwaway PostgreSQL + Redis, the demo + 500 Polsek
#   bench/natdb.sh start && createdb -h 127.0.0.1 -p 55432 -U postgres -T national mine
#   LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:55432/mine bench/load.sh
#                                      # a copy of the national test bed instead
# Env: LOAD_USERS (kapolsek, 500), LOAD_CENTERS (120), LOAD_POLL_SECONDS (60: the
#      dashboard's refresh), LOAD_RETRY_AFTER (10: RETRY_AFTER_SECONDS, the production
#      default), LOAD_SECONDS (180, the run),
#      LOAD_SPREAD (60: seconds over which the kapolsek press "send"), LOAD_DRAIN (120:
#      bounded wait at the end for the outstanding resends), LOAD_WORKERS (2),
#      LOAD_THREADS (8), LOAD_LIMIT (4: MAX_CONCURRENT_REQUESTS), LOAD_BACKLOG (64).
# Loopback only; bounded by --run-time + LOAD_DRAIN. Prints locust's summary, the SQL
# check and the figures (JSON), with the machine's load average. Writes a run's JSON
# to $LOAD_OUT when set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PAMILU_SCRIPT=load
# shellcheck source=scripts/_lib.sh
. scripts/_lib.sh
ensure_venv
command -v redis-server >/dev/null || die "redis-server not found (apt-get install -y redis-server)"
PY=.venv/bin/python
USERS=${LOAD_USERS:-500}
CENTERS=${LOAD_CENTERS:-120}
SECONDS_=${LOAD_SECONDS:-180}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pamilu-load.XXXXXX")
chmod 755 "$TMP"
PG_BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
read -r PG_PORT REDIS_PORT WEB_PORT < <($PY -c '
import socket; s=[socket.socket() for _ in range(3)]
[x.bind(("127.0.0.1",0)) for x in s]; print(*[x.getsockname()[1] for x in s])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [ -d "$TMP/pg" ] && as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$TMP" >/dev/null 2>&1 &
PIDS+=($!)
if [ -n "${LOAD_DATABASE_URL:-}" ]; then
    export DATABASE_URL=$LOAD_DATABASE_URL
    DATA="existing database ${DATABASE_URL##*/}"
else
    mkdir -p "$TMP/pg" && { [ "$(id -u)" != 0 ] || chown postgres: "$TMP/pg"; }
    as_pg "$PG_BIN/initdb" -D "$TMP/pg/data" -U postgres -A trust --no-sync >/dev/null
    as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -l "$TMP/pg/log" -w -o \
        "-p $PG_PORT -k $TMP/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres pamilu
    export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/pamilu
    DATA="the demo (load_demo) plus generated Polsek"
fi
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export DEBUG=false SECRET_KEY=load-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz
export AUDIT_SEAL_KEY=load-test-seal-key ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
export SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export MAX_CONCURRENT_REQUESTS=${LOAD_LIMIT:-4} RETRY_AFTER_SECONDS=${LOAD_RETRY_AFTER:-10}
export WEB_BIND=127.0.0.1:$WEB_PORT WEB_WORKERS=${LOAD_WORKERS:-2} WEB_THREADS=${LOAD_THREADS:-8}
export WEB_BACKLOG=${LOAD_BACKLOG:-64}
export PAMILU_VAR_DIR=$TMP/var LOAD_PLAN=$TMP/plan.json LOAD_RESULT=$TMP/result.json
export LOAD_CENTERS=$CENTERS
log "data: $DATA; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY manage.py migrate -v0
[ -n "${LOAD_DATABASE_URL:-}" ] || $PY manage.py load_demo --allow-production >/dev/null
$PY manage.py collectstatic --noinput -v0
$PY bench/load_setup.py "$LOAD_PLAN" "$USERS"
.venv/bin/gunicorn -c gunicorn.conf.py --log-level warning &
PIDS+=($!)
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$WEB_PORT/health/" >/dev/null && break; sleep 0.2; done
log "gunicorn: $WEB_WORKERS gthread workers x $WEB_THREADS threads, limit $MAX_CONCURRENT_REQUESTS, backlog $WEB_BACKLOG"
log "locust: $USERS kapolsek + $CENTERS command centers for ${SECONDS_}s (+ up to ${LOAD_DRAIN:-120}s for resends)"
.venv/bin/locust -f bench/locustfile_load.py --headless --host "http://127.0.0.1:$WEB_PORT" \
    -u "$((USERS + CENTERS))" -r 50 --run-time "${SECONDS_}s" --stop-timeout "${LOAD_DRAIN:-120}" \
    --only-summary --exit-code-on-error 0 2>&1 | tail -n 30
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
$PY bench/load_check.py "$LOAD_PLAN" "$LOAD_RESULT" | tee "$TMP/check.txt" || rc=$?
[ -z "${LOAD_OUT:-}" ] || cp "$TMP/check.txt" "$LOAD_OUT"
exit "$rc"
