/* test_limits.c — per-thread limits (virtualization extension, docs/design/virt-extensions.md):
 * a limited thread reaches what lies below its limit and takes an exception IPC (vector 14,
 * the address in MR21) above it; limits change at run time, also while the thread runs on
 * another CPU; new mappings below the limit show up through the limited root; string items,
 * bad arguments, kernel memory; and the thesis' co-location: a "guest kernel" thread and an
 * "application" thread of one space switching back and forth, the application unable to
 * touch the kernel part.
 *
 * Layout used (root task's space): everything the test threads need — code, stacks, the
 * UTCB area at 0xBF000000, the KIP — lies below 3 GiB, so LIMIT_3G leaves it reachable; the
 * "kernel part" is a page at KPAGE above 3 GiB.  Pages come from sigma0 into fixed windows.
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "tutil.h"

#define END_1G      0x40000000UL
#define END_3G      0xC0000000UL
#define END_4G      0x100000000UL
#define END_512G    0x8000000000UL
#define END_513G    0x8040000000UL
#define LIMIT(end)  (((end) >> 12) - 1)             /* the ThreadControl limit for an end */
#define LOPAGE      0xBFE00000UL                    /* below the limit */
#define KPAGE       0xC0001000UL                    /* the "guest kernel" part */
#define NEWPAGE     0x80000000UL                    /* mapped only after the limit is set */
#define EXC_VECTOR  19                              /* MR of the vector in an exception message */
#define EXC_ADDR    21                              /* MR of the address (limit faults) */

static L4_Word_t get_page(L4_Word_t va)
{
    static L4_Word_t have[8];
    for (unsigned i = 0; i < 8; i++)
        if (have[i] == va)
            return 1;
    L4_Fpage_t f = L4_Sigma0_GetAny(L4_nilthread, 12, L4_FpageLog2(va, 12));
    if (L4_IsNilFpage(f))
        return 0;
    for (unsigned i = 0; i < 8; i++)
        if (!have[i]) {
            have[i] = va;
            break;
        }
    return 1;
}

static L4_Word_t set_limit(L4_ThreadId_t t, L4_Word_t limit)
{
    return L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1, limit);
}

static inline L4_Word_t peek(L4_Word_t va) { return *(volatile L4_Word_t *)va; }

/* ---- a thread that reads a low and a high address ---------------------------------------- */

static volatile L4_Word_t lo_val, hi_val, stage;
static volatile L4_Word_t loop_count;

static void reader(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    lo_val = peek(LOPAGE);
    stage = 1;
    hi_val = peek(KPAGE);
    stage = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

/* Receive t's exception message into mr[0..21]; its tag. */
static L4_MsgTag_t take_exception(L4_ThreadId_t t, L4_Word_t *mr)
{
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    mr[0] = tag.raw;
    for (int i = 1; i <= 21; i++)
        L4_StoreMR(i, &mr[i]);
    return tag;
}

/* Reply to t's exception with its own registers (it retries the instruction). */
static L4_MsgTag_t retry(L4_ThreadId_t t, const L4_Word_t *mr)
{
    L4_LoadMR(0, L4_MsgTagMake(0, 18, 0).raw);
    for (int i = 1; i <= 18; i++)
        L4_LoadMR(i, mr[i]);
    return L4_Send_Timeout(t, L4_TimePeriod(1000000));
}

static L4_ThreadId_t start_limited(tu_fn_t fn, void *arg, L4_Word_t limit)
{
    L4_ThreadId_t t = tu_create_ex(fn, arg, 100, TU_NOSTART);
    if (L4_IsNilThread(t) || !set_limit(t, limit))
        return L4_nilthread;
    tu_start(t);
    return t;
}

TTEST(ext, limit_below_reachable_above_exception)
{
    KCHECK(get_page(LOPAGE) && get_page(KPAGE));
    *(volatile L4_Word_t *)LOPAGE = 0x10AD;
    *(volatile L4_Word_t *)KPAGE = 0x4E4E;
    stage = lo_val = hi_val = 0;
    L4_ThreadId_t t = start_limited(reader, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[22];
    L4_MsgTag_t tag = take_exception(t, mr);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(stage, 1);                            /* below: read; above: stopped */
    KCHECK_EQ(lo_val, 0x10AD);
    KCHECK_EQ(hi_val, 0);
    KCHECK_EQ(L4_Label(tag), TU_LABEL_EXCEPTION);
    KCHECK_EQ(L4_UntypedWords(tag), 21);
    KCHECK_EQ(mr[EXC_VECTOR], 14);
    KCHECK_EQ(mr[20] & 4, 4);                       /* page-fault error code: user mode */
    KCHECK_EQ(mr[EXC_ADDR], KPAGE);
    KCHECK(mr[1] >= (L4_Word_t)reader && mr[1] < (L4_Word_t)reader + 256);
}

static void edge_reader(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    lo_val = *(volatile unsigned char *)(END_3G - 1);
    stage = 1;
    hi_val = *(volatile unsigned char *)END_3G;
    stage = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ext, limit_edge_exact)
{
    /* The last byte below the end is reachable, the first byte at the end is not, though
     * both pages are mapped in the space. */
    KCHECK(get_page(END_3G - 4096) && get_page(END_3G));
    *(volatile unsigned char *)(END_3G - 1) = 0x5A;
    *(volatile unsigned char *)END_3G = 0xA5;
    stage = lo_val = hi_val = 0;
    L4_ThreadId_t t = start_limited(edge_reader, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[22];
    KCHECK(L4_IpcSucceeded(take_exception(t, mr)));
    KCHECK_EQ(stage, 1);
    KCHECK_EQ(lo_val, 0x5A);
    KCHECK_EQ(mr[EXC_ADDR], END_3G);
}

TTEST(ext, limit_lifted_at_run_time)
{
    KCHECK(get_page(LOPAGE) && get_page(KPAGE));
    *(volatile L4_Word_t *)KPAGE = 0x77;
    stage = hi_val = 0;
    L4_ThreadId_t t = start_limited(reader, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t mr[22];
    KCHECK(L4_IpcSucceeded(take_exception(t, mr)));
    KCHECK_EQ(set_limit(t, L4_THREAD_LIMIT_NONE), 1);
    KCHECK(L4_IpcSucceeded(retry(t, mr)));          /* the same load again: now it works */
    KCHECK(TU_WAIT(stage == 2));
    KCHECK_EQ(hi_val, 0x77);
}

static void looper(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    for (;;) {
        (void)peek(KPAGE);
        loop_count++;
    }
}

TTEST(ext, limit_imposed_on_running_thread)
{
    /* A thread that reads the high page in a loop; a limit set while it runs (on another CPU
     * if there is one) stops it with an exception at the next read. */
    KCHECK(get_page(KPAGE));
    loop_count = 0;
    L4_ThreadId_t t = tu_create(looper, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    if (L4_NumProcessors(L4_GetKernelInterface()) > 1)
        KCHECK(L4_Set_ProcessorNo(t, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(loop_count > 1000));
    KCHECK_EQ(set_limit(t, LIMIT(END_3G)), 1);
    L4_Word_t mr[22];
    KCHECK(L4_IpcSucceeded(take_exception(t, mr)));
    KCHECK_EQ(mr[EXC_ADDR], KPAGE);
    L4_Word_t c = loop_count;
    L4_Sleep(L4_TimePeriod(20000));
    KCHECK_EQ(loop_count, c);                       /* stopped: waits for the handler */
    KCHECK_EQ(set_limit(t, L4_THREAD_LIMIT_NONE), 1);
    KCHECK(L4_IpcSucceeded(retry(t, mr)));
    KCHECK(TU_WAIT(loop_count > c + 1000));
}

static void new_page_reader(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(tu_root());
    while (!stage)
        L4_Sleep(L4_TimePeriod(1000));
    lo_val = peek(NEWPAGE);
    stage = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ext, limit_sees_later_mappings)
{
    /* A page mapped below the limit after the limited root was made (in a region that had no
     * page tables yet) is reachable by the limited thread: the roots stay coherent. */
    stage = lo_val = 0;
    L4_ThreadId_t t = start_limited(new_page_reader, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(t));
    KCHECK(get_page(NEWPAGE));
    *(volatile L4_Word_t *)NEWPAGE = 0xCAFE;
    stage = 1;
    KCHECK(TU_WAIT(stage == 2));
    KCHECK_EQ(lo_val, 0xCAFE);
}

TTEST(ext, limit_bad_arguments)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(set_limit(t, LIMIT(END_3G) - 1), 0);  /* end not a multiple of 1 GiB */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(set_limit(t, LIMIT(END_3G - 0x200000UL)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(set_limit(t, LIMIT(0x0000800000000000UL) + 1), 0);    /* past user space */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(set_limit(t, LIMIT(END_3G)), 1);
    KCHECK_EQ(set_limit(t, L4_THREAD_LIMIT_UNCHANGED), 1);
    KCHECK_EQ(set_limit(t, L4_THREAD_LIMIT_NONE), 1);
    /* Plain X.2 ThreadControl keeps the limit. */
    KCHECK_EQ(set_limit(t, LIMIT(END_3G)), 1);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, L4_nilthread, (void *)-1), 1);
}

TTEST(ext, limit_roots_shared_and_freed)
{
    /* Two threads with the same limit share one limited root; four different limits fit in
     * one space, a fifth is "out of memory"; lifting the limits gives all memory back.
     * (Measured with the threads alive: a new thread may take a new UTCB page of the root
     * task's UTCB area, which stays with the space.) */
    L4_ThreadId_t t[6];
    for (int i = 0; i < 6; i++) {
        t[i] = tu_create(tu_sleep_forever, 0, 100);
        KCHECK(!L4_IsNilThread(t[i]));
    }
    L4_Word_t before = tu_kmem();
    KCHECK_EQ(set_limit(t[0], LIMIT(END_3G)), 1);
    L4_Word_t one = tu_kmem();
    KCHECK(one < before);
    KCHECK_EQ(set_limit(t[1], LIMIT(END_3G)), 1);
    KCHECK_EQ(tu_kmem(), one);                      /* shared: nothing new */
    KCHECK_EQ(set_limit(t[2], LIMIT(END_1G)), 1);
    KCHECK_EQ(set_limit(t[3], LIMIT(END_512G)), 1);         /* no own PDPT */
    KCHECK_EQ(set_limit(t[4], LIMIT(END_513G)), 1);         /* own PDPT in the next slot */
    KCHECK_EQ(set_limit(t[5], LIMIT(END_4G)), 0);           /* a fifth limit */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    KCHECK_EQ(set_limit(t[0], L4_THREAD_LIMIT_NONE), 1);
    KCHECK_EQ(set_limit(t[5], LIMIT(END_4G)), 0);           /* 3 GiB still has a user */
    KCHECK_EQ(set_limit(t[1], L4_THREAD_LIMIT_NONE), 1);
    KCHECK_EQ(set_limit(t[5], LIMIT(END_4G)), 1);           /* now its slot is free */
    for (int i = 2; i < 6; i++)
        KCHECK_EQ(set_limit(t[i], L4_THREAD_LIMIT_NONE), 1);
    KCHECK_EQ(tu_kmem(), before);
}

static char kstring[64] = "the guest kernel's secret";

static void string_sender(void *arg)
{
    (void)arg;
    L4_LoadMR(1, 16UL << 10);                       /* a simple string item: 16 bytes */
    L4_LoadMR(2, KPAGE);                            /* ... in the kernel part */
    L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
    L4_MsgTag_t tag = L4_Send_Timeout(tu_root(), L4_TimePeriod(2000000));
    hi_val = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    stage = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ext, limit_string_item_above_limit_refused)
{
    /* A limited thread cannot make the kernel copy the kernel part for it. */
    KCHECK(get_page(KPAGE));
    for (unsigned i = 0; i < sizeof kstring; i++)
        ((volatile char *)KPAGE)[i] = kstring[i];
    stage = hi_val = 0;
    L4_ThreadId_t t = start_limited(string_sender, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(t));
    static char buf[64];
    L4_LoadBR(1, (L4_Word_t)sizeof buf << 10);      /* one receive buffer */
    L4_LoadBR(2, (L4_Word_t)buf);
    L4_Accept(L4_StringItemsAcceptor);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    L4_Accept(L4_UntypedWordsAcceptor);
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ((L4_ErrorCode() >> 1) & 7, L4_ErrMsgOverflow);
    KCHECK(TU_WAIT(stage == 1));
    KCHECK_EQ((hi_val >> 1) & 7, L4_ErrMsgOverflow);
    KCHECK(buf[0] == 0);                            /* nothing copied */
}

/* ---- co-location: a guest kernel and its application in one space ----------------------- */

static volatile L4_Word_t app_rounds, app_faults, app_recovered;
static L4_ThreadId_t guest_kernel;

static void app_recover(void);

static void application(void *arg)
{
    (void)arg;
    L4_Set_ExceptionHandler(guest_kernel);
    for (;;) {
        /* a "system call" to the guest kernel */
        L4_LoadMR(0, L4_MsgTagMake(0, 1, 0).raw);
        L4_LoadMR(1, app_rounds);
        if (L4_IpcFailed(L4_Call(guest_kernel)))
            break;
        app_rounds++;
        if (app_rounds == 50)
            (void)peek(KPAGE);                      /* an attack on the kernel part */
    }
    for (;;)
        L4_Sleep(L4_Never);
}

static void app_recover(void)
{
    app_recovered++;
    for (;;)
        L4_Sleep(L4_Never);
}

static volatile L4_Word_t kernel_bad;

static void kernel_thread(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            kernel_bad++;
            tag = L4_Wait(&from);
            continue;
        }
        if (L4_Label(tag) == TU_LABEL_EXCEPTION) {           /* the application touched the kernel */
            L4_Word_t vec, addr;
            L4_StoreMR(EXC_VECTOR, &vec);
            L4_StoreMR(EXC_ADDR, &addr);
            if (vec == 14 && addr == KPAGE)
                app_faults++;
            else
                kernel_bad++;
            /* redirect it (a "signal"): new RIP, the rest as it was */
            L4_Word_t regs[19];
            for (int i = 1; i <= 18; i++)
                L4_StoreMR(i, &regs[i]);
            regs[1] = (L4_Word_t)app_recover;
            L4_LoadMR(0, L4_MsgTagMake(0, 18, 0).raw);
            for (int i = 1; i <= 18; i++)
                L4_LoadMR(i, regs[i]);
        } else {
            L4_LoadMR(0, L4_MsgTagMake(0, 1, 0).raw);
            L4_LoadMR(1, peek(KPAGE));              /* the kernel reads its own part */
        }
        tag = L4_ReplyWait(from, &from);
    }
}

TTEST(ext, limit_colocated_guest_kernel_and_application)
{
    KCHECK(get_page(KPAGE));
    *(volatile L4_Word_t *)KPAGE = 0x6B65726E;
    app_rounds = app_faults = app_recovered = kernel_bad = 0;
    L4_Word_t cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS);
    guest_kernel = tu_create(kernel_thread, 0, 110);
    KCHECK(!L4_IsNilThread(guest_kernel));
    L4_ThreadId_t app = start_limited(application, 0, LIMIT(END_3G));
    KCHECK(!L4_IsNilThread(app));
    KCHECK(TU_WAIT(app_recovered == 1));
    KCHECK_EQ(app_rounds, 50);                      /* 50 kernel entries, then the attack */
    KCHECK_EQ(app_faults, 1);
    KCHECK_EQ(kernel_bad, 0);
    /* Switching between the two roots of one space loads CR3 (no PCID under TCG). */
    KCHECK(L4_KDB_Stat(KDB_STAT_CR3_LOADS) - cr3 >= 100);
}

/* Read the byte at arg (at or above the limit: an exception). */
static void end_reader(void *arg)
{
    L4_Set_ExceptionHandler(tu_root());
    (void)*(volatile unsigned char *)arg;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ext, limit_threads_deleted_no_leak)
{
    static const L4_Word_t ends[3] = { END_3G, END_4G, END_513G };
    L4_Word_t before = tu_kmem();
    for (int i = 0; i < 20; i++) {
        L4_Word_t end = ends[i % 3];
        L4_ThreadId_t t = start_limited(end_reader, (void *)end, LIMIT(end));
        KCHECK(!L4_IsNilThread(t));
        L4_Word_t mr[22];
        KCHECK(L4_IpcSucceeded(take_exception(t, mr)));
        KCHECK_EQ(mr[EXC_ADDR], end);
        KCHECK(tu_delete(t));
    }
    KCHECK_EQ(tu_kmem(), before);
}

/* ---- 2 MiB mappings below a limit ----------------------------------------------------------- */

#define LARGE       0xBF800000UL                    /* a 2 MiB page below END_3G */

static volatile L4_Word_t large_go;

static void large_writer(void *arg)
{
    (void)arg;
    lo_val = peek(LARGE + 0x1000);
    *(volatile L4_Word_t *)(LARGE + 0x1000) = 0x2B17;
    stage = 1;
    while (!large_go)
        L4_Sleep(L4_TimePeriod(1000));
    hi_val = peek(LARGE + 0x1000);                  /* unmapped meanwhile: a page fault */
    stage = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ext, limit_large_page_status_and_unmap)
{
    /* A 2 MiB mapping below the limit is one entry for limited and unlimited threads alike:
     * the limited thread's write shows in Unmap's status bits, and when the owner takes the
     * page away the limited thread's next access is a page fault like anyone's. */
    L4_Fpage_t f = L4_Sigma0_GetAny(L4_nilthread, 21, L4_FpageLog2(LARGE, 21));
    KCHECK(!L4_IsNilFpage(f) && L4_SizeLog2(f) == 21);
    L4_Fpage_t large = L4_FpageAddRights(L4_FpageLog2(LARGE, 21), L4_FullyAccessible);
    *(volatile L4_Word_t *)(LARGE + 0x1000) = 0x2B16;
    L4_UnmapFpage(large);                           /* clear the status bits */
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(large)), 0);
    stage = lo_val = hi_val = large_go = 0;
    L4_ThreadId_t t = tu_create_ex(large_writer, 0, 100, TU_NOSTART | TU_PAGER_ME);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(set_limit(t, LIMIT(END_3G)), 1);
    tu_start(t);
    KCHECK(TU_WAIT(stage == 1));
    KCHECK_EQ(lo_val, 0x2B16);
    KCHECK_EQ(peek(LARGE + 0x1000), 0x2B17);
    KCHECK_EQ(L4_Rights(L4_Flush(large)) & L4_Writable, L4_Writable);
    large_go = 1;
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    KCHECK(L4_IpcSucceeded(tag));                   /* its page fault, to us */
    L4_Word_t addr;
    L4_StoreMR(1, &addr);
    KCHECK_EQ(L4_Label(tag) >> 4, 0xFFFFFFFFFFEUL); /* label -2 */
    KCHECK_EQ(addr, LARGE + 0x1000);
    KCHECK_EQ(stage, 1);
    KCHECK(tu_delete(t));
}
