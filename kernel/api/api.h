/* api.h — the system calls, as plain C functions of the calling thread and its arguments.
 * arch/x86_64/syscall.c decodes registers (abi/syscalls.def, docs/abi/) and calls these. */
#pragma once
#include <stdint.h>

struct tcb;
struct space;

/* KernelInterface: KIP address in the caller's space, ApiVersion, ApiFlags, KernelId. */
void sys_kernel_interface(struct space *s, uint64_t *kip, uint64_t *version, uint64_t *flags,
                          uint64_t *id);

/* SystemClock: µs since boot. */
uint64_t sys_system_clock(void);

/* ThreadSwitch: nil = yield; otherwise donate (so far: yield). */
void sys_thread_switch(struct tcb *t, uint64_t dest);
