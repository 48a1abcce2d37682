/* l4/syscall.h — system-call stubs: the generic `syscall` trap and the calls built on it so far
 * (SystemClock, ThreadSwitch/Yield, and Sleep through a minimal receive-only IPC).
 *
 * Binary convention (abi/include/sigma4/syscall.h): `syscall` with RAX = SYS_* number;
 * arguments in RDI, RSI, RDX, R8, R9, R10; results in RAX, RDI, RSI, RDX, R8, R9, R10.  The
 * instruction clobbers RCX and R11.  The stubs declare all of these as outputs or clobbers for
 * every call, so a kernel exit path that reloads the whole result set is always safe; the kernel
 * may also write the UTCB (hence "memory").  Every other register is preserved by the kernel.
 */
#pragma once
#include <l4/types.h>
#include <l4/thread.h>
#include <sigma4/syscall.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The register file of one system call: arguments in, results out. */
typedef struct {
    L4_Word_t rax, rdi, rsi, rdx, r8, r9, r10;
} __L4_SyscallRegs_t;

/* Trap into the kernel with r->rax = system-call number and the arguments in r; on return r
 * holds the kernel's results. */
L4_INLINE void __L4_Syscall(__L4_SyscallRegs_t *r)
{
    register L4_Word_t r8 __asm__("r8") = r->r8;
    register L4_Word_t r9 __asm__("r9") = r->r9;
    register L4_Word_t r10 __asm__("r10") = r->r10;
    L4_Word_t rax = r->rax, rdi = r->rdi, rsi = r->rsi, rdx = r->rdx;

    __asm__ __volatile__("syscall"
                         : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx),
                           "+r"(r8), "+r"(r9), "+r"(r10)
                         :
                         : "rcx", "r11", "cc", "memory");
    r->rax = rax; r->rdi = rdi; r->rsi = rsi; r->rdx = rdx;
    r->r8 = r8; r->r9 = r9; r->r10 = r10;
}

/* Microseconds since the kernel started (fact sheet §1 SystemClock). */
L4_INLINE L4_Clock_t L4_SystemClock(void)
{
    __L4_SyscallRegs_t r = { SYS_SYSTEM_CLOCK, 0, 0, 0, 0, 0, 0 };
    L4_Clock_t c;
    __L4_Syscall(&r);
    c.raw = r.rax;
    return c;
}

/* Give the rest of the time slice to `dest` if it is runnable on this CPU; nilthread = yield. */
L4_INLINE void L4_ThreadSwitch(L4_ThreadId_t dest)
{
    __L4_SyscallRegs_t r = { SYS_THREAD_SWITCH, dest.raw, 0, 0, 0, 0, 0 };
    __L4_Syscall(&r);
}

/* Yield the processor (ThreadSwitch to nilthread). */
L4_INLINE void L4_Yield(void)
{
    L4_ThreadSwitch(L4_nilthread);
}

/* Minimal IPC (internal until L4_Ipc is specified): RDI = to, RSI = FromSpecifier, RDX =
 * Timeouts word, R9 = MR0 (message tag) in and out; RAX = from out; MR1.. in the UTCB.
 * Returns MR0 (the received tag) and stores the sender in *from. */
L4_INLINE L4_Word_t __L4_IpcMin(L4_ThreadId_t to, L4_ThreadId_t from_spec, L4_Word_t timeouts,
                               L4_Word_t mr0, L4_ThreadId_t *from)
{
    __L4_SyscallRegs_t r = { SYS_IPC, to.raw, from_spec.raw, timeouts, 0, mr0, 0 };
    __L4_Syscall(&r);
    from->raw = r.rax;
    return r.r9;
}

/* Block the calling thread for the period `t` (L4_Never: forever): a receive from the thread
 * itself, which nobody can send to, ended by the receive timeout. */
L4_INLINE void L4_Sleep(L4_Time_t t)
{
    L4_ThreadId_t from;
    (void)__L4_IpcMin(L4_nilthread, L4_MyGlobalId(), L4_Timeouts(L4_Never, t), 0, &from);
}

#ifdef __cplusplus
}
#endif
