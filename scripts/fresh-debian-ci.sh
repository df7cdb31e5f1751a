#!/usr/bin/env bash
# Runs CI (.ci/run) the way a fresh Debian 12 machine would: in a minimal
# Debian 12 root made with debootstrap, on a clean clone of this repository's
# HEAD, so that a dependency installed by hand on this machine but missing
# from scripts/setup.sh fails here instead of in CI. Needs root and network
# access to deb.debian.org; takes 20-25 minutes on 2 cores.
#
#   scripts/fresh-debian-ci.sh [ROOT_DIR=/var/tmp/custody-fresh-root]
#
# ROOT_DIR is made once and reused (its packages then stay installed: delete
# it to start from nothing again). The clone inside it is always fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/var/tmp/custody-fresh-root}
[ "$(id -u)" -eq 0 ] || { echo "fresh-debian-ci: run as root (debootstrap, chroot, mounts)" >&2; exit 2; }

if [ ! -x "$root/bin/bash" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"

mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -R "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
for fs in proc sys dev; do
  if ! mountpoint -q "$root/$fs"; then
    if [ "$fs" = dev ]; then mount --rbind /dev "$root/dev"; else mount --bind "/$fs" "$root/$fs"; fi
    mounted+=("$root/$fs")
  fi
done

rm -rf "$root/ci/custody"
mkdir -p "$root/ci"
git clone -q "$PWD" "$root/ci/custody"
echo "fresh-debian-ci: $(git -C "$root/ci/custody" log --oneline -1) in $root" >&2
start=$(date +%s)
status=0
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /bin/bash -c 'cd /ci/custody && .ci/run' || status=$?
echo "fresh-debian-ci: .ci/run exited $status after $(( $(date +%s) - start )) s" >&2
exit "$status"
