/* sched.h — per-CPU priority scheduler: 256 priorities, round robin within one, time slices.
 *
 * Each CPU owns its ready queues (struct sched_cpu in its percpu block).  A thread is on the
 * ready queue of its home CPU iff its state is TS_READY and it is not the running thread...
 * precisely: every TS_READY thread except `current` is queued.  Runs with interrupts off.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define SCHED_PRIOS 256
#define SCHED_DEFAULT_PRIO 100
#define SCHED_ROOT_PRIO 255
#define SCHED_DEFAULT_TIMESLICE_US 10000
#define SCHED_TICK_US 1000

struct tcb;

struct sched_queue { struct tcb *head, *tail; };

struct sched_cpu {
    uint64_t bitmap[SCHED_PRIOS / 64];     /* bit p set iff queue[p] non-empty */
    struct sched_queue queue[SCHED_PRIOS];
};

/* Make t ready on its CPU's queue (tail of its priority).  t must not be queued. */
void sched_enqueue(struct tcb *t);

/* Remove t from its ready queue if it is there. */
void sched_dequeue(struct tcb *t);

/* Choose the next thread and switch to it (current stays ready if it still is). */
void sched_schedule(void);

/* Give up the CPU: move current behind its equals and reschedule. */
void sched_yield(void);

/* Timer tick: account the running thread's time, rotate on time-slice end. */
void sched_tick(void);

/* Initialise this CPU's scheduler and create its idle thread. */
void sched_init_cpu(void);

/* Enter the scheduler for good on this CPU (boot path); never returns. */
_Noreturn void sched_start(void);
