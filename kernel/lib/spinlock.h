/* spinlock.h — ticket spinlocks that record their owner CPU.
 *
 * The kernel runs with interrupts disabled, so taking a lock never needs to mask them.
 * Misuse (recursive acquire, release by a non-owner) panics.  Lock order: docs/design/locks.md.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct spinlock {
    uint32_t next;              /* next ticket to hand out */
    uint32_t serving;           /* ticket being served */
    int32_t  owner;             /* CPU holding it, -1 if free */
    const char *name;
};

#define SPINLOCK_INIT(n) { 0, 0, -1, n }

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
bool spin_held(const struct spinlock *l);       /* held by this CPU */
