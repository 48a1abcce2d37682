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

/* ---- the newer allocation points, with the kernel out of memory ------------------------------ */

#include "tutil.h"

#define ALIAS_WIN   0x3C000000UL                    /* root: a window never used otherwise */

static char lend_page[4096] __attribute__((aligned(4096)));
static volatile L4_Word_t lend_sent;

/* Send the root thread a map item of lend_page. */
static void lender(void *arg)
{
    (void)arg;
    L4_LoadMR(1, ((L4_Word_t)lend_page & ~0x3FFUL) | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)lend_page, 12), L4_ReadWriteOnly).raw);
    L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
    lend_sent = L4_IpcSucceeded(L4_Send_Timeout(tu_root(), L4_TimePeriod(2000000))) ? 1 : 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(thread, out_of_memory_limits_and_mappings)
{
    /* With the kernel pool (nearly) empty — thread creation fails, a few single pages may be
     * left — a thread limit (a limited root) either fits or is error 8; a map item that
     * would need new page tables maps nothing and the IPC says so (message overflow for both
     * sides, docs/abi/ipc.md); all memory comes back and everything works again. */
    L4_ThreadId_t me = L4_Myself();
    lend_page[0] = 1;
    lend_sent = 0;
    L4_ThreadId_t t = tu_create_ex(lender, 0, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t free0 = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    unsigned n = 0;
    for (; n < MAX_THREADS; n++)
        if (!L4_ThreadControl(L4_GlobalId(FIRST_NO + n, 1), me, me, L4_nilthread, (void *)-1))
            break;
    L4_Word_t free_low = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    L4_Word_t limit_ok = L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1,
                                               (0xC0000000UL >> 12) - 1);
    printf("# free after exhaustion: %lu bytes\n", free_low);
    if (limit_ok)                                   /* it fit: take it off again */
        L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1, L4_THREAD_LIMIT_NONE);
    L4_Word_t limit_err = L4_ErrorCode();
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(ALIAS_WIN, 22)));
    tu_start(t);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    L4_Word_t err = L4_ErrorCode();
    L4_Accept(L4_UntypedWordsAcceptor);
    for (unsigned i = 0; i < n; i++)
        L4_ThreadControl(L4_GlobalId(FIRST_NO + i, 1), L4_nilthread, L4_nilthread, L4_nilthread,
                         (void *)-1);
    KCHECK(n < MAX_THREADS);
    KCHECK(free_low < 64 * 1024);
    KCHECK(limit_ok == 1 || limit_err == L4_ErrNoMem);
    KCHECK(L4_IpcFailed(tag));                      /* the mapping could not be placed: */
    KCHECK_EQ(err & 0xF, (4 << 1) | 1);             /* message overflow, receive phase */
    KCHECK(TU_WAIT(lend_sent == 2));                /* and the sender was told */
    /* All back but the page tables the root task may have gained for ALIAS_WIN (a user
     * tree's intermediate tables stay while the space lives): at most PDPT, PD and PT. */
    KCHECK(L4_KDB_Stat(KDB_STAT_KMEM_FREE) + 5 * 4096 >= free0);
    KCHECK(L4_KDB_Stat(KDB_STAT_KMEM_FREE) <= free0);
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1,
                                    (0xC0000000UL >> 12) - 1), 1);   /* memory is back */
}
