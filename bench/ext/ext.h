/* ext.h — the virtualization-extension benchmark (issue 6, item 8): what its parts share.
 *
 * One root task, booted on the normal kernel and on build/kernel-noext.bin (all five
 * extensions compiled out), at -smp 1 under -icount shift=0,sleep=off, so every figure is a
 * number of instructions (bench/common/report.h).  It finds out from the KIP feature strings
 * which extensions the kernel has and skips every call that would switch on one it lacks.
 *
 *   ipc.c     IPC round trips (Call/ReplyWait, 0 and 8 untyped words, one space and two)
 *             with the extensions off and, where the kernel has them, switched on for client
 *             and server; round trips between an unlimited and a limited thread of one space
 *   pf.c      page-fault round trips, X.2 protocol and extended protocol
 *   main.c    threads, features, the root thread as the scheduler of all of them (it answers
 *             preemption messages), the end line
 *
 * Threads (numbers relative to the root thread n, version 1; bench/common/partners.h): n + 1
 * the echo server of the root task's space, n + 2 and n + 3 the remote echo server's pager and
 * the server itself (in a new space), n + 4 the client, n + 5 the page-fault pager, n + 8 the
 * thread that touches fresh pages (in another new space).  All run at PARTNER_PRIO with the
 * root thread as their scheduler; the root thread only waits while they measure.
 */
#pragma once
#include <l4/l4.h>

#define EXT_WARMUP      100
#define EXT_BATCHES     5
#define EXT_ROUNDS      1000

/* Schedule's preemption control (docs/design/virt-extensions.md), sigma4's extension bits. */
#define EXT_PC_PREEMPT_MSG      (1UL << 24)     /* preemption messages to the scheduler */
#define EXT_PC_PREEMPT_REGS     (1UL << 25)     /* ... carrying the registers */
#define EXT_PC_EXT_PAGEFAULT    (1UL << 26)     /* page-fault messages carry the registers */
#define EXT_BR0_CTRLXFER        (1UL << 1)      /* acceptor: apply control transfer items */

/* Kernel-made message labels as L4_Label sees them (label << 4 | low nibble), low 16 bits. */
#define EXT_LABEL_MASK          0xFFF0UL
#define EXT_LABEL_PAGEFAULT     0xFFE0UL        /* -2 */
#define EXT_LABEL_PREEMPTION    0xFFD0UL        /* -3 */

/* Which extensions the kernel has (KIP feature strings). */
struct ext_features {
    int ctrlxfer, preemptmsg, zerotimeslice, extpagefault, threadlimits;
};
extern struct ext_features ext_has;

extern unsigned ext_errors;                 /* `bench: error` lines printed (root thread) */

/* Set the preemption control of t (the root thread is its scheduler) to pc, only the bits of
 * extensions the kernel has; 1, or 0 after printing an error.  pc = 0 switches them off. */
int ext_schedule_bits(L4_ThreadId_t t, L4_Word_t pc, const char *who);

/* Root thread: have `client` (waiting in ext_client_main) run job() and wait for it to
 * finish, answering preemption messages from any thread meanwhile (empty replies: resume).
 * 1, or 0 after printing an error. */
int ext_run_client_job(L4_ThreadId_t client, void (*job)(void));

/* ipc.c: the IPC figures (ipc.*, limit.*); the client's thread function. */
void ext_ipc(void);
__attribute__((noreturn)) void ext_client_main(void);

/* pf.c: the page-fault figures (pf.*). */
void ext_pf(void);
