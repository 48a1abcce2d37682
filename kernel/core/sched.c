/* sched.c — per-CPU priority round-robin scheduler.
 *
 * Invariant: on each CPU every runnable thread (thread_runnable) except the running one is on
 * exactly one ready queue, at its priority; the idle thread is never queued.  The highest
 * non-empty priority runs; a running thread gives way only to a strictly higher priority,
 * rotates behind its equals when its time slice ends or it yields.  Time is charged per tick
 * to the time slice and the total quantum; a thread whose total quantum is used up stops
 * (TF_QUANTUM_OUT) until Schedule gives it a new one.  A thread is queued on its home CPU
 * (t->cpu); the one exception is the slow path's direct switch (sched_block_unqueued), where
 * the woken partner is left off the queues for the few steps until the switch to it.
 * Functions on another CPU's thread need the exclusive kernel lock (core/klock.h);
 * making such a thread ready kicks its CPU if it should run now.  A thread that moves to
 * another CPU while it runs is queued there only after its old CPU has switched away from it
 * (percpu.handoff); a deleted thread that was running is freed the same way (percpu.reap).
 */
#include "core/sched.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "core/timeout.h"
#include "core/klock.h"
#include "core/preempt.h"
#include "core/irq.h"
#include "config.h"
#include "core/space.h"
#include <sigma4/utcb.h>
#include "debug/panic.h"
#include "arch.h"

static struct sched_cpu *rq(void) { return &this_cpu()->sched; }
static struct sched_cpu *rq_of(const struct tcb *t) { return &percpu[t->cpu].sched; }

static bool queued(struct tcb *t)
{
    return t->rq_prev || rq_of(t)->queue[t->prio].head == t;
}

void sched_enqueue(struct tcb *t)
{
    assert(klock_may_touch(t));
    assert(thread_runnable(t));
    if (queued(t) || (CONFIG_ZERO_TIMESLICE && t->timeslice_us == 0))
        return;                                     /* a zero time slice: donations only */
    struct sched_cpu *s = rq_of(t);
    struct sched_queue *q = &s->queue[t->prio];
    t->rq_next = NULL;
    t->rq_prev = q->tail;
    if (q->tail)
        q->tail->rq_next = t;
    else
        q->head = t;
    q->tail = t;
    s->bitmap[t->prio / 64] |= 1ULL << (t->prio % 64);
    if (t->prio > s->top)
        s->top = t->prio;
}

/* Recompute the highest non-empty priority from the bitmap: it can only have gone down, so
 * the search starts at the old top's word. */
static void update_top(struct sched_cpu *s)
{
    for (int w = s->top / 64; w >= 0; w--)
        if (s->bitmap[w]) {
            s->top = w * 64 + 63 - __builtin_clzll(s->bitmap[w]);
            return;
        }
    s->top = -1;
}

void sched_dequeue(struct tcb *t)
{
    if (!queued(t))
        return;
    struct sched_cpu *s = rq_of(t);
    struct sched_queue *q = &s->queue[t->prio];
    if (t->rq_prev) t->rq_prev->rq_next = t->rq_next; else q->head = t->rq_next;
    if (t->rq_next) t->rq_next->rq_prev = t->rq_prev; else q->tail = t->rq_prev;
    t->rq_next = t->rq_prev = NULL;
    if (!q->head) {
        s->bitmap[t->prio / 64] &= ~(1ULL << (t->prio % 64));
        if (t->prio == s->top)
            update_top(s);
    }
}

/* Highest-priority queued thread, or NULL. */
static struct tcb *highest(void)
{
    struct sched_cpu *s = rq();
    return s->top < 0 ? NULL : s->queue[s->top].head;
}

/* Switch to next (dequeued here), requeueing the current thread if it can still run: here,
 * or (moved away; exclusive lock held) on its new CPU once we are off its stack. */
static void switch_to(struct tcb *next)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current;
    if (next)
        sched_dequeue(next);
    else
        next = c->idle;
    if (cur != c->idle && thread_runnable(cur) && cur != next) {
        if (cur->cpu == c->cpu)
            sched_enqueue(cur);
        else
            c->handoff = cur;
    }
    thread_switch(cur, next);
}

void sched_after_switch(void)
{
    struct percpu *c = this_cpu();
    if (c->switched_out) {
        c->switched_out->on_cpu = 0;                /* nothing runs on its stack any more */
        c->switched_out = NULL;
    }
    struct tcb *h = c->handoff, *z = c->reap;
    c->handoff = c->reap = NULL;
    if (h && thread_runnable(h)) {
        sched_enqueue(h);
        sched_kick_for(h);
    }
    if (z)
        thread_reap(z);
}

void sched_kick_for(struct tcb *t)
{
    struct percpu *p = &percpu[t->cpu];
    if (p == this_cpu())
        return;
    if (p->current == p->idle || t->prio > p->current->prio)
        cpu_kick(t->cpu);
}

void sched_leave_migrated(void)
{
    klock_exclusive();
    struct percpu *c = this_cpu();
    if (c->current->cpu != c->cpu)
        switch_to(highest());
}

_Noreturn void sched_leave_dead(void)
{
    struct percpu *c = this_cpu();
    c->reap = c->current;
    switch_to(highest());
    panic("a deleted thread ran again");
}

void sched_migrate(struct tcb *t, unsigned cpu)
{
    unsigned from = t->cpu;
    if (from == cpu)
        return;
    uint64_t wake = t->wakeup_us;
    if (wake != ~0ULL)
        timeout_remove(t);
    bool was_queued = queued(t);
    sched_dequeue(t);
    bool running = t->on_cpu != 0;
    unsigned runs_on = t->on_cpu - 1u;
    t->cpu = (uint16_t)cpu;
    if (t->utcb)
        t->utcb[UTCB_PROCESSOR_NO] = cpu;
    if (wake != ~0ULL)
        timeout_add(t, wake);
    irq_thread_moved(t);                            /* its interrupt lines follow it */
    if (running) {
        if (runs_on == this_cpu()->cpu)
            switch_to(highest());                   /* ourselves: on again on the new CPU */
        else
            cpu_recheck(runs_on);                   /* it leaves at its next kernel entry */
    } else if (was_queued) {
        sched_enqueue(t);
        sched_kick_for(t);
    }
}

void sched_schedule(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current, *next = highest();
    if (cur != c->idle && cur->cpu != c->cpu) {
        sched_leave_migrated();
        return;
    }
    if (cur != c->idle && thread_runnable(cur) && (!next || next->prio <= cur->prio))
        return;                                     /* current stays */
    unsigned cause = c->in_irq ? PREEMPT_INTERRUPT : PREEMPT_PRIORITY;
    c->in_irq = 0;                                  /* preempt_send may switch threads */
    if (cur != c->idle && thread_runnable(cur) && preempt_wants_message(cur) &&
        preempt_send(cur, cause))
        return;                                     /* preempted by its own message */
    switch_to(next);
}

void sched_preempt_check(void)
{
    sched_schedule();
}

void sched_preempt_kernel(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current, *next = highest();
    if (cur->cpu != c->cpu)
        sched_leave_migrated();
    else if (!thread_runnable(cur) || (next && next->prio > cur->prio))
        switch_to(next);
}

bool sched_may_switch_to(const struct tcb *t)
{
    return (int)t->prio >= rq()->top;
}

void sched_block_unqueued(struct tcb *hint)
{
    struct percpu *c = this_cpu();
    struct tcb *top = highest();
    assert(thread_runnable(hint) && hint->cpu == c->cpu && !queued(hint));
    if (top && top->prio > hint->prio) {
        sched_enqueue(hint);
        switch_to(top);
    } else {
        thread_switch(c->current, hint);            /* the blocking thread is not runnable */
    }
}

/* May this CPU switch to t now?  Runnable, of this CPU, and on no CPU's stack: a thread moved
 * here while it runs elsewhere becomes ours only when its old CPU has switched away from it
 * (percpu.handoff). */
static bool runs_here(const struct tcb *t)
{
    return thread_runnable(t) && t->cpu == this_cpu()->cpu && !t->on_cpu;
}

void sched_block(struct tcb *hint)
{
    struct tcb *top = highest();
    if (hint && hint != current_thread() && runs_here(hint) && (!top || hint->prio >= top->prio))
        switch_to(hint);                            /* direct switch to the partner */
    else
        switch_to(top);
}

void sched_yield(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current, *next = highest();
    if (cur == c->idle || !next || next->prio < cur->prio)
        return;
    if (!thread_runnable(cur) || cur->cpu != c->cpu) {
        sched_schedule();                           /* halted or moved meanwhile: no rotation */
        return;
    }
    cur->remaining_us = cur->timeslice_us;
    sched_dequeue(next);
    sched_enqueue(cur);
    thread_switch(cur, next);
}

void sched_donate(struct tcb *to)
{
    struct tcb *cur = current_thread();
    if (to == cur || !runs_here(to)) {
        sched_yield();
        return;
    }
    switch_to(to);
}

void sched_set_priority(struct tcb *t, uint8_t prio)
{
    bool was = queued(t);
    sched_dequeue(t);
    t->prio = prio;
    if (was)
        sched_enqueue(t);
    if (t->cpu != this_cpu()->cpu)
        cpu_kick(t->cpu);                           /* its CPU decides again */
    sched_schedule();
}

void sched_tick(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current;
    timeout_tick(arch_clock_us());
    irq_tick();                                     /* interrupts held back by priority */
    if (cur == c->idle) {
        sched_schedule();
        return;
    }
    if (cur->quantum_us != ~0ULL) {
        cur->quantum_us = cur->quantum_us > SCHED_TICK_US ? cur->quantum_us - SCHED_TICK_US : 0;
        if (cur->quantum_us == 0) {
            cur->flags |= TF_QUANTUM_OUT;           /* until Schedule gives it a new one */
            sched_schedule();
            return;
        }
    }
    if (cur->remaining_us > SCHED_TICK_US) {
        cur->remaining_us -= SCHED_TICK_US;
        sched_schedule();                           /* a woken higher-priority thread */
        return;
    }
    cur->remaining_us = cur->timeslice_us;
    if (CONFIG_ZERO_TIMESLICE && cur->timeslice_us == 0) {
        switch_to(highest());                       /* the donated time is over */
        return;
    }
    struct tcb *next = highest();
    if (next && next->prio >= cur->prio && preempt_wants_message(cur) &&
        preempt_send(cur, PREEMPT_TIMESLICE))
        return;
    sched_yield();
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        klock_exit(false);
        arch_idle_wait();
        klock_enter();
        sched_schedule();
    }
}

void sched_init_cpu(void)
{
    struct percpu *c = this_cpu();
    c->sched.top = -1;
    c->idle = thread_create_kernel(idle_loop, NULL, "idle");
    if (!c->idle)
        panic("no memory for the idle thread");
}

_Noreturn void sched_start(void)
{
    klock_enter();
    struct percpu *c = this_cpu();
    struct tcb *first = highest();
    if (first)
        sched_dequeue(first);
    else
        first = c->idle;
    arch_start_first(first);
}
