#!/usr/bin/env bash
# P4 with its baselines interleaved: each round runs the sequential loop, DispatchQueue.concurrentPerform over 16
# hand-made chunks and Loom's `.parallel` (ComputePool(threads: 2)) back to back, for P4's `map` and `reduce`, a map
# with uneven work (the last 1/64 of the elements 16 times as costly) and 1 000 short maps of trivial work, and
# prints medians, the median of the per-round ratios and the CPU time per run.
#
#   Benchmarks/parallel-interleaved.sh [ROUNDS]     (from the repository root; default 7 rounds, ~3 minutes)
set -euo pipefail
cd "$(dirname "$0")"
if ! output=$(swift build -c release --product ParallelInterleaved 2>&1); then echo "$output"; exit 1; fi
.build/release/ParallelInterleaved "${1:-7}"
