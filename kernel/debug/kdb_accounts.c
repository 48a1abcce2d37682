/* kdb_accounts.c — the kernel debugger's view of kernel-memory accounts (KDB_OP_SPACE_*,
 * KDB_OP_ACCOUNTS; docs/abi/kdb.md).  Root servers only (checked by kdb_service).
 *
 * Runs under the shared kernel lock: threads and spaces are created and deleted only under
 * the exclusive lock, so a thread found by id keeps its space, and the list of all threads
 * stays as it is while it is printed.  Charges are read atomically (they move under us).
 */
#include "debug/kdb.h"
#include "debug/console.h"
#include "core/thread.h"
#include "core/space.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include <sigma4/kdb.h>

#define LIST_MAX 64             /* lines printed per request: kdb requests stay bounded */

/* Print one line per space (the first LIST_MAX): its first thread, its own bytes, its
 * account's charge and limit.  Returns the number of spaces. */
static uint64_t list(void)
{
    uint64_t n = 0;
    kprintf("sigma4: kernel pool %lu of %lu KiB free, reserve %lu KiB (root servers only)\n",
            kmem_free_bytes() >> 10, kmem_total_bytes() >> 10, account_reserve_bytes() >> 10);
    kprintf("  space(thread)      threads   own KiB  account: charge KiB / limit KiB\n");
    for (struct tcb *t = thread_first(); t; t = t->all_next) {
        struct space *s = t->space;
        if (s->threads != t)
            continue;                               /* one line per space: its list head */
        if (n++ >= LIST_MAX)
            continue;                               /* counted, not printed */
        uint64_t lim = account_limit(&s->acct);
        kprintf("  %16lx %8u %9lu  %p: %lu / ", t->tid, s->nthreads,
                __atomic_load_n(&s->acct.bytes, __ATOMIC_RELAXED) >> 10, (void *)s->acct.acct,
                account_charged(&s->acct) >> 10);
        if (lim == ACCOUNT_UNLIMITED)
            kprintf("unlimited%s\n", s->privileged ? " (root server)" : "");
        else
            kprintf("%lu\n", lim >> 10);
    }
    if (n > LIST_MAX)
        kprintf("  ... %lu spaces in all\n", n);
    return n;
}

uint64_t kdb_accounts(unsigned op, uint64_t arg)
{
    if (op == KDB_OP_ACCOUNTS)
        return list();
    struct tcb *t = tid_is_global(arg) ? thread_lookup(arg) : NULL;
    if (!t)
        return ~0ULL;
    struct space *s = t->space;
    switch (op) {
    case KDB_OP_SPACE_CHARGE: return account_charged(&s->acct);
    case KDB_OP_SPACE_LIMIT:  return account_limit(&s->acct);
    case KDB_OP_SPACE_BYTES:  return __atomic_load_n(&s->acct.bytes, __ATOMIC_RELAXED);
    default:                  return ~0ULL;
    }
}
