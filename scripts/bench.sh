#!/usr/bin/env bash
# Runs every benchmark in bench/ with its reference tool in the same run and
# prints the ratios. Usage: scripts/bench.sh [ledger|...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build >/dev/null
which=${1:-all}

work=$(mktemp -d "${CUSTODY_BENCH_DIR:-/var/tmp}/custody-bench-XXXXXX")
restore_order=
trap 'rm -rf "$work"; [ -z "$restore_order" ] || echo "$restore_order" > "$order"' EXIT

# Virtual machines with free page reporting (virtio-balloon) hand memory the
# guest frees back to the host; the next touch of it pays a host-side fault.
# Every benchmark here writes gigabytes into tmpfs and deletes them, so on
# such a VM both custody's and the reference's times swing 2-3x from run to
# run (seen: 1 GiB `tar | age` from 1.2 to 4.7 s). CUSTODY_BENCH_HOLD_MEMORY=1
# (root) stops reporting for the run, touches 8 GiB (at most half the
# available memory) once so the guest holds backed memory, and restores the
# setting at exit.
order=/sys/module/page_reporting/parameters/page_reporting_order
if [ -w "$order" ] && [ "${CUSTODY_BENCH_HOLD_MEMORY:-0}" = 1 ]; then
  restore_order=$(cat "$order")
  echo 11 > "$order"  # Above the largest buddy order: nothing is reported.
  prefault=/dev/shm/custody-bench-prefault
  # At most half of the memory available now: filling tmpfs further could
  # push a smaller machine into reclaim or the OOM killer.
  half_mib=$(awk '/^MemAvailable:/ {print int($2 / 2048)}' /proc/meminfo)
  mib=${CUSTODY_BENCH_PREFAULT_MIB:-8192}
  [ "$mib" -le "$half_mib" ] || mib=$half_mib
  dd if=/dev/zero of="$prefault" bs=1M count="$mib" status=none || true
  rm -f "$prefault"
  echo "bench: free page reporting paused for this run (page_reporting_order $restore_order -> 11)"
elif [ -e "$order" ] && [ "$(cat "$order")" -le 10 ]; then
  echo "bench: warning: this VM reports freed memory to its host; timings of anything that" \
       "allocates vary 2-3x. For stable numbers run as root with CUSTODY_BENCH_HOLD_MEMORY=1." >&2
fi
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
