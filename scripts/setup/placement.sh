#!/usr/bin/env bash
# What the placement comparison tests need: Pacemaker's own scheduler, crm_simulate, which places
# the CIB equivalent of a deployable's clone so pcloud's placement can be checked against it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pacemaker-cli-utils
