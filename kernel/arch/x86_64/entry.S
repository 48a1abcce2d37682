/* entry.S — every way into and out of the kernel: exceptions, interrupts, syscall, thread switch.
 *
 * Kernel stack of a thread (top = percpu.kernel_rsp = TSS.rsp0):
 *
 *     top ->  ss, rsp, rflags, cs, rip     pushed by the CPU (built by hand for syscall)
 *             error, vector                pushed by the stub (error 0 where the CPU has none)
 *             rax rbx rcx rdx rsi rdi rbp r8 .. r15    struct trap_frame starts at r15
 *
 * GS: user GS base while in user mode, percpu while in the kernel (swapgs on every crossing
 * from or to ring 3; entries from ring 0 — only the idle loop takes interrupts — skip it).
 * The kernel runs with interrupts disabled; the syscall MSR FMASK clears IF, DF, TF, AC.
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

    .text
trap_common:
    testb $3, 24(%rsp)                  /* CS of the interrupted context */
    jz 1f
    swapgs
1:  PUSH_REGS
    mov %rsp, %rdi
    call trap_dispatch
    .globl trap_return
trap_return:                            /* rsp = struct trap_frame */
    POP_REGS
    add $16, %rsp                       /* vector, error */
    testb $3, 8(%rsp)
    jz 2f
    swapgs
2:  iretq

    .globl syscall_entry
syscall_entry:
    cmp $SYS_SYSTEM_CLOCK_NR, %rax
    je syscall_clock
    swapgs
syscall_full:
    mov %rsp, %gs:PCPU_USER_RSP
    mov %gs:PCPU_KERNEL_RSP, %rsp
    push $USER_DS_SEL
    push %gs:PCPU_USER_RSP
    push %r11                           /* user RFLAGS */
    push $USER_CS_SEL
    push %rcx                           /* user RIP */
    push $0
    push $VECTOR_SYSCALL_NR
    PUSH_REGS
    mov %rsp, %rdi
    call syscall_dispatch
    .globl syscall_return
syscall_return:                         /* rsp = struct trap_frame of a syscall entry */
    mov FRAME_RIP(%rsp), %rcx
    shr $47, %rcx                       /* non-canonical or kernel RIP: sysret would fault */
    jnz trap_return                     /* in ring 0, so take the iret path */
    POP_REGS
    mov 16(%rsp), %rcx                  /* rip */
    mov 32(%rsp), %r11                  /* rflags */
    mov 40(%rsp), %rsp                  /* user rsp */
    swapgs
    sysretq

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
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
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
