#!/usr/bin/env bash
# The README's test command: installs dependencies, builds (Release with
# assertions, -Wall -Wextra -Werror) and runs every ctest suite.
#   scripts/test.sh              # normal build in build/
#   CUSTODY_SANITIZE=1 scripts/test.sh   # ASan+UBSan build in build-asan/
#   CUSTODY_SANITIZE=thread scripts/test.sh   # ThreadSanitizer build in build-tsan/,
#                                        # the threaded areas' tests
#   CUSTODY_TEST_REGEX='^package\.' scripts/test.sh   # tests whose names match
#   CUSTODY_TEST_LABELS=unit scripts/test.sh   # only one label
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if [ "${CUSTODY_SANITIZE:-0}" = 1 ]; then
  build_dir=build-asan
  extra=(-DCUSTODY_SANITIZE=ON -DCUSTODY_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
elif [ "${CUSTODY_SANITIZE:-0}" = thread ]; then
  # The areas that run threads (the age STREAM workers, package reading and
  # extraction, the wipe pipeline, ledger verification), including their CLI
  # tests, whose custody binary is instrumented too.
  build_dir=build-tsan
  extra=(-DCUSTODY_TSAN=ON -DCUSTODY_BUILD_BENCH=OFF)
  export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
  CUSTODY_TEST_REGEX=${CUSTODY_TEST_REGEX:-'^(crypto|package|erase|ledger)\.'}
else
  build_dir=build
  extra=()
fi
scripts/build.sh "$build_dir" "${extra[@]}"

args=(--test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 600)
if [ -n "${CUSTODY_TEST_LABELS:-}" ]; then
  args+=(-L "$CUSTODY_TEST_LABELS")
fi
if [ -n "${CUSTODY_TEST_REGEX:-}" ]; then
  args+=(-R "$CUSTODY_TEST_REGEX")
fi
ctest "${args[@]}"
