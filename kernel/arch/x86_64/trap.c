/* trap.c — exceptions and interrupts: kernel faults are fatal and dumped; user faults become
 * kernel-debugger calls, KernelInterface, or reports; device vectors go to their handlers;
 * faults on the way back to user mode (a RIP outside the user half, a faulting iretq) become
 * the thread's own faults.
 *
 * Runs on the kernel stack of the interrupted thread with interrupts disabled (NMI, #DF and
 * #MC: on this CPU's IST stacks, and only to report and panic).
 */
#include "cpu.h"
#include "arch.h"
#include "frame.h"
#include "apic.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/space.h"
#include "api/api.h"
#include "debug/console.h"
#include "debug/panic.h"
#include "debug/kdb.h"
#include "core/fault.h"
#include "core/irq.h"
#include "core/klock.h"
#include "core/sched.h"
#include <sigma4/kdb.h>

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor overrun", "#TS invalid TSS", "#NP segment not present", "#SS stack fault",
    "#GP general protection", "#PF page fault", "reserved 15", "#MF x87 error",
    "#AC alignment check", "#MC machine check", "#XM SIMD error", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "#HV", "#VC", "#SX security", "reserved 31",
};

/* Walk the frame-pointer chain from `rbp`.  Kernel stacks live in the direct map (TCB blocks)
 * or in the image (boot and IST stacks); a frame is followed only while it stays inside the
 * KSTACK_SIZE-aligned block the walk started in and moves up the stack, so a corrupt chain
 * ends the walk instead of faulting again. */
void arch_backtrace(uint64_t rbp)
{
    kprintf("backtrace:\n");
    uint64_t block = rbp & ~(KSTACK_SIZE - 1);
    for (int depth = 0; depth < 24 && rbp >= PHYS_MAP_BASE && !(rbp & 7) &&
         (rbp & ~(KSTACK_SIZE - 1)) == block && rbp + 16 <= block + KSTACK_SIZE; depth++) {
        uint64_t *fp = (uint64_t *)rbp;
        if (fp[1] < KERNEL_VBASE)
            break;
        kprintf("  [%d] 0x%lx\n", depth + 1, fp[1]);
        if (fp[0] <= rbp)
            break;
        rbp = fp[0];
    }
}

static _Noreturn void kernel_fault(struct trap_frame *f)
{
    panic_begin();
    kprintf("\nsigma4: KERNEL FAULT %s (vector %lu) error 0x%lx on cpu %u\n",
            f->vector < 32 ? exc_names[f->vector] : "interrupt", f->vector, f->error,
            arch_cpu_id());
    kprintf("  rip %016lx  cs %lx  rflags %lx  rsp %016lx  ss %lx\n",
            f->rip, f->cs, f->rflags, f->rsp, f->ss);
    kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", f->r13, f->r14, f->r15);
    kprintf("  cr2 %016lx  cr3 %016lx  cr4 %lx\n", read_cr2(), read_cr3(), read_cr4());
    kprintf("  [0] 0x%lx\n", f->rip);
    arch_backtrace(f->rbp);
    panic("kernel fault");
}

/* int3 from user: the X.2 kernel-debugger interface if a marker follows, else a fault. */
static bool user_kdb(struct tcb *t, struct trap_frame *f)
{
    uint8_t code[2];
    if (space_read(t->space, f->rip, code, 2) != 2)
        return false;
    if (code[0] == KDB_MARK_SERVICE) {
        f->rax = kdb_service(t, code[1], f->rax);
        f->rip += 2;
        return true;
    }
    if (code[0] == KDB_MARK_ENTER) {
        /* int3; jmp +n; movq $imm32, %rax (48 C7 C0 imm32): the text's address is the
         * sign-extended immediate; resume after the jump. */
        uint8_t mov[7];
        if (space_read(t->space, f->rip + 2, mov, 7) == 7 && mov[0] == 0x48 && mov[1] == 0xC7 &&
            mov[2] == 0xC0)
            kdb_enter(t, (uint64_t)(int64_t)(int32_t)(mov[3] | mov[4] << 8 | mov[5] << 16 |
                                                      (uint32_t)mov[6] << 24));
        else
            kdb_enter(t, 0);
        f->rip += 2 + (int8_t)code[1];
        return true;
    }
    return false;
}

/* #UD from user: `lock; nop` is KernelInterface. */
static bool user_kernel_interface(struct tcb *t, struct trap_frame *f)
{
    uint8_t code[2];
    if (space_read(t->space, f->rip, code, 2) != 2 || code[0] != 0xF0 || code[1] != 0x90)
        return false;
    sys_kernel_interface(t->space, &f->rax, &f->rcx, &f->rdx, &f->rsi);
    f->rip += 2;
    return true;
}

static void user_exception(struct trap_frame *f, uint64_t cr2)
{
    struct tcb *t = current_thread();
    if (f->vector == 3 && user_kdb(t, f))
        return;
    if (f->vector == 6 && user_kernel_interface(t, f))
        return;
    if (f->vector == 13 && f->error == 0 && arch_io_fault(t, f->rip, f->rdx))
        return;
    if (f->vector == 14 && t->limit_end && cr2 >= t->limit_end) {
        fault_limit(t, cr2, f->error);
        return;
    }
    if (f->vector == 14) {
        unsigned access = (f->error & 2) ? FAULT_W : (f->error & 16) ? FAULT_X : FAULT_R;
        fault_page(t, cr2, f->rip, access);
        return;
    }
    fault_exception(t, (unsigned)f->vector, f->error, exc_names[f->vector]);
}

void trap_fatal(struct trap_frame *f)
{
    kernel_fault(f);
}

void trap_user_return_fault(struct trap_frame *f)
{
    f->vector = 13;                                 /* the fault the thread takes */
    f->error = 0;
    klock_enter();
    struct tcb *t = current_thread();
    fault_exception(t, 13, 0, "#GP general protection (RIP outside user space)");
    thread_exit_to_user();
}

struct trap_frame *trap_iret_fixup(struct trap_frame *kf)
{
    struct tcb *t = current_thread();
    struct trap_frame *u = thread_user_frame(t), k = *kf;      /* kf overlaps u's low words */
    uint64_t vector = k.vector, error = k.error;
    u->r15 = k.r15; u->r14 = k.r14; u->r13 = k.r13; u->r12 = k.r12; u->r11 = k.r11;
    u->r10 = k.r10; u->r9 = k.r9; u->r8 = k.r8; u->rbp = k.rbp; u->rdi = k.rdi;
    u->rsi = k.rsi; u->rdx = k.rdx; u->rcx = k.rcx; u->rbx = k.rbx; u->rax = k.rax;
    u->vector = vector;
    u->error = error;
    klock_enter();
    fault_exception(t, (unsigned)vector, error, exc_names[vector]);
    thread_exit_to_user();
    return u;
}

void trap_dispatch(struct trap_frame *f)
{
    bool from_user = (f->cs & 3) == 3;
    uint64_t cr2 = read_cr2();                      /* before anything can switch CPUs */
    if (f->vector < 32 && !from_user)
        kernel_fault(f);
    if (f->vector >= 32 && f->vector != VECTOR_SPURIOUS)
        lapic_eoi();                                /* to this CPU's LAPIC, before we can move */
    klock_enter();
    if (f->vector < 32) {
        user_exception(f, cr2);
    } else if (f->vector == VECTOR_TIMER) {
        this_cpu()->ticks++;
        this_cpu()->tick_fired_tsc = rdtsc() - timer_tick_age_tsc();
        sched_tick();
    } else if (f->vector == VECTOR_KICK) {
        sched_schedule();                           /* klock_enter served a TLB request */
    } else if (f->vector >= VECTOR_IRQ_BASE && f->vector < VECTOR_IRQ_BASE + arch_irq_lines()) {
        this_cpu()->in_irq = 1;
        irq_raise((unsigned)(f->vector - VECTOR_IRQ_BASE));
        this_cpu()->in_irq = 0;
    } else if (f->vector != VECTOR_SPURIOUS) {
        kprintf("sigma4: unexpected interrupt vector %lu\n", f->vector);
    }
    if (from_user)
        thread_exit_to_user();
    else
        klock_exit(false);
}
