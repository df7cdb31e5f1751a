#!/usr/bin/env bash
# Prints the path of a Linux kernel for custody's QEMU device tests, fetching
# it once: Debian's linux-image-cloud-amd64 (NVMe and the 8250 serial port
# built in, no modules needed). The metapackage names the versioned package;
# only that .deb is downloaded (apt-get download, no install, no root) and its
# vmlinuz cached in ${CUSTODY_CACHE:-$HOME/.cache/custody}/kernel/<package>/,
# with the few modules an ATA disk on QEMU's PIIX IDE needs (SCSI and libata
# are modules in this flavour) in modules/, to be insmod-ed in that order.
# Exit status 1 with a reason on stderr when it cannot be had (offline).
set -euo pipefail
cache=${CUSTODY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/custody}/kernel
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
      awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
if [ -z "$pkg" ]; then
  # No package lists: fall back to whatever was cached before.
  found=$(ls -1 "$cache"/*/vmlinuz 2>/dev/null | tail -n 1 || true)
  [ -n "$found" ] && { echo "$found"; exit 0; }
  echo "qemu-guest-kernel: cannot resolve linux-image-cloud-amd64 (apt-get update?)" >&2
  exit 1
fi
dir="$cache/$pkg"
modules="scsi_common scsi_mod libata ata_piix sd_mod"
if [ ! -s "$dir/vmlinuz" ] || [ ! -s "$dir/modules/sd_mod.ko" ]; then
  mkdir -p "$dir"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
    echo "qemu-guest-kernel: apt-get download $pkg failed (offline?)" >&2
    exit 1
  fi
  dpkg-deb --fsys-tarfile "$tmp"/*.deb |
    tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/scsi/*' \
        './lib/modules/*/kernel/drivers/ata/*'
  mkdir -p "$dir/modules"
  for m in $modules; do
    cp "$(find "$tmp/lib/modules" -name "$m.ko" | head -n 1)" "$dir/modules/$m.ko"
  done
  echo "$modules" > "$dir/modules/order"
  cp "$tmp"/boot/vmlinuz-* "$dir/vmlinuz.tmp"
  mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
fi
echo "$dir/vmlinuz"
