/* test_hard_entry.c — hardening tests of the ways into and out of the kernel (issue 10, defects
 * 1-4 and 12; docs/design/security.md): flags a thread sets itself (NT, DF, AC) do not
 * reach kernel code, compatibility mode cannot be entered, a user RIP outside the user half
 * (set by ExchangeRegisters, an exception reply or a control transfer item) becomes the
 * thread's #GP instead of a fault in ring 0, and kernel stacks stay within their room.
 *
 * The root thread is the exception handler (and, where needed, the pager) of the hostile
 * threads: it receives their messages and answers them.  A thread that is made to land lands
 * in hard_land, which counts the landing and spins.
 */
#include <l4/l4.h>
#include <l4/ext.h>
#include <l4/kdebug.h>
#include <sigma4/kdb.h>
#include "hard.h"

#define EXC_WORDS       20
#define MR_RIP          1
#define MR_RFLAGS       18
#define MR_VECTOR       19
#define MR_ERROR        20

static volatile L4_Word_t hard_landed __attribute__((used));

/* hard_land: count the landing, spin.  hard_ud: ud2 (an exception to reply to), then spin. */
__asm__(".text\n\t.p2align 4\n"
        "hard_land:\n\t"
        "lock incq hard_landed(%rip)\n"
        "1:\tpause\n\tjmp 1b\n\t"
        ".p2align 4\n"
        "hard_ud:\n\t"
        "ud2\n"
        "2:\tpause\n\tjmp 2b\n\t"
        ".previous\n");
void hard_land(void);
void hard_ud(void);

/* Receive t's exception message into mr[1..20]; 1 if it came (label -5, 20 untyped words). */
static int exc_receive(L4_ThreadId_t t, L4_Word_t mr[EXC_WORDS + 1])
{
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5000000));
    if (L4_IpcFailed(tag)) {
        printf("# no exception message from %lx: ErrorCode 0x%lx\n", t.raw, L4_ErrorCode());
        return 0;
    }
    L4_StoreMRs(1, EXC_WORDS, &mr[1]);
    if (L4_Label(tag) != TU_LABEL_EXCEPTION || L4_UntypedWords(tag) < EXC_WORDS) {
        printf("# not an exception message: tag %lx, MR1 %lx\n", tag.raw, mr[1]);
        return 0;
    }
    return 1;
}

/* Reply mr[1..20] to t; 1 if sent. */
static int exc_reply(L4_ThreadId_t t, L4_Word_t mr[EXC_WORDS + 1])
{
    L4_LoadMRs(1, EXC_WORDS, &mr[1]);
    L4_Set_MsgTag(L4_MsgTagMake(0, EXC_WORDS, 0));
    return L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(2000000)));
}

/* t's exception message is a #GP (error 0) at ip: answer it by landing t in hard_land. */
static int gp_at_then_land(L4_ThreadId_t t, L4_Word_t ip)
{
    L4_Word_t mr[EXC_WORDS + 1], landed = hard_landed;
    if (!exc_receive(t, mr))
        return 0;
    if (mr[MR_RIP] != ip || mr[MR_VECTOR] != 13 || mr[MR_ERROR] != 0) {
        printf("# expected #GP at 0x%lx: RIP 0x%lx vector %lu error 0x%lx\n", ip, mr[MR_RIP],
               mr[MR_VECTOR], mr[MR_ERROR]);
        return 0;
    }
    mr[MR_RIP] = (L4_Word_t)hard_land;
    return exc_reply(t, mr) && TU_WAIT(hard_landed == landed + 1);
}

/* User RIPs outside the user half: just above it (non-canonical), the kernel image
 * (canonical, kernel half), and the top bit alone (non-canonical). */
static const L4_Word_t bad_ips[] = { 0x0000800000000000UL, 0xFFFFFFFF80000000UL,
                                     0x8000000000000000UL };
#define NBAD (sizeof bad_ips / sizeof bad_ips[0])

/* ---- defect 1: NT -------------------------------------------------------------------------- */

static volatile L4_Word_t nt_rounds, nt_bad;

static inline L4_Word_t flags_now(void)
{
    L4_Word_t f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

/* Set NT, block in a receive that times out (another thread runs meanwhile), check that the
 * receive timed out and NT is still set (a thread's own flags are its own), clear NT. */
static void nt_thread(void *arg)
{
    (void)arg;
    for (int i = 0; i < 20; i++) {
        __asm__ volatile("pushfq; orq $0x4000, (%%rsp); popfq" ::: "cc");
        L4_MsgTag_t tag = L4_Receive_Timeout(tu_root(), L4_TimePeriod(2000));
        L4_Word_t fl = flags_now();
        __asm__ volatile("pushfq; andq $~0x4000, (%%rsp); popfq" ::: "cc");
        if (!L4_IpcFailed(tag) || L4_ErrorCode() != 3 || !(fl & FL_NT))
            nt_bad++;
        nt_rounds++;
    }
    tu_sleep_forever(0);
}

HTEST_LATE(nt_across_blocking_ipc)
{
    /* A spinner on the same CPU is preempted by the timer (it will leave the kernel by iretq);
     * the NT thread blocks, the spinner runs again.  NT leaking into the kernel made that
     * iretq fault in ring 0 on the user's GS: a triple fault. */
    static volatile L4_Word_t spins;
    spins = 0;
    nt_rounds = nt_bad = 0;
    L4_ThreadId_t s = tu_create(tu_spin, (void *)&spins, 100);
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t t = tu_create(nt_thread, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(nt_rounds == 20));
    KCHECK_EQ(nt_bad, 0);
    L4_Word_t before = spins;
    KCHECK(TU_WAIT(spins != before));                   /* the spinner still runs */
}

/* ---- defect 2: compatibility mode ----------------------------------------------------------- */

static volatile L4_Word_t compat_done;

/* Far jump (through a 32-bit offset and a selector in memory) to selector 0x1B: GDT entry 3,
 * the former 32-bit user code descriptor, RPL 3.  In compatibility mode it would execute
 * syscall.  The handler resumes at _resume.  (Not lretq: QEMU pops a far return's stack with
 * supervisor accesses, which SMAP refuses.) */
__asm__(".data\n\t.p2align 3\n"
        "hard_compat_target:\n\t"
        ".long hard_compat_32\n\t.word 0x1b\n\t"
        ".text\n\t.p2align 4\n"
        "hard_compat_probe:\n\t"
        "leaq hard_compat_target(%rip), %rax\n"
        "hard_compat_fault:\n\t"
        "ljmpl *(%rax)\n"
        "hard_compat_32:\n\t"
        "syscall\n\t"
        "ud2\n"
        "hard_compat_resume:\n\t"
        "ret\n\t"
        ".previous\n");
void hard_compat_probe(void);
extern const char hard_compat_fault[], hard_compat_resume[];

static void compat_thread(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    hard_compat_probe();
    compat_done = 1;
    tu_sleep_forever(0);
}

HTEST_LATE(compat_mode_unreachable)
{
    /* There is no 32-bit code descriptor: the far jump is a #GP of the thread (error code:
     * the selector 0x18), reported to its handler at the lretq; the reply resumes it. */
    compat_done = 0;
    L4_ThreadId_t t = tu_create(compat_thread, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[EXC_WORDS + 1];
    KCHECK(exc_receive(t, mr));
    KCHECK_EQ(mr[MR_VECTOR], 13);
    KCHECK_EQ(mr[MR_ERROR], 0x18);
    KCHECK_EQ(mr[MR_RIP], (L4_Word_t)hard_compat_fault);
    mr[MR_RIP] = (L4_Word_t)hard_compat_resume;
    KCHECK(exc_reply(t, mr));
    KCHECK(TU_WAIT(compat_done));
}

/* ---- defect 3: DF and AC through interrupt and exception gates ------------------------------- */

static inline void io_out(unsigned port, unsigned v) { __asm__ volatile("outb %b0, %w1" :: "a"(v), "Nd"(port)); }
static inline unsigned io_in(unsigned port) { unsigned char v; __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); return v; }

static char df_page[4096] __attribute__((aligned(4096)));
static volatile L4_Word_t df_value __attribute__((used));
static volatile L4_Word_t df_ready, df_go, df_done, df_flags, df_mrs_bad;

/* With DF and AC set: a page fault (rdi: a page the pager has to map), an IO fault on port
 * 0x71 and the access again (now without a fault), a ud2 the handler resumes at _resume;
 * returns RFLAGS from there (DF and AC cleared again afterwards). */
__asm__(".text\n\t.p2align 4\n"
        "hard_df_probe:\n\t"
        "pushfq\n\torq $0x40400, (%rsp)\n\tpopfq\n\t"
        "movq (%rdi), %rax\n\t"
        "movq %rax, df_value(%rip)\n\t"
        "inb $0x71, %al\n\t"
        "inb $0x71, %al\n"
        "hard_df_fault:\n\t"
        "ud2\n"
        "hard_df_resume:\n\t"
        "pushfq\n\tpopq %rax\n\t"
        "cld\n\t"
        "pushfq\n\tandq $~0x40000, (%rsp)\n\tpopfq\n\t"
        "ret\n\t"
        ".previous\n");
L4_Word_t hard_df_probe(void *page);
extern const char hard_df_fault[], hard_df_resume[];

static void df_thread(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    df_ready = 1;
    while (!df_go)
        L4_Sleep(L4_TimePeriod(1000));
    for (int i = 0; i < 32; i++)
        L4_LoadMR(i, 0xDF0000 + (L4_Word_t)i);
    L4_Word_t fl = hard_df_probe(df_page), bad = 0, w;
    for (int i = 0; i < 32; i++) {
        L4_StoreMR(i, &w);
        bad += w != 0xDF0000 + (L4_Word_t)i;
    }
    df_mrs_bad = bad;
    df_flags = fl;
    df_done = 1;
    tu_sleep_forever(0);
}

static void df_ac_body(void);

/* An HTEST but for one step before the counts are taken: the root task gets ports 0x70/0x71
 * from sigma0 first (once per boot, its IO bitmap is allocated then and stays). */
KTEST_FLAGS(hard, df_ac_through_gates, KTEST_F_LATE)
{
    io_out(0x70, 0x0B);
    (void)io_in(0x71);
    L4_Word_t k0 = tu_kmem(), n0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    tu_begin();
    df_ac_body();
    tu_end();
    if (!ktest_failed && !ktest_skipped)
        hard_check_counts(k0, n0);
}

static void df_ac_body(void)
{
    /* A thread in a new space whose pager and exception handler is the root thread sets DF
     * and AC, then takes a page fault, an IO fault and an exception.  The kernel copies
     * (message registers saved around each kernel message, the IO bitmap on the switches)
     * must run forwards: the thread's message registers survive, the page and the port
     * arrive, the exception message shows the thread's own DF and AC, and the reply's DF
     * holds afterwards (a reply sets the status flags and DF only). */
    L4_Word_t faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    df_page[0] = 0x5A;
    df_page[1] = 0x3E;
    df_value = 0;
    df_ready = df_go = df_done = df_flags = 0;
    df_mrs_bad = 99;
    L4_ThreadId_t t = tu_space_thread(df_thread, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(df_ready));
    L4_Sleep(L4_TimePeriod(5000));                      /* into its sleep loop */
    KCHECK(L4_ThreadControl(t, t, L4_nilthread, tu_root(), (void *)-1));
    df_go = 1;
    L4_Word_t io_faults = 0, exceptions = 0, mr[EXC_WORDS + 1];
    for (int n = 0; n < 32 && !exceptions; n++) {
        L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
        KCHECK(L4_IpcSucceeded(tag));
        L4_Word_t label = L4_Label(tag), w1, w2;
        L4_StoreMR(1, &w1);
        L4_StoreMR(2, &w2);
        if ((label & ~0xFUL) == TU_LABEL_PAGEFAULT) {
            L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);   /* our page at the same address */
            L4_LoadMR(1, (w1 & ~0xFFFUL) | 0x8);
            L4_LoadMR(2, L4_FpageLog2(w1 & ~0xFFFUL, 12).raw | 7);
        } else if ((label & ~0xFUL) == TU_LABEL_IOFAULT) {
            io_faults++;
            KCHECK_EQ(w1 >> 16, 0x71);
            L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);   /* map the port */
            L4_LoadMR(1, 0x8);
            L4_LoadMR(2, (w1 & ~0xFUL) | 6);
        } else {
            KCHECK_EQ(label, TU_LABEL_EXCEPTION);
            L4_StoreMRs(1, EXC_WORDS, &mr[1]);
            exceptions++;
            KCHECK_EQ(mr[MR_VECTOR], 6);
            KCHECK_EQ(mr[MR_RIP], (L4_Word_t)hard_df_fault);
            KCHECK_EQ(mr[MR_RFLAGS] & (FL_DF | FL_AC), FL_DF | FL_AC);
            mr[MR_RIP] = (L4_Word_t)hard_df_resume;
            L4_LoadMRs(1, EXC_WORDS, &mr[1]);
            L4_Set_MsgTag(L4_MsgTagMake(0, EXC_WORDS, 0));
        }
        KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(1000000))));
    }
    KCHECK_EQ(exceptions, 1);
    KCHECK_EQ(io_faults, 1);                            /* the second access needed none */
    KCHECK(TU_WAIT(df_done));
    KCHECK_EQ(df_mrs_bad, 0);
    KCHECK_EQ(df_value & 0xFFFF, 0x3E5A);
    KCHECK(df_flags & FL_DF);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults);
}

/* ---- defect 4: user RIPs outside the user half ---------------------------------------------- */

static volatile L4_Word_t spin_ready;

static void handled_spinner(void *arg)
{
    L4_Set_ExceptionHandler(arg ? tu_root() : L4_nilthread);
    spin_ready = 1;
    for (;;)
        __asm__ volatile("pause");
}

/* Set t's IP (nothing else); the old control word. */
static L4_Word_t set_ip(L4_ThreadId_t t, L4_Word_t ip, L4_Word_t more)
{
    L4_Word_t control, sp, oip, flags, handle;
    L4_ThreadId_t pager;
    L4_ExchangeRegisters(t, L4_EXREGS_SET_IP | more, 0, ip, 0, 0, L4_nilthread, &control, &sp,
                         &oip, &flags, &handle, &pager);
    return control;
}

HTEST_LATE(bad_rip_exchange_registers)
{
    /* Accepted (X.2 has no error for it), then the thread's #GP (error 0) at that RIP when it
     * returns to user mode, as if it had jumped there; its handler lands it elsewhere. */
    spin_ready = 0;
    L4_ThreadId_t t = tu_create(handled_spinner, (void *)1, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(spin_ready));
    for (unsigned i = 0; i < NBAD; i++) {
        set_ip(t, bad_ips[i], 0);
        KCHECK(gp_at_then_land(t, bad_ips[i]));
    }
}

HTEST_LATE(bad_rip_without_handler_halts)
{
    /* Without an exception handler: reported and halted at that RIP, like any user fault;
     * ExchangeRegisters with a good IP resumes it. */
    spin_ready = 0;
    L4_ThreadId_t t = tu_create(handled_spinner, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(spin_ready));
    L4_Word_t reported = L4_KDB_Stat(KDB_STAT_USER_FAULTS), landed = hard_landed;
    set_ip(t, bad_ips[1], 0);
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_USER_FAULTS) == reported + 1));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), bad_ips[1]);
    KCHECK(set_ip(t, bad_ips[1], 0) & L4_EXREGS_WAS_HALTED);  /* still halted, RIP kept */
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), reported + 1);
    set_ip(t, (L4_Word_t)hard_land, L4_EXREGS_APPLY_HALT);     /* resume (h = 0) */
    KCHECK(TU_WAIT(hard_landed == landed + 1));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), reported + 1);
}

static void ud_thread(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    hard_ud();
}

HTEST_LATE(bad_rip_exception_reply)
{
    /* An exception reply with each bad RIP: the thread's next exception message is the #GP
     * at that RIP. */
    L4_ThreadId_t t = tu_create(ud_thread, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[EXC_WORDS + 1];
    KCHECK(exc_receive(t, mr));
    KCHECK_EQ(mr[MR_VECTOR], 6);
    for (unsigned i = 0; i < NBAD; i++) {
        mr[MR_RIP] = bad_ips[i];
        KCHECK(exc_reply(t, mr));
        KCHECK(exc_receive(t, mr));
        KCHECK_EQ(mr[MR_VECTOR], 13);
        KCHECK_EQ(mr[MR_ERROR], 0);
        KCHECK_EQ(mr[MR_RIP], bad_ips[i]);
    }
    L4_Word_t landed = hard_landed;
    mr[MR_RIP] = (L4_Word_t)hard_land;
    KCHECK(exc_reply(t, mr));
    KCHECK(TU_WAIT(hard_landed == landed + 1));
}

static void ctrlxfer_receiver(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    L4_LoadBR(0, L4_ACCEPT_CTRLXFER);
    spin_ready = 1;
    for (;;)
        L4_Receive(tu_root());
}

HTEST_LATE(bad_rip_ctrlxfer_item)
{
    /* A control transfer item that sets only RIP, to each bad value, sent to a thread that
     * accepts such items: its #GP at that RIP. */
    if (!L4_HasFeature(L4_FEATURE_CTRLXFER))
        KSKIP("no control transfer items");
    for (unsigned i = 0; i < NBAD; i++) {
        spin_ready = 0;
        L4_ThreadId_t t = tu_create(ctrlxfer_receiver, 0, 100);
        KCHECK(!L4_IsNilThread(t));
        KCHECK(TU_WAIT(spin_ready));
        L4_Sleep(L4_TimePeriod(2000));                  /* into its receive */
        L4_CtrlXferItem_t it = L4_CtrlXferItem();
        L4_CtrlXferItemSet(&it, L4_CTRLXFER_RIP, bad_ips[i]);
        L4_Msg_t m;
        L4_MsgClear(&m);
        L4_MsgAppendWord(&m, 0xBAD1);
        L4_MsgAppendCtrlXferItem(&m, &it);
        L4_MsgLoad(&m);
        KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(2000000))));
        KCHECK(gp_at_then_land(t, bad_ips[i]));
        KCHECK(tu_delete(t));
    }
}

/* ---- defect 12: kernel stacks --------------------------------------------------------------- */

HTEST(kstack_within_room)
{
    /* Deep kernel paths (kernel messages for page faults and exceptions, IPC) measured on the
     * stacks of threads that are then deleted: the deepest use is known and leaves at least
     * 1 KiB of the room between the TCB and the stack top. */
    L4_Word_t room = L4_KDB_Stat(KDB_STAT_KSTACK_ROOM);
    KCHECK(room >= 4096 && room < 8192);
    L4_ThreadId_t t = tu_create(ud_thread, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[EXC_WORDS + 1];
    KCHECK(exc_receive(t, mr));
    mr[MR_RIP] = bad_ips[0];
    KCHECK(exc_reply(t, mr));
    KCHECK(exc_receive(t, mr));
    KCHECK(tu_delete(t));
    L4_Word_t deepest = 0;
    KCHECK(TU_WAIT((deepest = L4_KDB_Stat(KDB_STAT_KSTACK_MAX)) != 0));
    printf("# deepest kernel stack use %lu bytes of %lu\n", deepest, room);
    KCHECK(deepest >= 256);                             /* the measurement sees the frames */
    KCHECK(deepest + 1024 <= room);
}
