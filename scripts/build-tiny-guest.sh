#!/usr/bin/env bash
# The smallest guest that proves a real QEMU lifecycle: Debian's kernel and a busybox initramfs
# whose /init says it is up and then waits forever. Boots in seconds under TCG (no disk, no
# network). Output: DIR/tiny.vmlinuz and DIR/tiny.initrd (DIR defaults to /var/lib/pcloud/images,
# where the libvirt driver looks for images by name). Cached: reruns are free.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
out=${1:-/var/lib/pcloud/images}
[ -s "$out/tiny.vmlinuz" ] && [ -s "$out/tiny.initrd" ] && exit 0
need_root
command -v busybox >/dev/null || die "busybox-static is missing: run scripts/setup/libvirt.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$kernel" ] || [ ! -r "$kernel" ]; then
  say "fetching Debian's kernel package"
  pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
  (cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || die "could not download $pkg"
  dpkg-deb --fsys-tarfile "$work"/"$pkg"_*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
  kernel=$(ls "$work"/boot/vmlinuz-* | head -1)
fi
cp "$kernel" "$out/tiny.vmlinuz.tmp"
say "building the busybox initramfs"
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$(command -v busybox)" "$root/bin/busybox"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
echo "pcloud-tiny-guest up: $(/bin/busybox cat /proc/uptime)"
while :; do /bin/busybox sleep 3600; done
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/tiny.initrd.tmp"
mv "$out/tiny.vmlinuz.tmp" "$out/tiny.vmlinuz"
mv "$out/tiny.initrd.tmp" "$out/tiny.initrd"
say "tiny guest ready in $out"
