#!/usr/bin/env bash
# The server benchmark: a real Hummingbird server (`Benchmarks/Server`), plain (handlers and CPU work on Swift's
# global executor) and on Loom, each loaded over loopback by two wrk clients at once — /heavy (about 5 ms of CPU work
# per request) on 2 connections as fast as they are answered, /cheap on 1 connection at a fixed rate, CHEAP_RATE
# requests per second (default 200, `rate.lua`), so every server does the same cheap work — for SECONDS each
# (default 15). CHEAP_RATE=paced paces /cheap by a pause of CHEAP_DELAY_MS (default 1 ms) before each request instead
# (`paced.lua`, the benchmark's only load up to `60a7777`): a server that answers /cheap faster then gets more
# /cheap requests (Loom about 750/s, plain Hummingbird about 200/s), whose CPU time its /heavy rate pays for.
# Prints /heavy throughput, /cheap rate and p50/p99 for every server, one after the other in the same run, REPEATS
# times (default 1):
#
#   plain        Hummingbird on its own event loops, handlers and /heavy on Swift's global executor
#   loom         Loom's defaults (here: 1 async + 1 compute thread); /heavy through spawnCompute
#   loom-share   the same with share_async_cpus on (1 async + 2 compute threads, one borrowing the async CPU at
#                idle priority: SCHED_IDLE; an idle async thread parks 0.5 ms at a time while it runs a job)
#   loom-batch, loom-nice
#                (only with SERVER_POLICIES="batch nice") loom-share with the borrower under SCHED_BATCH at nice 19
#                with a 0.1 ms slice, or at nice 19 under the normal policy, instead (LOOMTUNING_IDLE_POLICY)
#   loom-untimed (only with "untimed" in SERVER_POLICIES) loom-share with idle async threads parking until woken
#                (LOOMTUNING_BORROWED_PARK_US=0), as before the timed park
#
# Extra LOOM_* variables in the environment apply to every Loom server. WRK_CPUS=<list> pins both wrk clients to
# those CPUs (taskset) for every server; by default the kernel places them. Where the load generator runs matters on
# a 2-CPU machine: a client that wakes behind a busy compute thread waits for it, and that wait is in its latency.
#
#   Benchmarks/server.sh [SECONDS] [REPEATS]   (from anywhere, on an otherwise idle machine; needs wrk and curl)
set -euo pipefail
cd "$(dirname "$0")/Server"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
seconds=${1:-15}
repeats=${2:-1}
if ! output=$(swift build -c release 2>&1); then echo "$output"; exit 1; fi
binary=.build/release/ServerBench
rounds=$("$binary" calibrate 5)
cheap_rate=${CHEAP_RATE:-200}
if [[ $cheap_rate == paced ]]; then
    cheap_script=paced.lua
    cheap_load="paced ${CHEAP_DELAY_MS:-1} ms"
else
    cheap_script=rate.lua
    cheap_load="at $cheap_rate/s"
    export CHEAP_RATE=$cheap_rate
fi
echo "/heavy: $rounds rounds of xorshift (about 5 ms here); wrk: /heavy -c2, /cheap -c1 --latency $cheap_load;" \
    "${seconds}s each"
echo "machine: $(nproc) CPUs, $(uname -r); $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
wrk=wrk
if [[ -n "${WRK_CPUS:-}" ]]; then wrk="taskset -c $WRK_CPUS wrk"; echo "wrk pinned to CPUs $WRK_CPUS"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"; kill -9 $(jobs -p) 2>/dev/null || true' EXIT

# run NAME PORT MODE [VAR=VALUE...]
run() {
    local name=$1 port=$2 mode=$3
    shift 3
    env "$@" "$binary" "$mode" "$port" "$rounds" >"$work/$name.server" 2>&1 &
    local server=$!
    for _ in $(seq 100); do
        curl -s "http://127.0.0.1:$port/cheap" >/dev/null 2>&1 && break
        sleep 0.1
    done
    $wrk -t1 -c2 -d"${seconds}s" "http://127.0.0.1:$port/heavy" >"$work/$name.heavy" 2>&1 &
    local heavy=$!
    $wrk -t1 -c1 -d"${seconds}s" --latency -s "$cheap_script" "http://127.0.0.1:$port/cheap" >"$work/$name.cheap" 2>&1
    wait "$heavy"
    kill -9 "$server"
    wait "$server" 2>/dev/null || true
    local rps cheap p50 p99
    rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/$name.heavy")
    cheap=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$work/$name.cheap")
    p50=$(sed -n 's/^ *50% *\([0-9.]*[a-z]*\).*/\1/p' "$work/$name.cheap")
    p99=$(sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p' "$work/$name.cheap")
    printf '%-10s /heavy %7s req/s   /cheap %7s req/s p50 %8s p99 %8s   %s\n' "$name" "$rps" "$cheap" "$p50" "$p99" \
        "$(grep -m1 '^loom:' "$work/$name.server" || echo 'loom: - (global executor)')"
}

for _ in $(seq "$repeats"); do
    run plain 18081 plain
    run loom 18082 loom
    run loom-share 18083 loom LOOM_SHARE_ASYNC_CPUS=true
    port=18084
    for policy in ${SERVER_POLICIES:-}; do
        if [[ $policy == untimed ]]; then
            run loom-untimed $((port++)) loom LOOM_SHARE_ASYNC_CPUS=true LOOMTUNING_BORROWED_PARK_US=0
        else
            run "loom-$policy" $((port++)) loom LOOM_SHARE_ASYNC_CPUS=true LOOMTUNING_IDLE_POLICY="$policy"
        fi
    done
done
