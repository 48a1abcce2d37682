/* klock.c — the kernel lock (a big-reader lock), kicks and TLB shootdown (klock.h). */
#include "config.h"
#include "core/klock.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/sched.h"
#include "arch.h"

volatile uint32_t klock_writer;                 /* 1 while a CPU holds or takes it exclusive */

void klock_poll(void)
{
    struct percpu *c = this_cpu();
    if (__atomic_load_n(&c->tlb_req, __ATOMIC_ACQUIRE)) {
        arch_tlb_flush_all();
        __atomic_store_n(&c->tlb_req, 0, __ATOMIC_RELEASE);
    }
}

static void acquire_shared(struct percpu *c)
{
    __atomic_store_n(&c->klock_shared, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    while (__builtin_expect(__atomic_load_n(&klock_writer, __ATOMIC_ACQUIRE), 0)) {
        __atomic_store_n(&c->klock_shared, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&c->klock_waiting, 1, __ATOMIC_RELEASE);
        while (__atomic_load_n(&klock_writer, __ATOMIC_RELAXED)) {
            klock_poll();
            arch_cpu_relax();
        }
        __atomic_store_n(&c->klock_shared, 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
    }
    if (c->klock_waiting)
        __atomic_store_n(&c->klock_waiting, 0, __ATOMIC_RELEASE);
}

/* Before a writer takes the lock: CPUs already waiting for it shared behind an earlier writer
 * go first, so that a stream of exclusive holders (ThreadControl in a loop) cannot keep a CPU
 * out of the kernel, e.g. one coming back from a preemption point (docs/design/preemption.md).
 * Those CPUs set klock_waiting only while a writer holds the lock, so this wait is bounded
 * by one shared section of each. */
static void let_waiting_readers_in(struct percpu *c)
{
    for (unsigned i = 0; i < ncpus_online; i++)
        while (i != c->cpu && __atomic_load_n(&percpu[i].klock_waiting, __ATOMIC_ACQUIRE)) {
            klock_poll();
            arch_cpu_relax();
        }
}

static void acquire_exclusive(struct percpu *c)
{
    let_waiting_readers_in(c);
    while (__atomic_exchange_n(&klock_writer, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&klock_writer, __ATOMIC_RELAXED)) {
            klock_poll();
            arch_cpu_relax();
        }
        let_waiting_readers_in(c);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < ncpus_online; i++)
        while (i != c->cpu && __atomic_load_n(&percpu[i].klock_shared, __ATOMIC_ACQUIRE)) {
            klock_poll();
            arch_cpu_relax();
        }
    c->klock_excl = 1;
    c->klock_excl_count++;
}

static void release(struct percpu *c)
{
    if (c->klock_excl) {
        c->klock_excl = 0;
        __atomic_store_n(&klock_writer, 0, __ATOMIC_RELEASE);
    } else {
        __atomic_store_n(&c->klock_shared, 0, __ATOMIC_RELEASE);
    }
}

/* The current thread was deleted, or moved to another CPU, while this CPU waited for the lock
 * or ran user code (percpu.recheck): it must not go on here. */
static void check_current(bool migrated_too)
{
    struct percpu *c = this_cpu();
    struct tcb *cur = c->current;
    if (!cur || cur == c->idle)
        return;
    if (cur->state == TS_DEAD)
        sched_leave_dead();                         /* never returns */
    if (migrated_too && cur->cpu != c->cpu)
        sched_leave_migrated();                     /* returns on the new CPU */
    else if (migrated_too && !thread_runnable(cur))
        sched_schedule();                           /* halted meanwhile: returns when resumed */
}

void klock_enter_slow(void)
{
    struct percpu *c = this_cpu();
    if (CONFIG_GIANT_LOCK)
        acquire_exclusive(c);
    else
        acquire_shared(c);                          /* (again: a writer was there) */
    if (c->tlb_req)
        klock_poll();
    if (c->recheck) {
        c->recheck = 0;
        check_current(true);
    }
}

void klock_exit_slow(bool to_user)
{
    struct percpu *c = this_cpu();
    if (c->tlb_pending)
        tlb_shootdown();
    if (c->recheck) {
        c->recheck = 0;
        check_current(true);
        c = this_cpu();
    }
    if (to_user)
        __atomic_store_n(&c->in_user, 1, __ATOMIC_RELEASE);
    release(c);
}

bool klock_exclusive(void)
{
    bool waited = false;
    for (;;) {
        struct percpu *c = this_cpu();
        if (c->klock_excl)
            return waited;
        waited = true;
        __atomic_store_n(&c->klock_shared, 0, __ATOMIC_RELEASE);
        acquire_exclusive(c);
        check_current(false);
    }
}

bool klock_is_exclusive(void)
{
    return this_cpu()->klock_excl;
}

void cpu_recheck(unsigned cpu)
{
    percpu[cpu].recheck = 1;
    cpu_kick(cpu);
}

void cpu_kick(unsigned cpu)
{
    if (cpu != this_cpu()->cpu)
        arch_send_kick(cpu);
}

void cpu_stop_user(unsigned cpu)
{
    if (cpu == this_cpu()->cpu || !__atomic_load_n(&percpu[cpu].in_user, __ATOMIC_ACQUIRE))
        return;
    arch_send_kick(cpu);
    while (__atomic_load_n(&percpu[cpu].in_user, __ATOMIC_ACQUIRE)) {
        klock_poll();
        arch_cpu_relax();
    }
}

void cpu_reload_root(unsigned cpu)
{
    if (cpu == this_cpu()->cpu) {
        arch_tlb_flush_all();
        return;
    }
    __atomic_store_n(&percpu[cpu].tlb_req, 1, __ATOMIC_RELEASE);
    arch_send_kick(cpu);
    while (__atomic_load_n(&percpu[cpu].tlb_req, __ATOMIC_ACQUIRE)) {
        klock_poll();
        arch_cpu_relax();
    }
}

void tlb_note(struct space *s)
{
    struct percpu *c = this_cpu();
    __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the PTE change before the mask read */
    c->tlb_pending |= __atomic_load_n(&s->cpus_active, __ATOMIC_ACQUIRE) & ~(1ULL << c->cpu);
}

void tlb_shootdown(void)
{
    struct percpu *c = this_cpu();
    uint64_t mask = c->tlb_pending;
    c->tlb_pending = 0;
    for (unsigned i = 0; i < ncpus_online; i++)
        if (mask & (1ULL << i)) {
            __atomic_store_n(&percpu[i].tlb_req, 1, __ATOMIC_RELEASE);
            arch_send_kick(i);
        }
    for (unsigned i = 0; i < ncpus_online; i++)
        while ((mask & (1ULL << i)) && __atomic_load_n(&percpu[i].tlb_req, __ATOMIC_ACQUIRE)) {
            klock_poll();
            arch_cpu_relax();
        }
    c->tlb_shootdowns++;
}

void tlb_shootdown_walkers(void)
{
    struct percpu *c = this_cpu();
    __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the unlinking before the look (klock_enter) */
    for (unsigned i = 0; i < ncpus_online; i++)
        if (i != c->cpu && __atomic_load_n(&percpu[i].klock_shared, __ATOMIC_ACQUIRE))
            c->tlb_pending |= 1ULL << i;
    if (c->tlb_pending)
        tlb_shootdown();
}

void tlb_space_loaded(struct space *s, unsigned cpu)
{
    __atomic_fetch_or(&s->cpus_active, 1ULL << cpu, __ATOMIC_SEQ_CST);
}

void tlb_space_unloaded(struct space *s, unsigned cpu)
{
    __atomic_fetch_and(&s->cpus_active, ~(1ULL << cpu), __ATOMIC_SEQ_CST);
}
