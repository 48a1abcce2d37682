/* frame.h — the register frame saved on kernel entry from user mode (trap, interrupt, syscall).
 *
 * Every entry builds the same layout at the top of the thread's kernel stack, so generic code
 * reads and changes user registers through one structure.  `vector` is the CPU vector, or
 * VECTOR_SYSCALL for the syscall instruction (then rcx/r11 hold nothing: rip/rflags are the
 * user's return address and flags).  entry.S depends on this order (asm-offsets.c pins it).
 */
#pragma once
#include <stdint.h>

#define VECTOR_SYSCALL 0x100
#define VECTOR_SYSCALL_IRET 0x101   /* a syscall frame whose RCX/R11 matter: leave by iret */

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;      /* pushed by the CPU (or built by syscall_entry) */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "trap_frame layout");

#define GDT_KCODE   0x08
#define GDT_KDATA   0x10
#define GDT_UCODE32 0x18
#define GDT_UDATA   0x20
#define GDT_UCODE   0x28
#define GDT_TSS     0x30
#define USER_CS     (GDT_UCODE | 3)
#define USER_DS     (GDT_UDATA | 3)

/* RFLAGS bits user code may set through ExchangeRegisters or an exception reply. */
#define RFLAGS_USER_MASK 0xCD5ULL           /* CF PF AF ZF SF DF OF: status flags and DF */
#define RFLAGS_USER_FIXED 0x202ULL          /* IF and the reserved bit 1 always set */

/* The dispatchers entry.S calls. */
void trap_dispatch(struct trap_frame *f);
/* A system call (entry.S: the kernel lock is taken already). */
void syscall_dispatch(struct trap_frame *f);
/* The continuation of a system call that blocked on the IPC fast path (entry.S). */
void syscall_continue(struct trap_frame *f);

/* NMI, #DF, #MC (IST stacks, GS already percpu): dump and panic. */
_Noreturn void trap_fatal(struct trap_frame *f);

/* The current thread is about to return to user mode through f (its frame) with a RIP outside
 * the user half, which iretq would fault on in ring 0: deliver a #GP (error 0, the RIP as
 * given) to the thread instead, like a fault in user mode.  Returns with the kernel lock
 * dropped when the thread may try to return again (its handler replied, or it was resumed). */
void trap_user_return_fault(struct trap_frame *f);

/* iretq to user mode faulted (#NP/#SS/#GP); kf holds the user's registers as they were at the
 * iretq.  Put them back into the current thread's frame, deliver the fault to the thread and
 * return that frame (to leave through again). */
struct trap_frame *trap_iret_fixup(struct trap_frame *kf);

struct tcb;
/* The user frame of thread t: the top of its kernel stack. */
struct trap_frame *thread_user_frame(struct tcb *t);
