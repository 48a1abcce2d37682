/* thread.c — TCB life cycle: creation, UTCB set-up, activation, start, deletion; id lookup.
 *
 * The thread table maps a thread number to its TCB; slots are written under
 * thread_table_lock and read without it (a stale read is caught by the version check).
 * The list of all user threads (same lock) lets deletion find the partners of a thread.
 * Runs with interrupts off.  A thread is created on the CPU of its creator.  Deleting a
 * thread that is running on another CPU (exclusive kernel lock) makes it a zombie: it is
 * unlinked at once and freed by its CPU after switching away from it (sched_after_switch).
 */
#include "core/thread.h"
#include "core/kstack.h"
#include "core/space.h"
#include "core/sched.h"
#include "core/ipc.h"
#include "core/irq.h"
#include "core/timeout.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include "arch.h"
#include <sigma4/utcb.h>

static struct tcb *thread_table[THREAD_MAX];
static struct tcb *all_threads;                 /* guarded by thread_table_lock */
static struct spinlock thread_table_lock = SPINLOCK_INIT("thread_table");

struct tcb *thread_by_no(uint32_t no)
{
    return no < THREAD_MAX ? __atomic_load_n(&thread_table[no], __ATOMIC_ACQUIRE) : NULL;
}

struct tcb *thread_lookup(uint64_t tid)
{
    struct tcb *t = thread_by_no(tid_no(tid));
    return t && t->tid == tid && t->state != TS_DEAD ? t : NULL;
}

struct tcb *thread_resolve(struct tcb *self, uint64_t id)
{
    if (tid_is_global(id))
        return thread_lookup(id);
    if (!tid_is_local(id) || id == TID_ANYLOCAL)
        return NULL;
    /* A local id is a UTCB pointer in self's space: it must name a UTCB slot of the space's
     * UTCB area before anything is read through it.  The first slots have a table; for the
     * others, the UTCB names its thread's global id (user-writable, so checked). */
    struct space *s = self->space;
    uint64_t loc = id - UTCB_POINTER_OFFSET;
    if (!s->kip_area || id < UTCB_POINTER_OFFSET || (loc & (UTCB_SIZE - 1)) ||
        !urange_overlap(loc, 1, s->utcb_area, 1ULL << s->utcb_area_log2))
        return NULL;
    uint64_t slot = (loc - s->utcb_area) / UTCB_SIZE;
    if (slot < SPACE_FAST_SLOTS) {
        struct tcb *t = s->utcb_slot[slot];
        return t && t->utcb_user == id ? t : NULL;
    }
    uint64_t pa = arch_pt_lookup(s->pt_root, id);   /* a UTCB page (the kernel's), or none */
    if (pa == ~0ULL)
        return NULL;
    struct tcb *t = thread_lookup(((uint64_t *)phys_to_virt(pa))[UTCB_MY_GLOBAL_ID]);
    return t && t->space == s && t->utcb_user == id ? t : NULL;
}

uint64_t thread_id_for(const struct tcb *t, const struct tcb *viewer)
{
    return t->space == viewer->space && t->utcb_user ? t->utcb_user : t->tid;
}

struct tcb *thread_first(void) { return all_threads; }

void thread_root_update(struct tcb *t)
{
    t->root = arch_thread_root(t);
}

/* A TCB with its kernel stack, charged to a (NULL: a kernel thread's). */
static struct tcb *tcb_alloc(struct account_ref *a)
{
    struct tcb *t = account_alloc(a, KSTACK_ORDER); /* zeroed: kstack_deepest's paint */
    if (t) {
        t->kstack_canary = KSTACK_CANARY;
        t->prio = SCHED_DEFAULT_PRIO;
        t->timeslice_us = t->remaining_us = SCHED_DEFAULT_TIMESLICE_US;
        t->quantum_us = ~0ULL;
        t->wakeup_us = ~0ULL;
        t->utcb_location = ~0ULL;
        t->cpu = (uint16_t)arch_cpu_id();
    }
    return t;
}

struct tcb *thread_create(uint64_t tid, struct space *s)
{
    uint32_t no = tid_no(tid);
    if (no >= THREAD_MAX)
        return NULL;
    struct tcb *t = tcb_alloc(&s->acct);
    if (!t)
        return NULL;
    t->tid = tid;
    t->space = s;
    thread_root_update(t);
    t->state = TS_INACTIVE;
    spin_lock(&thread_table_lock);
    bool taken = thread_table[no] != NULL;
    if (!taken) {
        __atomic_store_n(&thread_table[no], t, __ATOMIC_RELEASE);
        t->all_next = all_threads;
        if (all_threads)
            all_threads->all_prev = t;
        all_threads = t;
    }
    spin_unlock(&thread_table_lock);
    if (taken) {
        account_free(&s->acct, t, KSTACK_ORDER);
        return NULL;
    }
    t->space_next = s->threads;
    s->threads = t;
    s->nthreads++;
    return t;
}

void thread_setup_utcb(struct tcb *t, uint64_t location, uint64_t *u)
{
    u += UTCB_POINTER_OFFSET / 8;
    for (int i = -64; i < 64; i++)
        u[i] = 0;
    t->utcb_location = location;
    t->utcb = u;
    uint64_t slot = (location - t->space->utcb_area) / UTCB_SIZE;
    if (slot < SPACE_FAST_SLOTS)
        t->space->utcb_slot[slot] = t;
    t->utcb_user = location + UTCB_POINTER_OFFSET;
    u[UTCB_SELF] = t->utcb_user;
    u[UTCB_MY_GLOBAL_ID] = t->tid;
    u[UTCB_PAGER] = t->pager;
    u[UTCB_PROCESSOR_NO] = t->cpu;
}

void thread_activate(struct tcb *t)
{
    arch_thread_init_user(t, 0, 0);
    t->flags |= TF_STARTUP;
    t->state = TS_RECEIVING;
    t->ipc_partner = t->pager;
}

void thread_start(struct tcb *t, uint64_t ip, uint64_t sp)
{
    t->flags &= ~TF_STARTUP;
    arch_user_set(t, UREG_IP, ip);
    arch_user_set(t, UREG_SP, sp);
    t->state = TS_READY;
    thread_make_ready(t);
}

void thread_make_ready(struct tcb *t)
{
    if (thread_runnable(t) && !t->on_cpu) {
        sched_enqueue(t);
        if (t->cpu != this_cpu()->cpu)
            sched_kick_for(t);
    }
}

static void unlink_from_lists(struct tcb *t)
{
    spin_lock(&thread_table_lock);
    __atomic_store_n(&thread_table[tid_no(t->tid)], NULL, __ATOMIC_RELEASE);
    if (t->all_prev) t->all_prev->all_next = t->all_next; else all_threads = t->all_next;
    if (t->all_next) t->all_next->all_prev = t->all_prev;
    spin_unlock(&thread_table_lock);
    struct space *s = t->space;
    for (struct tcb **pp = &s->threads; *pp; pp = &(*pp)->space_next)
        if (*pp == t) {
            *pp = t->space_next;
            break;
        }
    s->nthreads--;
    uint64_t slot = (t->utcb_location - s->utcb_area) / UTCB_SIZE;
    if (t->utcb && slot < SPACE_FAST_SLOTS && s->utcb_slot[slot] == t)
        s->utcb_slot[slot] = NULL;
}

void thread_delete(struct tcb *t)
{
    ipc_abort_for_delete(t);            /* leave queues; partners get "non-existing partner" */
    irq_thread_deleted(t);
    timeout_remove(t);
    sched_dequeue(t);
    t->state = TS_DEAD;
    unlink_from_lists(t);
    if (t->utcb)
        t->utcb[UTCB_MY_GLOBAL_ID] = 0;
    __atomic_fetch_add(&t->space->zombies, 1, __ATOMIC_RELAXED);
    if (t->on_cpu) {                    /* running on another CPU: that CPU frees it */
        cpu_stop_user(t->on_cpu - 1u);  /* no user instruction of it after we return */
        cpu_recheck(t->on_cpu - 1u);
        return;
    }
    thread_reap(t);
}

int thread_limit_prepare(const struct tcb *t, uint64_t end, struct thread_limit *l)
{
    if (end >= USER_ADDR_END)
        end = 0;                                    /* no limit */
    *l = (struct thread_limit){ .change = end != t->limit_end, .end = end };
    if (l->change && end && !(l->root = space_limit_get(t->space, end)))
        return -1;
    return 0;
}

void thread_limit_abort(const struct tcb *t, const struct thread_limit *l)
{
    if (l->root)
        space_limit_put(t->space, l->end);
}

void thread_limit_commit(struct tcb *t, const struct thread_limit *l)
{
    if (!l->change)
        return;
    uint64_t old_end = t->limit_end, old_root = t->limit_root;
    t->limit_end = l->end;
    t->limit_root = l->root;
    thread_root_update(t);
    if (t->on_cpu)                                  /* running: onto the new root first */
        cpu_reload_root(t->on_cpu - 1u);
    if (old_root)
        space_limit_put(t->space, old_end);         /* then the old one may go */
}

void thread_reap(struct tcb *t)
{
    struct space *s = t->space;
    if (t->limit_root)
        space_limit_put(s, t->limit_end);
    kstack_account(t);
    account_free(&s->acct, t, KSTACK_ORDER);
    if (__atomic_sub_fetch(&s->zombies, 1, __ATOMIC_ACQ_REL) == 0 &&
        __atomic_load_n(&s->nthreads, __ATOMIC_ACQUIRE) == 0)
        space_destroy(s);
}

struct tcb *thread_create_kernel(void (*fn)(void *), void *arg, const char *name)
{
    struct tcb *t = tcb_alloc(NULL);
    if (!t)
        return NULL;
    t->name = name;
    thread_root_update(t);
    t->prio = 0;
    t->state = TS_READY;
    arch_thread_init_kernel(t, fn, arg);
    return t;
}

void thread_halt(struct tcb *t)
{
    t->flags |= TF_HALTED;
    sched_dequeue(t);
    if (t == current_thread()) {
        sched_schedule();
    } else if (t->on_cpu) {                         /* running elsewhere: stop it now */
        cpu_stop_user(t->on_cpu - 1u);
        cpu_recheck(t->on_cpu - 1u);
    }
}

void thread_first_run(bool user)
{
    sched_after_switch();
    if (user)
        thread_exit_to_user();
}

void thread_exit_to_user(void)
{
    struct tcb *t = current_thread();
    if (t->cx_mask) {                               /* a control transfer it received */
        uint64_t regs[EXC_REG_WORDS];
        arch_exc_regs_get(t, regs);
        for (unsigned k = 0; k < EXC_REG_WORDS; k++)
            if (t->cx_mask & (1u << k))
                regs[k] = t->cx_regs[k];
        arch_exc_regs_set(t, regs);
        arch_user_full_return(t);                   /* RCX and R11 too: leave by iret */
        t->cx_mask = 0;
    }
    kstack_check(t);
    klock_exit(true);
}
