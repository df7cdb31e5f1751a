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
if [ "$which" = all ] || [ "$which" = package ]; then
  echo "== package (issue 3)"
  build/bench/package_bench "$work" build/custody "${CUSTODY_BENCH_MIB:-1024}" "${CUSTODY_BENCH_FILES:-20000}"
fi
if [ "$which" = all ] || [ "$which" = age ]; then
  echo "== age encryption vs the age binary (issue 3)"
  build/bench/age_bench "${CUSTODY_BENCH_AGE_MIB:-256}"
fi
# Other benchmarks: bench/<name>_bench runs as `<binary> WORKDIR`.
for bin in build/bench/*_bench; do
  name=$(basename "$bin" _bench)
  case $name in ledger|age|package) continue ;; esac
  if [ "$which" = all ] || [ "$which" = "$name" ]; then
    echo "== $name"
    "$bin" "$work"
  fi
done
for extra in bench/*.sh; do
  [ -e "$extra" ] || continue
  name=$(basename "$extra" .sh)
  if [ "$which" = all ] || [ "$which" = "$name" ]; then
    echo "== $name"
    bash "$extra" "$work"
  fi
done
