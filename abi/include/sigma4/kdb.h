/* kdb.h — the kernel-debugger interface (X.2 on x86): int3 followed by a marker instruction.
 *
 *   int3; cmpb $op, %al        service request; operand in RAX, result in RAX
 *   int3; jmp 1f; movq $str, %rax; 1:   enter the debugger with a text (sigma4: prints it)
 *
 * The kernel recognises the byte after the int3 (0x3C = cmpb imm8,%al; 0xEB = jmp rel8) and
 * resumes after the marker.
 */
#pragma once

#define KDB_MARK_SERVICE        0x3C
#define KDB_MARK_ENTER          0xEB

#define KDB_PUTS_MAX            256     /* bytes one PUTS (or enter text) prints at most */

#define KDB_OP_PUTC             0x00    /* AL = character */
#define KDB_OP_PUTS             0x01    /* RAX = NUL-terminated string (user address); prints
                                           at most KDB_PUTS_MAX bytes, returns how many */
#define KDB_OP_CLEAR_PAGE       0x02
#define KDB_OP_GETC             0x08    /* root servers: a byte, or -1 if none (never waits) */
#define KDB_OP_GETC_BLOCKING    0x0D    /* the same in the kernel; libl4 repeats it */
/* sigma4 extensions (privileged: root-server spaces only; others get RAX = -1). */
#define KDB_OP_SHUTDOWN         0x40    /* RAX = exit status; leaves QEMU through isa-debug-exit */
#define KDB_OP_STAT             0x41    /* RAX = KDB_STAT_*; result in RAX */
#define KDB_OP_CACHE_TYPE       0x42    /* RAX = address: PAT index of its mapping, ~0 if none */
/* Kernel-memory accounts (docs/design/kmem-accounts.md); RAX = global id of a thread of the
 * space; ~0 for a thread that does not exist. */
#define KDB_OP_SPACE_CHARGE     0x43    /* bytes charged to the space's account (all its spaces) */
#define KDB_OP_SPACE_LIMIT      0x44    /* the account's limit in bytes (~0: unlimited) */
#define KDB_OP_SPACE_BYTES      0x45    /* bytes the space itself holds (part of the charge) */
#define KDB_OP_ACCOUNTS         0x46    /* print every space with its account; returns the count */

#define KDB_STAT_KMEM_FREE      0       /* free kernel object memory, bytes */
#define KDB_STAT_KMEM_TOTAL     1       /* size of the kernel object pool, bytes */
#define KDB_STAT_USER_FAULTS    2       /* number of user faults the kernel reported */
#define KDB_STAT_LAST_FAULT_TID 3       /* global id of the thread of the last reported fault */
#define KDB_STAT_LAST_FAULT_ADDR 4      /* faulting address (CR2) of the last reported fault */
#define KDB_STAT_LAST_FAULT_IP  5       /* instruction pointer of the last reported fault */
#define KDB_STAT_NCPUS          6
#define KDB_STAT_TICKS          7       /* timer interrupts on this CPU */
#define KDB_STAT_FASTPATH_IPC   8       /* IPCs completed on the fast path (all CPUs) */
#define KDB_STAT_CR3_LOADS      9       /* address-space switches (CR3 writes) on this CPU */
#define KDB_STAT_MDB_NODES      10      /* mapping-database nodes in use */
#define KDB_STAT_TLB_SHOOTDOWNS 11      /* TLB shootdown rounds (all CPUs) */
#define KDB_STAT_CPU            12      /* the CPU the caller runs on */
#define KDB_STAT_KLOCK_EXCL     13      /* exclusive kernel-lock acquisitions (all CPUs) */
#define KDB_STAT_KSTACK_MAX     14      /* deepest kernel-stack use seen, bytes (freed threads
                                           and the caller) */
#define KDB_STAT_KSTACK_ROOM    15      /* kernel-stack bytes a thread has above its TCB */
#define KDB_STAT_KMEM_RESERVE   16      /* the pool reserve: bytes only root servers may use */
#define KDB_STAT_KPREEMPT_POINTS 20     /* preemption points passed in long kernel operations
                                           (all CPUs) */
#define KDB_STAT_TICK_FIRED     21      /* TSC when the calling CPU's latest timer interrupt
                                           became pending */
