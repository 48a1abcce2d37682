/* spinlock.c — ticket spinlocks with owner tracking. */
#include "lib/spinlock.h"
#include "debug/panic.h"
#include "arch.h"
#include "core/klock.h"

void spin_lock(struct spinlock *l)
{
    int me = (int)arch_cpu_id();
    if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me)
        panic("spinlock %s: recursive acquire on cpu %d", l->name, me);
    uint32_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != t) {
        klock_poll();                   /* never hold up another CPU's TLB shootdown */
        arch_cpu_relax();
    }
    l->owner = me;
}

void spin_unlock(struct spinlock *l)
{
    if (l->owner != (int)arch_cpu_id())
        panic("spinlock %s: released by cpu %u, owner %d", l->name, arch_cpu_id(), l->owner);
    l->owner = -1;
    __atomic_store_n(&l->serving, l->serving + 1, __ATOMIC_RELEASE);
}

bool spin_held(const struct spinlock *l)
{
    return l->owner == (int)arch_cpu_id();
}
