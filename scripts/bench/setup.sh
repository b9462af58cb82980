#!/usr/bin/env bash
# What `pcloud-bench policy` compares against: Pacemaker's scheduler (crm_simulate) and python3 for
# scripts/bench/cib_gen.py. Not needed by the test suite; the benchmark skips Pacemaker without it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pacemaker-cli-utils python3
