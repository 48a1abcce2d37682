/* runner.c — main() of the in-system test program: run every KTEST, report TAP-style lines.
 *
 * Output (read by tests/harness):
 *     SIGMA4-TESTS-BEGIN total=<T>
 *     ok <n> - <area.name>    |    not ok <n> - <area.name>     (n from 1, section order)
 *     # kmem free before=<b> after=<a>
 *     SIGMA4-TESTS-END passed=<P> failed=<F> total=<T>
 * then shuts the system down with status 0 (all passed) or 1.  Kernel memory is sampled
 * before the first and after the last test (reported only, for now).  Runs as the root task
 * (KDB_OP_STAT and KDB_OP_SHUTDOWN are privileged).
 */
#include <stdio.h>
#include <l4/kdebug.h>
#include "ktest.h"

int ktest_failed;

int main(void)
{
    unsigned long total = (unsigned long)(__stop_ktests - __start_ktests);
    unsigned long passed = 0, failed = 0;

    printf("SIGMA4-TESTS-BEGIN total=%lu\n", total);
    L4_Word_t kmem_before = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    for (unsigned long i = 0; i < total; i++) {
        const struct ktest *t = &__start_ktests[i];
        ktest_failed = 0;
        t->fn();
        if (ktest_failed)
            failed++;
        else
            passed++;
        printf("%s %lu - %s\n", ktest_failed ? "not ok" : "ok", i + 1, t->name);
    }
    L4_Word_t kmem_after = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    printf("# kmem free before=%lu after=%lu\n", kmem_before, kmem_after);
    printf("SIGMA4-TESTS-END passed=%lu failed=%lu total=%lu\n", passed, failed, total);
    fflush(stdout);
    L4_KDB_Shutdown(failed ? 1 : 0);
    printf("# shutdown refused\n");
    return failed ? 1 : 0;
}
