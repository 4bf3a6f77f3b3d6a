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

# Creates .venv when missing or broken and installs requirements.txt into it,
# skipping the install while requirements.txt (and the venv's Python) are the
# same as at the last successful install.
ensure_venv() {
    [ -f requirements.txt ] || die "requirements.txt not found in $PWD"
    if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        local py
        py=$(find_python) || die "no Python >= 3.11 found (set PYTHON=/path/to/python3.11)"
        log "creating .venv with $py ($("$py" --version 2>&1))"
        rm -rf .venv
        "$py" -m venv .venv || die "'$py -m venv' failed (on Debian: apt-get install python3-venv)"
    fi
    local stamp=.venv/.pamilu-requirements.sha256 want
    want=$({
        sha256sum requirements.txt
        .venv/bin/python -VV
    } | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "installing requirements.txt into .venv (quiet; takes a while the first time)"
        rm -f "$stamp"
        # (pip's "Location 'file:///...' is ignored" warnings about this
        # machine's extra local indexes are harmless noise: filtered out)
        # (callers set pipefail, so a pip failure fails the pipeline)
        local rc=0
        .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 |
            { grep -v "^WARNING: Location 'file:.*' is ignored" || true; } || rc=$?
        [ "$rc" = 0 ] || die "pip install -r requirements.txt failed"
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
