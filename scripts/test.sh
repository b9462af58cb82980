#!/usr/bin/env bash
# Installs everything the test suite needs (packages, broker, sshd, libvirtd, the Nova harness) and
# runs the whole suite. Tests start and stop the daemons they need themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_root
for setup in scripts/setup/*.sh; do
  say "setup: $setup"
  bash "$setup"
done
say "building"
swift build --build-tests
say "testing"
swift test --skip-build "$@"
