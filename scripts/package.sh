#!/usr/bin/env bash
# Builds the Debian package: build/custody_<version>_<arch>.deb. The binary,
# its manual page and bash completion (generated from the command table), the
# auditor kit and the docs. Usage: scripts/package.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
scripts/setup.sh
scripts/build.sh "$build_dir" >/dev/null
(cd "$build_dir" && cpack -G DEB >/dev/null)
deb=$(ls -t "$build_dir"/custody_*.deb | head -1)
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
echo "package: $deb"
