/* sched.h — per-CPU priority scheduler: 256 priorities, round robin within one, time slices.
 *
 * Each CPU owns its ready queues (struct sched_cpu in its percpu block); every runnable
 * thread except the running one is queued (core/sched.c).  Runs with interrupts off.
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
    int top;                               /* highest non-empty priority, -1 if none */
    struct sched_queue queue[SCHED_PRIOS];
};

/* Make t ready on its CPU's queue (tail of its priority).  t must not be queued. */
void sched_enqueue(struct tcb *t);

/* Remove t from its ready queue if it is there. */
void sched_dequeue(struct tcb *t);

/* Choose the next thread and switch to it (current stays ready if it still is). */
void sched_schedule(void);

/* Run a strictly higher-priority ready thread if there is one (after a wake-up). */
void sched_preempt_check(void);

/* At a preemption point inside a long kernel operation (core/kpreempt.c): switch to a
 * strictly higher-priority ready thread of this CPU, or away if the current thread cannot
 * run (halted meanwhile); it stays ready and returns here when it runs again.  Never sends
 * a preemption message. */
void sched_preempt_kernel(void);

/* The current thread has just blocked: switch to `hint` (an IPC partner) if it is runnable
 * and no higher-priority thread is ready, otherwise to the best ready thread. */
void sched_block(struct tcb *hint);

/* sched_block with a hint that is runnable, of this CPU, and deliberately NOT on a ready
 * queue (the slow path's direct switch, ipc.c): it runs next if no higher-priority thread is
 * ready, otherwise it is queued first.  Between making such a thread ready and this call the
 * caller passes no scheduling decision, preemption point or lock release. */
void sched_block_unqueued(struct tcb *hint);

/* May the current thread, now blocking, hand the CPU straight to t (no better thread ready)? */
bool sched_may_switch_to(const struct tcb *t);

/* ThreadSwitch to `to`: run it now on our time if it is runnable here, else yield. */
void sched_donate(struct tcb *to);

/* Change t's priority, requeueing it, and reschedule if that matters. */
void sched_set_priority(struct tcb *t, uint8_t prio);

/* Give up the CPU: move current behind its equals and reschedule. */
void sched_yield(void);

/* Timer tick: account the running thread's time, rotate on time-slice end. */
void sched_tick(void);

/* Initialise this CPU's scheduler and create its idle thread. */
void sched_init_cpu(void);

/* Move t to CPU cpu, whatever its state (exclusive kernel lock held).  A thread running on
 * another CPU leaves it at that CPU's next kernel entry; the caller itself switches away and
 * continues on the new CPU. */
void sched_migrate(struct tcb *t, unsigned cpu);

/* t was made ready on another CPU: kick that CPU if t should run there now. */
void sched_kick_for(struct tcb *t);

/* Right after a switch (and at a new thread's first run): queue a thread that moved away
 * on its new CPU, free a deleted one. */
void sched_after_switch(void);

/* The current thread moved to another CPU: switch away; returns on the new CPU. */
void sched_leave_migrated(void);

/* The current thread was deleted: switch away for good; this CPU frees it. */
_Noreturn void sched_leave_dead(void);

/* Enter the scheduler for good on this CPU (boot path); never returns. */
_Noreturn void sched_start(void);
