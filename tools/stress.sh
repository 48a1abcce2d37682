#!/usr/bin/env bash
# stress.sh — boot sigma4 N times (default 20) under QEMU -smp 4 running only one in-system
# test (default smp.stress_sequence), print one line per run and finally "P/N runs passed".
#
#     tools/stress.sh [N]                 (from the repository root; builds through make)
#     make stress STRESS_RUNS=N           (the same; STRESS_TEST=..., STRESS_SMP=... to vary)
#
# Each run goes through tests/harness/run_tests.py --select (a copy of the test root task that
# runs only the matching tests) with its own serial log build/serial-stress-<i>.log; logs of
# passing runs are removed, those of failing runs kept.  Exit status 0 only if every run passed.
# Without TEST_QEMU in the environment the script re-enters itself through `make stress`, which
# builds everything and supplies the QEMU command line of `make test`.
set -u
runs=${1:-20}
case $runs in
    ''|*[!0-9]*|0) echo "usage: $0 [N]   (N > 0 runs)" >&2; exit 2 ;;
esac
if [ -z "${TEST_QEMU:-}" ]; then
    cd "$(dirname "$0")/.." || exit 2
    exec make --no-print-directory stress STRESS_RUNS="$runs"
fi
build=${BUILD:-build}
python=${PYTHON:-python3}
smp=${STRESS_SMP:-4}
test=${STRESS_TEST:-smp.stress_sequence}

passed=0
echo "== stress: $runs boot(s) at -smp $smp running $test =="
for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    out=$("$python" tests/harness/run_tests.py --build "$build" --qemu "$TEST_QEMU" \
            --smp "$smp" --select "$test" --log-name "stress-$i" --timeout 600 2>&1)
    rc=$?
    secs=$(( $(date +%s) - start ))
    log="$build/serial-stress-$i.log"
    text=$(tr -d '\r' < "$log" 2>/dev/null)            # the serial console writes CR LF
    # The test's own summary line ("# 100000 calls ... in N ms ..."), if it printed one.
    info=$(printf '%s\n' "$text" | grep -m1 -E '^# [0-9]+ calls' | sed 's/^# //')
    if [ $rc -eq 0 ] && printf '%s\n' "$text" | grep -q "^ok [0-9]* - $test\$"; then
        passed=$((passed + 1))
        printf 'run %2d/%d: ok      %4ds  %s\n' "$i" "$runs" "$secs" "$info"
        rm -f "$log" "$build/test-results-stress-$i.tap"
    else
        why=$(printf '%s\n' "$out" | grep -E '^not ok' | head -3 | tr '\n' ' ')
        printf 'run %2d/%d: FAILED  %4ds  %s(log %s)\n' "$i" "$runs" "$secs" "$why" "$log"
        printf '%s\n' "$text" | grep -E '^# |PANIC|FAULT' | grep -v -e '^# kmem' -e '^# selection' |
            head -8 | sed 's/^/        /'
    fi
done
echo "$passed/$runs runs passed"
[ "$passed" -eq "$runs" ]
