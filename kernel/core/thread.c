/* thread.c — TCB allocation, the thread table, halting faulted threads.
 *
 * The thread table maps a thread number to its TCB; a slot is written only under
 * thread_table_lock, read without it (a stale read is caught by the version check).
 */
#include "core/thread.h"
#include "core/space.h"
#include "core/sched.h"
#include "core/percpu.h"
#include "mm/kmem.h"
#include "arch.h"

static struct tcb *thread_table[THREAD_MAX];
static struct spinlock thread_table_lock = SPINLOCK_INIT("thread_table");

struct tcb *thread_by_no(uint32_t no)
{
    return no < THREAD_MAX ? __atomic_load_n(&thread_table[no], __ATOMIC_ACQUIRE) : NULL;
}

struct tcb *thread_lookup(uint64_t tid)
{
    struct tcb *t = thread_by_no(tid_no(tid));
    return t && t->tid == tid ? t : NULL;
}

static struct tcb *tcb_alloc(void)
{
    struct tcb *t = kmem_alloc(KSTACK_ORDER);
    if (t) {
        t->prio = SCHED_DEFAULT_PRIO;
        t->timeslice_us = t->remaining_us = SCHED_DEFAULT_TIMESLICE_US;
        t->wakeup_us = ~0ULL;
        t->cpu = (uint16_t)arch_cpu_id();
    }
    return t;
}

struct tcb *thread_create(uint64_t tid, struct space *s)
{
    uint32_t no = tid_no(tid);
    if (no >= THREAD_MAX)
        return NULL;
    struct tcb *t = tcb_alloc();
    if (!t)
        return NULL;
    t->tid = tid;
    t->space = s;
    t->state = TS_INACTIVE;
    spin_lock(&thread_table_lock);
    bool taken = thread_table[no] != NULL;
    if (!taken)
        __atomic_store_n(&thread_table[no], t, __ATOMIC_RELEASE);
    spin_unlock(&thread_table_lock);
    if (taken) {
        kmem_free(t, KSTACK_ORDER);
        return NULL;
    }
    s->nthreads++;
    return t;
}

struct tcb *thread_create_kernel(void (*fn)(void *), void *arg, const char *name)
{
    struct tcb *t = tcb_alloc();
    if (!t)
        return NULL;
    t->name = name;
    t->prio = 0;
    t->state = TS_READY;
    arch_thread_init_kernel(t, fn, arg);
    return t;
}

void thread_halt(struct tcb *t)
{
    sched_dequeue(t);
    t->state = TS_HALTED;
    if (t == current_thread())
        sched_schedule();
}

void thread_switch(struct tcb *prev, struct tcb *next)
{
    if (prev != next)
        arch_switch(prev, next);
}
