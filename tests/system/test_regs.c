/* test_regs.c — what a thread finds in its registers when it comes back from the kernel
 * (issue 13, item 7): after an IPC (fast and slow path), after a page fault served by a pager,
 * and when a new thread starts.  Every general-purpose register the call does not return, the
 * vector registers and the status flags must hold the thread's own values (or, for a new
 * thread, a clean state): never a value of another thread or of the kernel.
 *
 * regs_probe (assembly below) loads every register from a struct, makes one system call or
 * memory access, and stores every register back, so the compiler touches nothing in between.
 */
#include <string.h>
#include <l4/l4.h>
#include <sigma4/syscall_gen.h>
#include "ktest.h"
#include "tutil.h"

/* Register file as regs_probe loads and stores it: the 15 GPRs except RSP, then RFLAGS. */
enum { R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_R8, R_R9, R_R10, R_R11, R_R12,
       R_R13, R_R14, R_R15, R_FLAGS, R_N };

struct probe {
    L4_Word_t in[R_N];              /* 0x00: loaded before the instruction (not RFLAGS) */
    L4_Word_t out[R_N];             /* 0x80: stored after it */
    L4_Word_t xin[16][2];           /* 0x100: XMM0-15 before */
    L4_Word_t xout[16][2];          /* 0x200: XMM0-15 after */
    L4_Word_t mode;                 /* 0x300: 0 = syscall, 1 = load from in[R_RAX] into RAX,
                                       2 = ud2 (an exception handler skips it) */
};
_Static_assert(__builtin_offsetof(struct probe, mode) == 0x300, "probe layout");

void regs_probe(struct probe *p);
__asm__(
    "    .text\n"
    "    .globl regs_probe\n"
    "regs_probe:\n"
    "    push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "    push %rdi\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "    movdqu 0x100+\\i*16(%rdi), %xmm\\i\n"
    "    .endr\n"
    "    mov 0x08(%rdi), %rbx\n"
    "    mov 0x10(%rdi), %rcx\n"
    "    mov 0x18(%rdi), %rdx\n"
    "    mov 0x20(%rdi), %rsi\n"
    "    mov 0x30(%rdi), %rbp\n"
    "    mov 0x38(%rdi), %r8\n"
    "    mov 0x40(%rdi), %r9\n"
    "    mov 0x48(%rdi), %r10\n"
    "    mov 0x50(%rdi), %r11\n"
    "    mov 0x58(%rdi), %r12\n"
    "    mov 0x60(%rdi), %r13\n"
    "    mov 0x68(%rdi), %r14\n"
    "    mov 0x70(%rdi), %r15\n"
    "    cmpq $1, 0x300(%rdi)\n"
    "    mov 0x00(%rdi), %rax\n"
    "    mov 0x28(%rdi), %rdi\n"
    "    je 1f\n"
    "    ja 3f\n"
    "    stc\n"                           /* a status flag to find again */
    "    syscall\n"
    "    jmp 2f\n"
    "1:  stc\n"
    "    mov (%rax), %rax\n"              /* the page fault */
    "    jmp 2f\n"
    "3:  stc\n"
    "    ud2\n"                           /* the exception */
    "2:  pushfq\n"
    "    xchg %rdi, 8(%rsp)\n"            /* rdi = p; the result RDI is saved */
    "    pop 0x80+0x78(%rdi)\n"           /* RFLAGS */
    "    mov %rax, 0x80+0x00(%rdi)\n"
    "    mov %rbx, 0x80+0x08(%rdi)\n"
    "    mov %rcx, 0x80+0x10(%rdi)\n"
    "    mov %rdx, 0x80+0x18(%rdi)\n"
    "    mov %rsi, 0x80+0x20(%rdi)\n"
    "    pop 0x80+0x28(%rdi)\n"           /* RDI */
    "    mov %rbp, 0x80+0x30(%rdi)\n"
    "    mov %r8, 0x80+0x38(%rdi)\n"
    "    mov %r9, 0x80+0x40(%rdi)\n"
    "    mov %r10, 0x80+0x48(%rdi)\n"
    "    mov %r11, 0x80+0x50(%rdi)\n"
    "    mov %r12, 0x80+0x58(%rdi)\n"
    "    mov %r13, 0x80+0x60(%rdi)\n"
    "    mov %r14, 0x80+0x68(%rdi)\n"
    "    mov %r15, 0x80+0x70(%rdi)\n"
    "    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "    movdqu %xmm\\i, 0x200+\\i*16(%rdi)\n"
    "    .endr\n"
    "    pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "    ret\n");

/* Fill p with a pattern unique to `who` in every register. */
static void probe_fill(struct probe *p, L4_Word_t who)
{
    memset(p, 0, sizeof(*p));
    for (int i = 0; i < R_N; i++)
        p->in[i] = (who << 56) | (0xA5A5UL << 16) | (L4_Word_t)i;
    for (int i = 0; i < 16; i++) {
        p->xin[i][0] = (who << 56) | 0x5A5A0000UL | (L4_Word_t)i;
        p->xin[i][1] = ~p->xin[i][0];
    }
}

/* Is v one of who's pattern values?  (Register values of thread `who`.) */
static int is_of(L4_Word_t v, L4_Word_t who)
{
    return (v >> 56) == who && ((v >> 16) & 0xFFFFFFFFFFUL) == 0xA5A5UL;
}

/* Check p after the instruction: the registers in `keep` (a bit per R_*) are unchanged,
 * XMM0-15 unchanged, CF still set; no register holds a value of thread `other`, and none
 * that changed holds a kernel-half address. */
static int probe_check(const struct probe *p, unsigned keep, L4_Word_t other)
{
    int ok = 1;
    for (int i = 0; i < R_FLAGS; i++) {
        if ((keep & (1u << i)) && p->out[i] != p->in[i]) {
            printf("# register %d: %lx, was %lx\n", i, p->out[i], p->in[i]);
            ok = 0;
        }
        if (is_of(p->out[i], other) || (p->out[i] != p->in[i] && (p->out[i] >> 47) == 0x1FFFF)) {
            printf("# register %d holds %lx (another thread's or the kernel's)\n", i, p->out[i]);
            ok = 0;
        }
    }
    if (!(p->out[R_FLAGS] & 1)) {
        printf("# RFLAGS %lx: CF lost\n", p->out[R_FLAGS]);
        ok = 0;
    }
    for (int i = 0; i < 16; i++)
        if (p->xout[i][0] != p->xin[i][0] || p->xout[i][1] != p->xin[i][1]) {
            printf("# xmm%d: %lx:%lx, was %lx:%lx\n", i, p->xout[i][1], p->xout[i][0],
                   p->xin[i][1], p->xin[i][0]);
            ok = 0;
        }
    return ok;
}

#define KEEP_ALL        ((1u << R_FLAGS) - 1)
#define KEEP_SYSCALL    (KEEP_ALL & ~((1u << R_RCX) | (1u << R_R11)))
#define KEEP_IPC        (KEEP_SYSCALL & ~((1u << R_RAX) | (1u << R_R9)))

/* ---- IPC: a server answering with its own registers full of its pattern ------------------ */

static struct probe srv_probe;
static volatile L4_Word_t srv_ready, srv_done;
static volatile L4_Word_t srv_client;

/* Receive one message (any sender), reply and wait again, both through regs_probe with
 * pattern 2 in every register; then receive nothing more. */
static void regs_server(void *arg)
{
    L4_ThreadId_t from;
    (void)arg;
    srv_ready = 1;
    L4_Wait(&from);
    srv_client = from.raw;
    probe_fill(&srv_probe, 2);
    srv_probe.in[R_RAX] = SYS_IPC;
    srv_probe.in[R_RDI] = from.raw;                  /* reply to it ... */
    srv_probe.in[R_RSI] = L4_anythread.raw;          /* ... and wait for anyone */
    srv_probe.in[R_RDX] = L4_Timeouts(L4_ZeroTime, L4_TimePeriod(20000));
    srv_probe.in[R_R9] = L4_MsgTagMake(0x77, 0, 0).raw;
    regs_probe(&srv_probe);
    srv_done = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

/* The client: a Call to server through regs_probe with pattern 1 everywhere. */
static void client_call(struct probe *p, L4_ThreadId_t server, L4_Word_t timeouts)
{
    probe_fill(p, 1);
    p->in[R_RAX] = SYS_IPC;
    p->in[R_RDI] = server.raw;
    p->in[R_RSI] = server.raw;
    p->in[R_RDX] = timeouts;
    p->in[R_R9] = L4_MsgTagMake(0x55, 0, 0).raw;
    regs_probe(p);
}

static void ipc_case(L4_Word_t timeouts)
{
    static struct probe p;
    srv_ready = srv_done = 0;
    L4_ThreadId_t s = tu_create(regs_server, 0, 200);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(TU_WAIT(srv_ready && tu_state(s) == L4_SCHEDRESULT_WAITING));
    client_call(&p, s, timeouts);
    KCHECK(p.out[R_RAX] == tu_utcb_of(s) + 512);            /* from: the server, local id */
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = p.out[R_R9] }), 0x77);
    KCHECK(probe_check(&p, KEEP_IPC, 2));
    KCHECK(TU_WAIT(srv_done));
    /* The server's wait timed out: its registers are its own as well. */
    KCHECK(probe_check(&srv_probe, KEEP_IPC, 1));
}

TTEST(regs, after_ipc_fast_path)
{
    L4_Word_t fast0 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    ipc_case(L4_Timeouts(L4_Never, L4_Never));
    KCHECK(L4_KDB_Stat(KDB_STAT_FASTPATH_IPC) > fast0);    /* it was the fast path */
}

TTEST(regs, after_ipc_slow_path)
{
    /* A receive timeout keeps the call off the fast path. */
    L4_Word_t fast0 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    ipc_case(L4_Timeouts(L4_Never, L4_TimePeriod(2000000)));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_FASTPATH_IPC), fast0);
}

/* ---- a page fault: the pager (another thread) runs in between ---------------------------- */

static L4_Word_t pf_page[512] __attribute__((aligned(4096)));
static struct probe pf_probe;
static volatile L4_Word_t pf_done;

#define PF_AREA 0x6B000000UL            /* unmapped in the root task: the first touch faults */

static void pf_thread(void *arg)
{
    (void)arg;
    probe_fill(&pf_probe, 1);
    pf_probe.mode = 1;
    pf_probe.in[R_RAX] = PF_AREA + 8;
    regs_probe(&pf_probe);
    pf_done = 1;
}

TTEST(regs, after_page_fault)
{
    pf_page[1] = 0x600DUL;
    pf_done = 0;
    tu_touch_stacks();
    L4_ThreadId_t t = tu_create_ex(pf_thread, 0, 100, TU_PAGER_ME);
    KCHECK(!L4_IsNilThread(t));
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    L4_Word_t addr;
    L4_StoreMR(1, &addr);
    KCHECK(L4_IpcSucceeded(tag) && addr == PF_AREA + 8);
    (void)from;
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    L4_LoadMR(1, PF_AREA | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)pf_page, 12), L4_Readable).raw);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(2000000))));
    KCHECK(TU_WAIT(pf_done));
    KCHECK_EQ(pf_probe.out[R_RAX], 0x600DUL);               /* the load's result */
    KCHECK(probe_check(&pf_probe, KEEP_ALL & ~(1u << R_RAX), 2));
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(PF_AREA, 12), L4_FullyAccessible));
}

/* ---- a new thread starts clean ------------------------------------------------------------ */

static L4_Word_t nt_xmm[8][2];
static volatile L4_Word_t nt_mxcsr, nt_fcw, nt_done;

/* First thing of the new thread: store XMM8-15, MXCSR and the x87 control word. */
static void new_thread_reads(void *arg)
{
    (void)arg;
    __asm__ volatile(
        "movdqu %%xmm8, 0x00(%0); movdqu %%xmm9, 0x10(%0); movdqu %%xmm10, 0x20(%0);"
        "movdqu %%xmm11, 0x30(%0); movdqu %%xmm12, 0x40(%0); movdqu %%xmm13, 0x50(%0);"
        "movdqu %%xmm14, 0x60(%0); movdqu %%xmm15, 0x70(%0)" :: "r"(nt_xmm) : "memory");
    unsigned m;
    unsigned short cw;
    __asm__ volatile("stmxcsr %0; fnstcw %1" : "=m"(m), "=m"(cw));
    nt_mxcsr = m;
    nt_fcw = cw;
    nt_done = 1;
}

static const L4_Word_t nt_magic[2] = { 0x1111222233334444UL, 0x5555666677778888UL };

/* Load XMM8-15 of this thread with nt_magic and change MXCSR and the x87 control word;
 * 1 if XMM8-15 still hold it afterwards (check: the compiler did not use them meanwhile). */
static void creator_load(void)
{
    unsigned m = 0x1F80 | 0x6000;                   /* round toward zero */
    unsigned short cw = 0x037F & ~0x0300;           /* single precision */
    __asm__ volatile(
        "movdqu (%0), %%xmm8; movdqa %%xmm8, %%xmm9; movdqa %%xmm8, %%xmm10; movdqa %%xmm8, %%xmm11;"
        "movdqa %%xmm8, %%xmm12; movdqa %%xmm8, %%xmm13; movdqa %%xmm8, %%xmm14; movdqa %%xmm8, %%xmm15;"
        "ldmxcsr %1; fldcw %2"
        :: "r"(nt_magic), "m"(m), "m"(cw) : "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
           "xmm14", "xmm15");
}

static int creator_still_loaded(void)
{
    L4_Word_t x[2];
    __asm__ volatile("movdqu %%xmm15, (%0)" :: "r"(x) : "memory");
    return x[0] == nt_magic[0] && x[1] == nt_magic[1];
}

static void creator_reset(void)
{
    unsigned m = 0x1F80;
    unsigned short cw = 0x037F;
    __asm__ volatile("ldmxcsr %0; fldcw %1" :: "m"(m), "m"(cw));
}

static void new_thread_case(int new_space)
{
    nt_done = 0;
    memset(nt_xmm, 0xEE, sizeof(nt_xmm));
    tu_touch_stacks();
    creator_load();
    L4_ThreadId_t t = new_space ? tu_space_thread(new_thread_reads, 0, 100)
                                : tu_create(new_thread_reads, 0, 100);
    int loaded = creator_still_loaded();
    KCHECK(TU_WAIT(nt_done));
    creator_reset();
    KCHECK(!L4_IsNilThread(t));
    KCHECK(loaded);                         /* the creator's values were live meanwhile */
    for (int i = 0; i < 8; i++)
        KCHECK(nt_xmm[i][0] != nt_magic[0] && nt_xmm[i][1] != nt_magic[1]);
    KCHECK_EQ(nt_mxcsr, 0x1F80);            /* the power-on defaults */
    KCHECK_EQ(nt_fcw, 0x037F);
}

TTEST(regs, new_thread_fpu_clean)
{
    new_thread_case(0);
}

TTEST(regs, new_space_thread_fpu_clean)
{
    new_thread_case(1);
}

/* ---- an exception whose handler (the root thread) answers with the registers it got ------- */

static struct probe ex_probe;
static volatile L4_Word_t ex_done;

static void ex_thread(void *arg)
{
    L4_Set_ExceptionHandler((L4_ThreadId_t){ .raw = (L4_Word_t)arg });
    probe_fill(&ex_probe, 1);
    ex_probe.mode = 2;
    regs_probe(&ex_probe);
    ex_done = 1;
}

TTEST(regs, after_exception)
{
    ex_done = 0;
    L4_ThreadId_t t = tu_create(ex_thread, (void *)tu_root().raw, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    KCHECK(L4_IpcSucceeded(tag) && (L4_Label(tag) & ~0xFUL) == TU_LABEL_EXCEPTION);
    L4_Word_t regs[20];
    for (int i = 0; i < 20; i++)
        L4_StoreMR(i + 1, &regs[i]);
    KCHECK_EQ(regs[1], ex_probe.in[R_RBX]);                 /* the message has its registers */
    regs[0] += 2;                                           /* skip the ud2 */
    for (int i = 0; i < 20; i++)
        L4_LoadMR(i + 1, regs[i]);
    L4_Set_MsgTag(L4_MsgTagMake(0, 20, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(2000000))));
    KCHECK(TU_WAIT(ex_done));
    KCHECK(probe_check(&ex_probe, KEEP_ALL, 2));
}
