/* hard.h — HTEST: the hardening regression tests (names hard.*), each a TTEST that also proves
 * the kernel is left as it was: free kernel memory and the mapping-database node count are back
 * to their values before the test once it has cleaned up (deleted threads are reaped
 * asynchronously, so the check waits up to TU_WAIT_US for them).
 *
 * A hostile-program test runs its attacker in a thread (tu_create / tu_space_thread), asserts
 * the error code or fault the attacker got, and asserts that nothing else changed.
 * Context: the root thread only, like TTEST.
 */
#pragma once
#include <l4/l4.h>
#include <l4/kdebug.h>
#include "tutil.h"

/* Compare the kernel-memory and mapping-node counts with k0/n0 (waiting for reaping); on a
 * difference print it and mark the current test failed. */
static inline void hard_check_counts(L4_Word_t k0, L4_Word_t n0)
{
    if (TU_WAIT(tu_kmem() == k0 && L4_KDB_Stat(KDB_STAT_MDB_NODES) == n0))
        return;
    printf("# hard: kernel memory %lu -> %lu bytes free, mapping nodes %lu -> %lu\n",
           k0, tu_kmem(), n0, L4_KDB_Stat(KDB_STAT_MDB_NODES));
    ktest_failed = 1;
}

#define HTEST(name)             HTEST_FLAGS(name, 0)
/* An HTEST the runner runs after all the others (a kernel bug it finds may stop the system). */
#define HTEST_LATE(name)        HTEST_FLAGS(name, KTEST_F_LATE)
#define HTEST_FLAGS(name, fl)                                                   \
    static void htest_body_##name(void);                                         \
    KTEST_FLAGS(hard, name, fl)                                                  \
    {                                                                            \
        L4_Word_t k0_ = tu_kmem(), n0_ = L4_KDB_Stat(KDB_STAT_MDB_NODES);        \
        tu_begin();                                                              \
        htest_body_##name();                                                     \
        tu_end();                                                                \
        if (!ktest_failed && !ktest_skipped)                                     \
            hard_check_counts(k0_, n0_);                                         \
    }                                                                            \
    static void htest_body_##name(void)
