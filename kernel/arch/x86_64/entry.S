/* entry.S — every way into and out of the kernel: exceptions, interrupts, syscall, thread switch.
 *
 * Kernel stack of a thread (top = percpu.kernel_rsp = TSS.rsp0):
 *
 *     top ->  ss, rsp, rflags, cs, rip     pushed by the CPU (built by hand for syscall)
 *             error, vector                pushed by the stub (error 0 where the CPU has none)
 *             rax rbx rcx rdx rsi rdi rbp r8 .. r15    struct trap_frame starts at r15
 *
 * Invariants on every entry (docs/design/security.md):
 * - Flags: the kernel runs with IF, TF, DF, AC and NT clear.  syscall clears them through
 *   FMASK; interrupt gates clear IF, TF and NT, and trap_common clears DF (cld) and AC (clac,
 *   where SMAP exists: without SMAP, AC has no effect in ring 0).
 * - GS: user GS base while in user mode, percpu while in the kernel (swapgs on every crossing
 *   from or to ring 3).  An entry from ring 0 does not trust the saved CS alone: it may come
 *   from the return path after its swapgs (or an NMI before syscall_entry's), so it reads
 *   MSR_GS_BASE (user bases are user-half addresses, percpu is in the kernel half).
 * - Stacks: NMI, #DF and #MC run on their own per-CPU IST stacks (cpu.c) and are fatal.
 * - Return: a user RIP outside the user half never reaches iretq/sysretq: it becomes a #GP of
 *   the thread (trap_user_return_fault).  If iretq to user mode faults anyway (#NP, #SS, #GP at
 *   iret_to_user), the user's registers are put back into its frame and the fault becomes the
 *   thread's own #GP/#SS/#NP.
 * - Compatibility mode: the GDT has no 32-bit code descriptor; a syscall from compatibility
 *   mode (CSTAR) would be a #UD of the thread.
 */
#include "asm-offsets.h"

.macro PUSH_REGS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_REGS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

/* After a syscall's swapgs: switch to the kernel stack and build the CPU part of a trap frame
 * by hand (ss, rsp, rflags from R11, cs, rip from RCX), error 0 and `vector`. */
.macro SYSCALL_FRAME vector
    mov %rsp, %gs:PCPU_USER_RSP
    mov %gs:PCPU_KERNEL_RSP, %rsp
    push $USER_DS_SEL
    push %gs:PCPU_USER_RSP
    push %r11                           /* user RFLAGS */
    push $USER_CS_SEL
    push %rcx                           /* user RIP */
    push $0
    push \vector
.endm

.macro ISR_NOERR n
    .globl isr_\n
isr_\n:
    push $0
    push $\n
    jmp trap_common
.endm

.macro ISR_ERR n
    .globl isr_\n
isr_\n:
    push $\n
    jmp trap_common
.endm

/* NMI, #DF, #MC (IST stacks): err = 1 if the CPU pushed an error code. */
.macro ISR_IST n, err
    .globl isr_\n
isr_\n:
    .if \err == 0
    push $0
    .endif
    push $\n
    jmp trap_paranoid
.endm

    .text
trap_common:
    cld
    testb $3, 24(%rsp)                  /* CS of the interrupted context */
    jz trap_from_kernel
    swapgs
trap_user_entered:                      /* user GS saved, percpu loaded; frame up to vector */
    testb $1, cpu_smap_on(%rip)
    jz 1f
    clac
1:  PUSH_REGS
    mov %rsp, %rdi
    call trap_dispatch
    .globl trap_return
trap_return:                            /* rsp = struct trap_frame */
    testb $3, FRAME_CS(%rsp)
    jz trap_return_kernel
    mov FRAME_RIP(%rsp), %rax
    shr $47, %rax                       /* not a user-half RIP: iretq would fault in ring 0 */
    jnz trap_bad_user_rip
    POP_REGS
    add $16, %rsp                       /* vector, error */
    swapgs
    .globl iret_to_user
iret_to_user:                           /* a fault here: trap_from_kernel -> trap_iret_fault */
    iretq

trap_bad_user_rip:
    mov %rsp, %rdi
    call trap_user_return_fault         /* the thread's #GP; returns when it may go on */
    jmp trap_return

/* Entered from ring 0: an interrupt in the idle loop, a kernel bug, or a fault on the return
 * path.  rsp = vector (the frame up to it).  GS is whatever MSR_GS_BASE says. */
trap_from_kernel:
    cmpq $iret_to_user, 16(%rsp)        /* RIP: iretq to user mode faulted */
    jne 1f
    cmpq $11, (%rsp)                    /* #NP, #SS, #GP: the user frame's fault */
    jb 1f
    cmpq $13, (%rsp)
    jbe trap_iret_fault
1:  PUSH_REGS
    mov $MSR_GS_BASE_NR, %ecx
    rdmsr
    xor %ebx, %ebx                      /* rbx (callee-saved): 1 if we swapped GS */
    test %edx, %edx
    js 2f                               /* a kernel-half base: percpu is loaded */
    swapgs
    mov $1, %ebx
2:  testb $1, cpu_smap_on(%rip)
    jz 3f
    clac
3:  mov %rsp, %rdi
    call trap_dispatch
    test %ebx, %ebx
    jz trap_return_kernel
    swapgs
trap_return_kernel:
    POP_REGS
    add $16, %rsp
    iretq

/* iretq to user mode raised #NP/#SS/#GP: the registers hold the user's values again (POP_REGS
 * ran), GS is the user's (swapgs ran).  Save them, rebuild the thread's frame at the top of its
 * kernel stack (whose RIP..SS words the fault left alone) and fault the thread. */
trap_iret_fault:
    swapgs
    PUSH_REGS
    mov %rsp, %rdi
    call trap_iret_fixup                /* returns the thread's frame */
    mov %rax, %rsp
    jmp trap_bad_user_rip

/* NMI, #DF, #MC on their IST stacks: fatal.  GS from MSR_GS_BASE (any point may be hit,
 * including the instructions around swapgs). */
trap_paranoid:
    cld
    PUSH_REGS
    mov $MSR_GS_BASE_NR, %ecx
    rdmsr
    test %edx, %edx
    js 1f
    swapgs
1:  mov %rsp, %rdi
    call trap_fatal
    ud2

    .globl syscall_entry
syscall_entry:
    cmp $SYS_SYSTEM_CLOCK_NR, %rax
    je syscall_clock
    swapgs
syscall_full:
    SYSCALL_FRAME $VECTOR_SYSCALL_NR
    PUSH_REGS
    mov $KLOCK_SHARED_NR, %eax          /* klock_enter (core/klock.h): one exchange takes */
    xchg %eax, %gs:PCPU_KLOCK_STATE     /* the kernel lock shared (a full fence), and */
    cmpl $0, %gs:PCPU_ATTN              /* nothing asks for attention */
    jne syscall_lock_slow
syscall_locked:
    mov %rsp, %rdi
    call syscall_dispatch
    .globl syscall_return
syscall_return:                         /* rsp = struct trap_frame of a syscall entry */
    mov FRAME_RIP(%rsp), %rcx
    shr $47, %rcx                       /* non-canonical or kernel RIP: sysret would fault */
    jnz trap_return                     /* in ring 0, so take the iret path */
    cmpq $VECTOR_SYSCALL_NR, FRAME_VECTOR(%rsp)
    jne trap_return                     /* all registers set (control transfer): iret */
    POP_REGS
    mov 16(%rsp), %rcx                  /* rip */
    mov 32(%rsp), %r11                  /* rflags */
    mov 40(%rsp), %rsp                  /* user rsp */
    swapgs
    sysretq

syscall_lock_slow:                      /* a writer, a TLB request, a recheck (giant lock: always) */
    call klock_enter_slow
    jmp syscall_locked

/* syscall from compatibility mode (MSR_CSTAR).  Unreachable while the GDT has no 32-bit code
 * descriptor; if it is ever reached, it is the thread's #UD at the return address, in a
 * 64-bit frame (a handler that resumes the thread resumes it in 64-bit mode). */
    .globl syscall_compat_entry
syscall_compat_entry:
    swapgs
    SYSCALL_FRAME $6                    /* #UD */
    jmp trap_user_entered

/* SystemClock without a kernel stack: microseconds = (TSC * clock_mult) >> 32.  RDX is
 * preserved through the per-CPU scratch word; RCX/R11 still hold the user's RIP/RFLAGS. */
syscall_clock:
    swapgs
    mov %rdx, %gs:PCPU_USER_RSP
    mov %rcx, %rdx
    shr $47, %rdx                       /* a non-canonical return address: full path */
    jnz 1f
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    mulq clock_mult(%rip)
    shrd $32, %rdx, %rax
    mov %gs:PCPU_USER_RSP, %rdx
    swapgs
    sysretq
1:  mov %gs:PCPU_USER_RSP, %rdx
    jmp syscall_full

/* void switch_context(uint64_t *save_ksp, uint64_t next_ksp)
 * Saves the callee-saved registers on the current stack, stores rsp into *save_ksp and
 * continues on next_ksp, which was saved the same way (or built by arch_thread_init). */
    .globl switch_context
switch_context:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, (%rdi)
    mov %rsi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* _Noreturn void switch_blocked(struct trap_frame *prev_frame, uint64_t *prev_ksp,
 *                               uint64_t next_ksp)
 * Leave prev's stack for good (its kernel frames are discarded) and continue on next_ksp as
 * switch_context does.  prev's saved stack becomes a switch_context frame just below its trap
 * frame whose return address is syscall_continue (the six register slots are don't-care), so
 * whoever switches to prev lands there with rsp = prev's trap frame. */
    .globl switch_blocked
switch_blocked:
    mov %rdx, %rsp                      /* off prev's stack: now it may be overwritten */
    movq $syscall_continue_entry, -8(%rdi)
    lea -56(%rdi), %rax
    mov %rax, (%rsi)
    cmpq $syscall_continue_entry, 48(%rsp)
    jne 1f
    add $56, %rsp                       /* next blocked here too: straight to its continuation */
    jmp syscall_continue_entry
1:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

/* _Noreturn void switch_blocked_exit(struct trap_frame *prev_frame, uint64_t *prev_ksp,
 *                                    struct trap_frame *next_frame)
 * switch_blocked to a thread that blocked the same way and whose results are already in its
 * frame: onto its stack at its trap frame, prev's continuation written, the kernel lock
 * dropped, and out through syscall_return. */
    .globl switch_blocked_exit
switch_blocked_exit:
    mov %rdx, %rsp
    movq $syscall_continue_entry, -8(%rdi)
    lea -56(%rdi), %rax
    mov %rax, (%rsi)
    cmpl $0, %gs:PCPU_ATTN              /* klock_exit(true) (core/klock.h): nothing pending, */
    jne 1f
    movl $KLOCK_USER_NR, %gs:PCPU_KLOCK_STATE   /* so one store leaves the lock and says */
    jmp syscall_return                  /* "in user mode" */
1:  mov $1, %edi
    call klock_exit_slow
    jmp syscall_return

/* A thread blocked in an IPC on the fast path runs again: finish the system call
 * (syscall_continue) and return to user mode.  rsp = its trap frame. */
    .globl syscall_continue_entry
syscall_continue_entry:
    mov %rsp, %rdi
    call syscall_continue
    jmp syscall_return

/* First kernel-side code of a new user thread: its stack holds a trap_frame; enter user mode. */
    .globl thread_first_entry
thread_first_entry:
    mov $1, %edi
    call thread_first_run
    jmp trap_return

/* First code of a new kernel thread (idle): r12 = function, r13 = argument. */
    .globl kthread_first_entry
kthread_first_entry:
    xor %edi, %edi
    call thread_first_run
    mov %r13, %rdi
    call *%r12
    ud2

/* Exception vectors 0-31 (8, 10-14, 17, 21, 29, 30 push an error code), then device
 * vectors 32-255 through one table of stubs. */
ISR_NOERR 0
ISR_NOERR 1
ISR_IST   2, 0
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_IST   8, 1
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_IST   18, 0
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31
.altmacro
.set vec, 32
.rept 224
    ISR_NOERR %vec
    .set vec, vec + 1
.endr

    .section .rodata
    .align 8
    .globl isr_table
.macro ISR_ADDR n
    .quad isr_\n
.endm
isr_table:
.set vec, 0
.rept 256
    ISR_ADDR %vec
    .set vec, vec + 1
.endr
    .section .note.GNU-stack, "", @progbits
