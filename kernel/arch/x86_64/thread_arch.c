/* thread_arch.c — x86-64 thread context: initial kernel stacks, the switch, first entry. */
#include "cpu.h"
#include "arch.h"
#include "frame.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "lib/string.h"
#include "debug/panic.h"

extern char thread_first_entry[], kthread_first_entry[];
extern uint64_t kernel_pml4_phys;
void switch_context(uint64_t *save_ksp, uint64_t next_ksp);
_Noreturn void switch_blocked(struct trap_frame *prev_frame, uint64_t *prev_ksp, uint64_t next_ksp);
_Noreturn void switch_blocked_exit(struct trap_frame *prev_frame, uint64_t *prev_ksp,
                                   struct trap_frame *next_frame);
extern char syscall_continue_entry[];

static inline uint64_t kstack_top(struct tcb *t) { return (uint64_t)t + KSTACK_SIZE; }

/* A thread's first FPU/SSE state: the power-on values (x87 control word 0x37F, MXCSR 0x1F80,
 * every register zero and every x87 tag empty), never the live registers of whoever runs
 * ThreadControl: those belong to another thread. */
static void fpu_init_image(struct tcb *t)
{
    memset(t->fpu, 0, sizeof(t->fpu));
    t->fpu[0] = 0x7F;                               /* FCW = 0x037F */
    t->fpu[1] = 0x03;
    t->fpu[24] = 0x80;                              /* MXCSR = 0x1F80 */
    t->fpu[25] = 0x1F;
}

struct trap_frame *thread_user_frame(struct tcb *t)
{
    return (struct trap_frame *)(kstack_top(t) - sizeof(struct trap_frame));
}


/* Lay out a switch_context frame below `below` (16-aligned): after its `ret` the stack is
 * 16-aligned again, as the entry code's `call` needs. */
static void push_switch_frame(struct tcb *t, uint64_t below, uint64_t ret, uint64_t r12, uint64_t r13)
{
    uint64_t *sp = (uint64_t *)below;
    *--sp = ret;
    *--sp = 0;                  /* rbp */
    *--sp = 0;                  /* rbx */
    *--sp = r12;
    *--sp = r13;
    *--sp = 0;                  /* r14 */
    *--sp = 0;                  /* r15 */
    t->ksp = (uint64_t)sp;
}

void arch_thread_init_user(struct tcb *t, uint64_t ip, uint64_t sp)
{
    struct trap_frame *f = thread_user_frame(t);
    *f = (struct trap_frame){ 0 };
    f->rip = ip;
    f->rsp = sp;
    f->cs = USER_CS;
    f->ss = USER_DS;
    f->rflags = RFLAGS_USER_FIXED;
    /* thread_first_entry jumps to trap_return with rsp = f: no alignment slot wanted. */
    uint64_t *s = (uint64_t *)f;
    *--s = (uint64_t)thread_first_entry;
    for (int i = 0; i < 6; i++)
        *--s = 0;
    t->ksp = (uint64_t)s;
    fpu_init_image(t);
}

uint64_t arch_user_get(const struct tcb *t, enum ureg r)
{
    const struct trap_frame *f = thread_user_frame((struct tcb *)t);
    return r == UREG_IP ? f->rip : r == UREG_SP ? f->rsp : f->rflags;
}

void arch_user_set(struct tcb *t, enum ureg r, uint64_t v)
{
    struct trap_frame *f = thread_user_frame(t);
    if (r == UREG_IP)
        f->rip = v;
    else if (r == UREG_SP)
        f->rsp = v;
    else
        f->rflags = (v & RFLAGS_USER_MASK) | RFLAGS_USER_FIXED;
}

void arch_user_full_return(struct tcb *t)
{
    struct trap_frame *f = thread_user_frame(t);
    if (f->vector == VECTOR_SYSCALL)
        f->vector = VECTOR_SYSCALL_IRET;
}

void arch_exc_regs_get(const struct tcb *t, uint64_t *w)
{
    const struct trap_frame *f = thread_user_frame((struct tcb *)t);
    const uint64_t v[EXC_REG_WORDS] = { f->rip, f->rbx, f->r10, f->r12, f->r13, f->r14, f->r15,
        f->rax, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->r8, f->r9, f->r11, f->rsp, f->rflags };
    for (int i = 0; i < EXC_REG_WORDS; i++)
        w[i] = v[i];
}

void arch_exc_regs_set(struct tcb *t, const uint64_t *w)
{
    struct trap_frame *f = thread_user_frame(t);
    uint64_t *dst[EXC_REG_WORDS - 1] = { &f->rip, &f->rbx, &f->r10, &f->r12, &f->r13, &f->r14,
        &f->r15, &f->rax, &f->rcx, &f->rdx, &f->rsi, &f->rdi, &f->rbp, &f->r8, &f->r9, &f->r11,
        &f->rsp };
    for (int i = 0; i < EXC_REG_WORDS - 1; i++)
        *dst[i] = w[i];
    arch_user_set(t, UREG_FLAGS, (f->rflags & ~RFLAGS_USER_MASK) | (w[17] & RFLAGS_USER_MASK));
}

void arch_thread_init_kernel(struct tcb *t, void (*fn)(void *), void *arg)
{
    push_switch_frame(t, kstack_top(t), (uint64_t)kthread_first_entry, (uint64_t)fn, (uint64_t)arg);
    fpu_init_image(t);
}

uint64_t arch_thread_root(const struct tcb *t)
{
    if (t->limit_root)
        return t->limit_root;                       /* a thread limit (virt-extensions.md) */
    return t->space ? t->space->pt_root : kernel_pml4_phys;
}

/* Everything the CPU needs to run next: its stacks, its GS base, its page tables (only when
 * its root is not loaded already; the space's TLB bookkeeping only when the space changes,
 * without atomic operations between two spaces this CPU alternates between:
 * tlb_space_switch), its IO permissions (per space: only when the space changes) and its
 * FPU registers. */
static inline __attribute__((always_inline)) void load_context_inline(struct percpu *c,
                                                                      struct tcb *next)
{
    c->current = next;
    next->on_cpu = (uint16_t)(c->cpu + 1);
    c->kernel_rsp = kstack_top(next);
    c->arch.tss.rsp0 = kstack_top(next);
    wrmsr(MSR_KERNEL_GS_BASE, next->utcb_user);
    uint64_t root = next->root;
    if (root != c->arch.cr3) {
        struct space *s = next->space;
        if (s != c->cr3_space) {
            tlb_space_switch(c, s);                 /* before the load: see tlb_note */
            if (c->arch.io_owner || (s && s->iobitmap))
                arch_io_switch(s);                  /* only drivers pay for port bitmaps */
        }
        write_cr3(root);
        c->arch.cr3 = root;
        c->cr3_loads++;
    }
    __asm__ volatile("fxrstor %0" :: "m"(next->fpu));
}

/* (Out of line for every switch but the IPC fast path's, whose partner is blocked and so on
 * no CPU.)  A thread is never on two CPUs' stacks at once: a switch to one that still runs
 * elsewhere (moved here, its old CPU not yet off its stack) would share its kernel stack. */
static __attribute__((noinline)) void load_context(struct tcb *next)
{
    assert(!next->on_cpu);
    load_context_inline(this_cpu(), next);
}

void arch_switch(struct tcb *prev, struct tcb *next)
{
    this_cpu()->switched_out = prev;                /* sched_after_switch: off its stack */
    __asm__ volatile("fxsave %0" : "=m"(prev->fpu));
    load_context(next);
    switch_context(&prev->ksp, next->ksp);
}

_Noreturn void arch_switch_blocked(struct tcb *prev, struct tcb *next)
{
    this_cpu()->switched_out = prev;
    __asm__ volatile("fxsave %0" : "=m"(prev->fpu));
    load_context(next);
    switch_blocked(thread_user_frame(prev), &prev->ksp, next->ksp);
}

bool arch_blocked_in_syscall(const struct tcb *t)
{
    const struct trap_frame *f = thread_user_frame((struct tcb *)t);
    return t->ksp == (uint64_t)f - 56 && ((const uint64_t *)f)[-1] == (uint64_t)syscall_continue_entry;
}

_Noreturn void arch_switch_to_syscall_exit(struct tcb *prev, struct tcb *next, uint64_t from,
                                           uint64_t tag)
{
    struct trap_frame *f = thread_user_frame(next);
    f->rax = from;
    f->r9 = tag;
    __asm__ volatile("fxsave %0" : "=m"(prev->fpu));
    load_context_inline(this_cpu(), next);
    /* Still on prev's stack, but under the kernel lock nobody can free it before we leave. */
    prev->on_cpu = 0;
    switch_blocked_exit(thread_user_frame(prev), &prev->ksp, f);
}

_Noreturn void arch_start_first(struct tcb *t)
{
    uint64_t dummy;
    load_context(t);
    switch_context(&dummy, t->ksp);
    __builtin_unreachable();
}
