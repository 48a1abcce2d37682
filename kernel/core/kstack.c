/* kstack.c — kernel stacks: overflow report, room, and the deepest use seen (core/kstack.h).
 *
 * Without a guard page (stacks come from the direct-mapped kernel pool), a stack that grows
 * into its TCB overwrites the canary word at the TCB's end first; kstack_check() finds it at
 * the next context switch or trap exit and panics with a diagnostic.  The deepest use is
 * recorded so that tests can check it stays well inside the room (KDB_STAT_KSTACK_MAX).
 */
#include "core/kstack.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "debug/panic.h"
#include <stddef.h>

static uint64_t deepest;                    /* bytes; atomic max */

uint64_t kstack_room(void)
{
    return KSTACK_SIZE - offsetof(struct tcb, kstack_canary) - sizeof(uint64_t);
}

/* Bytes of t's stack that have been written at some time. */
static uint64_t used(const struct tcb *t)
{
    const uint64_t *w = &t->kstack_canary + 1, *top = (const uint64_t *)((uintptr_t)t + KSTACK_SIZE);
    while (w < top && *w == 0)
        w++;
    return (uint64_t)((uintptr_t)top - (uintptr_t)w);
}

static void note(uint64_t u)
{
    uint64_t d = __atomic_load_n(&deepest, __ATOMIC_RELAXED);
    while (u > d && !__atomic_compare_exchange_n(&deepest, &d, u, false, __ATOMIC_RELAXED,
                                                 __ATOMIC_RELAXED))
        ;
}

void kstack_account(const struct tcb *t)
{
    note(used(t));
}

uint64_t kstack_deepest(void)
{
    note(used(current_thread()));
    return __atomic_load_n(&deepest, __ATOMIC_RELAXED);
}

void kstack_overflow(const struct tcb *t)
{
    panic("kernel stack overflow: thread %lx (%s), TCB %p, canary %lx, room %lu bytes",
          t->tid, t->name ? t->name : "user", (const void *)t, t->kstack_canary, kstack_room());
}
