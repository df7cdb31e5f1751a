#!/usr/bin/env bash
# Runs every benchmark in bench/ with its reference tool in the same run and
# prints the ratios. Usage: scripts/bench.sh [ledger|...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build >/dev/null
which=${1:-all}
work=$(mktemp -d "${CUSTODY_BENCH_DIR:-/var/tmp}/custody-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
if [ "$which" = all ] || [ "$which" = ledger ]; then
  echo "== ledger (issue 2)"
  build/bench/ledger_bench "$work" "${CUSTODY_BENCH_ENTRIES:-1000000}" 300
fi
for extra in bench/*.sh; do
  [ -e "$extra" ] || continue
  name=$(basename "$extra" .sh)
  if [ "$which" = all ] || [ "$which" = "$name" ]; then
    echo "== $name"
    bash "$extra" "$work"
  fi
done
