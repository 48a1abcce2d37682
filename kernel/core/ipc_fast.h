/* ipc_fast.h — the IPC fast path (core/ipc_fast.c). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "config.h"
#include "core/thread.h"
#include "core/xfer.h"

struct tcb;

/* Try the IPC of t (message tag msg) on the fast path.  Returns (nothing changed) when the
 * slow path must handle it.  Otherwise it does not return: t blocks receiving, its kernel
 * frames are discarded, and when it runs again the system-call continuation calls
 * ipc_fast_resumed and returns to user mode. */
void ipc_fastpath(struct tcb *t, uint64_t to, uint64_t from_spec, uint64_t timeouts,
                  uint64_t msg);

/* The continuation of a thread that blocked in the fast path, now current again: finish the
 * switch, serve a string copy a partner waits for, and return the message tag its partner
 * stored (t->ipc_from holds the sender). */
static inline uint64_t ipc_fast_resumed(struct tcb *t)
{
    thread_switched_in();
    if (__builtin_expect(xfer_waiting_side(t), 0))
        xfer_serve(t);                              /* a partner's string copy needs us */
    return t->ipc_tag;                              /* stored by whoever answered */
}
