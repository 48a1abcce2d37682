/* test_exc.c — in-system tests of exception IPC (X.2 7.2 on amd64, docs/design/memory.md): #DE,
 * #UD, #GP from a privileged instruction, from a bad segment selector and from a software
 * interrupt through a kernel-only gate, int3 without the kernel-debugger marker; the message (label -5, u = 20, RIP, the 15
 * general registers in the X.2 order, RSP, RFLAGS, vector, error code); the reply sets the
 * registers (RIP past the instruction resumes, RAX and the others take the new values, RFLAGS
 * only its arithmetic flags), an unchanged RIP runs the instruction again; the thread's MRs
 * survive; a thread in another space; no handler, or a handler that does not exist: halted and
 * reported.
 *
 * A probe (assembly below) saves the callee-saved registers, sets the arithmetic flags with a
 * compare, loads every general register from exc_load[] (indexed by message register), executes
 * its faulting instruction at <probe>_fault, and from <probe>_resume on stores every register
 * into exc_after[] (RSP and RFLAGS too), clears DF and returns.  The root thread is the handler:
 * it receives the exception message and replies.
 */
#include <l4/l4.h>
#include "tutil.h"

#define EXC_WORDS       20
#define MR_RIP          1
#define MR_RAX          8
#define MR_RSP          17
#define MR_RFLAGS       18
#define MR_VECTOR       19
#define MR_ERROR        20

/* Registers by message register: [2..16] loaded before / stored after the fault; after: [17]
 * RSP, [18] RFLAGS.  exc_sp: RSP at the faulting instruction.  exc_zero: a divisor. */
static volatile L4_Word_t exc_load[17] __attribute__((used));
static volatile L4_Word_t exc_after[19] __attribute__((used));
static volatile L4_Word_t exc_sp __attribute__((used));
static volatile L4_Word_t exc_zero __attribute__((used));
static volatile unsigned short exc_bad_selector __attribute__((used)) = 0xFFF8;  /* GDT index 8191 */

#define PROBE(name, insn)                                                                   \
    __asm__(".text\n\t.p2align 4\n"                                                          \
            #name ":\n\t"                                                                    \
            "pushq %rbx\n\tpushq %rbp\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t" \
            "movq %rsp, exc_sp(%rip)\n\t"                                                    \
            "movl $1, %eax\n\tcmpl $2, %eax\n\t"                                             \
            "movq exc_load+16(%rip), %rbx\n\tmovq exc_load+24(%rip), %r10\n\t"               \
            "movq exc_load+32(%rip), %r12\n\tmovq exc_load+40(%rip), %r13\n\t"               \
            "movq exc_load+48(%rip), %r14\n\tmovq exc_load+56(%rip), %r15\n\t"               \
            "movq exc_load+64(%rip), %rax\n\tmovq exc_load+72(%rip), %rcx\n\t"               \
            "movq exc_load+80(%rip), %rdx\n\tmovq exc_load+88(%rip), %rsi\n\t"               \
            "movq exc_load+96(%rip), %rdi\n\tmovq exc_load+104(%rip), %rbp\n\t"              \
            "movq exc_load+112(%rip), %r8\n\tmovq exc_load+120(%rip), %r9\n\t"               \
            "movq exc_load+128(%rip), %r11\n"                                                \
            #name "_fault:\n\t" insn "\n"                                                    \
            #name "_resume:\n\t"                                                             \
            "movq %rbx, exc_after+16(%rip)\n\tmovq %r10, exc_after+24(%rip)\n\t"             \
            "movq %r12, exc_after+32(%rip)\n\tmovq %r13, exc_after+40(%rip)\n\t"             \
            "movq %r14, exc_after+48(%rip)\n\tmovq %r15, exc_after+56(%rip)\n\t"             \
            "movq %rax, exc_after+64(%rip)\n\tmovq %rcx, exc_after+72(%rip)\n\t"             \
            "movq %rdx, exc_after+80(%rip)\n\tmovq %rsi, exc_after+88(%rip)\n\t"             \
            "movq %rdi, exc_after+96(%rip)\n\tmovq %rbp, exc_after+104(%rip)\n\t"            \
            "movq %r8, exc_after+112(%rip)\n\tmovq %r9, exc_after+120(%rip)\n\t"             \
            "movq %r11, exc_after+128(%rip)\n\tmovq %rsp, exc_after+136(%rip)\n\t"           \
            "pushfq\n\tpopq exc_after+144(%rip)\n\t"                                         \
            "cld\n\t"                                                                        \
            "movq exc_sp(%rip), %rsp\n\t"                                                    \
            "popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbp\n\tpopq %rbx\n\t" \
            "ret\n\t"                                                                        \
            ".previous\n");                                                                  \
    void name(void);                                                                         \
    extern const char name##_fault[], name##_resume[]

PROBE(exc_probe_de, "divq exc_zero(%rip)");
PROBE(exc_probe_ud, "ud2");
PROBE(exc_probe_hlt, "hlt");
PROBE(exc_probe_int13, "int $0x0d");
PROBE(exc_probe_seg, "movw exc_bad_selector(%rip), %ds");
PROBE(exc_probe_bp, "int3\n\tnop");
PROBE(exc_probe_pf, "movq 0x18, %rax");             /* page 0: never mapped */

/* ---- the faulting thread and the handler --------------------------------------------------- */

struct run {
    void (*probe)(void);
    L4_ThreadId_t handler;                  /* set by the thread itself before it faults */
    volatile L4_Word_t done;
    volatile L4_Word_t mrs_bad;             /* MR/BR words changed across the exception */
    int check_mrs;
};

static void run_probe(void *arg)
{
    struct run *r = arg;
    L4_Set_ExceptionHandler(r->handler);
    if (r->check_mrs) {
        for (int i = 0; i < 24; i++)
            L4_LoadMR(i, 0x3E6500 + (L4_Word_t)i);
        L4_LoadBR(0, 0xB40000 | 0x10);
    }
    r->probe();
    if (r->check_mrs) {
        L4_Word_t bad = 0, w;
        for (int i = 0; i < 24; i++) {
            L4_StoreMR(i, &w);
            bad += w != 0x3E6500 + (L4_Word_t)i;
        }
        L4_StoreBR(0, &w);
        bad += w != (0xB40000 | 0x10);
        r->mrs_bad = bad;
    }
    r->done = 1;
}

/* Fill exc_load with distinct words and clear exc_after. */
static void prepare(void)
{
    for (L4_Word_t k = 0; k < 17; k++)
        exc_load[k] = 0xE5C0DE0000000000UL | (k << 16) | (k * 0x0101);
    for (L4_Word_t k = 0; k < 19; k++)
        exc_after[k] = 0;
    exc_sp = 0;
}

/* Start a thread in the root task's space running probe with `handler` (check_mrs: and
 * checking its MRs across the exception). */
static L4_ThreadId_t start_ex(struct run *r, void (*probe)(void), L4_ThreadId_t handler,
                              int check_mrs)
{
    *r = (struct run){ .probe = probe, .handler = handler, .check_mrs = check_mrs, .mrs_bad = 99 };
    prepare();
    return tu_create(run_probe, r, 100);
}

static L4_ThreadId_t start(struct run *r, void (*probe)(void), L4_ThreadId_t handler)
{
    return start_ex(r, probe, handler, 0);
}

/* Receive the exception message of t into mr[1..20]; its tag (failed if none came). */
static L4_MsgTag_t receive(L4_ThreadId_t t, L4_Word_t mr[EXC_WORDS + 1])
{
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5000000));
    if (L4_IpcSucceeded(tag))
        L4_StoreMRs(1, EXC_WORDS, &mr[1]);
    else
        printf("# no exception message from %lx: ErrorCode 0x%lx\n", t.raw, L4_ErrorCode());
    return tag;
}

/* Reply mr[1..u] to t; 1 if sent. */
static int reply(L4_ThreadId_t t, L4_Word_t mr[EXC_WORDS + 1], L4_Word_t u)
{
    L4_LoadMRs(1, (int)u, &mr[1]);
    L4_Set_MsgTag(L4_MsgTagMake(0, u, 0));
    return L4_IpcSucceeded(L4_Reply(t));
}

/* Is (tag, mr) the exception message of a probe stopped at ip with vector and error, all
 * registers as loaded? (prints the first difference) */
static int message_is(L4_MsgTag_t tag, const L4_Word_t mr[EXC_WORDS + 1], L4_Word_t ip,
                      L4_Word_t vector, L4_Word_t error)
{
    if (L4_Label(tag) != TU_LABEL_EXCEPTION || L4_UntypedWords(tag) != EXC_WORDS ||
        L4_TypedWords(tag) != 0) {
        printf("# exception tag %lx\n", tag.raw);
        return 0;
    }
    L4_Word_t want[EXC_WORDS + 1];
    want[MR_RIP] = ip;
    for (int k = 2; k <= 16; k++)
        want[k] = exc_load[k];
    want[MR_RSP] = exc_sp;
    want[MR_RFLAGS] = (mr[MR_RFLAGS] & ~FL_ARITH) | FL_PROBE;
    want[MR_VECTOR] = vector;
    want[MR_ERROR] = error;
    for (int k = 1; k <= EXC_WORDS; k++)
        if (mr[k] != want[k]) {
            printf("# exception MR%d = 0x%lx, expected 0x%lx\n", k, mr[k], want[k]);
            return 0;
        }
    if (!(mr[MR_RFLAGS] & FL_IF)) {
        printf("# exception RFLAGS 0x%lx without IF\n", mr[MR_RFLAGS]);
        return 0;
    }
    return 1;
}

/* Do exc_after's registers equal mr[2..17] (the reply's)? */
static int after_is(const L4_Word_t mr[EXC_WORDS + 1])
{
    for (int k = 2; k <= 17; k++)
        if (exc_after[k] != mr[k]) {
            printf("# after the reply: register of MR%d = 0x%lx, expected 0x%lx\n", k,
                   exc_after[k], mr[k]);
            return 0;
        }
    return 1;
}

/* One exception of `probe`, checked against ip/vector/error, answered with RIP = resume; the
 * thread must then finish with its registers unchanged. */
static void one_exception(void (*probe)(void), const char *ip, const char *resume,
                          L4_Word_t vector, L4_Word_t error)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    L4_ThreadId_t t = start(&r, probe, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = receive(t, mr);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(message_is(tag, mr, (L4_Word_t)ip, vector, error));
    KCHECK_EQ(r.done, 0);
    mr[MR_RIP] = (L4_Word_t)resume;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK(after_is(mr));
    KCHECK_EQ(exc_after[MR_RFLAGS] & FL_ARITH, FL_PROBE);
}

/* ---- vectors and messages ----------------------------------------------------------------- */

TTEST(exc, divide_error)
{
    one_exception(exc_probe_de, exc_probe_de_fault, exc_probe_de_resume, 0, 0);
}

TTEST(exc, invalid_opcode)
{
    one_exception(exc_probe_ud, exc_probe_ud_fault, exc_probe_ud_resume, 6, 0);
}

TTEST(exc, privileged_instruction)
{
    one_exception(exc_probe_hlt, exc_probe_hlt_fault, exc_probe_hlt_resume, 13, 0);
}

TTEST(exc, gp_error_code)
{
    /* Loading DS with a selector beyond the GDT's limit: #GP, error = the selector. */
    one_exception(exc_probe_seg, exc_probe_seg_fault, exc_probe_seg_resume, 13, 0xFFF8);
}

TTEST(exc, gp_from_kernel_gate)
{
    /* int $13 from user mode through a kernel-only gate: #GP with the IDT bit (1) and vector 13
     * in the error code; the SDM puts the vector at bit 3, QEMU (TCG, long mode) puts the gate's
     * byte offset (vector * 16).  The kernel passes on whichever the CPU gave. */
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    L4_ThreadId_t t = start(&r, exc_probe_int13, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = receive(t, mr);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(mr[MR_ERROR] == 13 * 8 + 2 || mr[MR_ERROR] == 13 * 16 + 2);
    KCHECK(message_is(tag, mr, (L4_Word_t)exc_probe_int13_fault, 13, mr[MR_ERROR]));
    mr[MR_RIP] = (L4_Word_t)exc_probe_int13_resume;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK(after_is(mr));
}

TTEST(exc, int3_without_marker)
{
    /* A trap: RIP is already past the int3. */
    one_exception(exc_probe_bp, exc_probe_bp_fault + 1, exc_probe_bp_resume, 3, 0);
}

/* ---- replies ------------------------------------------------------------------------------ */

TTEST(exc, reply_sets_registers)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    L4_ThreadId_t t = start(&r, exc_probe_ud, tu_root());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcSucceeded(receive(t, mr)));
    mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
    for (int k = 2; k <= 16; k++)                       /* RAX (MR8) among them */
        mr[k] = ~mr[k] ^ (L4_Word_t)k;
    mr[MR_RFLAGS] = (mr[MR_RFLAGS] & ~FL_ARITH) | FL_ZF | FL_OF;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK(after_is(mr));
    KCHECK_EQ(exc_after[MR_RAX], ~exc_load[MR_RAX] ^ MR_RAX);
    KCHECK_EQ(exc_after[MR_RFLAGS] & FL_ARITH, FL_ZF | FL_OF);
}

TTEST(exc, reply_rflags_arithmetic_only)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    /* All flags on: the status flags and DF arrive; IF stays on; the trap flag, IOPL, NT, AC
     * and ID do not (a trap flag would stop the thread with a #DB after one instruction). */
    L4_ThreadId_t t = start(&r, exc_probe_ud, tu_root());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcSucceeded(receive(t, mr)));
    L4_Word_t before = mr[MR_RFLAGS];
    mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
    mr[MR_RFLAGS] = ~0UL;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    L4_Word_t fl = exc_after[MR_RFLAGS];
    KCHECK_EQ(fl & FL_ARITH, FL_ARITH);
    KCHECK(fl & FL_DF);
    KCHECK(fl & FL_IF);
    KCHECK_EQ(fl & FL_TF, 0);
    KCHECK_EQ(fl & (FL_IOPL | FL_NT | FL_AC | FL_ID), before & (FL_IOPL | FL_NT | FL_AC | FL_ID));
    KCHECK_EQ(fl & (FL_IOPL | FL_NT | FL_AC), 0);
    /* All flags off: IF stays on. */
    t = start(&r, exc_probe_ud, tu_root());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcSucceeded(receive(t, mr)));
    mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
    mr[MR_RFLAGS] = 0;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(exc_after[MR_RFLAGS] & FL_ARITH, 0);
    KCHECK(exc_after[MR_RFLAGS] & FL_IF);
}

TTEST(exc, reply_retries_instruction)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    L4_ThreadId_t t = start(&r, exc_probe_ud, tu_root());
    KCHECK(!L4_IsNilThread(t));
    for (int i = 0; i < 3; i++) {
        L4_MsgTag_t tag = receive(t, mr);
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK(message_is(tag, mr, (L4_Word_t)exc_probe_ud_fault, 6, 0));
        KCHECK_EQ(r.done, 0);
        if (i == 2)
            mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
        KCHECK(reply(t, mr, EXC_WORDS));                /* unchanged: ud2 again */
    }
    KCHECK(TU_WAIT(r.done));
    KCHECK(after_is(mr));
}

TTEST(exc, mrs_preserved)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    L4_ThreadId_t t = start_ex(&r, exc_probe_ud, tu_root(), 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcSucceeded(receive(t, mr)));
    mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(r.mrs_bad, 0);
}

TTEST(exc, thread_in_other_space)
{
    static struct run r;
    L4_Word_t mr[EXC_WORDS + 1];
    r = (struct run){ .probe = exc_probe_ud, .handler = tu_root() };
    prepare();
    L4_ThreadId_t t = tu_space_thread(run_probe, &r, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(5000000), &from);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(from.raw, t.raw);                         /* another space: the global id */
    L4_StoreMRs(1, EXC_WORDS, &mr[1]);
    KCHECK(message_is(tag, mr, (L4_Word_t)exc_probe_ud_fault, 6, 0));
    mr[MR_RIP] = (L4_Word_t)exc_probe_ud_resume;
    mr[MR_RAX] = 0x0A7E4;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
    KCHECK(after_is(mr));
}

/* ---- no handler --------------------------------------------------------------------------- */

/* Is t halted?  *ip := its instruction pointer (ExchangeRegisters, reading only). */
static int halted(L4_ThreadId_t t, L4_Word_t *ip)
{
    L4_Word_t control, sp, flags, handle;
    L4_ThreadId_t pager;
    L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, ip, &flags, &handle, &pager);
    return (control & 1) != 0;
}

/* The probe's thread with `handler` ends halted, reported at the ud2. */
static void halted_and_reported(L4_ThreadId_t handler)
{
    static struct run r;
    L4_Word_t reported = L4_KDB_Stat(KDB_STAT_USER_FAULTS), ip = 0;
    L4_ThreadId_t t = start(&r, exc_probe_ud, handler);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_USER_FAULTS) == reported + 1));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), (L4_Word_t)exc_probe_ud_fault);
    KCHECK(halted(t, &ip));
    KCHECK_EQ(ip, (L4_Word_t)exc_probe_ud_fault);
    KCHECK_EQ(r.done, 0);
    KCHECK_EQ(exc_after[MR_RAX], 0);                    /* it never got past the ud2 */
}

TTEST(exc, no_handler_halts)
{
    halted_and_reported(L4_nilthread);
}

TTEST(exc, missing_handler_halts)
{
    L4_ThreadId_t nobody = tu_reserve();
    KCHECK(!L4_IsNilThread(nobody));
    halted_and_reported(nobody);
}

TTEST(exc, page_fault_without_pager_goes_to_handler)
{
    /* A thread without a pager that touches an unmapped page: the page fault is an exception
     * (vector 14, the page-fault error code, MR21 = the address) with all registers; the
     * reply moves it on. */
    static struct run r;
    r = (struct run){ .probe = exc_probe_pf, .handler = tu_root(), .mrs_bad = 99 };
    prepare();
    L4_ThreadId_t t = tu_create_ex(run_probe, &r, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t old;
    L4_ThreadId_t oldp;
    L4_ExchangeRegisters(t, L4_EXREGS_SET_PAGER, 0, 0, 0, 0, L4_nilthread, &old, &old, &old, &old,
                         &old, &oldp);
    tu_start(t);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5000000));
    KCHECK(L4_IpcSucceeded(tag));
    L4_Word_t mr[EXC_WORDS + 2];
    L4_StoreMRs(1, EXC_WORDS + 1, &mr[1]);
    KCHECK_EQ(L4_UntypedWords(tag), EXC_WORDS + 1);
    KCHECK(message_is(L4_MsgTagMake(L4_Label(tag), EXC_WORDS, 0), mr,
                      (L4_Word_t)exc_probe_pf_fault, 14, 4));
    KCHECK_EQ(mr[EXC_WORDS + 1], 0x18);
    mr[MR_RIP] = (L4_Word_t)exc_probe_pf_resume;
    KCHECK(reply(t, mr, EXC_WORDS));
    KCHECK(TU_WAIT(r.done));
}
