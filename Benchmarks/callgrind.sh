#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (deterministic for one binary and input, whatever else the machine
# does): each operation runs at two sizes and the difference in instructions is divided by the difference in size,
# so start-up and shutdown cancel out. Idle threads normally poll for a while before they park, and how many polls
# fall into an operation depends on timing (under valgrind, on its thread scheduling); LOOMTUNING_NO_SPIN=1 makes
# them park at once, so the counts are the operation's own path, including the park and the wake-up (user-space
# instructions only: the futex system calls themselves are not counted).
#
#   Benchmarks/callgrind.sh            (from the repository root; needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
if ! output=$(swift build -c release --product InstructionCounts 2>&1); then echo "$output"; exit 1; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 emits ("possibly corrupted debuginfo"): count on a copy
# without debug info (the symbol table stays, so functions keep their names).
binary="$work/InstructionCounts"
cp .build/release/InstructionCounts "$binary"
strip --strip-debug "$binary"

# count OP N: total instructions.
count() {
    local out="$work/$1-$2.out"
    LOOMTUNING_NO_SPIN=1 valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" "$1" "$2" >/dev/null 2>&1
    callgrind_annotate "$out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,
}

# per OP SMALL LARGE LABEL
per() {
    local t1 t2
    t1=$(count "$1" "$2")
    t2=$(count "$1" "$3")
    printf '%-48s %8.0f instructions\n' "$4" "$(echo "($t2 - $t1) / ($3 - $2)" | bc -l)"
}

per p1 1000 3000 "P1 spawnCompute { 1 } round trip"
per dispatch 1000 3000 "P1 baseline: Dispatch hand-off (continuation)"
# fib(20) and fib(22) make exactly 10 945 and 28 656 joins.
per join 10945 28656 "P3 join (not stolen, 1 thread)"
per map 100000 1100000 "P4 parallel.map element (\$0 &* 3, 1 thread)"
