/* timeout.c — per-CPU sorted timeout list.  Expiry makes a sleeping thread ready again with
 * its IPC error code set to "timeout" (core/ipc.c decides what that means). */
#include "core/timeout.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "core/ipc.h"

void timeout_add(struct tcb *t, uint64_t at)
{
    struct tcb **pp = &this_cpu()->timeouts;
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
    for (struct tcb **pp = &this_cpu()->timeouts; *pp; pp = &(*pp)->timeout_next)
        if (*pp == t) {
            *pp = t->timeout_next;
            break;
        }
    t->wakeup_us = ~0ULL;
    t->timeout_next = NULL;
}

void timeout_tick(uint64_t now)
{
    struct percpu *c = this_cpu();
    while (c->timeouts && c->timeouts->wakeup_us <= now) {
        struct tcb *t = c->timeouts;
        c->timeouts = t->timeout_next;
        t->timeout_next = NULL;
        t->wakeup_us = ~0ULL;
        ipc_timeout(t);
    }
}
