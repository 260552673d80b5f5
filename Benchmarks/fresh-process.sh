#!/usr/bin/env bash
# P1 as a user first meets it: each side in a fresh process of its own, interleaved ROUNDS times (default 3), each
# printing the median of 7 batches of 20 000 round trips: Loom's `spawnCompute { 1 }` from a task on the async pool
# of a default runtime, and the Dispatch hand-off awaited on the global executor.
#
#   Benchmarks/fresh-process.sh [ROUNDS]        (from the repository root; run it on an otherwise idle machine)
set -euo pipefail
cd "$(dirname "$0")"
if ! output=$(swift build -c release --product FreshProcess 2>&1); then echo "$output"; exit 1; fi
rounds=${1:-3}
for _ in $(seq "$rounds"); do
    .build/release/FreshProcess loom
    .build/release/FreshProcess dispatch
done
