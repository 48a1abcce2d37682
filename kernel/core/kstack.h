/* kstack.h — kernel stacks: their room above the TCB and the deepest use seen.
 *
 * The canary check itself is inline in core/thread.h (it is on the context-switch path).  The
 * depth is measured on the kernel-pool block's zero fill: the lowest non-zero word above the
 * canary marks how deep the stack ever went.  Accounted when a thread is freed.
 */
#pragma once
#include <stdint.h>

struct tcb;

/* Bytes of kernel stack a thread has: from the word above its canary to the block's top. */
uint64_t kstack_room(void);

/* Note the deepest use of t's stack (t is being freed; no CPU runs on it). */
void kstack_account(const struct tcb *t);

/* The deepest kernel-stack use in bytes of any freed thread and of the current one. */
uint64_t kstack_deepest(void);
