#!/usr/bin/env bash
# Checks the wait/wake protocol models with spin: each model must pass as written, and fail in each variant that
# reintroduces a known bug (a model that cannot fail proves nothing). Exits non-zero if any outcome differs.
#
#   Verification/Models/check.sh           the CI set (seconds)
#   Verification/Models/check.sh --deep    also three compute workers (a bitstate search, minutes)
set -euo pipefail
cd "$(dirname "$0")"
command -v spin >/dev/null || { echo "spin is not installed (apt-get install spin)"; exit 1; }
deep=0
[ "${1:-}" = "--deep" ] && deep=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# check MODEL EXPECTED DEFINES...: EXPECTED is pass or fail. PAN_CFLAGS adds compiler flags (BITSTATE for a partial
# search of a state space too large for memory).
check() {
    local model=$1 expected=$2
    shift 2
    local label="$model ${*:-(as written)}"
    cp "$model" "$work/"
    (
        cd "$work"
        rm -f pan pan.* ./*.trail
        spin -a "$@" "$model" >/dev/null
        gcc -O2 -DSAFETY -DCOLLAPSE ${PAN_CFLAGS:-} -o pan pan.c 2>/dev/null
        ./pan -E -m1000000 > result.txt 2>&1 || true
    )
    local errors
    errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "$work/result.txt")
    local states
    states=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$work/result.txt")
    local outcome=pass
    [ "${errors:-1}" = 0 ] || outcome=fail
    local what
    what=$(grep -o "assertion violated.*" "$work/result.txt" | head -1 || true)
    if [ "$outcome" = "$expected" ]; then
        printf 'ok    %-55s %s (%s states) %s\n' "$label" "$outcome" "$states" "$what"
    else
        printf 'FAIL  %-55s %s, expected %s %s\n' "$label" "$outcome" "$expected" "$what"
        status=1
    fi
}

check compute-sleep.pml pass
check compute-sleep.pml fail -DOLD
check compute-sleep.pml fail -DFLAG_AND_TOKEN
check compute-sleep.pml fail -DNO_RECHECK
check compute-sleep.pml pass -DBROADCAST -DTOTAL_T=0
check compute-sleep.pml fail -DBROADCAST -DTOTAL_T=0 -DNO_INBOX_RECHECK
check compute-sleep.pml fail -DBROADCAST -DTOTAL_T=0 -DNO_INBOX_WAKE
check compute-sleep.pml pass -DNO_SEARCH_LAST
check compute-sleep.pml pass -DNO_SEARCH_LAST -DBROADCAST -DTOTAL_T=0
check compute-sleep.pml fail -DNO_SEARCH_LAST -DNO_RECHECK
check async-idle.pml pass
check async-idle.pml pass -DFORGETFUL_LOOP
check async-idle.pml pass -DNO_LOCAL_RECHECK
check async-idle.pml fail -DFORGETFUL_LOOP -DNO_LOCAL_RECHECK
check async-idle.pml fail -DNO_RECHECK
check async-idle.pml pass -DTIMED_PARK
check async-idle.pml fail -DTIMED_PARK -DNO_RECHECK
check blocking-wait.pml pass
check blocking-wait.pml fail -DSHARED_WORD
check blocking-wait.pml fail -DNO_SLEEPY
if [ "$deep" = 1 ]; then
    # Three workers: too many states for an exhaustive search in memory, so a bitstate (partial) search.
    PAN_CFLAGS="-DBITSTATE" check compute-sleep.pml pass -DN=3
    PAN_CFLAGS="-DBITSTATE" check compute-sleep.pml fail -DN=3 -DOLD
fi
exit $status
