#!/usr/bin/env bash
# analyze.sh — static analysis of the kernel: gcc -fanalyzer over every kernel C file with the
# kernel's own flags, and cppcheck (warning, portability, performance).  Prints each finding;
# exits 0 only if both are clean.  A finding that is a false positive is suppressed in place,
# next to the code, with the reason (cppcheck: `// cppcheck-suppress <id>` plus a comment).
#
#     tools/analyze.sh gcc|cppcheck       (from the repository root; `make analyze` runs both)
#
# Environment: CC (default gcc), KERNEL_CFLAGS (the kernel's compile flags, from mk/kernel.mk).
# The user-level code is not analysed: cppcheck misreads libl4's compound-literal macros
# (hundreds of unknownEvaluationOrder / constStatement reports on correct code).
set -u
cd "$(dirname "$0")/.." || exit 2
cc=${CC:-gcc}
files=$(find kernel -name '*.c' ! -name asm-offsets.c | sort)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

case ${1:-} in
gcc)
    # -flto and dependency files are for the build, not for the analysis.
    flags=$(echo "${KERNEL_CFLAGS:?KERNEL_CFLAGS not set (run through make analyze)}" |
            sed 's/-MMD//; s/-MP//')
    for f in $files; do
        # shellcheck disable=SC2086
        $cc $flags -fanalyzer -Wno-error -c -o /dev/null "$f" >>"$out" 2>&1
    done
    ;;
cppcheck)
    command -v cppcheck >/dev/null || { echo "analyze: cppcheck missing (mk/deps.sh installs it)"; exit 2; }
    cppcheck --enable=warning,portability,performance --std=c11 --platform=unix64 \
        -Ikernel -Ikernel/arch/x86_64 -Iabi/include -I"${BUILD:-build}/gen" \
        --inline-suppr --quiet --error-exitcode=0 kernel >>"$out" 2>&1
    ;;
*)
    echo "usage: $0 gcc|cppcheck" >&2
    exit 2
    ;;
esac
if grep -q 'warning:\|error:' "$out"; then
    cat "$out"
    echo "analyze: $1: $(grep -c 'warning:\|error:' "$out") finding(s)"
    exit 1
fi
echo "analyze: $1: clean ($(echo "$files" | wc -l) files)"
