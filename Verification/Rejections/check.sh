#!/usr/bin/env bash
# Code that must NOT compile: each file here tries to run actor-isolated code off its actor through a Loom entry
# point, or to hand the compute pool a value the caller's actor can still reach. Each is compiled in Swift 6 mode
# (through SIL, where the region checks run) against the built Loom module and must fail with the diagnostic named
# on its `// expect:` line.
# Run after `swift build` (.ci/run does).
set -euo pipefail
cd "$(dirname "$0")"
bin=$(cd ../.. && swift build --show-bin-path)
maps=()
for map in "$bin"/*.build/module.modulemap ../../.build/checkouts/*/Sources/*/include/module.modulemap; do
    [ -f "$map" ] && maps+=(-Xcc "-fmodule-map-file=$map")
done
status=0
for file in *.swift; do
    expected=$(sed -n 's|^// expect: ||p' "$file" | head -1)
    if output=$(swiftc -emit-sil -o /dev/null -swift-version 6 -parse-as-library -I "$bin/Modules" "${maps[@]}" "$file" 2>&1); then
        echo "FAIL  $file compiled; it must not"
        status=1
    elif grep -qF -- "$expected" <<<"$output"; then
        echo "ok    $file: $expected"
    else
        echo "FAIL  $file failed for another reason:"
        grep "error:" <<<"$output" | head -3
        status=1
    fi
done
exit $status
