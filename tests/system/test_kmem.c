/* test_kmem.c — exhausting kernel memory is an error code, never a panic, and all of it
 * comes back.  Inactive threads cost a TCB and kernel stack each; create them until the
 * kernel says "out of memory" (8), prove the kernel still works, then delete them all. */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "ktest.h"

#define FIRST_NO 20000u
#define MAX_THREADS 60000u

KTEST(thread, kernel_memory_exhaustion_is_error_8)
{
    L4_ThreadId_t me = L4_Myself();
    L4_Word_t free0 = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    unsigned n = 0;
    L4_Word_t err = 0;
    for (; n < MAX_THREADS; n++) {
        if (!L4_ThreadControl(L4_GlobalId(FIRST_NO + n, 1), me, me, L4_nilthread, (void *)-1)) {
            err = L4_ErrorCode();
            break;
        }
    }
    L4_Word_t free_low = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    /* The kernel still answers: a clock read and an IPC error path need no memory. */
    L4_Word_t c = L4_SystemClock().raw;
    L4_Word_t deleted = 0;
    for (unsigned i = 0; i < n; i++)
        deleted += L4_ThreadControl(L4_GlobalId(FIRST_NO + i, 1), L4_nilthread, L4_nilthread,
                                    L4_nilthread, (void *)-1);
    KCHECK(n > 100 && n < MAX_THREADS);             /* it did run out */
    KCHECK_EQ(err, L4_ErrNoMem);
    KCHECK(free_low < 64 * 1024);                   /* really exhausted */
    KCHECK(c > 0);
    KCHECK_EQ(deleted, n);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_KMEM_FREE), free0);
}
