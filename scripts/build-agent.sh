#!/usr/bin/env bash
# Builds pcloud-agent for guest images with the Swift runtime and Foundation linked statically:
# the guest needs only libc and libqpid-proton11 (apt), not a Swift toolchain.
#   scripts/build-agent.sh [OUTPUT]   (default .build/pcloud-agent-static)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/.."
out=${1:-.build/pcloud-agent-static}
swift build -c release --static-swift-stdlib --product pcloud-agent
cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/pcloud-agent" "$out"
strip "$out" 2>/dev/null || true
say "built $out: $(du -h "$out" | cut -f1); needs: $(ldd "$out" | awk '{print $1}' | tr '\n' ' ')"
