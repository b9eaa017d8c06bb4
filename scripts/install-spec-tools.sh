#!/usr/bin/env bash
# Installs the spec linters into <repo>/.tools (git-ignored):
#   .tools/node  - Spectral CLI (npm)
#   .tools/spec-venv - openapi-spec-validator (PyPI)
# Idempotent: does nothing (and prints nothing) when the pinned versions are present.
set -euo pipefail

SPECTRAL_VERSION="6.16.3"
OSV_VERSION="0.9.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_PREFIX="$TOOLS/node"
VENV="$TOOLS/spec-venv"

# --- Spectral --------------------------------------------------------------
spectral_pkg="$NODE_PREFIX/node_modules/@stoplight/spectral-cli/package.json"
if ! { [ -x "$NODE_PREFIX/node_modules/.bin/spectral" ] &&
       grep -q "\"version\": \"$SPECTRAL_VERSION\"" "$spectral_pkg" 2>/dev/null; }; then
  echo "install-spec-tools: installing @stoplight/spectral-cli@$SPECTRAL_VERSION into .tools/node" >&2
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --save-exact \
    --omit=dev --loglevel=error "@stoplight/spectral-cli@$SPECTRAL_VERSION" >&2
fi

# --- openapi-spec-validator -------------------------------------------------
if ! { [ -x "$VENV/bin/openapi-spec-validator" ] &&
       "$VENV/bin/python" -c 'import sys' 2>/dev/null &&
       compgen -G "$VENV/lib/python3*/site-packages/openapi_spec_validator-$OSV_VERSION.dist-info" >/dev/null; }; then
  echo "install-spec-tools: installing openapi-spec-validator==$OSV_VERSION into .tools/spec-venv" >&2
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
    "openapi-spec-validator==$OSV_VERSION" >&2
fi
