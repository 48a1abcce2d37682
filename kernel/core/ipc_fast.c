/* ipc_fast.c — the IPC fast path: Call and ReplyWait with untyped words only, both threads
 * on this CPU, the partner already waiting for us without a timeout, and no better thread
 * ready.  A reply to a kernel message (TF_KREPLY) is taken only if it fits the waiting thread's
 * receive limit (ipc_rcv_max); the slow path fails a longer one with a message overflow.  Everything else (and every error) takes the slow path in ipc.c, which is the
 * reference: both paths leave exactly the same state behind (thread.h, ipc.h invariants).
 */
#include "core/ipc_fast.h"
#include "core/ipc.h"
#include "core/xfer.h"
#include "core/thread.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "core/space.h"
#include "arch.h"
#include <sigma4/utcb.h>

/* The thread of s with local id `id` if it is in one of the first UTCB slots (the IPC fast
 * path's lookup), else NULL (thread_resolve knows the rest).  No range check is needed before
 * the table read: an id outside the area gives a slot number out of range (unsigned
 * arithmetic), and a slot's thread is returned only if its UTCB pointer is exactly id. */
static inline struct tcb *local_thread(const struct space *s, uint64_t id)
{
    uint64_t slot = (id - UTCB_POINTER_OFFSET - s->utcb_area) / UTCB_SIZE;
    if (slot >= SPACE_FAST_SLOTS)
        return NULL;
    struct tcb *t = s->utcb_slot[slot];
    return t && t->utcb_user == id ? t : NULL;
}

/* r has one of the flags the fast path looks at: may it not take msg?  Starting, halted or
 * out of quantum, or waiting for the reply to a kernel message that msg is too long for.
 * Out of line, so the common case costs the fast path one test of r->flags. */
static __attribute__((noinline, cold)) bool refused(const struct tcb *r, uint64_t msg)
{
    return (r->flags & (TF_STARTUP | TF_HALTED | TF_QUANTUM_OUT)) ||
           (r->ipc_rcv_max && MSGTAG_U(msg) > r->ipc_rcv_max);
}

__attribute__((hot)) void ipc_fastpath(struct tcb *t, uint64_t to, uint64_t from_spec,
                                      uint64_t timeouts, uint64_t msg)
{
    if (!CONFIG_IPC_FASTPATH || (msg & 0xFFC0) || (uint16_t)timeouts != 0 ||
        (from_spec != to && from_spec != TID_ANY))
        return;                               /* typed items, flags, timeouts */
    struct tcb *r;
    if (tid_is_global(to)) {
        r = thread_by_no(tid_no(to));
        if (!r || r->tid != to)
            return;
    } else if (!(r = local_thread(t->space, to))) {
        return;
    }
    if (from_spec == to)
        from_spec = r->tid;                         /* receive from the global id */
    if (r->state != TS_RECEIVING || r->cpu != t->cpu || r->wakeup_us != ~0ULL)
        return;
    if ((r->flags & (TF_STARTUP | TF_HALTED | TF_QUANTUM_OUT | TF_KREPLY)) && refused(r, msg))
        return;
    uint64_t want = r->ipc_partner;
    if (want != t->tid && want != TID_ANY && !(want == TID_ANYLOCAL && r->space == t->space))
        return;
    if (from_spec == TID_ANY && t->sendq_head)
        return;                               /* a queued sender must be served first */
    if (!sched_may_switch_to(r))
        return;

    if (MSGTAG_U(msg))
        arch_copy_words(&r->utcb[1], &t->utcb[1], MSGTAG_U(msg));
    r->ipc_from = r->space == t->space ? t->utcb_user : t->tid;   /* thread_id_for */
    r->ipc_tag = msg & ~(MSGTAG_P | MSGTAG_R | MSGTAG_X | MSGTAG_E);
    r->ipc_error = 0;
    r->state = TS_READY;

    t->state = TS_RECEIVING;
    t->ipc_partner = from_spec;
    t->ipc_error = 0;
    this_cpu()->fastpath_ipcs++;
    kstack_check(t);
    if (arch_blocked_in_syscall(r) && !r->cx_mask && !xfer_waiting_side(r))
        arch_switch_to_syscall_exit(t, r, r->ipc_from, r->ipc_tag);
    arch_switch_blocked(t, r);                      /* t goes on in ipc_fast_resumed */
}

