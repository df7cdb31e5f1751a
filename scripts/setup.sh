#!/usr/bin/env bash
# Installs every build and test dependency of custody from Debian 12 with
# apt-get. Idempotent: quiet and quick when everything is already installed.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config
  # Debian package (scripts/package.sh, tests/dist): cpack, dpkg-shlibdeps, objdump, and
  # file(1), which CPack's DEB generator needs (absent from minimal Debian images)
  dpkg-dev binutils file
  # message catalogs (po/ja.po -> custody.mo), checked by tests/cli/i18n
  gettext
  # required libraries
  libcrypto++-dev libarchive-dev libboost-filesystem-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libsqlite3-dev libcli11-dev nlohmann-json3-dev
  # XXH3 digests that check a wipe's read-back
  libxxhash-dev
  # documents (certificates, receipts): cairo + pango, QR codes, fonts
  libcairo2-dev libpango1.0-dev libqrencode-dev fonts-ipaexfont-gothic fonts-ipaexfont-mincho
  # JPEG photo thumbnails on certificates (libjpeg-turbo)
  libjpeg62-turbo-dev
  # LUKS crypto-erase
  libcryptsetup-dev cryptsetup-bin
  # tests: the zlib-compressed C2SP age vectors
  zlib1g-dev
  # tools the tests run for real: interop, devices, documents, the auditor script
  age p7zip-full libarchive-tools python3 python3-cryptography openssl sqlite3
  util-linux e2fsprogs dmsetup poppler-utils zbar-tools expect
  # bench/wipe_bench.cc: the reference overwrite tool users know (ShredOS)
  nwipe
  # QEMU real-kernel NVMe test (tests/purge/nvme_qemu_device_test.cc); the guest kernel is
  # fetched and cached on first use by scripts/qemu-guest-kernel.sh
  qemu-system-x86 busybox-static
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "custody setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
