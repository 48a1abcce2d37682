/* runner.c — main() of the in-system test program: run every KTEST, report TAP-style lines.
 *
 * Output (read by tests/harness):
 *     SIGMA4-TESTS-BEGIN total=<T>
 *     ok <n> - <area.name>    |    not ok <n> - <area.name>     (n from 1, section order,
 *                                                              the KTEST_LATE tests last)
 *     ok <n> - <area.name> # SKIP <reason>                     (KSKIP: neither passed nor failed)
 *     # kmem free before=<b> after=<a>
 *     SIGMA4-TESTS-END passed=<P> failed=<F> total=<T> skipped=<S>
 * then shuts the system down with status 0 (nothing failed) or 1.  Kernel memory is sampled
 * before the first and after the last test (reported only, for now).  Runs as the root task
 * (KDB_OP_STAT and KDB_OP_SHUTDOWN are privileged).
 *
 * Test selection: the program has no command line (the kernel keeps the boot modules' command
 * lines to itself), so the selection lives in the binary: ktest_select holds a marker followed
 * by a comma-separated list of test-name prefixes, empty in the built program (every test
 * runs).  tests/harness/run_tests.py --select writes a list there in a copy of the binary
 * (tools/stress.sh uses it); then only tests whose name starts with one of the prefixes run and
 * are counted in T.
 *
 * Test parameters live in the binary the same way: ktest_params holds its own marker and a
 * comma-separated list of key=value words (run_tests.py --param writes it); a test reads one
 * with ktest_param_ul (the fuzzer's seed and operation count, the soak's duration).
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <l4/kdebug.h>
#include "ktest.h"

#define KTEST_SELECT_MARK       "SIGMA4-KTEST-SELECT:"
#define KTEST_SELECT_SIZE       256
#define KTEST_PARAM_MARK        "SIGMA4-KTEST-PARAM:"
#define KTEST_PARAM_SIZE        256

int ktest_failed;
const char *ktest_skipped;

/* Written in the ELF file by run_tests.py --select (keep the marker and the size in step). */
static volatile char ktest_select[KTEST_SELECT_SIZE] __attribute__((used)) = KTEST_SELECT_MARK;
static char selection[KTEST_SELECT_SIZE];
/* Written in the ELF file by run_tests.py --param (keep the marker and the size in step). */
static volatile char ktest_params[KTEST_PARAM_SIZE] __attribute__((used)) = KTEST_PARAM_MARK;

/* Copy the selection list out of ktest_select (volatile: the compiler must not fold it). */
static void read_selection(void)
{
    size_t skip = sizeof(KTEST_SELECT_MARK) - 1, n = 0;
    for (size_t i = skip; i < KTEST_SELECT_SIZE - 1 && ktest_select[i]; i++)
        selection[n++] = ktest_select[i];
    selection[n] = '\0';
}

unsigned long ktest_param_ul(const char *key, unsigned long dflt)
{
    char list[KTEST_PARAM_SIZE];
    size_t skip = sizeof(KTEST_PARAM_MARK) - 1, n = 0, klen = strlen(key);
    for (size_t i = skip; i < KTEST_PARAM_SIZE - 1 && ktest_params[i]; i++)
        list[n++] = ktest_params[i];
    list[n] = '\0';
    for (const char *p = list; *p; ) {
        const char *end = strchr(p, ',');
        if (strncmp(p, key, klen) == 0 && p[klen] == '=')
            return strtoul(p + klen + 1, 0, 0);
        if (!end)
            break;
        p = end + 1;
    }
    return dflt;
}

/* Does test `name` start with one of the comma-separated prefixes (or is the list empty)? */
static int selected(const char *name)
{
    if (!selection[0])
        return 1;
    for (const char *p = selection; *p; ) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len && strncmp(name, p, len) == 0)
            return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int main(void)
{
    unsigned long count = (unsigned long)(__stop_ktests - __start_ktests), total = 0;
    unsigned long passed = 0, failed = 0, skipped = 0, n = 0;

    read_selection();
    for (unsigned long i = 0; i < count; i++)
        total += (unsigned long)selected(__start_ktests[i].name);
    if (selection[0])
        printf("# selection: %s (%lu of %lu tests)\n", selection, total, count);
    printf("SIGMA4-TESTS-BEGIN total=%lu\n", total);
    L4_Word_t kmem_before = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    for (unsigned long k = 0; k < 2 * count; k++) {    /* the KTEST_LATE ones in a second pass */
        const struct ktest *t = &__start_ktests[k % count];
        if (!selected(t->name) || (k < count) == ((t->flags & KTEST_F_LATE) != 0))
            continue;
        ktest_failed = 0;
        ktest_skipped = 0;
        t->fn();
        n++;
        if (ktest_failed) {
            failed++;
            printf("not ok %lu - %s\n", n, t->name);
        } else if (ktest_skipped) {
            skipped++;
            printf("ok %lu - %s # SKIP %s\n", n, t->name, ktest_skipped);
        } else {
            passed++;
            printf("ok %lu - %s\n", n, t->name);
        }
    }
    L4_Word_t kmem_after = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    printf("# kmem free before=%lu after=%lu\n", kmem_before, kmem_after);
    printf("SIGMA4-TESTS-END passed=%lu failed=%lu total=%lu skipped=%lu\n", passed, failed,
           total, skipped);
    fflush(stdout);
    L4_KDB_Shutdown(failed ? 1 : 0);
    printf("# shutdown refused\n");
    return failed ? 1 : 0;
}
