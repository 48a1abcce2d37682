/* thread.h — thread control blocks, thread ids and the table that maps numbers to TCBs.
 *
 * A TCB and its kernel stack share one KSTACK_SIZE block from the kernel pool: the TCB at the
 * bottom, the stack growing down from the top, where entries from user mode save a
 * struct trap_frame.  Global id = number << 32 | version (version's low 6 bits non-zero).
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/spinlock.h"
#include <sigma4/layout.h>

#define KSTACK_ORDER 1
#define KSTACK_SIZE  (4096ULL << KSTACK_ORDER)
#define THREAD_MAX   (1u << THREAD_ID_BITS)

enum thread_state {
    TS_FREE = 0,        /* table slot unused */
    TS_INACTIVE,        /* exists, not started */
    TS_READY,           /* running or on a ready queue */
    TS_HALTED,          /* stopped by a fault or ExchangeRegisters */
    TS_SLEEPING,        /* receive from self / nil-partner wait, maybe with a timeout */
};

struct space;

struct tcb {
    uint64_t ksp;                   /* saved kernel stack pointer while switched out */
    uint64_t tid;                   /* global id */
    struct space *space;
    uint8_t state;                  /* enum thread_state */
    uint8_t prio;
    uint16_t cpu;                   /* home CPU */
    struct tcb *rq_next, *rq_prev;  /* ready queue links, guarded by the home CPU */
    uint64_t timeslice_us;          /* full time slice */
    uint64_t remaining_us;          /* left of the current slice */
    uint64_t wakeup_us;             /* SystemClock time to wake, ~0 = no timeout pending */
    struct tcb *timeout_next;       /* sorted timeout list of the home CPU */
    uint64_t utcb_user;             /* user address of the UTCB pointer (location + 512), 0 none */
    uint64_t *utcb;                 /* kernel address of the same word (direct map) */
    uint64_t pager, scheduler, exc_handler;     /* global ids */
    const char *name;               /* for logs: root servers and kernel threads */
    uint8_t fpu[512] __attribute__((aligned(16)));  /* FXSAVE area */
};

/* The thread with number no, or NULL. */
struct tcb *thread_by_no(uint32_t no);

/* The thread with exactly this global id (number and version), or NULL. */
struct tcb *thread_lookup(uint64_t tid);

static inline uint32_t tid_no(uint64_t tid) { return (uint32_t)(tid >> 32); }
static inline uint32_t tid_version(uint64_t tid) { return (uint32_t)tid; }
static inline uint64_t tid_make(uint32_t no, uint32_t version) { return ((uint64_t)no << 32) | version; }

/* Allocate a TCB with its kernel stack for global id tid in space s (not yet runnable).
 * Returns NULL if kernel memory is exhausted or the number is taken. */
struct tcb *thread_create(uint64_t tid, struct space *s);

/* Create a kernel thread (idle) running fn(arg) on the current CPU. NULL if out of memory. */
struct tcb *thread_create_kernel(void (*fn)(void *), void *arg, const char *name);

/* Halt t after a fault nobody handles: remove it from scheduling and log it. */
void thread_halt(struct tcb *t);

/* Switch the CPU from prev to next (both on this CPU). */
void thread_switch(struct tcb *prev, struct tcb *next);
