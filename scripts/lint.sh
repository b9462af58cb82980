#!/usr/bin/env bash
# `swift format lint` with the repository's .swift-format over Package.swift, Sources/ and Tests/:
# exits non-zero on any finding. Files in scripts/swift-format-pending.txt are skipped (see there);
# `scripts/lint.sh --pending` lints only those, to see what is left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
pending=$(grep -v -e '^#' -e '^$' scripts/swift-format-pending.txt || true)
all=$({ echo Package.swift; find Sources Tests -name '*.swift'; } | sort)
if [ "${1:-}" = --pending ]; then
  files=$pending
else
  files=$(grep -vxF -e "$pending" <<<"$all" || true)
  [ -z "$pending" ] && files=$all
fi
for gone in $pending; do [ -f "$gone" ] || die "scripts/swift-format-pending.txt names $gone, which does not exist: delete its line"; done
# shellcheck disable=SC2086 # one path a line, none with spaces
swift format lint --strict --parallel $files
