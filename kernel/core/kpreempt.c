/* kpreempt.c — preemption points in long kernel loops (core/kpreempt.h).
 *
 * A point is a kernel exit and entry that does not leave the kernel: the lock is released as
 * at an exit to kernel mode (TLB shootdowns noted so far are completed first), interrupts are
 * enabled for one instruction (an interrupt pending since the loop began is taken there, on
 * this thread's kernel stack, exactly as the idle loop takes its interrupts), and the lock is
 * taken again as at an entry (a thread deleted or moved meanwhile leaves there: klock.c).  A
 * waiter for the exclusive lock gets it while ours is released.  Last, a strictly
 * higher-priority thread queued on this CPU gets the CPU; this thread stays ready and comes
 * back here.  While it is away it carries TF_KWORK, so the scheduler never sends a
 * preemption message on its behalf (that would be an IPC of a thread already in one).
 * Runs with interrupts disabled, as all kernel code, except inside arch_irq_window().
 */
#include "core/kpreempt.h"
#include "core/klock.h"
#include "core/percpu.h"
#include "core/sched.h"
#include "core/thread.h"
#include "debug/panic.h"
#include "arch.h"

void kpreempt_point(void)
{
    struct tcb *self = current_thread();
    assert(self != this_cpu()->idle);
    this_cpu()->kpreempt_points++;
    self->flags |= TF_KWORK;
    klock_exit(false);
    arch_irq_window();
    klock_enter();
    sched_preempt_kernel();
    self->flags &= ~TF_KWORK;                       /* (lock held: flags are guarded by it) */
}

uint64_t kpreempt_points(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < ncpus_online; i++)
        n += __atomic_load_n(&percpu[i].kpreempt_points, __ATOMIC_RELAXED);
    return n;
}
