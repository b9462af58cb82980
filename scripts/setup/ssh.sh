#!/usr/bin/env bash
# What the ssh monitor's tests need: a real OpenSSH server and client (the tests start their own
# sshd on 127.0.0.1 or in network namespaces), the Debian resource agents (ocf:heartbeat:Dummy),
# iproute2 for `ip netns`, and libssh2's headers for the CLibssh2 target.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install openssh-server openssh-client resource-agents iproute2 libssh2-1-dev
