/* timeout.c — per-CPU sorted timeout lists (a thread's timeout is on its home CPU's list).
 * Expiry makes a sleeping thread ready again with its IPC error code set to "timeout"
 * (core/ipc.c decides what that means). */
#include "core/timeout.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "core/ipc.h"
#include "core/klock.h"
#include "debug/panic.h"

void timeout_add(struct tcb *t, uint64_t at)
{
    assert(klock_may_touch(t) && t->wakeup_us == ~0ULL);     /* on no list yet */
    struct tcb **pp = &percpu[t->cpu].timeouts;
    t->wakeup_us = at;
    while (*pp && (*pp)->wakeup_us <= at)
        pp = &(*pp)->timeout_next;
    t->timeout_next = *pp;
    *pp = t;
}

void timeout_remove(struct tcb *t)
{
    if (t->wakeup_us == ~0ULL)
        return;
    assert(klock_may_touch(t));
    for (struct tcb **pp = &percpu[t->cpu].timeouts; *pp; pp = &(*pp)->timeout_next)
        if (*pp == t) {
            *pp = t->timeout_next;
            break;
        }
    t->wakeup_us = ~0ULL;
    t->timeout_next = NULL;
}

void timeout_tick(uint64_t now)
{
    for (;;) {
        struct percpu *c = this_cpu();
        struct tcb *t = c->timeouts;
        if (!t || t->wakeup_us > now)
            return;
        /* A sender queued on another CPU's thread: its queue needs the exclusive lock. */
        if (t->state == TS_SENDING && t->sendq_owner && !klock_may_touch(t->sendq_owner)) {
            klock_exclusive();
            continue;                               /* look again: others ran meanwhile */
        }
        c->timeouts = t->timeout_next;
        t->timeout_next = NULL;
        t->wakeup_us = ~0ULL;
        ipc_timeout(t);
    }
}
