#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/README.md) with clang in build-fuzz/ and
# runs each for SECONDS (default 60), one fuzzer process at a time.
#   scripts/fuzz.sh                  # every target, 60 s each
#   scripts/fuzz.sh 300 ledger       # one target, 5 minutes
#   JOBS=1 NICE=19 scripts/fuzz.sh   # gentler on a shared machine
# The working corpus grows in build-fuzz/corpus/<target>/ (seeded from the
# committed tests/data/fuzz/<target>/), crashers land in
# build-fuzz/artifacts/<target>/. Copy a new crasher, minimized
# (./build-fuzz/fuzz/<target>_fuzzer -minimize_crash=1 -runs=10000 CRASH), into
# tests/data/fuzz/<target>/ with the fix, so the normal build's
# tests/fuzz/fuzz_corpus_test.cc keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(age_decrypt age_encodings manifest package_tar ledger documents)
fi
build_dir=build-fuzz

if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ is needed (apt-get install clang); libFuzzer is part of it" >&2
  exit 2
fi
CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DCUSTODY_FUZZ=ON \
  -DCUSTODY_BUILD_TESTS=OFF -DCUSTODY_BUILD_BENCH=OFF -DCUSTODY_WERROR=OFF >/dev/null
cmake --build "$build_dir" -j"${JOBS:-2}" --target "${targets[@]/%/_fuzzer}"

# The longest input each target is given: enough for a header and a few
# stanzas, a tar of several members, a manifest of some files.
max_len() {
  case "$1" in
    age_decrypt | package_tar) echo 131072 ;;
    manifest | documents) echo 16384 ;;
    *) echo 8192 ;;
  esac
}

# Dictionaries of the formats' tokens, where the input is structured text.
dict_args() {
  case "$1" in
    manifest | documents) echo "-dict=fuzz/json.dict" ;;
    ledger) echo "-dict=fuzz/ledger.dict" ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  echo "== $t: ${seconds}s"
  if ! nice -n "${NICE:-10}" "$build_dir/fuzz/${t}_fuzzer" "$corpus" "tests/data/fuzz/$t" \
      -max_total_time="$seconds" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" $(dict_args "$t") 2>&1 | tee "$build_dir/$t.log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^(==|SUMMARY|stat::)'; then
    :
  fi
  if ls "$artifacts" | grep -q .; then
    echo "fuzz.sh: $t left artifacts in $artifacts" >&2
    status=1
  fi
done
exit $status
