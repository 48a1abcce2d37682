/* thread.h — thread control blocks, thread ids and the table that maps numbers to TCBs.
 *
 * A TCB and its kernel stack share one KSTACK_SIZE block from the kernel pool: the TCB at the
 * bottom, the stack growing down from the top, where entries from user mode save a
 * struct trap_frame.  The TCB's last word is a canary (core/kstack.c) that a stack running into
 * the TCB overwrites first: checked at every context switch and return to user mode by a trap.  Global id = number << 32 | version (version's low 6 bits non-zero);
 * local id = the thread's UTCB pointer (UtcbLocation + 512) in its own space.
 *
 * A thread blocked in IPC is woken only when its whole system call is finished: the partner,
 * the timeout or the canceller fills in ipc_error/ipc_from/ipc_tag and makes it ready, so the
 * blocked thread merely returns those results (core/ipc.c).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/spinlock.h"
#include "core/percpu.h"
#include "core/sched.h"
#include <sigma4/layout.h>

#define KSTACK_ORDER 1
#define KSTACK_SIZE  (4096ULL << KSTACK_ORDER)
#define THREAD_MAX   (1u << THREAD_ID_BITS)

#define TID_NIL         0ULL
#define TID_ANY         (~0ULL)
#define TID_ANYLOCAL    (~0ULL << 6)

enum thread_state {
    TS_INACTIVE = 1,    /* exists, no pager yet: never runs */
    TS_READY,           /* running or on a ready queue */
    TS_SENDING,         /* blocked in the send phase on ipc_partner's send queue */
    TS_RECEIVING,       /* blocked in the receive phase, waiting for ipc_partner (or any) */
    TS_XFER,            /* in a string transfer, waiting for its partner (core/xfer.c) */
    TS_DEAD,            /* being deleted */
};

/* flags */
#define TF_HALTED       (1u << 0)   /* stopped by ExchangeRegisters or a fault: not scheduled */
#define TF_STARTUP      (1u << 1)   /* active, waiting for the start-up message from its pager */
#define TF_QUANTUM_OUT  (1u << 2)   /* total quantum used up: not scheduled until Schedule */
#define TF_ROOT_SERVER  (1u << 3)
#define TF_KMSG         (1u << 4)   /* sending a message the kernel made (fault, exception,
                                       preemption): its control transfer items are data */
#define TF_KREPLY       (1u << 5)   /* waiting for the reply to such a message: control
                                       transfer items in it are accepted */
#define TF_EXT_PAGEFAULT (1u << 6)  /* page-fault messages carry the registers */
#define TF_PREEMPT_MSG  (1u << 7)   /* preemption messages to the scheduler */
#define TF_PREEMPT_REGS (1u << 8)   /* ... with the registers */
#define TF_KWORK        (1u << 9)   /* in a preemption point of a long kernel operation
                                       (core/kpreempt.c): no preemption message for it */

struct space;

/* A thread's part in a string transfer that had to wait for a page fault (core/xfer.c). */
struct xfer_link {
    struct tcb *partner;            /* the other thread; NULL once it is deleted */
    uint64_t req;                   /* copier -> resolver: fault address | access, 0 none */
    uint64_t bytes;                 /* bytes copied so far, for the error code */
    uint16_t req_timeout;           /* X.2 time the resolver's fault IPC may take */
    uint8_t res;                    /* resolver -> copier: 0 resolved, else an IPC error code */
    uint8_t flags;                  /* XF_* (core/xfer.h) */
};

struct tcb {
    uint64_t ksp;                   /* saved kernel stack pointer while switched out */
    uint64_t tid;                   /* global id */
    struct space *space;
    uint8_t state;                  /* enum thread_state */
    uint8_t prio;
    uint16_t cpu;                   /* home CPU */
    uint16_t on_cpu;                /* 1 + the CPU running it, from its switch-in until that
                                       CPU has switched away (it may differ from cpu after a
                                       migration); 0 when no CPU is on it */
    uint32_t flags;                 /* TF_* */
    struct tcb *rq_next, *rq_prev;  /* ready queue links, guarded by the home CPU */
    struct tcb *all_next, *all_prev;    /* list of all user threads */
    struct tcb *space_next;         /* the threads of one space */

    /* scheduling */
    uint64_t timeslice_us;          /* full time slice */
    uint64_t remaining_us;          /* left of the current slice */
    uint64_t quantum_us;            /* total quantum left, ~0 = unlimited */
    uint64_t preempt_control;       /* X.2 delayed-preemption bits 23-0, as set by Schedule */
    uint64_t wakeup_us;             /* time of the pending timeout, ~0 = none */
    struct tcb *timeout_next;       /* sorted timeout list of the home CPU */

    /* IPC */
    uint64_t ipc_partner;           /* SENDING: receiver's global id; RECEIVING: from-spec (global/any/anylocal) */
    uint64_t ipc_rcv_spec;          /* the receive phase still to come after a blocked send, NIL if none */
    uint16_t ipc_rcv_timeout;       /* its timeout (X.2 time format) */
    uint64_t ipc_error;             /* result: ErrorCode value, 0 = success */
    uint64_t ipc_from;              /* result: sender id as the receiver sees it */
    uint64_t ipc_tag;               /* result: MR0 */
    uint8_t ipc_rcv_max;            /* words a message to us may have (kernel IPC), 0 = 63 */
    struct tcb *sendq_head, *sendq_tail;        /* threads blocked sending to us */
    struct tcb *sendq_next, *sendq_prev;        /* our links in the receiver's send queue */
    struct tcb *sendq_owner;        /* the receiver whose queue we are on */
    struct xfer_link xfer;          /* string transfer waiting for a fault, if flags != 0 */
    uint64_t limit_end;             /* thread limit: addresses from here on are out, 0 none */
    uint64_t limit_root;            /* its limited root (space.limits), 0 none */
    uint64_t root;                  /* the page-table root it runs on: arch_thread_root(t),
                                       kept by thread_root_update (the context switch reads
                                       it, not the limit and the space) */
    uint32_t cx_mask;               /* received control transfer: registers to set (bits) */
    uint64_t cx_regs[18];           /* ... their values, exception-message order (arch) */

    /* user-visible state */
    uint64_t utcb_location;         /* UtcbLocation (UTCB start), ~0 = none */
    uint64_t utcb_user;             /* user address of the UTCB pointer (location + 512), 0 none */
    uint64_t *utcb;                 /* kernel address of the same word (direct map) */
    uint64_t pager, scheduler;      /* global ids */
    const char *name;               /* for logs: root servers and kernel threads */
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE area */
    uint64_t kstack_canary;         /* KSTACK_CANARY; the stack's room starts above it */
};

/* ---- kernel stack canary (core/kstack.c) ---- */
#define KSTACK_CANARY 0x5AC4CA57ULL     /* fits a compare's imm32: one instruction less */

/* t's stack ran into its TCB: report and panic. */
_Noreturn void kstack_overflow(const struct tcb *t);

/* Panic if t's kernel stack has overwritten the canary.  Cheap: one compare. */
static inline void kstack_check(const struct tcb *t)
{
    if (__builtin_expect(t->kstack_canary != KSTACK_CANARY, 0))
        kstack_overflow(t);
}

/* t's space or thread limit changed (or it was made): recompute t->root. */
void thread_root_update(struct tcb *t);

/* The thread with number no, or NULL. */
struct tcb *thread_by_no(uint32_t no);

/* The thread with exactly this global id (number and version), or NULL. */
struct tcb *thread_lookup(uint64_t tid);

/* Resolve an id given by thread `self`: a global id, or a local id (UTCB pointer) of a thread
 * in self's space.  NULL if it names no existing thread. */
struct tcb *thread_resolve(struct tcb *self, uint64_t id);

/* The id of t as `viewer` should see it: local if they share a space, global otherwise. */
uint64_t thread_id_for(const struct tcb *t, const struct tcb *viewer);

static inline uint32_t tid_no(uint64_t tid) { return (uint32_t)(tid >> 32); }
static inline uint32_t tid_version(uint64_t tid) { return (uint32_t)tid; }
static inline uint64_t tid_make(uint32_t no, uint32_t version) { return ((uint64_t)no << 32) | version; }
/* The first address t may not touch: its thread limit, or the end of user space. */
static inline uint64_t thread_top(const struct tcb *t)
{
    return t->limit_end ? t->limit_end : USER_ADDR_END;
}
static inline bool tid_is_local(uint64_t id) { return id != TID_NIL && (id & 0x3F) == 0; }
static inline bool tid_is_global(uint64_t id) { return (id & 0x3F) != 0 && id != TID_ANY; }

/* Allocate a TCB with its kernel stack for global id tid in space s, inactive.
 * Returns NULL if kernel memory is exhausted or the number is taken. */
struct tcb *thread_create(uint64_t tid, struct space *s);

/* Give t the UTCB at user address `location` in its space, whose kernel address u is what
 * space_utcb(t->space, location) returned (it allocates; this cannot fail), and fill its
 * kernel-owned fields. */
void thread_setup_utcb(struct tcb *t, uint64_t location, uint64_t *u);

/* Activate t: it waits for the start-up message from its pager (TF_STARTUP). */
void thread_activate(struct tcb *t);

/* Start t at ip/sp now (start-up message or ExchangeRegisters). */
void thread_start(struct tcb *t, uint64_t ip, uint64_t sp);

/* Delete t (not the current thread): partners get "non-existing partner", the last thread of
 * a space frees the space. */
void thread_delete(struct tcb *t);

/* A thread-limit change in two steps, so that a caller can reserve everything before it
 * changes anything: prepare reserves the limited root of t's space for `end` (addresses >= end
 * out of reach; USER_ADDR_END or more: none) and returns 0, or -1 when out of kernel memory
 * or the space has too many different limits (nothing reserved).  Then exactly one of:
 * commit gives t the limit (effective before the caller returns to user mode; cannot fail),
 * abort gives the reservation back.  Exclusive lock throughout. */
struct thread_limit {
    bool change;                /* end differs from t's limit */
    uint64_t end, root;         /* the new limit (0: none) and its reserved root */
};
int thread_limit_prepare(const struct tcb *t, uint64_t end, struct thread_limit *l);
void thread_limit_commit(struct tcb *t, const struct thread_limit *l);
void thread_limit_abort(const struct tcb *t, const struct thread_limit *l);

/* Free a deleted thread (counted in its space's zombies) and its space if it was the last:
 * at once by thread_delete, or by the CPU it was running on, after switching away. */
void thread_reap(struct tcb *t);

/* Create a kernel thread (idle) running fn(arg) on the current CPU. NULL if out of memory. */
struct tcb *thread_create_kernel(void (*fn)(void *), void *arg, const char *name);

/* Halt t after a fault nobody handles: it stops being scheduled. */
void thread_halt(struct tcb *t);

/* Make a blocked or halted-then-resumed thread runnable if nothing else stops it. */
void thread_make_ready(struct tcb *t);

/* Is t ready to run (state and flags)? */
static inline bool thread_runnable(const struct tcb *t)
{
    return t->state == TS_READY && !(t->flags & (TF_HALTED | TF_QUANTUM_OUT));
}

/* The first thing a thread does when a switch lands on its stack (after arch_switch, or in
 * a continuation): the thread switched out is off its stack now; finish its hand-off. */
static inline void thread_switched_in(void)
{
    struct percpu *c = this_cpu();
    c->switched_out->on_cpu = 0;                    /* no CPU on its stack any more */
    if (__builtin_expect(c->handoff || c->reap, 0))
        sched_after_switch();
}

/* Switch the CPU from prev to next (both on this CPU); returns when prev runs again, maybe
 * on another CPU.  Inline: it is on the IPC fast path. */
static inline void thread_switch(struct tcb *prev, struct tcb *next)
{
    if (prev != next) {
        kstack_check(prev);
        arch_switch(prev, next);
        thread_switched_in();
    }
}

/* First code of a new thread after its first switch-in (entry.S); user: it is about to
 * enter user mode. */
void thread_first_run(bool user);

/* Leave the kernel for user mode: apply a control transfer the current thread received, then
 * drop the kernel lock. */
void thread_exit_to_user(void);

/* Iterate over all user threads (for deletion scans); guarded by thread_table_lock. */
struct tcb *thread_first(void);
