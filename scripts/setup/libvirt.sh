#!/usr/bin/env bash
# What the libvirt driver's tests need: libvirtd with the QEMU driver (TCG), QEMU, qemu-img,
# and the tools that build guest images (debootstrap, mkfs.ext4 -d). No -system packages: they
# would try to start libvirtd through init; the tests start `libvirtd -d` themselves.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pkg-config libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
  qemu-system-x86 qemu-utils debootstrap e2fsprogs cpio busybox-static openssh-client tini
# libvirtd without systemd: its directories, and QEMU run as root (there is no libvirt-qemu user).
mkdir -p /var/log/libvirt /var/run/libvirt /var/lib/libvirt/qemu /var/lib/pcloud/images
# libvirtd resolves its compiled-in default user before reading qemu.conf, so it must exist.
getent passwd libvirt-qemu >/dev/null ||
  useradd --system --user-group --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
# (Debian ships no qemu.conf with the driver package alone; the compiled-in user is libvirt-qemu.)
conf=/etc/libvirt/qemu.conf
if ! grep -qs '^user = "root"' "$conf"; then
  printf '\n# pcloud: no libvirt-qemu user on this machine\nuser = "root"\ngroup = "root"\n' >>"$conf"
fi
# The tiny kernel + busybox guest the lifecycle tests boot.
bash "$(dirname "$0")/../build-tiny-guest.sh"
