/* fuzz.h — the fuzzer's operations: random and mutated system calls and hostile steps, one
 * operation at a time, each drawn from its own seeded random state.
 *
 * A worker (struct fuzz_worker) runs operations with indices [next, end); operation i takes
 * its random words from fuzz_op_seed(seed, worker id, i) alone, so the same seed gives every
 * worker the same stream of operations whatever the interleaving, and one operation can be
 * replayed by its index.  The worker publishes the index, kind and first arguments of the
 * operation in progress before it makes it, for the watchdog's report.
 *
 * Unprivileged workers run in new spaces (fuzz_worker_loop); their pointers, string buffers and
 * receive windows stay inside fuzz_scratch or at addresses the kernel must refuse, so they
 * cannot overwrite the test program whose pages their space shares.  The privileged worker
 * (fuzz_priv_loop) runs in the root task on thread numbers FUZZ_PRIV_BASE.. only.  The
 * scribbler (fuzz_scribble_loop) rewrites the MRs and BRs of the workers of its own space while
 * they are inside their system calls, and reads a stalled worker's registers for the watchdog
 * (ExchangeRegisters works on threads of the caller's space).
 */
#pragma once
#include <l4/l4.h>

/* The scratch area: the root task's memory at a fixed address far from its image, with
 * nothing mapped around it, so that a string copied past its end (lengths are random) faults
 * on a page nobody can map instead of overwriting the test program.  The root task touches
 * its pages (sigma0 maps them 1:1) before a run. */
#define FUZZ_SCRATCH_BASE   0x0C000000UL
#define FUZZ_SCRATCH_SIZE   (64UL * 1024)
#define fuzz_scratch        ((unsigned char *)FUZZ_SCRATCH_BASE)
#define FUZZ_MAX_WORKERS    8               /* unprivileged workers at once */
#define FUZZ_PRIV_BASE      900             /* thread numbers the privileged worker may make */
#define FUZZ_PRIV_COUNT     16
#define FUZZ_IRQ_A          10              /* interrupt lines no device uses on q35 */
#define FUZZ_IRQ_B          11

/* Operation kinds (what a report names). */
enum fuzz_kind {
    FUZZ_K_IPC, FUZZ_K_LIPC, FUZZ_K_UNMAP, FUZZ_K_EXREG, FUZZ_K_CLOCK, FUZZ_K_SWITCH,
    FUZZ_K_SCHEDULE, FUZZ_K_THREADCTL, FUZZ_K_SPACECTL, FUZZ_K_PROCCTL, FUZZ_K_MEMCTL,
    FUZZ_K_NOSYS, FUZZ_K_SPIN, FUZZ_K_COMPAT, FUZZ_K_KDB, FUZZ_K_FLAGGED, FUZZ_K_MAPIPC,
    FUZZ_K_STRIPC, FUZZ_K_KIP, FUZZ_K_FAULT, FUZZ_K_WILDREGS, FUZZ_K_IRQ, FUZZ_K_COUNT
};
extern const char *const fuzz_kind_name[FUZZ_K_COUNT];

struct fuzz_worker {
    /* Written by the worker. */
    volatile L4_Word_t op;                  /* index of the operation in progress */
    volatile L4_Word_t kind;                /* its fuzz_kind */
    volatile L4_Word_t arg[3];              /* its first arguments */
    volatile L4_Word_t done;                /* operations completed (progress) */
    volatile L4_ThreadId_t self;
    L4_Word_t *volatile utcb;               /* its UTCB pointer, for the scribbler */
    volatile L4_Word_t rng;                 /* the random state of the operation in progress */
    volatile L4_Word_t saved_sp;            /* its stack pointer across a wild-register step */
    /* Set by the controller before the worker starts (and on a restart). */
    volatile L4_Word_t next, end;           /* operations still to run: [next, end) */
    L4_Word_t seed, id;                     /* stream seed; worker id (stream number) */
    volatile L4_ThreadId_t tid;             /* its thread (the controller's view) */
    struct fuzz_worker *peer;               /* another worker of the same space */
};

/* The scribbler's and inspector's state of one space. */
struct fuzz_scribbler {
    struct fuzz_worker *w[FUZZ_MAX_WORKERS]; /* the workers of its space (null-terminated) */
    volatile L4_Word_t rounds;              /* progress */
    volatile L4_Word_t seed;
    /* Inspection: the controller sets `want` to a thread id; the scribbler reads its
     * registers and sets `want` back to 0. */
    volatile L4_Word_t want;
    volatile L4_Word_t got_ok, got_control, got_sp, got_ip, got_flags, got_pager;
};

/* Every unprivileged worker's thread id (nil where none): targets for IPC and friends. */
extern volatile L4_ThreadId_t fuzz_ids[FUZZ_MAX_WORKERS];
/* Whether the families that make the thread fault on purpose (user faults, wild registers)
 * run: `make fuzz` and `make fuzz-coverage` yes; the short fuzz.* run of `make test` no (each
 * such fault costs a restart of the worker). */
extern volatile L4_Word_t fuzz_faults;
/* 0, or one family only (to narrow a failure down): 1 wild registers, 2 user faults. */
extern volatile L4_Word_t fuzz_focus;
/* Set to make the loops stop making operations and sleep. */
extern volatile L4_Word_t fuzz_stop;

/* The random state of operation `op` of stream `id` under `seed` (never 0). */
L4_Word_t fuzz_op_seed(L4_Word_t seed, L4_Word_t id, L4_Word_t op);
/* The next random word of state *s (xorshift64). */
L4_Word_t fuzz_rnd(volatile L4_Word_t *s);

/* Thread bodies (arg: the struct fuzz_worker / fuzz_scribbler). */
void fuzz_worker_loop(void *arg);
void fuzz_priv_loop(void *arg);
void fuzz_scribble_loop(void *arg);

/* Does an operation of this kind stop its thread on purpose (a fault it makes)?  The watchdog
 * restarts such a worker sooner. */
static inline int fuzz_kind_halts(L4_Word_t kind) { return kind == FUZZ_K_FAULT || kind == FUZZ_K_COMPAT; }

/* One unprivileged operation of w (w->rng seeded); one privileged operation. */
void fuzz_step(struct fuzz_worker *w);
void fuzz_priv_step(struct fuzz_worker *w);

/* Delete every thread the privileged worker may have made and free its interrupt lines
 * (call after the privileged worker is deleted). */
void fuzz_priv_cleanup(void);
