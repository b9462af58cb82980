#!/usr/bin/env bash
# Installs everything the test suite needs (packages, broker, sshd, libvirtd, the Nova harness) and
# runs the whole suite. Tests start and stop the daemons they need themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_root
# Fast checks first, before minutes of set-up and building.
command -v python3 >/dev/null || apt_install python3
say "checking that every target declares the modules it imports"
swift package dump-package | python3 scripts/check-target-imports.py \
  || die "declare those modules in Package.swift (SwiftPM lets a transitive module through today; it breaks when the graph changes)"
say "swift format lint (.swift-format)"
bash scripts/lint.sh || die "swift format lint found the above: 'swift format format -i FILE' fixes most"
for setup in scripts/setup/*.sh; do
  say "setup: $setup"
  bash "$setup"
done
say "the debian12 guest image (cached after the first build)"
bash scripts/build-image.sh debian12
say "building"
swift build --build-tests
say "testing"
# Serially: many integration tests wait on real daemons, and in parallel they would starve the
# in-process async tests of the (2-thread) cooperative pool.
# Bounded, so a hung test is named in the report instead of the whole job running out of time.
# The output goes to a file, streamed from there: a daemon a test leaks cannot then hold this
# script's output open after the run (a pipe is read to its end by whoever reads it).
log=$(mktemp /tmp/pcloud-test-log.XXXXXX)
set +e
timeout --kill-after=60s "${PCLOUD_TEST_TIME_LIMIT:-55m}" swift test --skip-build --no-parallel "$@" >"$log" 2>&1 </dev/null &
tests=$!
tail -n +1 -f --pid="$tests" "$log"
wait "$tests"
status=$?
set -e
if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  say "the test run was stopped at its time limit (${PCLOUD_TEST_TIME_LIMIT:-55m}); still running then:"
  python3 scripts/unfinished-tests.py < "$log"
fi
rm -f "$log"
exit "$status"
