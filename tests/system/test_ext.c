/* test_ext.c — in-system tests of the virtualization extensions (docs/design/virt-extensions.md):
 * control transfer items between threads (accepted, not accepted, partial masks, RFLAGS, C bits
 * of copied items) and in replies to exceptions and page faults; control transfer items inside
 * kernel messages never applied to their receiver; preemption messages (the three causes, the
 * message, waiting for the reply, redirection by the reply, switching them off, the preempted
 * thread's MRs); start-up through the scheduler; zero time slices; extended page faults; the
 * Schedule switches and the KIP feature strings.  Thread limits are tested elsewhere.  The
 * noext.* tests check a kernel with the extensions compiled out (requests refused, control
 * transfer items an overflow); make test runs them on build/kernel-noext.bin, and they skip
 * themselves on the normal kernel.
 *
 * Register probes (assembly below) make the register state visible.  ext_rcv_probe loads the
 * registers an IPC preserves from rcv_load[] (indexed by control transfer register number),
 * makes a raw receive system call from rcv_from, and from ext_rcv_probe_ret on stores every
 * register into rcv_after[].  The fault probes load every general register from ext_load[],
 * execute one faulting instruction at <probe>_fault and store every register into ext_after[]
 * from <probe>_resume on.  ext_landing is where a control transfer sends a thread: it stores
 * its registers into ext_after[], counts itself in ext_landed and parks the thread.  ext_spin
 * loads marker words into RBX, R12, R15 and RBP and counts in *arg forever.
 *
 * The root thread is the test's exception handler and the scheduler of the test threads unless
 * a test names another one: the preemption-message tests use a scheduler thread (sched_loop,
 * priority 200) that logs the messages, replies, holds its reply or redirects the thread.
 * Waits are bounded: TU_WAIT, or wait_quiet (sleeping 20 ms at a time, so that a preempted
 * thread keeps its time slice between wake-ups of the root thread).
 */
#include <l4/l4.h>
#include "tutil.h"

#define NREGS           L4_CTRLXFER_REGS
#define R(name)         L4_CTRLXFER_##name
#define EXC_WORDS       20
#define FAULT_REGION    0x4C000000UL            /* root: nothing here, nobody maps it */
#define FAULT_SIZE      0x00100000UL
#define SPIN_RBX        0x5B1A000000000B1AUL    /* ext_spin's register markers */
#define SPIN_R12        0x5B1A000000000C12UL
#define SPIN_R15        0x5B1A000000000F15UL
#define SPIN_RBP        0x5B1A0000000000BBUL
#define CTRLXFER_HEAD_FULL  (L4_ITEM_TYPE_CTRLXFER | (17UL << 4) | (L4_CTRLXFER_VMASK_ALL << 9))

/* ---- register probes ---------------------------------------------------------------------- */

volatile L4_Word_t ext_load[NREGS], ext_after[NREGS], ext_sp, ext_landed;
volatile L4_Word_t rcv_load[NREGS], rcv_after[NREGS], rcv_sp, rcv_from, rcv_timeouts;
static char ext_stack[8192] __attribute__((aligned(16)));

/* Store the 17 registers after RIP into arr[1..17] (RSP and RFLAGS last; flags unchanged). */
#define STORE_REGS(arr)                                                                     \
    "movq %rbx, " arr "+8(%rip)\n\tmovq %r10, " arr "+16(%rip)\n\t"                         \
    "movq %r12, " arr "+24(%rip)\n\tmovq %r13, " arr "+32(%rip)\n\t"                        \
    "movq %r14, " arr "+40(%rip)\n\tmovq %r15, " arr "+48(%rip)\n\t"                        \
    "movq %rax, " arr "+56(%rip)\n\tmovq %rcx, " arr "+64(%rip)\n\t"                        \
    "movq %rdx, " arr "+72(%rip)\n\tmovq %rsi, " arr "+80(%rip)\n\t"                        \
    "movq %rdi, " arr "+88(%rip)\n\tmovq %rbp, " arr "+96(%rip)\n\t"                        \
    "movq %r8, " arr "+104(%rip)\n\tmovq %r9, " arr "+112(%rip)\n\t"                        \
    "movq %r11, " arr "+120(%rip)\n\tmovq %rsp, " arr "+128(%rip)\n\t"                      \
    "pushfq\n\tpopq " arr "+136(%rip)\n\t"

#define PUSH_CALLEE "pushq %rbx\n\tpushq %rbp\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n\t"
#define POP_CALLEE  "popq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbp\n\tpopq %rbx\n\t"

/* A fault probe: all general registers from ext_load, then `insn`. */
#define FAULT_PROBE(name, insn)                                                             \
    __asm__(".text\n\t.p2align 4\n" #name ":\n\t" PUSH_CALLEE                               \
            "movq %rsp, ext_sp(%rip)\n\t"                                                   \
            "movl $1, %eax\n\tcmpl $2, %eax\n\t"                                            \
            "movq ext_load+8(%rip), %rbx\n\tmovq ext_load+16(%rip), %r10\n\t"               \
            "movq ext_load+24(%rip), %r12\n\tmovq ext_load+32(%rip), %r13\n\t"              \
            "movq ext_load+40(%rip), %r14\n\tmovq ext_load+48(%rip), %r15\n\t"              \
            "movq ext_load+56(%rip), %rax\n\tmovq ext_load+64(%rip), %rcx\n\t"              \
            "movq ext_load+72(%rip), %rdx\n\tmovq ext_load+80(%rip), %rsi\n\t"              \
            "movq ext_load+88(%rip), %rdi\n\tmovq ext_load+96(%rip), %rbp\n\t"              \
            "movq ext_load+104(%rip), %r8\n\tmovq ext_load+112(%rip), %r9\n\t"              \
            "movq ext_load+120(%rip), %r11\n"                                               \
            #name "_fault:\n\t" insn "\n"                                                   \
            #name "_resume:\n\t" STORE_REGS("ext_after")                                    \
            "cld\n\tmovq ext_sp(%rip), %rsp\n\t" POP_CALLEE "ret\n\t.previous\n");          \
    void name(void);                                                                        \
    extern const char name##_fault[], name##_resume[]

FAULT_PROBE(ext_probe_ud, "ud2");
FAULT_PROBE(ext_probe_store, "movq %rax, (%rdi)");

/* The receive probe: RBX, R10, R12-R15, RBP, R8 from rcv_load; Ipc(to nil, from rcv_from,
 * timeouts rcv_timeouts); every register into rcv_after (R9 = the tag, RAX = the sender). */
__asm__(".text\n\t.p2align 4\n"
        "ext_rcv_probe:\n\t" PUSH_CALLEE
        "movq %rsp, rcv_sp(%rip)\n\t"
        "movq rcv_load+8(%rip), %rbx\n\tmovq rcv_load+16(%rip), %r10\n\t"
        "movq rcv_load+24(%rip), %r12\n\tmovq rcv_load+32(%rip), %r13\n\t"
        "movq rcv_load+40(%rip), %r14\n\tmovq rcv_load+48(%rip), %r15\n\t"
        "movq rcv_load+96(%rip), %rbp\n\tmovq rcv_load+104(%rip), %r8\n\t"
        "xorl %edi, %edi\n\tmovq rcv_from(%rip), %rsi\n\tmovq rcv_timeouts(%rip), %rdx\n\t"
        "xorl %r9d, %r9d\n\txorl %eax, %eax\n\t"
        "syscall\n"
        "ext_rcv_probe_ret:\n\t" STORE_REGS("rcv_after")
        "cld\n\tmovq rcv_sp(%rip), %rsp\n\t" POP_CALLEE "ret\n\t.previous\n");
void ext_rcv_probe(void);
extern const char ext_rcv_probe_ret[];

/* Where control transfers send threads: registers into ext_after, count, park. */
__asm__(".text\n\t.p2align 4\n"
        "ext_landing:\n\t" STORE_REGS("ext_after")
        "lock incq ext_landed(%rip)\n\t"
        "cld\n\tandq $-16, %rsp\n\tcall ext_park\n\tud2\n\t.previous\n");
extern const char ext_landing[];

/* Spin with marker registers, counting in *arg. */
__asm__(".text\n\t.p2align 4\n"
        "ext_spin:\n\t"
        "movabsq $0x5B1A000000000B1A, %rbx\n\tmovabsq $0x5B1A000000000C12, %r12\n\t"
        "movabsq $0x5B1A000000000F15, %r15\n\tmovabsq $0x5B1A0000000000BB, %rbp\n"
        "1:\tlock incq (%rdi)\n\tjmp 1b\n"
        "ext_spin_end:\n\t.previous\n");
void ext_spin(void *arg);
extern const char ext_spin_end[];

void ext_park(void);
void ext_park(void)
{
    for (;;)
        L4_Sleep(L4_Never);
}

/* Distinct words in ext_load and rcv_load; clear the results. */
static void prepare(void)
{
    for (L4_Word_t k = 0; k < NREGS; k++) {
        ext_load[k] = 0xE7C0DE0000000000UL | (k << 16) | (k * 0x0101);
        rcv_load[k] = 0x4C7C0D0000000000UL | (k << 16) | (k * 0x0101);
        ext_after[k] = rcv_after[k] = 0;
    }
    ext_sp = rcv_sp = ext_landed = 0;
    rcv_timeouts = L4_TimePeriod(5000000).raw;          /* receive: 5 s */
}

/* A full item with vmask `mask` whose word k is 0x1700000000000000 + k (the given words
 * set afterwards by the caller). */
static L4_CtrlXferItem_t item_of(L4_Word_t mask)
{
    L4_CtrlXferItem_t it = L4_CtrlXferItemFull(mask);
    for (L4_Word_t k = 0; k < NREGS; k++)
        it.raw[1 + k] = 0x1700000000000000UL | (k << 8) | k;
    return it;
}

/* Do ext_after's registers (1..16) equal ref[k] except those in `skip`? (prints the first
 * difference) */
static int regs_equal(const volatile L4_Word_t *after, const volatile L4_Word_t *ref,
                      L4_Word_t skip, const char *what)
{
    for (L4_Word_t k = 1; k <= R(RSP); k++)
        if (!((skip >> k) & 1) && after[k] != ref[k]) {
            printf("# %s: register %lu = 0x%lx, expected 0x%lx\n", what, k, after[k], ref[k]);
            return 0;
        }
    return 1;
}

/* Sleep in 20 ms steps until cond or `ms` milliseconds; the final cond. */
#define wait_quiet(cond, ms) __extension__ ({                                   \
        L4_Word64_t wq_until_ = L4_SystemClock().raw + (ms) * 1000UL;            \
        while (!(cond) && L4_SystemClock().raw < wq_until_)                      \
            L4_Sleep(L4_TimePeriod(20000));                                      \
        (cond); })

/* Make `sched` the scheduler of t (ThreadControl, nothing else changed); 1 or 0. */
static int set_scheduler(L4_ThreadId_t t, L4_ThreadId_t sched)
{
    if (L4_ThreadControl(t, tu_root(), sched, L4_nilthread, (void *)-1))
        return 1;
    printf("# ThreadControl (scheduler) failed: %lu\n", L4_ErrorCode());
    return 0;
}

/* ---- library and configuration ------------------------------------------------------------ */

TTEST(ext, features_listed)
{
    KCHECK(L4_HasFeature(L4_FEATURE_CTRLXFER));
    KCHECK(L4_HasFeature(L4_FEATURE_PREEMPTMSG));
    KCHECK(L4_HasFeature(L4_FEATURE_ZEROTIMESLICE));
    KCHECK(L4_HasFeature(L4_FEATURE_EXTPAGEFAULT));
    KCHECK(L4_HasFeature(L4_FEATURE_THREADLIMITS));
    KCHECK(!L4_HasFeature("ctrlxfe"));
}

TTEST(ext, schedule_switches_accepted)
{
    static volatile L4_Word_t n;
    L4_ThreadId_t t = tu_create(tu_sleep_forever, (void *)&n, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_Set_PreemptionMessages(t, 1, 0) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_PreemptionMessages(t, 1, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_ExtendedPageFaults(t, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_PreemptionControl(t, L4_PREEMPTCTRL_MSG | L4_PREEMPTCTRL_REGS |
                                       L4_PREEMPTCTRL_EXTPF) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_PreemptionControl(t, 0) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_ZeroTimeSlice(t) != L4_SCHEDRESULT_ERROR);
    L4_Time_t ts, tq;
    KCHECK(L4_Timeslice(t, &ts, &tq) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_IsZeroTime(ts));
    KCHECK(L4_Set_Timeslice(t, L4_TimePeriod(10000), L4_Never) != L4_SCHEDRESULT_ERROR);
    /* Another thread is its scheduler: the root thread (privileged) may still set them. */
    L4_ThreadId_t other = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(other) && set_scheduler(t, other));
    KCHECK(L4_Set_PreemptionMessages(t, 1, 1) != L4_SCHEDRESULT_ERROR);  /* root: privileged */
}

TTEST(ext, item_layout)
{
    L4_CtrlXferItem_t it = L4_CtrlXferItem();
    KCHECK_EQ(it.raw[0], L4_ITEM_TYPE_CTRLXFER);
    KCHECK_EQ(L4_CtrlXferItemWords(&it), 2);
    L4_CtrlXferItemSet(&it, R(RAX), 0xAA);
    KCHECK_EQ(it.raw[0], L4_ITEM_TYPE_CTRLXFER | (7UL << 4) | (1UL << (9 + 7)));
    KCHECK_EQ(L4_CtrlXferItemWords(&it), 9);
    KCHECK_EQ(L4_CtrlXferItemGet(&it, R(RAX)), 0xAA);
    KCHECK(L4_CtrlXferItemHas(&it, R(RAX)) && !L4_CtrlXferItemHas(&it, R(RIP)));
    L4_CtrlXferItemSet(&it, R(RIP), 0x11);
    KCHECK_EQ(L4_CtrlXferItemMask(&it), (1UL << 7) | 1UL);
    L4_CtrlXferItem_t full = L4_CtrlXferItemFull(L4_CTRLXFER_VMASK_ALL);
    KCHECK_EQ(full.raw[0], CTRLXFER_HEAD_FULL);
    KCHECK_EQ(L4_CtrlXferItemPartial(2, 0xFF).raw[0], L4_ITEM_TYPE_CTRLXFER | (1UL << 4) | (3UL << 9));
    /* In a message: after a word and a map item; C on every item but the last. */
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendWord(&m, 0x77);
    L4_MsgAppendMapItem(&m, L4_MapItem(L4_Nilpage, 0));
    L4_MsgAppendCtrlXferItem(&m, &it);
    L4_MsgAppendCtrlXferItem(&m, &full);
    KCHECK_EQ(L4_UntypedWords(m.tag), 1);
    KCHECK_EQ(L4_TypedWords(m.tag), 2 + 9 + 19);
    KCHECK(m.msg[2] & L4_ITEM_CONTINUE);
    KCHECK_EQ(m.msg[4], it.raw[0] | L4_ITEM_CONTINUE);
    KCHECK_EQ(m.msg[13], full.raw[0]);
    L4_CtrlXferItem_t back;
    KCHECK_EQ(L4_MsgGetCtrlXferItem(&m, 2, &back), 9);
    KCHECK_EQ(L4_CtrlXferItemGet(&back, R(RAX)), 0xAA);
    KCHECK_EQ(L4_MsgGetCtrlXferItem(&m, 0, &back), 0);          /* a map item */
    KCHECK_EQ(L4_MsgGetCtrlXferItem(&m, 11, &back), 19);
    L4_Acceptor_t a = L4_AddAcceptor(L4_CtrlXferItemsAcceptor, L4_StringItemsAcceptor);
    KCHECK_EQ(a.raw, 3);
    KCHECK(L4_HasCtrlXferItems(a));
    KCHECK_EQ(L4_LABEL_PREEMPTION, L4_Label(L4_MsgTagMake(0, 0, 0)) + ((L4_Word_t)-3 << 4 & 0xFFFFFFFFFFFFUL));
}

/* ---- control transfer items between threads -------------------------------------------------- */

struct rcv {
    L4_Word_t acceptor;
    volatile L4_Word_t done, received;
    L4_Word_t mr[64];               /* MR0 (from R9) and MR1.. as received */
    L4_Msg_t reply;                 /* sent back to the sender if reply_it ... */
    int reply_it;
    volatile int hold;              /* ... once hold is 0 */
};

/* Receive once through the probe with BR0 = acceptor; keep the MRs; maybe reply. */
static void receiver(void *arg)
{
    struct rcv *r = arg;
    L4_LoadBR(0, r->acceptor);
    ext_rcv_probe();
    r->mr[0] = rcv_after[R(R9)];
    L4_StoreMRs(1, 63, &r->mr[1]);
    r->received = 1;
    while (r->hold)
        L4_Sleep(L4_TimePeriod(1000));
    if (r->reply_it) {
        L4_MsgLoad(&r->reply);
        L4_Reply((L4_ThreadId_t){ .raw = rcv_after[R(RAX)] });
    }
    r->done = 1;
}

/* Start a receiver from `from` at prio; nilthread on failure. */
static L4_ThreadId_t start_receiver(struct rcv *r, L4_Word_t acceptor, L4_ThreadId_t from)
{
    *r = (struct rcv){ .acceptor = acceptor };
    rcv_from = from.raw;
    return tu_create(receiver, r, 100);
}

/* Send r's thread (waiting in the probe) one untyped word and `item`; 1 if sent. */
static int send_item(L4_ThreadId_t t, const L4_CtrlXferItem_t *item)
{
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendWord(&m, 0x5E7D);
    L4_MsgAppendCtrlXferItem(&m, item);
    L4_MsgLoad(&m);
    L4_MsgTag_t tag = L4_Send_Timeout(t, L4_TimePeriod(5000000));
    if (L4_IpcFailed(tag))
        printf("# send of the item failed: ErrorCode 0x%lx\n", L4_ErrorCode());
    return L4_IpcSucceeded(tag);
}

TTEST(ext, ctrlxfer_accepted_sets_all_registers)
{
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of(L4_CTRLXFER_VMASK_ALL);
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    it.raw[1 + R(RSP)] = (L4_Word_t)&ext_stack[sizeof ext_stack - 64];
    it.raw[1 + R(RFLAGS)] = FL_CF | FL_ZF;
    KCHECK(send_item(t, &it));
    KCHECK(TU_WAIT(ext_landed == 1));
    KCHECK_EQ(r.received, 0);                           /* it did not return from the receive */
    /* All 16 registers, RCX and R11 (which syscall/sysret would clobber) included. */
    KCHECK(regs_equal(ext_after, &it.raw[1], 0, "after the control transfer"));
    KCHECK_EQ(ext_after[R(RFLAGS)] & (FL_ARITH | FL_DF), FL_CF | FL_ZF);
    KCHECK(ext_after[R(RFLAGS)] & FL_IF);
}

TTEST(ext, ctrlxfer_not_accepted_is_data)
{
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, 0, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of(L4_CTRLXFER_VMASK_ALL);
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    it.raw[1 + R(RSP)] = (L4_Word_t)&ext_stack[sizeof ext_stack - 64];
    KCHECK(send_item(t, &it));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(ext_landed, 0);
    L4_MsgTag_t tag = { .raw = r.mr[0] };
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_UntypedWords(tag), 1);
    KCHECK_EQ(L4_TypedWords(tag), 19);
    KCHECK_EQ(r.mr[1], 0x5E7D);
    for (L4_Word_t k = 0; k < 19; k++)                  /* the item, unchanged (C clear) */
        KCHECK_EQ(r.mr[2 + k], it.raw[k]);
    /* The receiver's registers are the ones it had (the IPC's results aside). */
    KCHECK(regs_equal(rcv_after, rcv_load, (1UL << R(RAX)) | (1UL << R(RCX)) | (1UL << R(RDX)) |
                      (1UL << R(RSI)) | (1UL << R(RDI)) | (1UL << R(R9)) | (1UL << R(R11)) |
                      (1UL << R(RSP)), "receiver"));
    KCHECK_EQ(rcv_after[R(RSI)], tu_root().raw);
    KCHECK_EQ(rcv_after[R(RDI)], 0);
}

TTEST(ext, ctrlxfer_partial_mask_rip_rsp)
{
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of((1UL << R(RIP)) | (1UL << R(RSP)));
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    it.raw[1 + R(RSP)] = (L4_Word_t)&ext_stack[sizeof ext_stack - 128];
    KCHECK(send_item(t, &it));
    KCHECK(TU_WAIT(ext_landed == 1));
    KCHECK_EQ(ext_after[R(RSP)], it.raw[1 + R(RSP)]);
    /* Unmasked words are ignored: the preserved registers keep the receiver's values. */
    KCHECK(regs_equal(ext_after, rcv_load, (1UL << R(RAX)) | (1UL << R(RCX)) | (1UL << R(RDX)) |
                      (1UL << R(RSI)) | (1UL << R(RDI)) | (1UL << R(R9)) | (1UL << R(R11)) |
                      (1UL << R(RSP)), "partial RIP+RSP"));
    KCHECK_EQ(ext_after[R(RSI)], tu_root().raw);
    KCHECK(ext_after[R(RAX)] != it.raw[1 + R(RAX)]);
}

TTEST(ext, ctrlxfer_partial_item_rax_only)
{
    /* A partial item (RIP..RAX, 8 words) setting RAX only: the receiver returns from its
     * receive as usual, but RAX (normally the sender's id) is the item's. */
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = L4_CtrlXferItem();
    L4_CtrlXferItemSet(&it, R(RAX), 0xA1A1A1A1UL);
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;        /* unmasked: ignored */
    KCHECK_EQ(L4_CtrlXferItemWords(&it), 9);
    KCHECK(send_item(t, &it));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(ext_landed, 0);
    KCHECK_EQ(rcv_after[R(RAX)], 0xA1A1A1A1UL);
    L4_MsgTag_t tag = { .raw = rcv_after[R(R9)] };
    KCHECK_EQ(L4_TypedWords(tag), 9);
    KCHECK(regs_equal(rcv_after, rcv_load, (1UL << R(RAX)) | (1UL << R(RCX)) | (1UL << R(RDX)) |
                      (1UL << R(RSI)) | (1UL << R(RDI)) | (1UL << R(R9)) | (1UL << R(R11)) |
                      (1UL << R(RSP)), "partial RAX"));
}

TTEST(ext, ctrlxfer_rflags_status_and_df_only)
{
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of((1UL << R(RIP)) | (1UL << R(RFLAGS)));
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    it.raw[1 + R(RFLAGS)] = ~0UL;
    KCHECK(send_item(t, &it));
    KCHECK(TU_WAIT(ext_landed == 1));
    L4_Word_t fl = ext_after[R(RFLAGS)];
    KCHECK_EQ(fl & (FL_ARITH | FL_DF), FL_ARITH | FL_DF);
    KCHECK(fl & FL_IF);
    KCHECK_EQ(fl & (FL_TF | 0x3000UL | 0x4000UL | 0x40000UL), 0);  /* TF, IOPL, NT, AC */
}

TTEST(ext, ctrlxfer_items_copied_with_c_recomputed)
{
    /* Two items; the receiver does not accept: both arrive as data, C on the first only. */
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, 0, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t a = L4_CtrlXferItemPartial(3, 0x5), b = L4_CtrlXferItemPartial(1, 1);
    a.raw[1] = 0xA0, a.raw[2] = 0xA1, a.raw[3] = 0xA2, b.raw[1] = 0xB0;
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendCtrlXferItem(&m, &a);
    L4_MsgAppendCtrlXferItem(&m, &b);
    L4_MsgLoad(&m);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(5000000))));
    KCHECK(TU_WAIT(r.done));
    L4_MsgTag_t tag = { .raw = r.mr[0] };
    KCHECK_EQ(L4_UntypedWords(tag), 0);
    KCHECK_EQ(L4_TypedWords(tag), 6);
    KCHECK_EQ(r.mr[1], a.raw[0] | L4_ITEM_CONTINUE);
    KCHECK_EQ(r.mr[4], 0xA2);
    KCHECK_EQ(r.mr[5], b.raw[0]);
    KCHECK_EQ(r.mr[6], 0xB0);
    KCHECK_EQ(ext_landed, 0);
}

TTEST(ext, ctrlxfer_too_many_registers_overflows)
{
    /* n = 18 (19 register words) is more than amd64 has: a message overflow, nothing set. */
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_LoadMR(1, L4_ITEM_TYPE_CTRLXFER | (18UL << 4) | (1UL << 9));
    for (int k = 2; k <= 20; k++)
        L4_LoadMR(k, (L4_Word_t)ext_landing);
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 20));
    L4_MsgTag_t tag = L4_Send_Timeout(t, L4_TimePeriod(5000000));
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ((L4_ErrorCode() >> 1) & 7, L4_ErrMsgOverflow);
    KCHECK(TU_WAIT(r.done));                            /* the receiver gets the error too */
    KCHECK_EQ(ext_landed, 0);
}

/* ---- control transfer items in replies to exceptions and page faults ---------------------- */

struct probe_run {
    void (*probe)(void);
    L4_ThreadId_t handler;          /* exception handler (set by the thread itself) */
    volatile L4_Word_t done, mrs_bad;
};

/* Run the probe with MR0..MR21 and BR0 loaded with known words; count those that changed. */
static void run_probe(void *arg)
{
    struct probe_run *p = arg;
    if (!L4_IsNilThread(p->handler))
        L4_Set_ExceptionHandler(p->handler);
    for (int i = 0; i <= 21; i++)
        L4_LoadMR(i, 0x3E6500 + (L4_Word_t)i);
    L4_LoadBR(0, 0xB40000 | 0x10);
    p->probe();
    L4_Word_t bad = 0, w;
    for (int i = 0; i <= 21; i++) {
        L4_StoreMR(i, &w);
        bad += w != 0x3E6500 + (L4_Word_t)i;
    }
    L4_StoreBR(0, &w);
    bad += w != (0xB40000 | 0x10);
    p->mrs_bad = bad;
    p->done = 1;
}

/* Reply to t with no untyped words and `item`; 1 if sent. */
static int reply_item(L4_ThreadId_t t, const L4_CtrlXferItem_t *item)
{
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendCtrlXferItem(&m, item);
    L4_MsgLoad(&m);
    return L4_IpcSucceeded(L4_Reply(t));
}

/* The ud2 probe's exception goes to the root thread, which answers with `item` (RIP set to
 * the probe's resume point by the caller); the thread must finish. */
static void exception_with_item(L4_CtrlXferItem_t *item)
{
    static struct probe_run p;
    prepare();
    p = (struct probe_run){ .probe = ext_probe_ud, .handler = tu_root(), .mrs_bad = 99 };
    L4_ThreadId_t t = tu_create(run_probe, &p, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5000000));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag), TU_LABEL_EXCEPTION);
    KCHECK_EQ(L4_UntypedWords(tag), EXC_WORDS);
    L4_Word_t ip;
    L4_StoreMR(1, &ip);
    KCHECK_EQ(ip, (L4_Word_t)ext_probe_ud_fault);
    KCHECK(reply_item(t, item));
    KCHECK(TU_WAIT(p.done));
    KCHECK_EQ(p.mrs_bad, 0);
}

TTEST(ext, exception_reply_ctrlxfer_redirects)
{
    L4_CtrlXferItem_t it = item_of((1UL << R(RIP)) | (1UL << R(RAX)) | (1UL << R(R13)));
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_probe_ud_resume;
    exception_with_item(&it);
    if (ktest_failed)
        return;
    KCHECK_EQ(ext_after[R(RAX)], it.raw[1 + R(RAX)]);
    KCHECK_EQ(ext_after[R(R13)], it.raw[1 + R(R13)]);
    KCHECK(regs_equal(ext_after, ext_load, (1UL << R(RAX)) | (1UL << R(R13)) | (1UL << R(RSP)),
                      "after the exception"));
    KCHECK_EQ(ext_after[R(RSP)], ext_sp);
    KCHECK_EQ(ext_after[R(RFLAGS)] & FL_ARITH, FL_PROBE);   /* RFLAGS not in the mask */
}

TTEST(ext, exception_reply_partial_item)
{
    L4_CtrlXferItem_t it = L4_CtrlXferItem();           /* RIP..RAX: 8 register words */
    L4_CtrlXferItemSet(&it, R(RIP), (L4_Word_t)ext_probe_ud_resume);
    L4_CtrlXferItemSet(&it, R(RAX), 0x0A7E4);
    exception_with_item(&it);
    if (ktest_failed)
        return;
    KCHECK_EQ(ext_after[R(RAX)], 0x0A7E4);
    KCHECK(regs_equal(ext_after, ext_load, (1UL << R(RAX)) | (1UL << R(RSP)), "partial reply"));
    KCHECK_EQ(ext_after[R(RSP)], ext_sp);
}

/* A pager for the fault probes: logs the faults in FAULT_REGION (the first one's tag and
 * MR1..MR21), answers them with `reply`; other faults it resolves by touching the page. */
static struct {
    L4_Word_t acceptor;
    volatile L4_Word_t n;
    volatile L4_Word_t tag, mr[22];
    L4_Msg_t reply;
} kp;

static void kpager_loop(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_LoadBR(0, kp.acceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t mr[22];
        L4_StoreMRs(1, 21, &mr[1]);
        if (L4_IpcFailed(tag) || (L4_Label(tag) & ~0xFUL) != TU_LABEL_PAGEFAULT) {
            tag = L4_Wait(&from);
            continue;
        }
        if (mr[1] - FAULT_REGION >= FAULT_SIZE) {
            (void)*(volatile char *)mr[1];              /* ours too: retry */
            L4_Set_MsgTag(L4_Niltag);
        } else {
            if (kp.n == 0) {
                kp.tag = tag.raw;
                for (int i = 1; i <= 21; i++)
                    kp.mr[i] = mr[i];
            }
            kp.n++;
            L4_MsgLoad(&kp.reply);
        }
        L4_LoadBR(0, kp.acceptor);
        tag = L4_ReplyWait(from, &from);
    }
}

/* The store probe faulting at FAULT_REGION + off (RDI) storing RAX, its pager kp (prio 200)
 * answering with `item` (or nothing if item is NULL); ext: 1 extended page faults on, 2 on and
 * off again. */
static L4_ThreadId_t store_fault(struct probe_run *p, L4_Word_t off, const L4_CtrlXferItem_t *item,
                                 int ext)
{
    prepare();
    ext_load[R(RDI)] = FAULT_REGION + off;
    ext_load[R(RAX)] = 0x57A7E;
    kp.n = 0;
    kp.acceptor = 0;
    L4_MsgClear(&kp.reply);
    if (item)
        L4_MsgAppendCtrlXferItem(&kp.reply, item);
    *p = (struct probe_run){ .probe = ext_probe_store, .mrs_bad = 99 };
    L4_ThreadId_t pager = tu_create(kpager_loop, 0, 200);
    L4_ThreadId_t t = tu_create_ex(run_probe, p, 100, TU_NOSTART);
    if (L4_IsNilThread(pager) || L4_IsNilThread(t))
        return L4_nilthread;
    L4_Set_PagerOf(t, pager);
    if (ext && L4_Set_ExtendedPageFaults(t, 1) == L4_SCHEDRESULT_ERROR)
        return L4_nilthread;
    if (ext == 2 && L4_Set_ExtendedPageFaults(t, 0) == L4_SCHEDRESULT_ERROR)
        return L4_nilthread;
    tu_start(t);
    return t;
}

/* The item that skips the faulting store and sets R12. */
static L4_CtrlXferItem_t skip_store_item(void)
{
    L4_CtrlXferItem_t it = item_of((1UL << R(RIP)) | (1UL << R(R12)));
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_probe_store_resume;
    return it;
}

TTEST(ext, pf_reply_ctrlxfer_redirects)
{
    static struct probe_run p;
    L4_CtrlXferItem_t it = skip_store_item();
    L4_ThreadId_t t = store_fault(&p, 0x100, &it, 0);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(p.done));
    KCHECK_EQ(kp.n, 1);
    L4_MsgTag_t tag = { .raw = kp.tag };
    KCHECK_EQ(L4_Label(tag), TU_LABEL_PAGEFAULT | L4_Writable);
    KCHECK_EQ(L4_UntypedWords(tag), 2);                 /* plain X.2 fault message */
    KCHECK_EQ(L4_TypedWords(tag), 0);
    KCHECK_EQ(kp.mr[1], FAULT_REGION + 0x100);
    KCHECK_EQ(kp.mr[2], (L4_Word_t)ext_probe_store_fault);
    KCHECK_EQ(ext_after[R(R12)], it.raw[1 + R(R12)]);
    KCHECK(regs_equal(ext_after, ext_load, (1UL << R(R12)) | (1UL << R(RSP)), "after the fault"));
    KCHECK_EQ(p.mrs_bad, 0);
}

TTEST(ext, extpf_message_carries_registers)
{
    static struct probe_run p;
    L4_CtrlXferItem_t it = skip_store_item();
    L4_ThreadId_t t = store_fault(&p, 0x208, &it, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(p.done));
    KCHECK_EQ(kp.n, 1);
    L4_MsgTag_t tag = { .raw = kp.tag };
    KCHECK_EQ(L4_Label(tag), TU_LABEL_PAGEFAULT | L4_Writable);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ(L4_TypedWords(tag), 19);
    KCHECK_EQ(kp.mr[1], FAULT_REGION + 0x208);
    KCHECK_EQ(kp.mr[2], (L4_Word_t)ext_probe_store_fault);
    KCHECK_EQ(kp.mr[3], CTRLXFER_HEAD_FULL);
    KCHECK_EQ(kp.mr[4 + R(RIP)], (L4_Word_t)ext_probe_store_fault);
    KCHECK_EQ(kp.mr[4 + R(RSP)], ext_sp);
    KCHECK_EQ(kp.mr[4 + R(RDI)], FAULT_REGION + 0x208);
    KCHECK_EQ(kp.mr[4 + R(RAX)], 0x57A7E);
    KCHECK(regs_equal(&kp.mr[4], ext_load, 1UL << R(RSP), "in the fault message"));
    KCHECK_EQ(kp.mr[4 + R(RFLAGS)] & FL_ARITH, FL_PROBE);
    KCHECK(kp.mr[4 + R(RFLAGS)] & FL_IF);
}

TTEST(ext, extpf_reply_redirects_and_mrs_survive)
{
    static struct probe_run p;
    L4_CtrlXferItem_t it = skip_store_item();
    L4_CtrlXferItemSet(&it, R(RAX), 0xFACE);
    L4_ThreadId_t t = store_fault(&p, 0x310, &it, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(p.done));
    KCHECK_EQ(kp.n, 1);
    KCHECK_EQ(ext_after[R(R12)], it.raw[1 + R(R12)]);
    KCHECK_EQ(ext_after[R(RAX)], 0xFACE);
    KCHECK(regs_equal(ext_after, ext_load, (1UL << R(R12)) | (1UL << R(RAX)) | (1UL << R(RSP)),
                      "after the extended fault"));
    KCHECK_EQ(ext_after[R(RSP)], ext_sp);
    KCHECK_EQ(p.mrs_bad, 0);                            /* MR0..MR21 and BR0 restored */
}

TTEST(ext, extpf_off_gives_plain_message)
{
    static struct probe_run p;
    L4_CtrlXferItem_t it = skip_store_item();
    L4_ThreadId_t t = store_fault(&p, 0x418, &it, 2);   /* switched on, then off again */
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(p.done));
    KCHECK_EQ(kp.n, 1);
    L4_MsgTag_t tag = { .raw = kp.tag };
    KCHECK_EQ(L4_Label(tag), TU_LABEL_PAGEFAULT | L4_Writable);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ(L4_TypedWords(tag), 0);
    KCHECK_EQ(kp.mr[1], FAULT_REGION + 0x418);
    KCHECK_EQ(p.mrs_bad, 0);
}

/* ---- control transfer items in kernel messages are never applied --------------------------- */

/* Map the pages a root-space thread about to run fn on t's stack will touch into the root
 * task's space, so that its only page fault is the probe's. */
static void pretouch(L4_ThreadId_t t)
{
    L4_Word_t sp = tu_start_sp(t);
    for (L4_Word_t a = (sp - TU_STACK_SIZE) & ~0xFFFUL; a < sp; a += 4096)
        (void)*(volatile char *)(a < sp - TU_STACK_SIZE + 8 ? sp - TU_STACK_SIZE + 8 : a);
    (void)*(volatile char *)(void *)run_probe;
    (void)*(volatile char *)(void *)ext_probe_store;
    (void)*(volatile char *)(void *)ext_probe_store_resume;
    (void)*(volatile char *)(void *)tu_start_ip();
}

TTEST(ext, kmsg_items_not_applied_to_pager)
{
    static struct rcv r;
    static struct probe_run p;
    prepare();
    ext_load[R(RDI)] = FAULT_REGION + 0x730;
    p = (struct probe_run){ .probe = ext_probe_store, .mrs_bad = 99 };
    L4_ThreadId_t t = tu_create_ex(run_probe, &p, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    pretouch(t);
    /* The pager receives through the probe, accepting control transfers. */
    r = (struct rcv){ .acceptor = L4_ACCEPT_CTRLXFER, .reply_it = 1 };
    L4_CtrlXferItem_t it = skip_store_item();
    L4_MsgClear(&r.reply);
    L4_MsgAppendCtrlXferItem(&r.reply, &it);
    rcv_from = t.raw;
    L4_ThreadId_t pager = tu_create(receiver, &r, 200);
    KCHECK(!L4_IsNilThread(pager));
    KCHECK(TU_WAIT(tu_state(pager) == L4_SCHEDRESULT_WAITING));
    L4_Set_PagerOf(t, pager);
    KCHECK(L4_Set_ExtendedPageFaults(t, 1) != L4_SCHEDRESULT_ERROR);
    tu_start(t);
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(ext_landed, 0);
    L4_MsgTag_t tag = { .raw = r.mr[0] };
    KCHECK_EQ(L4_Label(tag), TU_LABEL_PAGEFAULT | L4_Writable);
    KCHECK_EQ(L4_TypedWords(tag), 19);
    KCHECK_EQ(r.mr[1], FAULT_REGION + 0x730);
    KCHECK_EQ(r.mr[4 + R(RIP)], (L4_Word_t)ext_probe_store_fault);
    /* The pager came back from its receive with its own registers. */
    KCHECK(regs_equal(rcv_after, rcv_load, (1UL << R(RAX)) | (1UL << R(RCX)) | (1UL << R(RDX)) |
                      (1UL << R(RSI)) | (1UL << R(RDI)) | (1UL << R(R9)) | (1UL << R(R11)) |
                      (1UL << R(RSP)), "pager"));
    KCHECK_EQ(rcv_after[R(RSI)], t.raw);
    KCHECK(TU_WAIT(p.done));                            /* the reply's item redirected t */
    KCHECK_EQ(ext_after[R(R12)], it.raw[1 + R(R12)]);
}

TTEST(ext, kmsg_items_not_applied_to_scheduler)
{
    static struct rcv r;
    static volatile L4_Word_t count;
    count = 0;
    prepare();
    L4_ThreadId_t a = tu_create(ext_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(count > 0));
    r = (struct rcv){ .acceptor = L4_ACCEPT_CTRLXFER, .reply_it = 1, .hold = 1 };
    L4_MsgClear(&r.reply);
    rcv_from = a.raw;
    L4_ThreadId_t sched = tu_create(receiver, &r, 200);
    KCHECK(!L4_IsNilThread(sched));
    KCHECK(TU_WAIT(tu_state(sched) == L4_SCHEDRESULT_WAITING));
    KCHECK(set_scheduler(a, sched));
    KCHECK(L4_Set_PreemptionMessages(a, 1, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(r.received));
    KCHECK(L4_Set_PreemptionMessages(a, 0, 0) != L4_SCHEDRESULT_ERROR);
    r.hold = 0;                                         /* then the scheduler replies */
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(ext_landed, 0);
    L4_MsgTag_t tag = { .raw = r.mr[0] };
    KCHECK(L4_IsPreemptionMsg(tag));
    KCHECK_EQ(L4_TypedWords(tag), 19);
    KCHECK_EQ(r.mr[3], CTRLXFER_HEAD_FULL);
    KCHECK(regs_equal(rcv_after, rcv_load, (1UL << R(RAX)) | (1UL << R(RCX)) | (1UL << R(RDX)) |
                      (1UL << R(RSI)) | (1UL << R(RDI)) | (1UL << R(R9)) | (1UL << R(R11)) |
                      (1UL << R(RSP)), "scheduler"));
    L4_Word_t c0 = count;
    KCHECK(TU_WAIT(count > c0 + 1000));                 /* the empty reply resumed it */
}

/* ---- preemption messages ------------------------------------------------------------------ */

/* The scheduler thread's log and modes (sched_loop). */
static struct {
    volatile L4_Word_t n, cause[4], others;
    volatile L4_Word_t tag, mr[22], from;       /* the first preemption message */
    volatile L4_Word_t hold, held;              /* hold: do not reply yet; held: holding one */
    volatile int redirect;                      /* reply once with item */
    L4_CtrlXferItem_t item;
} ps;

static void sched_loop(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag) || L4_Label(tag) != L4_LABEL_PREEMPTION) {
            ps.others++;
            tag = L4_Wait(&from);
            continue;
        }
        L4_Word_t mr[22];
        L4_StoreMRs(1, 21, &mr[1]);
        if (ps.n == 0) {
            ps.tag = tag.raw;
            ps.from = from.raw;
            for (int i = 1; i <= 21; i++)
                ps.mr[i] = mr[i];
        }
        ps.cause[mr[2] < 4 ? mr[2] : 0]++;
        ps.n++;
        if (ps.hold) {
            ps.held = 1;
            while (ps.hold)
                L4_Sleep(L4_TimePeriod(1000));
            ps.held = 0;
        }
        L4_Msg_t m;
        L4_MsgClear(&m);
        if (ps.redirect) {
            L4_MsgAppendCtrlXferItem(&m, &ps.item);
            ps.redirect = 0;
        }
        L4_MsgLoad(&m);
        tag = L4_ReplyWait(from, &from);
    }
}

/* A scheduler thread (prio 200) with a fresh log; nilthread on failure. */
static L4_ThreadId_t new_scheduler(void)
{
    ps = (__typeof__(ps)){ 0 };
    return tu_create(sched_loop, 0, 200);
}

/* A thread spinning in ext_spin on *count at prio, scheduled by sched, running before its
 * preemption control is set to `control`. */
static L4_ThreadId_t preemptee(volatile L4_Word_t *count, L4_Word_t prio, L4_ThreadId_t sched,
                               L4_Word_t control)
{
    *count = 0;
    L4_ThreadId_t t = tu_create(ext_spin, (void *)count, prio);
    if (L4_IsNilThread(t) || !TU_WAIT(*count > 0) || !set_scheduler(t, sched) ||
        L4_Set_PreemptionControl(t, control) == L4_SCHEDRESULT_ERROR)
        return L4_nilthread;
    return t;
}

TTEST(ext, preempt_cause_timeslice)
{
    static volatile L4_Word_t ca, cb;
    cb = 0;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t b = tu_create(tu_spin, (void *)&cb, 100);
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(L4_Set_Timeslice(a, L4_TimePeriod(2000), L4_Never) != L4_SCHEDRESULT_ERROR);
    L4_Word_t b0 = cb;
    KCHECK(wait_quiet(ps.cause[1] >= 3, 3000));
    KCHECK_EQ(ps.cause[0], 0);
    /* After each message the preempting thread (B, of equal priority) runs. */
    int b_ran = wait_quiet(cb > b0 + 1000, 2000);
    if (!b_ran)
        printf("# B: %lu -> %lu; A: %lu; causes %lu %lu %lu\n", b0, cb, ca, ps.cause[1],
               ps.cause[2], ps.cause[3]);
    KCHECK(b_ran);
}

/* Sleep 5 ms at a time forever. */
static void napper(void *arg)
{
    volatile L4_Word_t *naps = arg;
    for (;;) {
        L4_Sleep(L4_TimePeriod(5000));
        (*naps)++;
    }
}

TTEST(ext, preempt_cause_higher_priority)
{
    static volatile L4_Word_t ca, naps;
    naps = 0;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(L4_Set_Timeslice(a, L4_TimePeriod(1000000), L4_Never) != L4_SCHEDRESULT_ERROR);
    L4_ThreadId_t h = tu_create(napper, (void *)&naps, 150);
    KCHECK(!L4_IsNilThread(h));
    KCHECK(wait_quiet(ps.cause[2] >= 5 && naps >= 5, 3000));
    KCHECK_EQ(ps.cause[1], 0);                          /* 1 s slices: none ended */
    KCHECK_EQ(ps.cause[0], 0);
}

/* The RTC (CMOS, ISA IRQ 8; see test_irq.c): periodic interrupts at 1024 Hz. */
#define RTC_IRQ 8
static inline void outb(unsigned port, unsigned v) { __asm__ volatile("outb %b0, %w1" :: "a"(v), "Nd"(port)); }
static inline unsigned inb(unsigned port) { unsigned char v; __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); return v; }
static unsigned cmos_read(unsigned reg) { outb(0x70, reg); return inb(0x71); }
static void cmos_write(unsigned reg, unsigned v) { outb(0x70, reg); outb(0x71, v); }

static void rtc_periodic(int on)
{
    cmos_write(0x0A, (cmos_read(0x0A) & 0xF0) | 0x06);
    cmos_write(0x0B, on ? cmos_read(0x0B) | 0x40 : cmos_read(0x0B) & ~0x40);
    (void)cmos_read(0x0C);
}

static volatile L4_Word_t rtc_count;
static volatile int rtc_stop;

static void rtc_handler(void *arg)
{
    (void)arg;
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1), from;
    L4_MsgTag_t tag = L4_Receive(irq);
    for (;;) {
        if (L4_IpcSucceeded(tag))
            rtc_count++;
        (void)cmos_read(0x0C);
        L4_Set_MsgTag(L4_Niltag);
        if (rtc_stop) {
            L4_Send(irq);
            for (;;)
                L4_Sleep(L4_Never);
        }
        tag = L4_Ipc(irq, irq, L4_Timeouts(L4_Never, L4_Never), &from);
    }
}

TTEST(ext, preempt_cause_interrupt)
{
    static volatile L4_Word_t ca;
    rtc_count = 0;
    rtc_stop = 0;
    (void)cmos_read(0x0C);                              /* the ports (IO fault) first */
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(L4_Set_Timeslice(a, L4_TimePeriod(1000000), L4_Never) != L4_SCHEDRESULT_ERROR);
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 150);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    rtc_periodic(1);
    int got = wait_quiet(ps.cause[3] >= 5 && rtc_count >= 20, 3000);
    rtc_periodic(0);
    rtc_stop = 1;
    L4_Word_t deassoc = L4_DeassociateInterrupt(irq);
    if (!got)
        printf("# causes: %lu %lu %lu, interrupts %lu\n", ps.cause[1], ps.cause[2], ps.cause[3],
               rtc_count);
    KCHECK(got);
    KCHECK_EQ(deassoc, 1);
}

TTEST(ext, preempt_message_content)
{
    static volatile L4_Word_t ca;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_Word_t t0 = L4_SystemClock().raw;
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG | L4_PREEMPTCTRL_REGS);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ps.n >= 1));
    L4_Word_t t1 = L4_SystemClock().raw;
    L4_MsgTag_t tag = { .raw = ps.tag };
    KCHECK_EQ(L4_Label(tag), L4_LABEL_PREEMPTION);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ(L4_TypedWords(tag), 19);
    KCHECK_EQ(ps.from, L4_LocalIdOf(a).raw);
    KCHECK(ps.mr[1] >= t0 && ps.mr[1] <= t1);
    KCHECK(ps.mr[2] >= 1 && ps.mr[2] <= 3);
    KCHECK_EQ(ps.mr[3], CTRLXFER_HEAD_FULL);
    const volatile L4_Word_t *reg = &ps.mr[4];
    KCHECK(reg[R(RIP)] >= (L4_Word_t)ext_spin && reg[R(RIP)] < (L4_Word_t)ext_spin_end);
    KCHECK_EQ(reg[R(RBX)], SPIN_RBX);
    KCHECK_EQ(reg[R(R12)], SPIN_R12);
    KCHECK_EQ(reg[R(R15)], SPIN_R15);
    KCHECK_EQ(reg[R(RBP)], SPIN_RBP);
    KCHECK_EQ(reg[R(RDI)], (L4_Word_t)&ca);
    KCHECK(reg[R(RSP)] < tu_start_sp(a) && reg[R(RSP)] > tu_start_sp(a) - TU_STACK_SIZE);
    KCHECK(reg[R(RFLAGS)] & FL_IF);
}

TTEST(ext, preempt_message_without_registers)
{
    static volatile L4_Word_t ca;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ps.n >= 1));
    L4_MsgTag_t tag = { .raw = ps.tag };
    KCHECK(L4_IsPreemptionMsg(tag));
    KCHECK_EQ(L4_TypedWords(tag), 0);
    KCHECK_EQ(tag.raw & L4_MSGTAG_FLAGS_MASK, 0);
}

TTEST(ext, preempt_thread_waits_for_reply)
{
    static volatile L4_Word_t ca;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    ps.hold = 1;
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ps.held));
    L4_Word_t c0 = ca;
    L4_Sleep(L4_TimePeriod(30000));                     /* the CPU is otherwise idle */
    KCHECK_EQ(ca, c0);
    KCHECK_EQ(tu_state(a), L4_SCHEDRESULT_WAITING);     /* in the Call, waiting for the reply */
    ps.hold = 0;
    KCHECK(TU_WAIT(ca > c0 + 1000));
}

TTEST(ext, preempt_reply_redirects)
{
    static volatile L4_Word_t ca;
    prepare();
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    ps.item = item_of((1UL << R(RIP)) | (1UL << R(RSP)) | (1UL << R(RAX)));
    ps.item.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    ps.item.raw[1 + R(RSP)] = (L4_Word_t)&ext_stack[sizeof ext_stack - 64];
    ps.redirect = 1;
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ext_landed == 1));
    KCHECK_EQ(ext_after[R(RAX)], ps.item.raw[1 + R(RAX)]);
    KCHECK_EQ(ext_after[R(RSP)], ps.item.raw[1 + R(RSP)]);
    KCHECK_EQ(ext_after[R(RBX)], SPIN_RBX);             /* not in the mask: unchanged */
    KCHECK_EQ(ext_after[R(R15)], SPIN_R15);
    L4_Word_t c0 = ca;
    L4_Sleep(L4_TimePeriod(20000));
    KCHECK_EQ(ca, c0);                                  /* it left the loop */
}

TTEST(ext, preempt_switched_off_stops_messages)
{
    static volatile L4_Word_t ca;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t a = preemptee(&ca, 100, s, L4_PREEMPTCTRL_MSG);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ps.n >= 2));
    KCHECK(L4_Set_PreemptionMessages(a, 0, 0) != L4_SCHEDRESULT_ERROR);
    L4_Word_t n0 = ps.n, c0 = ca;
    for (int i = 0; i < 30; i++)                        /* 30 wake-ups of the root thread */
        L4_Sleep(L4_TimePeriod(1000));
    KCHECK(ps.n <= n0 + 1);
    KCHECK(ca > c0);
}

/* Load MR0..MR21 and BR0 with known words and check them in a loop forever. */
static volatile L4_Word_t mr_iters, mr_bad;

static void mr_checker(void *arg)
{
    (void)arg;
    for (int i = 0; i <= 21; i++)
        L4_LoadMR(i, 0x7E0000 + (L4_Word_t)i);
    L4_LoadBR(0, 0xB40000 | 0x10);
    for (;;) {
        L4_Word_t w;
        for (int i = 0; i <= 21; i++) {
            L4_StoreMR(i, &w);
            if (w != 0x7E0000 + (L4_Word_t)i)
                mr_bad++;
        }
        L4_StoreBR(0, &w);
        if (w != (0xB40000 | 0x10))
            mr_bad++;
        mr_iters++;
    }
}

TTEST(ext, preempt_mrs_preserved)
{
    mr_iters = mr_bad = 0;
    L4_ThreadId_t s = new_scheduler();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t a = tu_create(mr_checker, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(mr_iters > 0));
    KCHECK(set_scheduler(a, s));
    KCHECK(L4_Set_PreemptionMessages(a, 1, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(ps.n >= 10));
    L4_Word_t i0 = mr_iters;
    KCHECK(TU_WAIT(mr_iters > i0));
    KCHECK_EQ(mr_bad, 0);
}

/* ---- start-up through the scheduler ------------------------------------------------------- */

#define AGENT_START     0x5A57UL        /* root -> agent: send MR1 the start-up words MR2.. */

/* The agent (used as the new thread's pager): sends the start-up message it is asked to send,
 * with send timeout zero, and answers (succeeded, ErrorCode). */
static void agent_loop(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        L4_Word_t w[4];
        L4_StoreMRs(1, 3, &w[1]);
        if (L4_IpcFailed(tag) || L4_Label(tag) != AGENT_START)
            continue;
        L4_LoadMR(1, w[2]);
        L4_LoadMR(2, w[3]);
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_MsgTag_t r = L4_Send_Timeout((L4_ThreadId_t){ .raw = w[1] }, L4_ZeroTime);
        L4_Word_t err = L4_ErrorCode();
        L4_LoadMR(1, L4_IpcSucceeded(r));
        L4_LoadMR(2, err);
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_Reply(from);
    }
}

static volatile L4_Word_t started;

static void note_start(void *arg)
{
    (void)arg;
    started++;
    for (;;)
        L4_Sleep(L4_Never);
}

/* A thread waiting for its start-up message, its pager the agent, preemption messages on;
 * the pager's attempt to start it must fail. */
static L4_ThreadId_t waiting_for_scheduler(void)
{
    started = 0;
    L4_ThreadId_t agent = tu_create(agent_loop, 0, 200);
    L4_ThreadId_t t = tu_create_ex(note_start, 0, 100, TU_NOSTART);
    if (L4_IsNilThread(agent) || L4_IsNilThread(t))
        return L4_nilthread;
    L4_Set_PagerOf(t, agent);
    if (L4_Set_PreemptionMessages(t, 1, 0) == L4_SCHEDRESULT_ERROR)
        return L4_nilthread;
    L4_LoadMR(1, t.raw);
    L4_LoadMR(2, tu_start_ip());
    L4_LoadMR(3, tu_start_sp(t));
    L4_Set_MsgTag(L4_MsgTagMake(AGENT_START, 3, 0));
    L4_MsgTag_t tag = L4_Call_Timeouts(agent, L4_TimePeriod(5000000), L4_TimePeriod(5000000));
    L4_Word_t ok = 1;
    L4_StoreMR(1, &ok);
    if (L4_IpcFailed(tag) || ok) {
        printf("# the pager's start-up message: ipc %s, sent %lu\n",
               L4_IpcFailed(tag) ? "failed" : "ok", ok);
        return L4_nilthread;
    }
    L4_Sleep(L4_TimePeriod(10000));
    return started ? L4_nilthread : t;
}

TTEST(ext, startup_from_scheduler_two_words)
{
    L4_ThreadId_t t = waiting_for_scheduler();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    /* The root thread is its scheduler: the X.2 start-up message from it starts it. */
    KCHECK(L4_IpcSucceeded(tu_startup_message(t, 2, L4_TimePeriod(1000000))));
    KCHECK(TU_WAIT(started == 1));
}

TTEST(ext, startup_from_scheduler_ctrlxfer)
{
    L4_ThreadId_t t = waiting_for_scheduler();
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of((1UL << R(RIP)) | (1UL << R(RSP)));
    it.raw[1 + R(RIP)] = tu_start_ip();
    it.raw[1 + R(RSP)] = tu_start_sp(t);
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendCtrlXferItem(&m, &it);
    L4_MsgLoad(&m);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(1000000))));
    KCHECK(TU_WAIT(started == 1));
}

/* ---- zero time slices --------------------------------------------------------------------- */

TTEST(ext, zero_timeslice_not_scheduled)
{
    static volatile L4_Word_t n;
    n = 0;
    L4_ThreadId_t z = tu_create_ex(tu_spin, (void *)&n, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(z));
    KCHECK(L4_Set_ZeroTimeSlice(z) != L4_SCHEDRESULT_ERROR);
    tu_start(z);
    L4_Sleep(L4_TimePeriod(50000));                     /* the CPU is otherwise idle */
    KCHECK_EQ(n, 0);
    /* A normal time slice again: it runs. */
    KCHECK(L4_Set_Timeslice(z, L4_TimePeriod(10000), L4_Never) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(n > 0));
}

TTEST(ext, zero_timeslice_runs_on_thread_switch)
{
    static volatile L4_Word_t n;
    n = 0;
    L4_ThreadId_t z = tu_create(tu_spin, (void *)&n, 100);
    KCHECK(!L4_IsNilThread(z));
    KCHECK(TU_WAIT(n > 0));
    KCHECK(L4_Set_ZeroTimeSlice(z) != L4_SCHEDRESULT_ERROR);
    L4_Sleep(L4_TimePeriod(5000));
    L4_Word_t n0 = n;
    L4_Sleep(L4_TimePeriod(30000));
    KCHECK_EQ(n, n0);                                   /* still on its own */
    for (int i = 0; i < 100 && n == n0; i++)
        L4_ThreadSwitch(z);                             /* donated: it runs until a tick */
    KCHECK(n > n0);
    L4_Word_t n1 = n;
    L4_Sleep(L4_TimePeriod(30000));
    KCHECK_EQ(n, n1);                                   /* the donation is over */
}

/* Answer every call with the number of calls answered. */
static void zero_server(void *arg)
{
    volatile L4_Word_t *served = arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        (*served)++;
        L4_LoadMR(1, *served);
        L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
        tag = L4_ReplyWait(from, &from);
    }
}

TTEST(ext, zero_timeslice_runs_on_call)
{
    static volatile L4_Word_t served;
    served = 0;
    L4_ThreadId_t z = tu_create(zero_server, (void *)&served, 100);
    KCHECK(!L4_IsNilThread(z));
    KCHECK(TU_WAIT(tu_state(z) == L4_SCHEDRESULT_WAITING));
    KCHECK(L4_Set_ZeroTimeSlice(z) != L4_SCHEDRESULT_ERROR);
    for (L4_Word_t i = 1; i <= 3; i++) {
        L4_Set_MsgTag(L4_MsgTagMake(0x2E, 0, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(z, L4_TimePeriod(1000000), L4_TimePeriod(1000000));
        KCHECK(L4_IpcSucceeded(tag));
        L4_Word_t w;
        L4_StoreMR(1, &w);
        KCHECK_EQ(w, i);
    }
    KCHECK_EQ(served, 3);
}

/* ---- the extensions compiled out (build/kernel-noext.bin; make test's "noext" stage) ---------- */

/* On a kernel with the extensions these tests cannot run: skipped. */
#define NEED_NOEXT() do {                                                                  \
        if (L4_HasFeature(L4_FEATURE_CTRLXFER))                                            \
            KSKIP("extensions compiled in (runs on build/kernel-noext.bin)");             \
    } while (0)

TTEST(noext, features_absent)
{
    NEED_NOEXT();
    KCHECK(!L4_HasFeature(L4_FEATURE_PREEMPTMSG));
    KCHECK(!L4_HasFeature(L4_FEATURE_ZEROTIMESLICE));
    KCHECK(!L4_HasFeature(L4_FEATURE_EXTPAGEFAULT));
    KCHECK(!L4_HasFeature(L4_FEATURE_THREADLIMITS));
}

TTEST(noext, switches_and_limits_refused)
{
    /* Asking for a compiled-out extension is "invalid parameter" and changes nothing; the
     * X.2 parts of the same calls still work.  A zero time slice becomes one tick. */
    NEED_NOEXT();
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(L4_Set_PreemptionMessages(t, 1, 0), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_Set_PreemptionControl(t, L4_PREEMPTCTRL_REGS), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_Set_ExtendedPageFaults(t, 1), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK(L4_Set_PreemptionControl(t, 0) != L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1,
                                    (0xC0000000UL >> 12) - 1), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1,
                                    L4_THREAD_LIMIT_NONE), 1);
    KCHECK(L4_Set_ZeroTimeSlice(t) != L4_SCHEDRESULT_ERROR);
    L4_Time_t ts, tq;
    KCHECK(L4_Timeslice(t, &ts, &tq) != L4_SCHEDRESULT_ERROR);
    KCHECK(!L4_IsZeroTime(ts));
    KCHECK(tu_delete(t));
}

TTEST(noext, ctrlxfer_item_overflows)
{
    /* A control transfer item is an unknown typed item: a message overflow on both sides,
     * as in plain X.2, whatever the receiver accepts. */
    NEED_NOEXT();
    static struct rcv r;
    prepare();
    L4_ThreadId_t t = start_receiver(&r, L4_ACCEPT_CTRLXFER, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_CtrlXferItem_t it = item_of(L4_CTRLXFER_VMASK_ALL);
    it.raw[1 + R(RIP)] = (L4_Word_t)ext_landing;
    it.raw[1 + R(RSP)] = (L4_Word_t)&ext_stack[sizeof ext_stack - 64];
    KCHECK(!send_item(t, &it));
    KCHECK_EQ((L4_ErrorCode() >> 1) & 7, L4_ErrMsgOverflow);
    KCHECK(TU_WAIT(r.done));                            /* the receiver gets the error too */
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = r.mr[0] }));
    KCHECK_EQ(ext_landed, 0);
}
