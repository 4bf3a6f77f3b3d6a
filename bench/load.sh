#!/usr/bin/env bash
# Load test: 500 kapolsek submit around the deadline while command centers poll the
# dashboard (bench/locustfile_load.py), against gunicorn (gthread) with the per-process
# concurrency limit, then a SQL check that nothing was lost or duplicated.
#
#   bench/load.sh                      # throwaway PostgreSQL + Redis, the demo + 500 Polsek
#   LOAD_DATABASE_URL=postgres://postgres@127.0.0.1:55432/i14load bench/load.sh
#                                      # an existing (national test bed) copy instead
# Env: LOAD_USERS (kapolsek, 500), LOAD_CENTERS (40), LOAD_SECONDS (120),
#      LOAD_WORKERS (2), LOAD_THREADS (32), LOAD_LIMIT (4: MAX_CONCURRENT_REQUESTS).
# Loopback only; bounded by --run-time. Prints locust's summary and the SQL check.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
USERS=${LOAD_USERS:-500}
SECONDS_=${LOAD_SECONDS:-120}
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
    [ -d "$TMP/pg" ] && as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$TMP" >/dev/null 2>&1 &
PIDS+=($!)
if [ -n "${LOAD_DATABASE_URL:-}" ]; then
    export DATABASE_URL=$LOAD_DATABASE_URL
    DATA="existing database $DATABASE_URL"
else
    mkdir -p "$TMP/pg" && [ "$(id -u)" = 0 ] && chown postgres: "$TMP/pg"
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
export MAX_CONCURRENT_REQUESTS=${LOAD_LIMIT:-4} RETRY_AFTER_SECONDS=2
export PAMILU_VAR_DIR=$TMP/var LOAD_PLAN=$TMP/plan.json LOAD_RESULT=$TMP/result.json
echo "[load] data: $DATA" >&2
$PY manage.py migrate -v0
[ -z "${LOAD_DATABASE_URL:-}" ] && $PY manage.py load_demo --allow-production >/dev/null
$PY manage.py collectstatic --noinput -v0
$PY bench/load_setup.py "$LOAD_PLAN" "$USERS"
.venv/bin/gunicorn pamilu.wsgi -b "127.0.0.1:$WEB_PORT" -w "${LOAD_WORKERS:-2}" -k gthread \
    --threads "${LOAD_THREADS:-32}" --backlog 64 --timeout 60 --log-level warning &
PIDS+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$WEB_PORT/health/" >/dev/null && break; sleep 0.2; done
echo "[load] locust: $USERS kapolsek + ${LOAD_CENTERS:-40} command centers for ${SECONDS_}s" >&2
.venv/bin/locust -f bench/locustfile_load.py --headless --host "http://127.0.0.1:$WEB_PORT" \
    -u "$((USERS + ${LOAD_CENTERS:-40}))" -r 50 --run-time "${SECONDS_}s" --stop-timeout 10 \
    --only-summary --exit-code-on-error 0 2>&1 | tail -n 25
$PY bench/load_check.py "$LOAD_PLAN" "$LOAD_RESULT"
