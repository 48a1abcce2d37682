/* klock.h — the kernel lock and the other cross-CPU mechanisms: kicks (IPIs) and TLB
 * shootdown.  The design and its rules are in docs/design/smp.md and docs/design/locks.md.
 *
 * A CPU runs kernel code only while it holds the kernel lock, shared or exclusive; it takes
 * it at every entry and drops it at every exit (the idle loop drops it while it halts).
 *  - shared: the CPU may touch its own threads (those whose home CPU it is), its per-CPU
 *    data, and global structures under their own spinlocks.  Shared holders run in parallel.
 *  - exclusive: every other CPU is outside the kernel (in user mode, halted, or waiting at
 *    entry), so anything may be touched, including other CPUs' threads and ready queues.
 * The lock is a big-reader lock: shared costs a flag in the CPU's own per-CPU block (no
 * globally shared cache line is written); exclusive sets a global writer word and waits for
 * every reader flag to clear.  Every wait loop serves TLB shootdown requests (klock_poll).
 * With CONFIG_GIANT_LOCK every entry takes the lock exclusive: the giant-lock baseline.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "config.h"
#include "core/percpu.h"
#include "core/thread.h"

struct tcb;
struct space;

extern volatile uint32_t klock_writer;
void klock_enter_slow(void);
void klock_exit_slow(bool to_user);

/* Kernel entry (after the user state is saved): the shared lock, fast when no writer is
 * there and nothing waits for this CPU; the rest in klock_enter_slow. */
static inline void klock_enter(void)
{
    struct percpu *c = this_cpu();
    __atomic_store_n(&c->in_user, 0, __ATOMIC_RELEASE);
    if (!CONFIG_GIANT_LOCK) {
        __atomic_store_n(&c->klock_shared, 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (__builtin_expect(!__atomic_load_n(&klock_writer, __ATOMIC_ACQUIRE) &&
                             !(c->tlb_req | c->recheck), 1))
            return;
    }
    klock_enter_slow();
}

/* Kernel exit (to_user: returning to ring 3). */
static inline void klock_exit(bool to_user)
{
    struct percpu *c = this_cpu();
    if (__builtin_expect(c->tlb_pending || c->recheck || c->klock_excl, 0)) {
        klock_exit_slow(to_user);
        return;
    }
    if (to_user)
        __atomic_store_n(&c->in_user, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&c->klock_shared, 0, __ATOMIC_RELEASE);
}

/* Make sure this CPU holds the lock exclusive.  Returns true if it had to wait for it: the
 * caller must then re-examine anything it looked at before (other CPUs ran meanwhile). */
bool klock_exclusive(void);

bool klock_is_exclusive(void);

/* May this CPU change thread t now (t's home is this CPU, or the lock is exclusive)?  Inline:
 * the scheduler asserts it on every queue change. */
static inline bool klock_may_touch(const struct tcb *t)
{
    struct percpu *c = this_cpu();
    return t->cpu == c->cpu || c->klock_excl;
}

/* Serve this CPU's pending TLB shootdown request; called in every wait loop. */
void klock_poll(void);

/* Send CPU `cpu` a kick: it enters the kernel, flushes its TLB if asked, reschedules. */
void cpu_kick(unsigned cpu);

/* The current thread of `cpu` was deleted or moved away (exclusive lock held): make that CPU
 * look at it at its next kernel entry or exit, and kick it. */
void cpu_recheck(unsigned cpu);

/* Kick `cpu` and wait until it is no longer in user mode, so the user registers of its
 * current thread are in that thread's kernel stack frame.  Exclusive lock held. */
void cpu_stop_user(unsigned cpu);

/* CPU `cpu` reloads CR3 with its current thread's root (whose thread limit changed), and
 * this CPU waits until it has (exclusive lock held when cpu is another CPU). */
void cpu_reload_root(unsigned cpu);

/* Space s's mappings were reduced: remember to flush the TLBs of the CPUs where it is live. */
void tlb_note(struct space *s);

/* Flush the noted TLBs of other CPUs and wait until they have (before returning to user). */
void tlb_shootdown(void);

/* Flush the noted TLBs and those of every other CPU inside the kernel now, and wait until
 * each has: afterwards no CPU walks, in hardware or in the kernel, a page table that was
 * unlinked (and noted, tlb_note) before the call.  A CPU inside the kernel acknowledges only
 * while it waits, between walks; a CPU outside it enters through a fence and so finds the
 * table unlinked.  Any lock may be held. */
void tlb_shootdown_walkers(void);

/* The current CPU loaded (or stopped using) the page tables of s. */
void tlb_space_loaded(struct space *s, unsigned cpu);
void tlb_space_unloaded(struct space *s, unsigned cpu);
