#!/usr/bin/env bash
# Usage: scripts/lint-spec.sh [SPEC]   (default: <repo>/spec/openapi.yaml)
# Runs Spectral (ruleset spec/.spectral.yaml) and openapi-spec-validator on SPEC.
# Exits non-zero if either tool reports an error; Spectral warnings are shown but do not fail,
# unless SPECTRAL_FAIL_SEVERITY is set lower (warn, info or hint), as the project's tests do.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SPEC="${1:-$ROOT/spec/openapi.yaml}"
RULESET="$ROOT/spec/.spectral.yaml"

if [ ! -f "$SPEC" ]; then
  echo "lint-spec: no such file: $SPEC" >&2
  exit 2
fi

"$ROOT/scripts/install-spec-tools.sh"

SPECTRAL="$ROOT/.tools/node/node_modules/.bin/spectral"
OSV="$ROOT/.tools/spec-venv/bin/openapi-spec-validator"

osv_version="$("$ROOT/.tools/spec-venv/bin/python" -c \
  'from importlib.metadata import version; print(version("openapi-spec-validator"))')"
echo "spectral $("$SPECTRAL" --version)"
echo "openapi-spec-validator $osv_version"
echo

status=0

FAIL_SEVERITY="${SPECTRAL_FAIL_SEVERITY:-error}"
echo "== spectral lint --ruleset spec/.spectral.yaml --fail-severity $FAIL_SEVERITY $SPEC"
"$SPECTRAL" lint --ruleset "$RULESET" --fail-severity "$FAIL_SEVERITY" "$SPEC" || status=1

echo "== openapi-spec-validator $SPEC"
"$OSV" "$SPEC" || status=1

exit "$status"
