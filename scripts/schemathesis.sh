#!/usr/bin/env bash
# Usage: scripts/schemathesis.sh [SPEC] [extra `st run` options]
#
# Runs Schemathesis (PyPI, pinned below) against a freshly started sandbox with
# SPEC (default spec/openapi.yaml; spec/sandbox.yaml tests the citizen side): all
# phases, all checks, valid keys. The sandbox calls only webhooks on this machine
# (--loopback-webhooks-only). Reports (JUnit, NDJSON) go to target/schemathesis/.
# SSP_SANDBOX_BIN names an already built ssp-sandbox (else it is built here).
# Exit code: Schemathesis' (0: no failure).
set -euo pipefail

ST_VERSION="4.32.5"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/schemathesis"
OUT="$ROOT/target/schemathesis"
SPEC="$ROOT/spec/openapi.yaml"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  SPEC="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
  shift
fi
mkdir -p "$OUT"

# --- Schemathesis ------------------------------------------------------------
if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  echo "schemathesis.sh: installing schemathesis==$ST_VERSION into .tools/schemathesis" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
    "schemathesis==$ST_VERSION" >&2
fi

# --- The sandbox ---------------------------------------------------------------
if [ -n "${SSP_SANDBOX_BIN:-}" ]; then
  BIN="$SSP_SANDBOX_BIN"
else
  (cd "$ROOT" && cargo build --quiet -p smartservice-sandbox --bin ssp-sandbox)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ssp-sandbox"
fi
PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
KEY="st_$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(16))')"
"$BIN" --listen "127.0.0.1:$PORT" --subscription-key "$KEY" --loopback-webhooks-only \
  --max-attempts 2 --initial-backoff-ms 100 --webhook-timeout-ms 1000 \
  >"$OUT/sandbox.out" 2>"$OUT/sandbox.log" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "API:" "$OUT/sandbox.out" 2>/dev/null && break
  kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$OUT/sandbox.log" >&2; exit 2; }
  sleep 0.1
done

export SSP_BASE_URL="http://127.0.0.1:$PORT"
export SSP_SUBSCRIPTION_KEY="$KEY"
export SCHEMATHESIS_HOOKS="hooks"
export PYTHONPATH="$ROOT/scripts/schemathesis${PYTHONPATH:+:$PYTHONPATH}"

# Schemathesis keeps its example database and crash files in the working directory.
cd "$OUT"
set -x
"$VENV/bin/st" --config-file "$ROOT/scripts/schemathesis/schemathesis.toml" run "$SPEC" \
  --url "$SSP_BASE_URL" \
  --phases examples,coverage,fuzzing,stateful \
  --checks all \
  --report junit,ndjson --report-dir "$OUT" \
  "$@"
