/* schedule.c — Schedule: priority, time slice and total quantum, processor, preemption
 * control of a thread; its state and remaining time come back.
 *
 * Allowed to dest's scheduler and to privileged callers.  A field of all ones is left
 * unchanged.  A non-privileged caller cannot raise a priority above its own.
 */
#include "api/api.h"
#include "config.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/xfer.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "arch.h"

/* Preemption control: X.2 bits 23-0 (kept), sigma4's extension switches above. */
#define PC_PREEMPT_MSG      (1ULL << 24)    /* preemption messages to the scheduler */
#define PC_PREEMPT_REGS     (1ULL << 25)    /* ... carrying the registers */
#define PC_EXT_PAGEFAULT    (1ULL << 26)    /* page-fault messages carry the registers */

#define SCHED_RES_ERROR     0
#define SCHED_RES_DEAD      1
#define SCHED_RES_INACTIVE  2
#define SCHED_RES_RUNNING   3
#define SCHED_RES_PENDING   4
#define SCHED_RES_SENDING   5
#define SCHED_RES_WAITING   6
#define SCHED_RES_RECEIVING 7

/* Encode µs as an X.2 time period (m * 2^e, m < 1024); ~0 -> never (0). */
static uint64_t period_of(uint64_t us)
{
    if (us == ~0ULL)
        return 0;
    unsigned e = 0;
    while (us >= 1024 && e < 31) {
        us = (us + 1) >> 1;
        e++;
    }
    if (us == 0)
        return 0x0400;                              /* zero */
    return (e << 10) | us;
}

static uint64_t state_of(const struct tcb *d)
{
    switch (d->state) {
    case TS_INACTIVE: return SCHED_RES_INACTIVE;
    case TS_SENDING: return SCHED_RES_PENDING;
    case TS_RECEIVING: return SCHED_RES_WAITING;
    case TS_READY: return SCHED_RES_RUNNING;
    case TS_XFER: return (d->xfer.flags & XF_SENDER) ? SCHED_RES_SENDING : SCHED_RES_RECEIVING;
    default: return SCHED_RES_DEAD;
    }
}

/* The checks of Schedule: 0 if t may make the changes `in` asks of d, else the error code.
 * d's scheduler changes only under the exclusive lock (ThreadControl), so under the shared
 * lock the answer holds until the caller drops it or waits for the exclusive lock. */
static uint64_t check(const struct tcb *t, const struct tcb *d, const struct sys_schedule_in *in)
{
    if (!d)
        return ERR_INVALID_THREAD;
    bool priv = sys_privileged(t);
    if (!priv && d->scheduler != t->tid)
        return ERR_NO_PRIVILEGE;
    if (in->prio != ~0ULL && !priv && (in->prio & 0xFF) > t->prio)
        return ERR_INVALID_PARAM;
    if (in->processor_control != ~0ULL && (in->processor_control & 0xFFFF) >= ncpus_online)
        return ERR_INVALID_PARAM;
    if (in->preemption_control != ~0ULL &&
        (((in->preemption_control & (PC_PREEMPT_MSG | PC_PREEMPT_REGS)) && !CONFIG_PREEMPT_MSG) ||
         ((in->preemption_control & PC_EXT_PAGEFAULT) && !CONFIG_EXT_PAGEFAULT)))
        return ERR_INVALID_PARAM;                   /* an extension this kernel lacks */
    return 0;
}

/* Schedule on an interrupt thread: only its priority (the priority its interrupts are
 * delivered at, core/irq.c); time and preemption control mean nothing for a thread that
 * takes no time (ignored), and its line follows its handler's CPU (a processor: error 5).
 * Result: 4 (pending send) while an interrupt waits for delivery, else 6 (waiting). */
static uint64_t schedule_interrupt(struct tcb *t, const struct sys_schedule_in *in,
                                   uint64_t *old_tc)
{
    if (in->processor_control != ~0ULL)
        return sys_fail(t, ERR_INVALID_PARAM);
    uint64_t pending;
    int err = irq_schedule(in->dest, t, sys_privileged(t), in->prio, &pending);
    if (err)
        return sys_fail(t, (uint64_t)err);
    *old_tc = 0;                                    /* no time slice, no quantum */
    return pending ? SCHED_RES_PENDING : SCHED_RES_WAITING;
}

static uint64_t schedule(struct tcb *t, const struct sys_schedule_in *in, uint64_t *old_tc)
{
    if (in->dest == TID_NIL)
        return SCHED_RES_RUNNING;                   /* nothing queued to flush */
    if (irq_is_id(in->dest))
        return schedule_interrupt(t, in, old_tc);
    /* Rights first: a refused call never takes the exclusive lock (which stops every CPU);
     * after waiting for it, d may be gone or have another scheduler: check again. */
    struct tcb *d = thread_resolve(t, in->dest);
    uint64_t err = check(t, d, in);
    if (!err && (!klock_may_touch(d) || in->processor_control != ~0ULL) && klock_exclusive()) {
        d = thread_resolve(t, in->dest);            /* others ran while we waited */
        err = check(t, d, in);
    }
    if (err)
        return sys_fail(t, err);
    uint64_t prio = in->prio & 0xFF;
    *old_tc = (period_of(d->remaining_us) << 16) | period_of(d->quantum_us);
    if (in->time_control != ~0ULL) {
        uint16_t ts = (uint16_t)(in->time_control >> 16), tq = (uint16_t)in->time_control;
        if (ts != 0xFFFF) {
            uint64_t us = ipc_deadline(ts, 0);
            if (us == 0 && !CONFIG_ZERO_TIMESLICE)
                us = SCHED_TICK_US;                 /* the shortest slice there is */
            d->timeslice_us = d->remaining_us = us;
            if (us == 0)
                sched_dequeue(d);                   /* from now on: donated time only */
            else
                thread_make_ready(d);
        }
        if (tq != 0xFFFF) {
            d->quantum_us = ipc_deadline(tq, 0);
            if (d->quantum_us && (d->flags & TF_QUANTUM_OUT)) {
                d->flags &= ~TF_QUANTUM_OUT;
                thread_make_ready(d);
            }
        }
    }
    if (in->preemption_control != ~0ULL) {
        uint64_t pc = in->preemption_control;
        d->preempt_control = pc & 0xFFFFFF;
        d->flags &= ~(TF_PREEMPT_MSG | TF_PREEMPT_REGS | TF_EXT_PAGEFAULT);
        d->flags |= ((pc & PC_PREEMPT_MSG) ? TF_PREEMPT_MSG : 0) |
                    ((pc & PC_PREEMPT_REGS) ? TF_PREEMPT_REGS : 0) |
                    ((pc & PC_EXT_PAGEFAULT) ? TF_EXT_PAGEFAULT : 0);
    }
    if (in->prio != ~0ULL && prio != d->prio)
        sched_set_priority(d, (uint8_t)prio);
    uint64_t state = state_of(d);
    if (in->processor_control != ~0ULL)
        sched_migrate(d, (unsigned)(in->processor_control & 0xFFFF));   /* last: may switch */
    return state;
}

void sys_schedule(struct tcb *t, const struct sys_schedule_in *in, struct sys_schedule_out *out)
{
    uint64_t old_tc = 0;
    out->result = schedule(t, in, &old_tc);
    out->time_control = old_tc;
    sched_preempt_check();
}
