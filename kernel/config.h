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
