/* percpu.h — all per-CPU kernel state, one block per CPU, found through GS in kernel mode.
 *
 * Access rule: only the owning CPU reads or writes its block (fields marked [any] are also
 * read by others); cross-CPU work goes through the mailbox (SMP issue), never by writing
 * another CPU's fields.  entry.S uses the offsets of self, kernel_rsp and user_rsp.
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
    struct tcb *current;        /* the running thread */
    struct tcb *idle;           /* this CPU's idle thread */
    struct sched_cpu sched;     /* ready queues and time accounting */
    uint64_t ticks;             /* timer interrupts taken */
    uint64_t cr3_loads;         /* address-space switches (statistics) */
    struct tcb *timeouts;       /* threads with a pending timeout, earliest first */
    struct percpu_arch arch;    /* GDT, TSS */
};

extern struct percpu percpu[MAX_CPUS];
extern unsigned ncpus_online;

static inline struct percpu *this_cpu(void) { return (struct percpu *)arch_this_cpu(); }
static inline struct tcb *current_thread(void) { return this_cpu()->current; }
