/* syscall.c — system-call entry from entry.S: the generated decoder (abi/syscalls.tbl via
 * tools/gen-syscalls.py) maps registers to each call's argument structures and back.
 * Unknown numbers return RAX = ~0 and change nothing else.  syscall_continue finishes an IPC
 * that blocked on the fast path (its continuation: the thread's C frames were discarded). */
#include "arch.h"
#include "frame.h"
#include "api/api.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/ipc_fast.h"
#include "core/klock.h"
#include <syscall_decode.h>

/* Leave the kernel for user mode after a system call of t. */
static inline void syscall_leave(struct tcb *t)
{
    if (__builtin_expect(t->cx_mask != 0, 0))
        thread_exit_to_user();                      /* a control transfer to apply */
    else
        klock_exit(true);
}

/* Called with the kernel lock held: entry.S took it (klock_enter's instructions, inline). */
void syscall_dispatch(struct trap_frame *f)
{
    struct tcb *t = current_thread();
    if (f->rax == SYS_IPC)
        ipc_fastpath(t, f->rdi, f->rsi, f->rdx, f->r9);     /* returns only to fall back */
    if (syscall_decode(t, f) < 0)
        f->rax = ~0ULL;
    syscall_leave(t);
}

void syscall_continue(struct trap_frame *f)
{
    struct tcb *t = current_thread();
    f->r9 = ipc_fast_resumed(t);
    f->rax = t->ipc_from;
    syscall_leave(t);
}
