#!/usr/bin/env bash
# Installs the peers the benchmarks compare against into bench/.peers (git-ignored):
#   .peers/venv  Schemathesis (PyPI) and matplotlib (for the plot)
#   .peers/node  Prism CLI (npm)
# and wrk from Debian when it is missing. Idempotent and quiet when all is there.
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
MATPLOTLIB_VERSION="3.10.8"
PRISM_VERSION="5.16.0"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PEERS="$HERE/.peers"
mkdir -p "$PEERS"

if ! "$PEERS/venv/bin/python" -c "import importlib.metadata as m, sys; \
sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION' or m.version('matplotlib') != '$MATPLOTLIB_VERSION')" 2>/dev/null; then
  echo "install-peers: installing schemathesis==$SCHEMATHESIS_VERSION and matplotlib==$MATPLOTLIB_VERSION into bench/.peers/venv" >&2
  rm -rf "$PEERS/venv"
  python3 -m venv "$PEERS/venv"
  "$PEERS/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
    "schemathesis==$SCHEMATHESIS_VERSION" "matplotlib==$MATPLOTLIB_VERSION" >&2
fi

if ! grep -qs "\"version\": \"$PRISM_VERSION\"" "$PEERS/node/node_modules/@stoplight/prism-cli/package.json"; then
  echo "install-peers: installing @stoplight/prism-cli@$PRISM_VERSION into bench/.peers/node" >&2
  mkdir -p "$PEERS/node"
  npm install --prefix "$PEERS/node" --no-audit --no-fund --save-exact --omit=dev --loglevel=error \
    "@stoplight/prism-cli@$PRISM_VERSION" >&2
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "install-peers: installing wrk (Debian)" >&2
  if ! apt-get install -y wrk >/dev/null 2>&1; then
    apt-get update >/dev/null && apt-get install -y wrk >/dev/null
  fi
fi
