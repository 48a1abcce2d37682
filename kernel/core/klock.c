/* klock.c — the kernel lock (a big-reader lock), kicks and TLB shootdown (klock.h). */
#include "config.h"
#include "core/klock.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/sched.h"
#include "debug/panic.h"
#include "arch.h"

volatile uint32_t klock_writer;                 /* 1 while a CPU holds or takes it exclusive */

static void lazy_drop(struct percpu *c);

void klock_poll(void)
{
    struct percpu *c = this_cpu();
    if (__atomic_load_n(&c->tlb_req, __ATOMIC_ACQUIRE)) {
        arch_tlb_flush_all();
        lazy_drop(c);               /* flushed: nothing of it is cached here any more */
        __atomic_store_n(&c->tlb_req, 0, __ATOMIC_RELEASE);
    }
}

static void spin_while_writer(struct percpu *c)
{
    while (__atomic_load_n(&c->attn_writer, __ATOMIC_ACQUIRE)) {
        klock_poll();
        arch_cpu_relax();
    }
}

/* Shared, behind a writer: wait (KLOCK_WAITING, not holding) until it has gone, then try
 * again; KLOCK_WAITING stays set across the retry, so a writer that saw it lets us in first. */
static void acquire_shared(struct percpu *c)
{
    if (!__atomic_load_n(&c->attn_writer, __ATOMIC_SEQ_CST))
        return;                                     /* (klock_enter took it) */
    do {
        __atomic_store_n(&c->klock_state, KLOCK_WAITING, __ATOMIC_RELEASE);
        spin_while_writer(c);
        __atomic_exchange_n(&c->klock_state, KLOCK_SHARED | KLOCK_WAITING, __ATOMIC_SEQ_CST);
    } while (__atomic_load_n(&c->attn_writer, __ATOMIC_SEQ_CST));
    __atomic_store_n(&c->klock_state, KLOCK_SHARED, __ATOMIC_RELEASE);
}

/* Before a writer takes the lock: CPUs already waiting for it shared behind an earlier writer
 * go first, so that a stream of exclusive holders (ThreadControl in a loop) cannot keep a CPU
 * out of the kernel, e.g. one coming back from a preemption point (docs/design/preemption.md).
 * Those CPUs set KLOCK_WAITING only while a writer holds the lock, so this wait is bounded
 * by one shared section of each. */
static void let_waiting_readers_in(struct percpu *c)
{
    for (unsigned i = 0; i < ncpus_online; i++)
        while (i != c->cpu && (__atomic_load_n(&percpu[i].klock_state, __ATOMIC_ACQUIRE) &
                               KLOCK_WAITING)) {
            klock_poll();
            arch_cpu_relax();
        }
}

/* Exclusive: the writer word (one writer at a time), then every other CPU's attn_writer,
 * a fence, and a wait until no other CPU holds the lock shared.  The caller's klock_state
 * is 0 (it holds nothing shared: a writer waiting for itself would wait forever). */
static void acquire_exclusive(struct percpu *c)
{
    assert(!(c->klock_state & KLOCK_SHARED));
    let_waiting_readers_in(c);
    while (__atomic_exchange_n(&klock_writer, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&klock_writer, __ATOMIC_RELAXED)) {
            klock_poll();
            arch_cpu_relax();
        }
        let_waiting_readers_in(c);
    }
    for (unsigned i = 0; i < ncpus_online; i++)
        if (i != c->cpu)
            __atomic_store_n(&percpu[i].attn_writer, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* attn_writer before klock_state (Dekker) */
    for (unsigned i = 0; i < ncpus_online; i++)
        while (i != c->cpu && (__atomic_load_n(&percpu[i].klock_state, __ATOMIC_SEQ_CST) &
                               KLOCK_SHARED)) {
            klock_poll();
            arch_cpu_relax();
        }
    c->klock_excl = 1;
    c->attn_self = 1;
    c->klock_excl_count++;
}

/* Drop the lock; klock_state becomes `state` (KLOCK_USER or 0). */
static void release(struct percpu *c, uint32_t state)
{
    if (c->klock_excl) {
        c->klock_excl = 0;
        for (unsigned i = 0; i < ncpus_online; i++)
            if (i != c->cpu)
                __atomic_store_n(&percpu[i].attn_writer, 0, __ATOMIC_RELEASE);
        __atomic_store_n(&klock_writer, 0, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&c->klock_state, state, __ATOMIC_RELEASE);
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
    if (CONFIG_GIANT_LOCK) {
        __atomic_store_n(&c->klock_state, 0, __ATOMIC_RELEASE);    /* out of user mode */
        acquire_exclusive(c);
    } else {
        acquire_shared(c);                          /* (again: a writer was there) */
    }
    if (c->tlb_req)
        klock_poll();
    if (c->recheck) {
        c->recheck = 0;
        check_current(true);
    }
}

void klock_exit_slow(bool to_user)
{
    struct percpu *c;
    for (;;) {                                      /* (check_current may switch threads) */
        c = this_cpu();
        if (c->tlb_req)
            klock_poll();
        if (c->tlb_pending)
            tlb_shootdown();
        if (!c->recheck)
            break;
        c->recheck = 0;
        check_current(true);
    }
    c->attn_self = CONFIG_GIANT_LOCK;               /* nothing pending; release drops excl
                                                       (giant lock: every entry and exit
                                                       goes the slow way, also entry.S's) */
    release(c, to_user ? KLOCK_USER : 0);
}

bool klock_exclusive(void)
{
    bool waited = false;
    for (;;) {
        struct percpu *c = this_cpu();
        if (c->klock_excl)
            return waited;
        waited = true;
        __atomic_store_n(&c->klock_state, 0, __ATOMIC_RELEASE);
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
    if (cpu == this_cpu()->cpu ||
        !(__atomic_load_n(&percpu[cpu].klock_state, __ATOMIC_ACQUIRE) & KLOCK_USER))
        return;
    arch_send_kick(cpu);
    while (__atomic_load_n(&percpu[cpu].klock_state, __ATOMIC_ACQUIRE) & KLOCK_USER) {
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
    assert(!c->cr3_space ||                         /* the lazy mask's invariant (locks.md) */
           (__atomic_load_n(&c->cr3_space->cpus_active, __ATOMIC_RELAXED) & (1ULL << c->cpu)));
    __atomic_thread_fence(__ATOMIC_SEQ_CST);        /* the PTE change before the mask read */
    c->tlb_pending |= __atomic_load_n(&s->cpus_active, __ATOMIC_ACQUIRE) & ~(1ULL << c->cpu);
    if (c->tlb_pending)
        c->attn_self = 1;                           /* shoot before leaving (klock_exit) */
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
        if (i != c->cpu && (__atomic_load_n(&percpu[i].klock_state, __ATOMIC_ACQUIRE) &
                            KLOCK_SHARED))
            c->tlb_pending |= 1ULL << i;
    if (c->tlb_pending)
        tlb_shootdown();
}

static void lazy_drop(struct percpu *c)
{
    if (c->lazy_space) {
        __atomic_fetch_and(&c->lazy_space->cpus_active, ~(1ULL << c->cpu), __ATOMIC_SEQ_CST);
        c->lazy_space = NULL;
    }
}

void tlb_space_switch_slow(struct space *s)
{
    struct percpu *c = this_cpu();
    struct space *old = c->cr3_space;
    uint64_t bit = 1ULL << c->cpu;
    if (s) {                                        /* (s is not lazy_space: klock.h) */
        __atomic_fetch_or(&s->cpus_active, bit, __ATOMIC_SEQ_CST);
        lazy_drop(c);
        c->lazy_space = old;
    } else {                                        /* to the kernel's tables (idle): an */
        lazy_drop(c);                               /* idle CPU is in no mask, so neither */
        if (old)                                    /* shootdowns nor leaf-table reclaim */
            __atomic_fetch_and(&old->cpus_active, ~bit, __ATOMIC_SEQ_CST);  /* wake it */
    }
    c->cr3_space = s;
    assert(!s || (__atomic_load_n(&s->cpus_active, __ATOMIC_RELAXED) & bit));
}

void tlb_space_destroyed(struct space *s)
{
    struct percpu *c = this_cpu();
    assert(c->cr3_space != s);
    if (c->lazy_space == s)
        lazy_drop(c);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t others = __atomic_load_n(&s->cpus_active, __ATOMIC_ACQUIRE);
    if (others) {
        c->tlb_pending |= others;
        tlb_shootdown();
    }
    assert(__atomic_load_n(&s->cpus_active, __ATOMIC_ACQUIRE) == 0);
}
