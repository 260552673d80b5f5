#!/usr/bin/env bash
# Shows that a non-escaping closure made storable costs one heap allocation per call with this toolchain, and that
# the two other routes are rejected by the compiler. Exits non-zero if the toolchain no longer behaves so (then
# ComputePool.md's "Why one allocation per stealable join" and join's allocation are worth revisiting).
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swiftc -O main.swift -o "$work/join-allocation"
iterations=100000
allocations() {
    valgrind --tool=memcheck "$work/join-allocation" "$1" "$iterations" 2>&1 \
        | sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' | tr -d ,
}
a=$(allocations A)
b=$(allocations B)
c=$(allocations C)
echo "heap allocations for $iterations calls: A (call only) $a, B (withoutActuallyEscaping + store) $b, C (withoutActuallyEscaping only) $c"
status=0
# A's count is the program's fixed start-up cost; B and C must add one allocation per call on top of it.
if (( b - a < iterations || c - a < iterations )); then
    echo "FAIL: expected one allocation per call in B and C beyond A's $a"; status=1
fi
if (( a > iterations / 10 )); then echo "FAIL: A should not allocate per call"; status=1; fi
# Each must fail for the reason its comment gives, not for another one.
for case in "rejected-bitcast.swift:may allow it to escape" "rejected-nonescapable.swift:assigning non-escaping parameter"; do
    file=${case%%:*}
    reason=${case#*:}
    if output=$(swiftc -enable-experimental-feature Lifetimes -typecheck "$file" 2>&1); then
        echo "FAIL: $file compiles now"; status=1
    elif grep -q "$reason" <<<"$output"; then
        echo "ok: $file is rejected ($reason)"
    else
        echo "FAIL: $file is rejected for another reason:"; echo "$output"; status=1
    fi
done
exit $status
