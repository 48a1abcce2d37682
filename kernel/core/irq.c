/* irq.c — interrupt threads: association, delivery as IPC, acknowledgement.
 *
 * Per line: the handler's global id, `pending` (arrived, not yet delivered) and `active`
 * (delivered, not yet acknowledged: the line is masked).  An interrupt is delivered at most
 * once before its acknowledgement, so none is lost and none is duplicated.  A line is routed
 * to the CPU of its handler thread; if the handler moved, delivery takes the kernel lock
 * exclusive.  Runs with interrupts off.
 *
 * Priority (X.2: an interrupt is a thread, and Schedule sets its priority): an interrupt is
 * delivered only while nothing of higher priority than its interrupt thread runs on the
 * handler's CPU — the interrupt thread would not get to run before.  Otherwise it stays
 * pending and the tick of that CPU delivers it once the CPU runs something of the interrupt's
 * priority or lower, or idles (at most one tick late).  The default, 255, delivers at once.
 */
#include "core/irq.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "core/kmsg.h"
#include "api/api.h"
#include "arch.h"
#include <sigma4/layout.h>


struct irq_line {
    uint64_t handler;           /* global id, TID_NIL = not associated */
    bool pending;               /* raised, waiting for the handler to receive */
    bool active;                /* delivered, waiting for the acknowledgement */
    uint8_t prio;               /* the interrupt thread's priority (Schedule) */
};

#define IRQ_DEFAULT_PRIO SCHED_ROOT_PRIO

static struct irq_line lines[THREAD_SYSTEM_BASE];
static unsigned npending;                /* lines with pending set: receive's quick check */

static void set_pending(unsigned n, bool p)
{
    if (lines[n].pending != p)
        __atomic_add_fetch(&npending, p ? 1 : -1, __ATOMIC_RELAXED);
    lines[n].pending = p;
}

bool irq_is_id(uint64_t id)
{
    return tid_version(id) == 1 && tid_no(id) < THREAD_SYSTEM_BASE && tid_no(id) < arch_irq_lines();
}

int irq_control(uint64_t irq_id, struct tcb *caller, uint64_t handler)
{
    unsigned n = tid_no(irq_id);
    if (!irq_is_id(irq_id))
        return ERR_INVALID_THREAD;
    if (handler == irq_id) {                        /* detach */
        arch_irq_mask(n, true);
        set_pending(n, false);
        lines[n] = (struct irq_line){ TID_NIL, false, false, IRQ_DEFAULT_PRIO };
        return 0;
    }
    struct tcb *h = thread_resolve(caller, handler);
    if (!h || h->state == TS_INACTIVE)
        return ERR_INVALID_THREAD;
    if (arch_irq_route(n, percpu[h->cpu].apic_id) < 0)     /* to the handler's CPU */
        return ERR_INVALID_PARAM;
    set_pending(n, false);
    lines[n] = (struct irq_line){ h->tid, false, false, IRQ_DEFAULT_PRIO };
    arch_irq_mask(n, false);
    return 0;
}

static bool wants(uint64_t spec, uint64_t irq_id)
{
    return spec == TID_ANY || spec == irq_id;
}

/* May line n's interrupt be delivered on CPU cpu now: is nothing of higher priority than
 * the interrupt thread running there (or, when `blocking`, the current thread is about to
 * block: ready there)? */
static bool delivery_allowed(unsigned n, unsigned cpu, bool blocking)
{
    const struct percpu *p = &percpu[cpu];
    int busy = p->sched.top;
    if (!blocking && p->current != p->idle && (int)p->current->prio > busy)
        busy = p->current->prio;
    return (int)lines[n].prio >= busy;
}

/* Deliver line n's interrupt to its waiting handler h. */
static void deliver(struct tcb *h, unsigned n)
{
    set_pending(n, false);
    lines[n].active = true;
    ipc_complete_kernel_message(h, tid_make(n, 1), (uint64_t)(int64_t)LABEL_INTERRUPT << 20);
}

void irq_raise(unsigned n)
{
    arch_irq_mask(n, true);
    if (n >= THREAD_SYSTEM_BASE || lines[n].handler == TID_NIL || lines[n].active)
        return;
    struct tcb *h = thread_lookup(lines[n].handler);
    if (!h)
        return;
    if (!klock_may_touch(h)) {                      /* the handler moved to another CPU */
        klock_exclusive();
        if (lines[n].active || !(h = thread_lookup(lines[n].handler)))
            return;
    }
    set_pending(n, true);
    if (h->state == TS_RECEIVING && !(h->flags & TF_STARTUP) &&
        wants(h->ipc_partner, tid_make(n, 1)) && delivery_allowed(n, h->cpu, false)) {
        deliver(h, n);
        sched_preempt_check();
    }
}

int irq_ack(struct tcb *t, uint64_t irq_id)
{
    unsigned n = tid_no(irq_id);
    if (!irq_is_id(irq_id) || lines[n].handler != t->tid)
        return IPC_ERR_NOPARTNER;
    lines[n].active = false;
    if (!lines[n].pending)
        arch_irq_mask(n, false);
    return 0;
}

bool irq_receive(struct tcb *t, uint64_t spec)
{
    if (!__atomic_load_n(&npending, __ATOMIC_RELAXED))
        return false;
    for (unsigned n = 0; n < THREAD_SYSTEM_BASE; n++)
        if (lines[n].pending && lines[n].handler == t->tid && wants(spec, tid_make(n, 1)) &&
            delivery_allowed(n, t->cpu, true)) {
            deliver(t, n);
            return true;
        }
    return false;
}

void irq_tick(void)
{
    if (!__atomic_load_n(&npending, __ATOMIC_RELAXED))
        return;
    unsigned cpu = this_cpu()->cpu;
    for (unsigned n = 0; n < THREAD_SYSTEM_BASE; n++) {
        if (!lines[n].pending)
            continue;
        struct tcb *h = thread_lookup(lines[n].handler);
        if (h && h->cpu == cpu && h->state == TS_RECEIVING && !(h->flags & TF_STARTUP) &&
            wants(h->ipc_partner, tid_make(n, 1)) && delivery_allowed(n, cpu, false))
            deliver(h, n);
    }
}

int irq_schedule(uint64_t irq_id, struct tcb *caller, bool privileged, uint64_t prio,
                 uint64_t *state)
{
    unsigned n = tid_no(irq_id);
    if (!irq_is_id(irq_id) || lines[n].handler == TID_NIL)
        return ERR_INVALID_THREAD;
    if (!privileged && lines[n].handler != caller->tid)
        return ERR_NO_PRIVILEGE;
    if (prio != ~0ULL && !privileged && (prio & 0xFF) > caller->prio)
        return ERR_INVALID_PARAM;
    if (prio != ~0ULL)
        __atomic_store_n(&lines[n].prio, (uint8_t)prio, __ATOMIC_RELAXED);
    *state = lines[n].pending;
    return 0;
}

bool irq_may_receive(struct tcb *t, uint64_t spec)
{
    return irq_is_id(spec) && lines[tid_no(spec)].handler == t->tid;
}

void irq_thread_deleted(struct tcb *t)
{
    for (unsigned n = 0; n < THREAD_SYSTEM_BASE; n++)
        if (lines[n].handler == t->tid) {
            arch_irq_mask(n, true);
            set_pending(n, false);
            lines[n] = (struct irq_line){ TID_NIL, false, false, IRQ_DEFAULT_PRIO };
        }
}

void irq_thread_moved(struct tcb *t)
{
    for (unsigned n = 0; n < THREAD_SYSTEM_BASE; n++)
        if (lines[n].handler == t->tid && arch_irq_route(n, percpu[t->cpu].apic_id) == 0 &&
            !lines[n].active && !lines[n].pending)
            arch_irq_mask(n, false);                /* routing masks it: open it again */
}
