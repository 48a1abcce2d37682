/* config.h — build-time configuration.  Every CONFIG_ is always defined (0 or 1) and tested
 * with `if`, never with #ifdef, so both settings always compile. */
#pragma once

#ifndef CONFIG_IPC_FASTPATH
#define CONFIG_IPC_FASTPATH 1       /* IPC fast path for Call/ReplyWait with untyped words */
#endif

#ifndef CONFIG_GIANT_LOCK
#define CONFIG_GIANT_LOCK 0         /* every kernel entry takes the kernel lock exclusive
                                       (the SMP baseline; core/klock.h) */
#endif

/* The virtualization extensions (docs/design/virt-extensions.md), each separately. */
#ifndef CONFIG_CTRLXFER
#define CONFIG_CTRLXFER 1           /* control transfer items */
#endif
#ifndef CONFIG_PREEMPT_MSG
#define CONFIG_PREEMPT_MSG 1        /* preemption messages */
#endif
#ifndef CONFIG_ZERO_TIMESLICE
#define CONFIG_ZERO_TIMESLICE 1     /* threads with time slice 0 run only on donated time */
#endif
#ifndef CONFIG_EXT_PAGEFAULT
#define CONFIG_EXT_PAGEFAULT 1      /* page-fault messages carry the registers */
#endif
#ifndef CONFIG_THREAD_LIMITS
#define CONFIG_THREAD_LIMITS 1      /* per-thread address limits */
#endif
