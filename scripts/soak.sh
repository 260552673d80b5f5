#!/usr/bin/env bash
# Builds the soak (Verification/Soak) in release mode and runs it: every entry point at once on fresh runtimes of
# random shapes, checked results, a watchdog. Exits non-zero on a hang (1) or a wrong result (2).
#
#   scripts/soak.sh [SECONDS] [LoomSoak options...]            e.g.  scripts/soak.sh 600 --shape 1,3,pin
#   scripts/soak.sh --chaos [SECONDS] [options...]             a -DLOOM_CHAOS build (in .build-chaos): threads yield or
#                                                              busy-wait inside the wait/wake protocols' windows
#   LOOM_CHAOS_ONE_IN=4 scripts/soak.sh --chaos 300            chaos at one point in 4 (default 8)
set -euo pipefail
cd "$(dirname "$0")/.."

chaos=0
if [ "${1:-}" = "--chaos" ]; then chaos=1; shift; fi
seconds=${1:-120}
shift || true

if [ "$chaos" = 1 ]; then
    swift build -c release --product LoomSoak --scratch-path .build-chaos -Xswiftc -DLOOM_CHAOS >/dev/null
    binary=.build-chaos/release/LoomSoak
else
    swift build -c release --product LoomSoak >/dev/null
    binary=.build/release/LoomSoak
fi
exec "$binary" --seconds "$seconds" --quiet "$@"
