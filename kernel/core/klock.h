/* klock.h — the kernel lock and the other cross-CPU mechanisms: kicks (IPIs) and TLB
 * shootdown.  The design and its rules are in docs/design/smp.md and docs/design/locks.md.
 *
 * A CPU runs kernel code only while it holds the kernel lock, shared or exclusive; it takes
 * it at every entry and drops it at every exit (the idle loop drops it while it halts).
 *  - shared: the CPU may touch its own threads (those whose home CPU it is), its per-CPU
 *    data, and global structures under their own spinlocks.  Shared holders run in parallel.
 *  - exclusive: every other CPU is outside the kernel (in user mode, halted, or waiting at
 *    entry), so anything may be touched, including other CPUs' threads and ready queues.
 * The lock is a big-reader lock made of two words in each CPU's own per-CPU block:
 *  - klock_state, written only by its CPU: KLOCK_SHARED while it holds the lock shared,
 *    KLOCK_USER while its current thread runs in user mode, KLOCK_WAITING while it waits to
 *    take the lock shared behind a writer, 0 otherwise (halted, between a preemption point's
 *    exit and entry, holding or waiting for the lock exclusive);
 *  - attn, written by others: a writer is there (attn_writer), a TLB flush is asked
 *    (tlb_req), the current thread was deleted or moved (recheck), or this CPU itself has
 *    work to do before it leaves (attn_self: exclusive holder, shootdown pending).
 * Same-CPU cost: entry is one exchange of klock_state (a full fence) and one load of attn;
 * exit is one load of attn and one store of klock_state.  The system-call entry and the IPC
 * fast path's exit do the same in entry.S (4 and 3 instructions).  Exclusive takes the global writer
 * word, sets every other CPU's attn_writer and waits for their KLOCK_SHARED bits to clear.
 * The argument that this excludes readers and writers is in docs/design/locks.md.  Every
 * wait loop serves TLB shootdown requests (klock_poll).
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

#define KLOCK_SHARED  1u        /* holds the kernel lock shared */
#define KLOCK_USER    2u        /* the current thread runs in user mode */
#define KLOCK_WAITING 4u        /* waits for the lock shared behind a writer: the next writer
                                   lets it in first */

extern volatile uint32_t klock_writer;
void klock_enter_slow(void);
void klock_exit_slow(bool to_user);

/* Kernel entry (after the user state is saved): the shared lock.  One exchange: it leaves
 * user mode (KLOCK_USER clear) and takes the lock in one store, and fences it against the
 * attn load (a writer stores attn_writer, fences, and then reads klock_state).  Anything in
 * attn (a writer, a TLB request, a recheck) goes to klock_enter_slow. */
static inline void klock_enter(void)
{
    struct percpu *c = this_cpu();
    if (!CONFIG_GIANT_LOCK) {
        __atomic_exchange_n(&c->klock_state, KLOCK_SHARED, __ATOMIC_SEQ_CST);
        if (__builtin_expect(!__atomic_load_n(&c->attn, __ATOMIC_SEQ_CST), 1))
            return;
    }
    klock_enter_slow();
}

/* Kernel exit (to_user: returning to ring 3).  One store releases the lock and, to user,
 * says the thread runs in user mode (docs/design/smp.md invariant 4). */
static inline void klock_exit(bool to_user)
{
    struct percpu *c = this_cpu();
    if (__builtin_expect(__atomic_load_n(&c->attn, __ATOMIC_RELAXED) != 0, 0)) {
        klock_exit_slow(to_user);
        return;
    }
    __atomic_store_n(&c->klock_state, to_user ? KLOCK_USER : 0, __ATOMIC_RELEASE);
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

/* This CPU (c) is about to load the page tables of s (NULL: the kernel's only), replacing those
 * of percpu.cr3_space; called before the CR3 load.  Keeps this CPU's bit in cpus_active of
 * both the loaded space and the one loaded before it (lazy_space), so switching back and
 * forth between two spaces takes no atomic operation; the bit of the space before those is
 * cleared here, the lazy one's by the next TLB flush this CPU serves (klock_poll). */
void tlb_space_switch_slow(struct space *s);
static inline void tlb_space_switch(struct percpu *c, struct space *s)
{
    if (__builtin_expect(s && s == c->lazy_space, 1)) {
        c->lazy_space = c->cr3_space;               /* both bits stay set */
        c->cr3_space = s;
    } else {
        tlb_space_switch_slow(s);
    }
}

/* s is being destroyed (no thread of it is left): every CPU forgets it as its lazy_space
 * (a shootdown round to the CPUs that have, which also flushes them).  Afterwards s's
 * cpus_active is 0 (asserted). */
void tlb_space_destroyed(struct space *s);
