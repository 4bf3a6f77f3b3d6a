# shellcheck shell=bash
# Shared helpers for scripts/run and scripts/test. Sourced, never run; the
# caller has already changed to the repository root.

log() { printf '[%s] %s\n' "${PAMILU_SCRIPT:-pamilu}" "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# Prints the first Python >= 3.11 found ($PYTHON, python3.11, python3).
find_python() {
    local c
    for c in "${PYTHON:-}" python3.11 python3; do
        if [ -z "$c" ] || ! command -v "$c" >/dev/null 2>&1; then continue; fi
        if "$c" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

# Creates .venv when missing or broken and installs requirements.lock (every package
# pinned with its hashes, pip --require-hashes) into it, skipping the install while the
# lock (and the venv's Python) are the same as at the last successful install.
# requirements.txt is the human-edited input; update the lock with scripts/lock.
ensure_venv() {
    [ -f requirements.lock ] || die "requirements.lock not found in $PWD (scripts/lock makes it)"
    if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        local py
        py=$(find_python) || die "no Python >= 3.11 found (set PYTHON=/path/to/python3.11)"
        log "creating .venv with $py ($("$py" --version 2>&1))"
        rm -rf .venv
        "$py" -m venv .venv || die "'$py -m venv' failed (on Debian: apt-get install python3-venv)"
    fi
    # A requirement added to requirements.txt but not locked yet is an error, not a skip.
    .venv/bin/python - <<'PY' || die "requirements.lock is out of date: run scripts/lock"
import re, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
locked = {norm(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9._-]+)==", open("requirements.lock").read(), re.M)}
wanted = [norm(re.split(r"[\s\[<>=!~;]", line.strip())[0]) for line in open("requirements.txt")
          if line.strip() and not line.lstrip().startswith("#")]
missing = [n for n in wanted if n not in locked]
if missing:
    print("not in requirements.lock:", ", ".join(missing), file=sys.stderr)
    sys.exit(1)
PY
    local stamp=.venv/.pamilu-requirements.sha256 want
    want=$({
        sha256sum requirements.lock
        .venv/bin/python -VV
    } | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "installing requirements.lock into .venv (hash-checked; takes a while the first time)"
        rm -f "$stamp"
        # (pip's "Location 'file:///...' is ignored" warnings about this
        # machine's extra local indexes are harmless noise: filtered out)
        # (callers set pipefail, so a pip failure fails the pipeline)
        local rc=0
        .venv/bin/python -m pip install -q --disable-pip-version-check --require-hashes \
            -r requirements.lock 2>&1 |
            { grep -v "^WARNING: Location 'file:.*' is ignored" || true; } || rc=$?
        [ "$rc" = 0 ] || die "pip install --require-hashes -r requirements.lock failed"
        echo "$want" >"$stamp"
    fi
}

# Prints N free TCP ports on 127.0.0.1, one a line (all bound at once, so distinct).
free_ports() {
    "${PYTHON_FOR_PORTS:-python3}" - "${1:-1}" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
EOF
}

# Succeeds when nothing listens on 127.0.0.1:PORT.
port_is_free() {
    "${PYTHON_FOR_PORTS:-python3}" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}
