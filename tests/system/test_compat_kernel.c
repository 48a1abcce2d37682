/* test_compat_kernel.c — kernel behaviour that programs written for other X.2 kernels rely on
 * (issue 12, items 1-3): the create-inactive-then-SpaceControl idiom, a page-fault or exception
 * IPC cancelled by ExchangeRegisters (the thread re-executes the instruction), Schedule on an
 * interrupt thread.
 *
 * The root thread plays the pager (and exception handler) itself where a test has to see the
 * kernel message: it receives the fault, cancels it with ExchangeRegisters, receives the
 * fault the thread raises again, and answers that one.  Addresses at CK_AREA are used by
 * nothing else, so the first touch there always faults.
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "ktest.h"
#include "tutil.h"

#define CK_AREA         0x6A000000UL    /* unmapped in the root task (no other test uses it) */
#define CK_MAGIC        0xC0FFEE0012345678UL
#define CK_WAIT         L4_TimePeriod(2000000)     /* 2 s: a fault message that must come */
#define XR_R            L4_EXREGS_CANCEL_RECV
#define XR_S            L4_EXREGS_CANCEL_SEND
#define XR_HALT         (L4_EXREGS_APPLY_HALT | L4_EXREGS_HALT)
#define XR_RESUME       L4_EXREGS_APPLY_HALT

/* A page of the root task whose first word the pager maps in at CK_AREA + offsets. */
static L4_Word_t src_page[512] __attribute__((aligned(4096)));

/* ---- 1. UtcbLocation before SpaceControl -------------------------------------------------- */

static volatile L4_Word_t seen_local, seen_global;

static void record_ids(void *arg)
{
    (void)arg;
    seen_global = L4_MyGlobalId().raw;
    seen_local = L4_MyLocalId().raw;
}

static L4_Fpage_t kip_fp(void) { return L4_FpageLog2(TU_SPACE_KIP, 12); }
static L4_Fpage_t utcb_fp(void) { return L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2); }

/* Serve t's page faults as the tutil pager does (the root task's page at the same address,
 * touched first) until *done or 2 s have passed; *done. */
static int serve_faults(L4_ThreadId_t t, volatile L4_Word_t *done)
{
    L4_Word64_t until = L4_SystemClock().raw + 2000000;
    while (!*done && L4_SystemClock().raw < until) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(10000), &from);
        if (L4_IpcFailed(tag) || (L4_Label(tag) & ~0xFUL) != TU_LABEL_PAGEFAULT ||
            L4_GlobalIdOf(from).raw != t.raw)
            continue;
        L4_Word_t addr;
        L4_StoreMR(1, &addr);
        L4_Word_t page = addr & ~0xFFFUL;
        (void)*(volatile char *)page;               /* the root task has it now */
        L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
        L4_LoadMR(1, page | 0x8);
        L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw);
        L4_Send_Timeout(from, L4_ZeroTime);
    }
    return *done != 0;
}

TTEST(compat, utcb_location_before_space_control)
{
    /* X.2's way to make a space: first thread inactive with its UtcbLocation, SpaceControl,
     * then activation with UtcbLocation -1.  The thread runs with the location given first. */
    seen_local = seen_global = 0;
    tu_touch_stacks();
    L4_ThreadId_t t = tu_reserve_for(record_ids, 0), me = tu_root();
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t loc = TU_SPACE_UTCB + 5 * 1024, old;
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, (void *)loc), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(L4_SpaceControl(t, 0, kip_fp(), utcb_fp(), L4_nilthread, &old), 1);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, me, (void *)-1), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);        /* for its start-up message */
    KCHECK(L4_IpcSucceeded(tu_startup_message(t, 2, L4_Never)));
    KCHECK(serve_faults(t, &seen_local));
    KCHECK_EQ(seen_local, loc + 512);
    KCHECK_EQ(seen_global, t.raw);
    /* The location is taken: a second thread of the space cannot have it. */
    L4_ThreadId_t u = tu_reserve();
    KCHECK(!L4_IsNilThread(u));
    KCHECK_EQ(L4_ThreadControl(u, t, me, me, (void *)loc), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
}

TTEST(compat, kept_utcb_location_checked_at_activation)
{
    /* A location kept from before SpaceControl that the UTCB area does not hold: activation
     * fails with error 6 and changes nothing; a good location then activates it. */
    L4_ThreadId_t t = tu_reserve(), me = tu_root();
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t outside = TU_SPACE_UTCB + (1UL << TU_SPACE_UTCB_LOG2), old;
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, (void *)outside), 1);
    KCHECK_EQ(L4_SpaceControl(t, 0, kip_fp(), utcb_fp(), L4_nilthread, &old), 1);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, me, (void *)-1), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, me, (void *)(TU_SPACE_UTCB + 1024)), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
}

TTEST(compat, utcb_location_before_space_control_still_checked)
{
    /* Before SpaceControl only what can never be a UTCB is refused: a misaligned location,
     * one beyond the user range.  Activation without areas is error 3. */
    L4_ThreadId_t t = tu_reserve(), me = tu_root();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, (void *)(TU_SPACE_UTCB + 512)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, (void *)0x0000800000000000UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);           /* nothing was created */
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, (void *)TU_SPACE_UTCB), 1);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, me, (void *)-1), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
}

/* ---- 2. a cancelled page-fault or exception IPC -------------------------------------------- */

struct reader {
    volatile L4_Word_t *addr;
    volatile L4_Word_t value, done;
};

static void read_word(void *arg)
{
    struct reader *r = arg;
    r->value = *r->addr;
    r->done = 1;
}

/* A thread of the root task's space, its pager the root thread, reading r->addr. */
static L4_ThreadId_t reader_thread(struct reader *r, L4_Word_t addr)
{
    tu_touch_stacks();
    r->addr = (volatile L4_Word_t *)addr;
    r->value = r->done = 0;
    src_page[0] = CK_MAGIC;
    return tu_create_ex(read_word, r, 100, TU_PAGER_ME);
}

/* Receive a page-fault message from t (2 s at most); 1 if it is one for addr. */
static int fault_from(L4_ThreadId_t t, L4_Word_t addr)
{
    L4_MsgTag_t tag = L4_Receive_Timeout(t, CK_WAIT);
    L4_Word_t a;
    L4_StoreMR(1, &a);
    return L4_IpcSucceeded(tag) && (L4_Label(tag) & ~0xFUL) == TU_LABEL_PAGEFAULT &&
           L4_UntypedWords(tag) == 2 && a == addr;
}

/* Answer t's page fault at addr with src_page mapped there. */
static L4_MsgTag_t answer_fault(L4_ThreadId_t t, L4_Word_t addr)
{
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    L4_LoadMR(1, (addr & ~0xFFFUL) | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)src_page, 12), L4_Readable).raw);
    return L4_Send_Timeout(t, CK_WAIT);
}

/* Remove the test's mappings at CK_AREA again; 1 if the mapping nodes are back to nodes0. */
static int unmap_area(L4_Word_t nodes0)
{
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(CK_AREA, 16), L4_FullyAccessible));
    return L4_KDB_Stat(KDB_STAT_MDB_NODES) == nodes0;
}

static L4_Word_t exreg_control(L4_ThreadId_t t, L4_Word_t control)
{
    L4_Word_t old = ~0UL;
    (void)L4_ExchangeRegisters(t, control, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    return old;
}

TTEST(compat, pf_cancel_receive_phase_refaults)
{
    /* The pager has the fault message, the thread waits for the reply: cancelling that
     * receive phase makes the thread fault again at the same address, not halt. */
    L4_Word_t nodes0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    struct reader r;
    L4_Word_t addr = CK_AREA, faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    L4_ThreadId_t t = reader_thread(&r, addr);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(fault_from(t, addr));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(exreg_control(t, XR_R) & 0x7, 0x2);           /* it was receiving */
    KCHECK(fault_from(t, addr));                            /* the same fault again */
    KCHECK(L4_IpcSucceeded(answer_fault(t, addr)));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(r.value, CK_MAGIC);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults);   /* nothing reported */
    KCHECK(unmap_area(nodes0));                            /* the alias goes again */
}

TTEST(compat, pf_cancel_send_phase_refaults)
{
    /* The fault message is still queued at the pager (which is not receiving): cancelling
     * that send phase makes the thread retry, and its new fault message is queued again. */
    L4_Word_t nodes0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    struct reader r;
    L4_Word_t addr = CK_AREA + 0x1000 + 8, faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    L4_ThreadId_t t = reader_thread(&r, addr);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_PENDING_SEND));
    KCHECK_EQ(exreg_control(t, XR_S) & 0x7, 0x4);           /* it was sending */
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_PENDING_SEND));   /* faulted again */
    KCHECK(fault_from(t, addr));
    KCHECK(L4_IpcSucceeded(answer_fault(t, addr)));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(r.value, src_page[1]);                        /* word 1 of the page */
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults);
    KCHECK(unmap_area(nodes0));                            /* the alias goes again */
}

TTEST(compat, pf_cancel_and_halt_refaults_on_resume)
{
    /* Cancel and halt together: the thread stays halted, and faults again once resumed. */
    L4_Word_t nodes0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    struct reader r;
    L4_Word_t addr = CK_AREA + 0x2000;
    L4_ThreadId_t t = reader_thread(&r, addr);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(fault_from(t, addr));
    KCHECK_EQ(exreg_control(t, XR_R | XR_S | XR_HALT) & 0x7, 0x2);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(20000));
    KCHECK(L4_IpcFailed(tag));                              /* halted: no new fault */
    KCHECK_EQ(exreg_control(t, XR_RESUME) & 0x1, 0x1);      /* it was halted */
    KCHECK(fault_from(t, addr));
    KCHECK(L4_IpcSucceeded(answer_fault(t, addr)));
    KCHECK(TU_WAIT(r.done));
    KCHECK_EQ(r.value, CK_MAGIC);
    KCHECK(unmap_area(nodes0));                            /* the alias goes again */
}

static volatile L4_Word_t ud_done;

/* Make the root thread (arg) the exception handler, then execute ud2 (2 bytes). */
static void raise_ud(void *arg)
{
    L4_Set_ExceptionHandler((L4_ThreadId_t){ .raw = (L4_Word_t)arg });
    __asm__ volatile("ud2");
    ud_done = 1;
}

TTEST(compat, exception_cancel_raises_again)
{
    /* An exception message cancelled while the thread waits for the handler's reply: the
     * thread's registers stay as they were, it raises the exception again, and a reply that
     * skips the instruction then lets it go on. */
    ud_done = 0;
    L4_ThreadId_t t = tu_create(raise_ud, (void *)tu_root().raw, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = L4_Receive_Timeout(t, CK_WAIT);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag) & ~0xFUL, TU_LABEL_EXCEPTION);
    L4_Word_t ip1, vec;
    L4_StoreMR(1, &ip1);
    L4_StoreMR(19, &vec);
    KCHECK_EQ(vec, 6);
    KCHECK_EQ(exreg_control(t, XR_R) & 0x7, 0x2);
    tag = L4_Receive_Timeout(t, CK_WAIT);
    KCHECK(L4_IpcSucceeded(tag));                           /* raised again */
    KCHECK_EQ(L4_Label(tag) & ~0xFUL, TU_LABEL_EXCEPTION);
    L4_Word_t regs[20];
    for (int i = 0; i < 20; i++)
        L4_StoreMR(i + 1, &regs[i]);
    KCHECK_EQ(regs[0], ip1);                                /* at the same instruction */
    regs[0] += 2;                                           /* skip the ud2 */
    for (int i = 0; i < 20; i++)
        L4_LoadMR(i + 1, regs[i]);
    L4_Set_MsgTag(L4_MsgTagMake(0, 20, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, CK_WAIT)));
    KCHECK(TU_WAIT(ud_done));
}

/* ---- 3. Schedule on an interrupt thread ----------------------------------------------------- */

/* The CMOS real-time clock (ISA IRQ 8) as an interrupt source, as in test_irq.c: ports 0x70
 * and 0x71 come through IO faults that sigma0 serves. */

static volatile L4_Word_t rtc_count;

/* Count RTC interrupts; acknowledge each (device, then line) and wait for the next.  Rests
 * for good once an IPC fails (the line was detached). */
static void rtc_counter(void *arg)
{
    (void)arg;
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1), from;
    L4_MsgTag_t tag = L4_Receive(irq);
    while (L4_IpcSucceeded(tag)) {
        rtc_count++;
        (void)tu_cmos_read(0x0C);
        L4_Set_MsgTag(L4_Niltag);
        tag = L4_Ipc(irq, irq, L4_Timeouts(L4_Never, L4_Never), &from);
    }
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(compat, schedule_on_interrupt_thread)
{
    /* Schedule names an interrupt thread: error 2 until the line has a handler, then its
     * priority can be set (the result: waiting, no interrupt pending); a processor: error 5. */
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    (void)tu_cmos_read(0x0C);
    KCHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    L4_ThreadId_t h = tu_create(rtc_counter, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    KCHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_WAITING);
    L4_Word_t old_tc;
    KCHECK_EQ(L4_Schedule(irq, ~0UL, 0, ~0UL, ~0UL, &old_tc), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_Set_Priority(irq, 255), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
    KCHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
}

TTEST(compat, interrupt_priority_orders_delivery)
{
    /* The handler (priority 200) gets its interrupts at the interrupt thread's priority:
     * at 50 none arrive while a thread of priority 100 spins on its CPU; they are held, not
     * lost, and arrive once the CPU is free; at 255 they arrive despite the spinner. */
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    static volatile L4_Word_t spins;
    (void)tu_cmos_read(0x0C);
    rtc_count = spins = 0;
    L4_ThreadId_t h = tu_create(rtc_counter, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    KCHECK_EQ(L4_Set_Priority(irq, 50), L4_SCHEDRESULT_WAITING);
    L4_ThreadId_t spin = tu_create(tu_spin, (void *)&spins, 100);
    KCHECK(!L4_IsNilThread(spin));
    tu_rtc_periodic(1);
    L4_Sleep(L4_TimePeriod(50000));                 /* the spinner has the CPU */
    L4_Word_t held = rtc_count;
    int ok_held = held <= 1 && spins > 0;
    KCHECK(tu_delete(spin));                        /* the CPU idles: delivery */
    int ok_idle = TU_WAIT_US_FOR(rtc_count >= held + 10, 2000000);
    L4_Word_t before = rtc_count;
    spins = 0;
    spin = tu_create(tu_spin, (void *)&spins, 100);
    KCHECK(!L4_IsNilThread(spin));
    KCHECK(L4_Set_Priority(irq, 255) != L4_SCHEDRESULT_ERROR);
    L4_Sleep(L4_TimePeriod(50000));
    int ok_high = rtc_count >= before + 10 && spins > 0;
    tu_rtc_periodic(0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
    KCHECK(ok_held);
    KCHECK(ok_idle);
    KCHECK(ok_high);
}
