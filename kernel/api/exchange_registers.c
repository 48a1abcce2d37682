/* exchange_registers.c — ExchangeRegisters: read and change another thread's user state.
 *
 * Allowed on threads of the caller's own space and by the thread's pager.  Old values are
 * always returned; the result is dest's other id form (local for a global dest in the same
 * space, global otherwise).  Control bits (fact sheet 7.8): h 0, r 1, s 2, S 3, I 4, f 5,
 * u 6, p 7, H 8; out: 0 was halted, 1 was receiving, 2 was sending.
 */
#include "api/api.h"
#include "core/ipc.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "arch.h"

#define XR_H_VAL    (1u << 0)
#define XR_CANCEL_R (1u << 1)
#define XR_CANCEL_S (1u << 2)
#define XR_SP       (1u << 3)
#define XR_IP       (1u << 4)
#define XR_FLAGS    (1u << 5)
#define XR_HANDLE   (1u << 6)
#define XR_PAGER    (1u << 7)
#define XR_HALT     (1u << 8)

static void fail(struct tcb *t, struct sys_exchange_registers_out *out)
{
    *out = (struct sys_exchange_registers_out){ 0 };
    sys_fail(t, ERR_INVALID_THREAD);
}

/* May t work on d (d active, in t's space or paged by t)?  Under the shared lock for a d of
 * another CPU: d cannot be deleted or activated meanwhile (that takes the exclusive lock),
 * only its pager may change under our feet, so the answer is re-checked once exclusive. */
static bool allowed(const struct tcb *t, const struct tcb *d)
{
    return d && d->state != TS_INACTIVE && d->utcb &&
           (d->space == t->space || __atomic_load_n(&d->pager, __ATOMIC_RELAXED) == t->tid);
}

/* Does the call on d touch a thread of another CPU?  d itself, or, when it cancels a string
 * copy in progress, the copy's partner (whose fault IPC it ends). */
static bool touches_remote(struct tcb *d, uint64_t control)
{
    if (!klock_may_touch(d))
        return true;
    return (control & (XR_CANCEL_R | XR_CANCEL_S)) && d->xfer.partner &&
           !klock_may_touch(d->xfer.partner);
}

void sys_exchange_registers(struct tcb *t, const struct sys_exchange_registers_in *in,
                            struct sys_exchange_registers_out *out)
{
    /* Rights first: a refused call never takes the exclusive lock (which stops every CPU). */
    struct tcb *d = thread_resolve(t, in->dest);
    if (allowed(t, d) && touches_remote(d, in->control) && klock_exclusive())
        d = thread_resolve(t, in->dest);            /* others ran while we waited */
    if (!allowed(t, d)) {
        fail(t, out);
        return;
    }
    if (d->on_cpu)
        cpu_stop_user(d->on_cpu - 1u);              /* its user registers into its frame */
    uint64_t c = in->control;
    out->result = tid_is_local(in->dest) ? d->tid : thread_id_for(d, t);
    out->control = ((d->flags & TF_HALTED) ? 1 : 0) | ipc_cancel(d, false, false);
    out->sp = arch_user_get(d, UREG_SP);
    out->ip = arch_user_get(d, UREG_IP);
    out->flags = arch_user_get(d, UREG_FLAGS);
    out->handle = d->utcb[UTCB_USER_HANDLE];
    out->pager = d->pager;

    if (c & (XR_CANCEL_R | XR_CANCEL_S))
        ipc_cancel(d, c & XR_CANCEL_S, c & XR_CANCEL_R);
    if (c & XR_SP) arch_user_set(d, UREG_SP, in->sp);
    if (c & XR_IP) arch_user_set(d, UREG_IP, in->ip);
    if (c & XR_FLAGS) arch_user_set(d, UREG_FLAGS, in->flags);
    if (c & XR_HANDLE) d->utcb[UTCB_USER_HANDLE] = in->handle;
    if (c & XR_PAGER) {
        d->pager = in->pager;
        d->utcb[UTCB_PAGER] = in->pager;
    }
    /* A thread still waiting for its start-up message starts when given IP (and SP). */
    if ((d->flags & TF_STARTUP) && (c & XR_IP) && (!(c & XR_HALT) || !(c & XR_H_VAL)))
        thread_start(d, arch_user_get(d, UREG_IP), arch_user_get(d, UREG_SP));
    if (c & XR_HALT) {
        if (c & XR_H_VAL) {
            thread_halt(d);
        } else if (d->flags & TF_HALTED) {
            d->flags &= ~TF_HALTED;
            thread_make_ready(d);
        }
    }
    if (t->utcb)
        t->utcb[UTCB_ERROR_CODE] = 0;
    sched_preempt_check();
}
