/* kpreempt.h — preemption points: long kernel loops whose length a user chooses let an
 * interrupt, a higher-priority thread or a waiter for the kernel lock in (design and the
 * rules for each loop: docs/design/preemption.md).
 *
 * The kernel runs with interrupts disabled under the kernel lock from entry to exit.  A loop
 * whose trip count a user chooses (string copies, map items, Unmap) calls kpreempt_point()
 * after every KPREEMPT_* units of work.  The point passes through a kernel exit and entry
 * without leaving the kernel: it drops the kernel lock, opens a window for interrupts, takes
 * the lock again (shared) and gives the CPU to a higher-priority ready thread.  Meanwhile the
 * current thread may be preempted, halted, migrated (it continues on its new CPU) or deleted
 * (it never comes back; its stack is freed), and other CPUs may change anything.  So at a
 * point the caller holds no spinlock and nothing that deleting the thread would leak, and
 * after it the caller re-checks what it depends on.  Not to be used on the IPC fast path.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* Work between two preemption points (each bounded in instructions: preemption.md). */
#define KPREEMPT_COPY_BYTES   (16 * 1024)   /* string copy: bytes copied */
#define KPREEMPT_MAP_PAGES    8             /* map/grant item: 4 KiB or 2 MiB pages placed */
#define KPREEMPT_UNMAP_WORK   16            /* Unmap: pages visited + mapping nodes removed */

/* Count `units` of work against `limit`; true (and the count restarts) when a preemption
 * point is due. */
static inline bool kpreempt_due(uint64_t *count, uint64_t units, uint64_t limit)
{
    *count += units;
    if (*count < limit)
        return false;
    *count = 0;
    return true;
}

/* A preemption point.  Preconditions: kernel lock held (shared or exclusive), no spinlock
 * held, the current thread a user thread in a state that its deletion cleans up completely.
 * Returns with the kernel lock held shared (an exclusive holder gives it up: it takes it
 * again if it still needs it) and interrupts disabled; the current thread may have run on
 * another CPU meanwhile and continue on it.  Never fails. */
void kpreempt_point(void);

/* Preemption points passed (all CPUs; statistics, KDB_STAT_KPREEMPT_POINTS). */
uint64_t kpreempt_points(void);
