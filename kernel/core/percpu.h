/* percpu.h — all per-CPU kernel state, one block per CPU, found through GS in kernel mode.
 *
 * Access rule: the owning CPU reads and writes its block; fields marked [any] are read by
 * others, [lock] may be written by others under the exclusive kernel lock (core/klock.h),
 * [atomic] are written by others with atomic operations.  entry.S uses the offsets of self,
 * kernel_rsp and user_rsp.
 */
#pragma once
#include <stdint.h>
#include "core/sched.h"
#include "percpu_arch.h"
#include "arch.h"

#define MAX_CPUS 64

struct tcb;

struct percpu {
    struct percpu *self;        /* must stay first: %gs:0 */
    uint64_t kernel_rsp;        /* top of the current thread's kernel stack (syscall entry) */
    uint64_t user_rsp;          /* scratch: user RSP during syscall entry */
    unsigned cpu;               /* [any] logical CPU number, KIP processor index */
    uint32_t apic_id;           /* [any] */
    struct tcb *current;        /* [any] the running thread */
    struct tcb *idle;           /* this CPU's idle thread */
    struct sched_cpu sched;     /* [lock] ready queues and time accounting */
    uint64_t ticks;             /* timer interrupts taken */
    uint64_t cr3_loads;         /* address-space switches (statistics) */
    uint64_t fastpath_ipcs;     /* IPCs done by the fast path (statistics) */
    uint64_t tlb_shootdowns;    /* shootdown rounds started here (statistics) */
    uint64_t klock_excl_count;  /* [any] exclusive kernel-lock acquisitions (statistics) */
    struct tcb *timeouts;       /* [lock] threads with a pending timeout, earliest first */
    struct space *cr3_space;    /* the user space whose page tables are loaded, or NULL */
    struct space *lazy_space;   /* the space loaded before it, whose cpus_active still has
                                   this CPU's bit (core/klock.c: tlb_space_switch), or NULL */

    /* kernel lock and cross-CPU requests (core/klock.c, docs/design/locks.md) */
    uint32_t klock_state;       /* [any] KLOCK_SHARED | KLOCK_USER | KLOCK_WAITING bits, or 0;
                                   written only by this CPU */
    union {                     /* [any] attention: entry and exit go the slow way if != 0 */
        uint32_t attn;          /* (the four bytes below, read in one load) */
        struct {
            uint8_t attn_writer;    /* [atomic] set by the exclusive holder while it holds
                                       (or takes) the lock, cleared when it releases it */
            uint8_t tlb_req;        /* [atomic] another CPU asks for a TLB flush */
            uint8_t recheck;        /* [lock] the current thread was deleted or moved away */
            uint8_t attn_self;      /* this CPU holds the lock exclusive or has TLB
                                       shootdowns to finish before it may leave */
        };
    };
    uint8_t klock_excl;         /* holds it exclusive */
    uint8_t in_irq;             /* delivering a device interrupt (preemption cause) */
    uint64_t tlb_pending;       /* CPUs whose TLBs must be flushed before returning to user */
    struct tcb *switched_out;   /* the thread this CPU last switched away from */
    struct tcb *reap;           /* thread to free after switching away from it */
    struct tcb *handoff;        /* thread to queue on its new CPU after switching away */
    /* long kernel operations (core/kpreempt.c, docs/design/preemption.md) */
    uint64_t kpreempt_points;   /* [any] preemption points passed */
    uint64_t tick_fired_tsc;    /* TSC when the latest timer interrupt became pending */
    struct percpu_arch arch;    /* GDT, TSS */
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned ncpus_online;

static inline struct percpu *this_cpu(void) { return (struct percpu *)arch_this_cpu(); }
static inline struct tcb *current_thread(void) { return this_cpu()->current; }
