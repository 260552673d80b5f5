#!/usr/bin/env bash
# Instructions per operation, counted by callgrind (deterministic for one binary and input, whatever else the machine
# does): each operation runs at two sizes and the difference in instructions is divided by the difference in size,
# so start-up and shutdown cancel out. Spinning while idle is counted too (an idle thread polls a few rounds before it
# parks), so the figure is per operation *including* the waiting side's polls; "without idle" subtracts the
# inclusive cost of the idle loops (WorkerThread.idle, AsyncPool.idle) as callgrind attributes it.
#
#   Benchmarks/callgrind.sh            (from the repository root; needs valgrind)
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
swift build -c release --product InstructionCounts >/dev/null
binary=.build/release/InstructionCounts
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# count OP N: total instructions, and the part spent in the idle loops.
count() {
    local out="$work/$1-$2.out"
    valgrind --tool=callgrind --callgrind-out-file="$out" "$binary" "$1" "$2" >/dev/null 2>&1
    local total idle
    total=$(callgrind_annotate "$out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
    idle=$(callgrind_annotate --inclusive=yes "$out" 2>/dev/null \
        | grep -E 'WorkerThread\.idle|AsyncPool\.idle|WorkerThreadC4idle|AsyncPoolC4idle' \
        | awk '{gsub(",", "", $1); if ($1 + 0 > max) max = $1 + 0} END {print max + 0}')
    echo "$total $idle"
}

# per OP SMALL LARGE LABEL
per() {
    read -r t1 i1 <<<"$(count "$1" "$2")"
    read -r t2 i2 <<<"$(count "$1" "$3")"
    local n=$(( $3 - $2 ))
    printf '%-44s %8.0f instructions   %8.0f without idle loops\n' "$4" \
        "$(echo "($t2 - $t1) / $n" | bc -l)" "$(echo "(($t2 - $i2) - ($t1 - $i1)) / $n" | bc -l)"
}

per p1 1000 3000 "P1 spawnCompute { 1 } round trip"
per dispatch 1000 3000 "P1 baseline: Dispatch hand-off (continuation)"
# fib(20) and fib(22) make exactly 10 945 and 28 656 joins.
per join 10945 28656 "P3 join (not stolen, 1 thread)"
per map 100000 1100000 "P4 parallel.map element (\$0 &* 3, 1 thread)"
