#!/usr/bin/env bash
# Builds pcloud's base guest image ("jeos"): Debian 12 minbase + systemd + openssh-server + a
# kernel and initramfs + resource-agents + pcloud-agent (for the agent monitor method), as a raw
# ext4 root file system with the kernel and initrd beside it, so QEMU boots it directly
# (root=/dev/vda console=ttyS0), no boot loader.
#
#   scripts/build-image.sh [NAME [DIR]]      NAME defaults to debian12, DIR to /var/lib/pcloud/images
#
# Output: DIR/NAME.img, DIR/NAME.vmlinuz, DIR/NAME.initrd. Cached: an existing image is kept
# (delete it, or set PCLOUD_IMAGE_REBUILD=1, to build again). Per-guest files (ssh host key,
# authorized key, hostname, and agent.json for guests watched by the agent) are not in the image:
# the libvirt driver puts them on a small seed disk (vdb, label pcloud-seed) that
# pcloud-seed.service copies into place before sshd and pcloud-agent start.
#
# pcloud-agent is built from this checkout with scripts/build-agent.sh (Swift runtime linked
# statically) when the image is (re)built; PCLOUD_AGENT_BINARY=PATH uses a binary built before.
# The image is built again when the agent's sources change.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
name=${1:-debian12}
out=${2:-/var/lib/pcloud/images}
case "$name" in debian12) suite=bookworm ;; *) die "unknown image $name (known: debian12)" ;; esac
# What goes into the image; an image built from another list is built again.
# libqpid-proton11, libicu72 and libxml2: what the statically linked pcloud-agent still loads.
packages=systemd-sysv,udev,openssh-server,linux-image-amd64,resource-agents,iproute2,procps,netbase,busybox,libqpid-proton11,libicu72,libxml2
repo=$(cd "$(dirname "$0")/.." && pwd)
agent_sources=(Package.swift Sources/pcloud-agent Sources/PCloudAMQP Sources/PCloudModel Sources/CQpidProton systemd/pcloud-agent.service)
if [ -n "${PCLOUD_AGENT_BINARY:-}" ]; then
  [ -x "$PCLOUD_AGENT_BINARY" ] || die "PCLOUD_AGENT_BINARY=$PCLOUD_AGENT_BINARY is not an executable"
  agent="binary $(sha256sum <"$PCLOUD_AGENT_BINARY" | cut -c1-16)"
elif [ -d "$repo/Sources/pcloud-agent" ]; then
  agent="sources $(cd "$repo" && find "${agent_sources[@]}" -type f | sort | xargs sha256sum | sha256sum | cut -c1-16)"
else
  agent="none"
fi
recipe="$name: $packages; pcloud-agent: $agent"
if [ -s "$out/$name.img" ] && [ -s "$out/$name.vmlinuz" ] && [ -s "$out/$name.initrd" ] && [ -z "${PCLOUD_IMAGE_REBUILD:-}" ] &&
  [ "$(cat "$out/$name.recipe" 2>/dev/null)" = "$recipe" ]; then
  say "$name is already built in $out"
  exit 0
fi
need_root
for tool in debootstrap mkfs.ext4; do command -v $tool >/dev/null || die "$tool is missing: run scripts/setup/libvirt.sh"; done
mirror=${PCLOUD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d /var/tmp/pcloud-image-XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/root"
start=$(date +%s)
step() { say "[$(($(date +%s) - start))s] $*"; }

if [ "$agent" = none ]; then
  say "warning: no pcloud-agent sources beside this script and no PCLOUD_AGENT_BINARY: the image will not have the agent (guests can be watched over ssh only)"
elif [ -z "${PCLOUD_AGENT_BINARY:-}" ]; then
  step "0/4 building pcloud-agent (release, Swift runtime linked statically)"
  bash "$repo/scripts/build-agent.sh" "$work/pcloud-agent" >"$work/agent-build.log" 2>&1 ||
    { tail -30 "$work/agent-build.log"; die "building pcloud-agent failed (above)"; }
  tail -1 "$work/agent-build.log"
fi

step "1/4 debootstrap $suite minbase + openssh-server + kernel + resource-agents (about 2 minutes)"
debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" 2>&1 |
  awk '/^I: (Retrieving|Validating|Unpacking|Configuring)/ { n++; if (n % 25 == 0) { printf "    %d steps: %s\n", n, $0; fflush() } } /^[EW]:/ { print; fflush() }'
[ -x "$root/usr/sbin/sshd" ] || die "debootstrap did not install openssh-server (see above)"

step "2/4 configuring: network (DHCP), sshd keys from the seed disk, serial console"
echo "$name" >"$root/etc/hostname"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,relatime 0 1\n' >"$root/etc/fstab"
mkdir -p "$root/etc/systemd/network" "$root/etc/ssh/sshd_config.d" "$root/usr/local/sbin"
printf '[Match]\nName=eth* en*\n\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/80-pcloud-dhcp.network"
# No image-wide host keys: every guest gets its own from its seed disk.
rm -f "$root"/etc/ssh/ssh_host_*
printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nUseDNS no\n' >"$root/etc/ssh/sshd_config.d/pcloud.conf"
cat >"$root/usr/local/sbin/pcloud-seed" <<'SEED'
#!/bin/sh
# Copies the per-guest files from the seed disk (vdb) into place; made by pcloud's libvirt driver.
set -e
for i in $(seq 1 50); do [ -b /dev/vdb ] && break; sleep 0.1; done
if [ -b /dev/vdb ]; then
  mkdir -p /run/pcloud-seed
  mount -o ro /dev/vdb /run/pcloud-seed
  install -m 600 /run/pcloud-seed/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key
  install -m 644 /run/pcloud-seed/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ed25519_key.pub
  install -d -m 700 /root/.ssh
  install -m 600 /run/pcloud-seed/authorized_keys /root/.ssh/authorized_keys
  [ -s /run/pcloud-seed/hostname ] && hostname "$(cat /run/pcloud-seed/hostname)"
  # The agent method: the broker and the deployable's credentials (the agent watches what the controller starts).
  if [ -s /run/pcloud-seed/agent.json ]; then
    install -d -m 700 /etc/pcloud
    install -m 600 /run/pcloud-seed/agent.json /etc/pcloud/agent.json
    if [ -s /run/pcloud-seed/broker-ca.pem ]; then install -m 644 /run/pcloud-seed/broker-ca.pem /etc/pcloud/broker-ca.pem; fi
  else
    rm -f /etc/pcloud/agent.json
  fi
  umount /run/pcloud-seed
fi
[ -s /etc/ssh/ssh_host_ed25519_key ] || ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
echo "pcloud-seed: done"
SEED
chmod 755 "$root/usr/local/sbin/pcloud-seed"
cat >"$root/etc/systemd/system/pcloud-seed.service" <<'UNIT'
[Unit]
Description=pcloud per-guest files (ssh host key, authorized key, hostname, agent.json)
Before=ssh.service pcloud-agent.service
After=local-fs.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/pcloud-seed
RemainAfterExit=yes
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
if [ "$agent" != none ]; then
  install -m 755 "${PCLOUD_AGENT_BINARY:-$work/pcloud-agent}" "$root/usr/local/bin/pcloud-agent"
  install -m 644 "$repo/systemd/pcloud-agent.service" "$root/etc/systemd/system/pcloud-agent.service"
  # It must load in the image (every library it needs is there): then it refuses the missing file,
  # or, since the chroot has no /proc to read its arguments from, prints its usage.
  check=$(chroot "$root" /usr/local/bin/pcloud-agent --config /nonexistent 2>&1 || true)
  case "$check" in *"bad configuration"* | *"usage: pcloud-agent"*) ;; *) die "pcloud-agent does not run in the image: $check" ;; esac
  chroot "$root" systemctl enable pcloud-agent.service >/dev/null 2>&1
fi
chroot "$root" systemctl enable pcloud-seed.service systemd-networkd.service ssh.service >/dev/null 2>&1
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_reap.service >/dev/null 2>&1 || true
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin

step "3/4 extracting the kernel and initrd"
cp "$(ls "$root"/boot/vmlinuz-* | sort -V | tail -1)" "$work/$name.vmlinuz"
cp "$(ls "$root"/boot/initrd.img-* | sort -V | tail -1)" "$work/$name.initrd"

step "4/4 making the raw ext4 image (mkfs.ext4 -d)"
size=${PCLOUD_IMAGE_SIZE:-2G}
mkfs.ext4 -q -F -L pcloud-root -d "$root" "$work/$name.img" "$size"
mkdir -p "$out"
for file in img vmlinuz initrd; do mv "$work/$name.$file" "$out/$name.$file"; done
echo "$recipe" >"$out/$name.recipe"
step "built $out/$name.img ($size), $name.vmlinuz, $name.initrd"
