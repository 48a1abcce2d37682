/* syscall.c — system-call register decoding (the binary convention of docs/abi/convention.md):
 * RAX = number; arguments RDI, RSI, RDX, R8, R9, R10; results RAX, RDI, RSI, RDX, R8, R9, R10.
 * Unknown numbers return RAX = ~0 and change nothing else. */
#include "arch.h"
#include "frame.h"
#include "api/api.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/ipc.h"
#include <sigma4/syscall.h>

void syscall_dispatch(struct trap_frame *f)
{
    struct tcb *t = current_thread();
    switch (f->rax) {
    case SYS_IPC:
    case SYS_LIPC:
        f->rax = ipc_call(t, f->rdi, f->rsi, f->rdx, &f->r9);
        break;
    case SYS_SYSTEM_CLOCK:
        f->rax = sys_system_clock();
        break;
    case SYS_THREAD_SWITCH:
        sys_thread_switch(t, f->rdi);
        break;
    default:
        f->rax = ~0ULL;
        break;
    }
}
