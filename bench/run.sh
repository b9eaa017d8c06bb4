#!/usr/bin/env bash
# Benchmarks side by side: ssp-conformance vs Schemathesis, ssp-sandbox vs Prism, both vs wrk.
#
#   bench/run.sh           full run (5 alternating rounds, clean build timing): writes
#                          bench/RESULTS.md, bench/results.json, bench/requests-per-second.png
#   bench/run.sh --quick   one short round, no clean build (a minute or two): writes the
#                          same files with a -quick suffix (git-ignored)
#   bench/run.sh --only 2  only experiment 2 (repeatable; 1-5 as in bench.py), figures
#                          printed as JSON, no files written
#
# Installs its peers into bench/.peers (git-ignored) and builds release binaries first.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE/.."
bash "$HERE/install-peers.sh"
cargo build --release --locked -p smartservice-sandbox -p smartservice-conformance
exec "$HERE/.peers/venv/bin/python" "$HERE/bench.py" "$@"
