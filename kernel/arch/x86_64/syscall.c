/* syscall.c — system-call entry from entry.S: the generated decoder (abi/syscalls.tbl via
 * tools/gen-syscalls.py) maps registers to each call's argument structures and back.
 * Unknown numbers return RAX = ~0 and change nothing else. */
#include "arch.h"
#include "frame.h"
#include "api/api.h"
#include "core/percpu.h"
#include <syscall_decode.h>

void syscall_dispatch(struct trap_frame *f)
{
    if (syscall_decode(current_thread(), f) < 0)
        f->rax = ~0ULL;
}
