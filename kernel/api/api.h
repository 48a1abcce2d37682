/* api.h — helpers shared by the system calls in api/ (their prototypes are generated from
 * abi/syscalls.tbl into build/gen/syscall_api.h and included here). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "core/thread.h"
#include "core/space.h"
#include <sigma4/utcb.h>
#include <syscall_api.h>

/* X.2 ErrorCode values of the non-IPC system calls. */
#define ERR_NO_PRIVILEGE    1
#define ERR_INVALID_THREAD  2
#define ERR_INVALID_SPACE   3
#define ERR_INVALID_SCHED   4
#define ERR_INVALID_PARAM   5
#define ERR_UTCB_AREA       6
#define ERR_KIP_AREA        7
#define ERR_NO_MEMORY       8

/* Record error `code` in t's UTCB and return 0 (the X.2 failure result). */
static inline uint64_t sys_fail(struct tcb *t, uint64_t code)
{
    if (t->utcb)
        t->utcb[UTCB_ERROR_CODE] = code;
    return 0;
}

/* Is t allowed the privileged calls (a root-server space)? */
static inline bool sys_privileged(const struct tcb *t) { return space_is_privileged(t->space); }

/* KernelInterface (the `lock; nop` trap): KIP address in the caller's space, ApiVersion,
 * ApiFlags, KernelId. */
void sys_kernel_interface(struct space *s, uint64_t *kip, uint64_t *version, uint64_t *flags,
                          uint64_t *id);

/* X.2 fpage fields. */
static inline uint64_t fpage_base(uint64_t f) { return f & ~0x3FFULL; }
static inline unsigned fpage_log2(uint64_t f) { return (f >> 4) & 0x3F; }
