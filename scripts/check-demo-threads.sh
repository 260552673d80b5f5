#!/usr/bin/env bash
# Runs `loom demo --hold 5` and, while its threads are held, checks /proc/<pid>/task/*/comm and Cpus_allowed_list
# against the plan `loom info --json` prints for the same arguments. Exits non-zero on any mismatch.
#
#   scripts/check-demo-threads.sh [LoomArguments...]      e.g.  scripts/check-demo-threads.sh --loom-compute-threads 3
set -euo pipefail
cd "$(dirname "$0")/.."

swift build --product loom >/dev/null
loom=.build/debug/loom
plan=$(mktemp)
out=$(mktemp)
trap 'rm -f "$plan" "$out"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT

"$loom" info --json "$@" > "$plan"
"$loom" demo --hold 5 "$@" > "$out" &
pid=$!
for _ in $(seq 1 300); do
    grep -q "^holding the runtime's threads" "$out" && break
    sleep 0.1
done
grep -q "^holding the runtime's threads" "$out" || { echo "FAIL: loom demo did not reach --hold"; cat "$out"; exit 1; }

python3 - "$plan" "$pid" <<'PY'
import json, os, sys
plan = json.load(open(sys.argv[1]))
pid = sys.argv[2]
threads = {}
for tid in os.listdir(f"/proc/{pid}/task"):
    comm = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
    cpus = next(l.split(":", 1)[1].strip() for l in open(f"/proc/{pid}/task/{tid}/status")
                if l.startswith("Cpus_allowed_list:"))
    threads.setdefault(comm, []).append(cpus)
failures = 0
print(f"{'kernel name':16} {'pool':8} {'planned cpus':14} {'/proc cpus':14}")
for t in plan["threads"]:
    seen = threads.get(t["kernel_name"], [])
    want = t["cpus"] or plan["allowed_cpus"]   # unpinned threads keep the process mask
    ok = len(seen) == 1 and seen[0] == want
    failures += not ok
    print(f"{t['kernel_name']:16} {t['pool']:8} {want:14} {', '.join(seen) or 'MISSING':14} {'ok' if ok else 'MISMATCH'}")
print("PASS" if failures == 0 else f"FAIL: {failures} thread(s) differ from the plan")
sys.exit(1 if failures else 0)
PY
