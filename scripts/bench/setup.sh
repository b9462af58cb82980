#!/usr/bin/env bash
# What the benchmarks compare against or run: Pacemaker's scheduler (crm_simulate) and python3 for
# scripts/bench/cib_gen.py (`pcloud-bench policy`; it skips Pacemaker without them), and OpenSSH's
# server and client with iproute2 for `pcloud-bench ssh` (sshd guests in network namespaces, forking
# `ssh` and ControlMaster as references). Not needed by the test suite.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pacemaker-cli-utils python3 openssh-server openssh-client iproute2
