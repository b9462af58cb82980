#!/usr/bin/env bash
# What every pcloud build needs: pkg-config and the C libraries behind the C* targets, SQLite.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pkg-config libsqlite3-dev libssh2-1-dev libvirt-dev libqpid-proton11-dev
# systemd-analyze, to check the unit files (PID 1 need not be systemd).
apt_install systemd
