/* sched.c — per-CPU priority round-robin scheduler.
 *
 * Invariant: on each CPU every TS_READY thread except the running one (and the idle thread,
 * which is never queued) is on exactly one ready queue, at its priority.  The highest
 * non-empty priority runs; within a priority, threads rotate when their time slice ends or
 * they yield.  All functions run on the thread's home CPU with interrupts disabled.
 */
#include "core/sched.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "core/timeout.h"
#include "debug/panic.h"
#include "arch.h"

static struct sched_cpu *rq(void) { return &this_cpu()->sched; }

void sched_enqueue(struct tcb *t)
{
    struct sched_cpu *s = rq();
    struct sched_queue *q = &s->queue[t->prio];
    t->rq_next = NULL;
    t->rq_prev = q->tail;
    if (q->tail)
        q->tail->rq_next = t;
    else
        q->head = t;
    q->tail = t;
    s->bitmap[t->prio / 64] |= 1ULL << (t->prio % 64);
}

static bool queued(struct tcb *t)
{
    return t->rq_prev || rq()->queue[t->prio].head == t;
}

void sched_dequeue(struct tcb *t)
{
    if (!queued(t))
        return;
    struct sched_cpu *s = rq();
    struct sched_queue *q = &s->queue[t->prio];
    if (t->rq_prev) t->rq_prev->rq_next = t->rq_next; else q->head = t->rq_next;
    if (t->rq_next) t->rq_next->rq_prev = t->rq_prev; else q->tail = t->rq_prev;
    t->rq_next = t->rq_prev = NULL;
    if (!q->head)
        s->bitmap[t->prio / 64] &= ~(1ULL << (t->prio % 64));
}

/* Highest-priority queued thread, or NULL. */
static struct tcb *highest(void)
{
    struct sched_cpu *s = rq();
    for (int w = SCHED_PRIOS / 64 - 1; w >= 0; w--)
        if (s->bitmap[w])
            return s->queue[w * 64 + 63 - __builtin_clzll(s->bitmap[w])].head;
    return NULL;
}

void sched_schedule(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current;
    struct tcb *next = highest();
    if (cur != c->idle && cur->state == TS_READY) {
        if (!next || next->prio < cur->prio)
            return;                                 /* current stays */
        sched_enqueue(cur);
        next = highest();
    }
    if (!next)
        next = c->idle;
    else
        sched_dequeue(next);
    thread_switch(cur, next);
}

void sched_yield(void)
{
    struct tcb *cur = current_thread();
    if (cur == this_cpu()->idle)
        return;
    struct tcb *next = highest();
    if (!next || next->prio < cur->prio)
        return;
    cur->remaining_us = cur->timeslice_us;
    sched_enqueue(cur);
    sched_dequeue(next);
    thread_switch(cur, next);
}

void sched_tick(void)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current;
    timeout_tick(arch_clock_us());
    if (cur == c->idle) {
        sched_schedule();
        return;
    }
    if (cur->remaining_us > SCHED_TICK_US) {
        cur->remaining_us -= SCHED_TICK_US;
        sched_schedule();                          /* a woken higher-priority thread */
        return;
    }
    cur->remaining_us = cur->timeslice_us;
    sched_yield();
}

static void idle_loop(void *arg)
{
    (void)arg;
    for (;;) {
        arch_idle_wait();
        sched_schedule();
    }
}

void sched_init_cpu(void)
{
    struct percpu *c = this_cpu();
    c->idle = thread_create_kernel(idle_loop, NULL, "idle");
    if (!c->idle)
        panic("no memory for the idle thread");
}

_Noreturn void sched_start(void)
{
    struct percpu *c = this_cpu();
    struct tcb *first = highest();
    if (first)
        sched_dequeue(first);
    else
        first = c->idle;
    arch_start_first(first);
}
