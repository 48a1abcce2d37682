/* test_irq.c — interrupts and IO ports with a real device: the CMOS real-time clock.
 *
 * The root task gets ports 0x70/0x71 through IO faults served by sigma0, attaches a handler
 * thread to the RTC line (ISA IRQ 8 = GSI 8 on q35/pc) and lets the RTC raise periodic
 * interrupts (1024 Hz); each one arrives as an IPC from interrupt thread (8, 1). */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "ktest.h"
#include "tutil.h"

KTEST(io, port_fault_maps_ports)
{
    /* A port access faults; sigma0 hands the port out; the access is retried and works:
     * no fault gets reported, and the RTC answers like an RTC (status B bit 1 = 24-hour
     * mode as the BIOS set it up, seconds in BCD). */
    L4_Word_t faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    unsigned b = tu_cmos_read(0x0B);
    KCHECK(b & 0x02);
    unsigned s = tu_cmos_read(0x00);
    KCHECK(s <= 0x59 && (s & 0x0F) <= 9);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults);
}

static volatile L4_Word_t irq_count, irq_bad;
static volatile int irq_stop, irq_hold;

static void rtc_handler(void *arg)
{
    (void)arg;
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1), from;
    L4_MsgTag_t tag = L4_Receive(irq);
    for (;;) {
        if (L4_IpcFailed(tag) || !L4_IsThreadEqual(L4_GlobalIdOf(irq), irq) ||
            (L4_Label(tag) & 0xFFF0) != 0xFFF0 || L4_UntypedWords(tag) != 0)
            irq_bad++;
        irq_count++;
        (void)tu_cmos_read(0x0C);                              /* RTC: acknowledge the device */
        while (irq_hold)
            L4_Sleep(L4_TimePeriod(1000));
        if (irq_stop) {
            L4_Set_MsgTag(L4_Niltag);
            L4_Send(irq);                                   /* unmask, then rest */
            for (;;)
                L4_Sleep(L4_Never);
        }
        L4_Set_MsgTag(L4_Niltag);
        tag = L4_Ipc(irq, irq, L4_Timeouts(L4_Never, L4_Never), &from);   /* ack + wait */
    }
}

TTEST(irq, rtc_interrupts_arrive_as_ipc)
{
    irq_count = irq_bad = 0;
    irq_stop = irq_hold = 0;
    (void)tu_cmos_read(0x0C);                                  /* ports (IO fault) first */
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    tu_rtc_periodic(1);
    KCHECK(TU_WAIT(irq_count >= 50));
    tu_rtc_periodic(0);
    irq_stop = 1;
    KCHECK_EQ(irq_bad, 0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}

TTEST(irq, line_stays_masked_until_acknowledged)
{
    irq_count = irq_bad = 0;
    irq_stop = 0;
    irq_hold = 1;                                           /* the handler will not ack */
    (void)tu_cmos_read(0x0C);
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    tu_rtc_periodic(1);
    KCHECK(TU_WAIT(irq_count >= 1));
    L4_Sleep(L4_TimePeriod(50000));                         /* ~50 RTC periods */
    KCHECK_EQ(irq_count, 1);                                /* masked: nothing more came */
    irq_hold = 0;                                           /* ack: interrupts flow again */
    KCHECK(TU_WAIT(irq_count >= 10));
    tu_rtc_periodic(0);
    irq_stop = 1;
    KCHECK_EQ(irq_bad, 0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}

TTEST(irq, errors)
{
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    /* Not the handler: acknowledging fails with "non-existing partner". */
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(irq, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNonExist << 1);
    /* Receiving from a line we do not handle names nobody. */
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(irq, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrNonExist << 1) | 1);
    /* Associating a nonexistent handler, or a line number beyond the IO-APIC. */
    KCHECK_EQ(L4_AssociateInterrupt(irq, L4_GlobalId(5000, 1)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    KCHECK_EQ(L4_AssociateInterrupt(L4_GlobalId(60, 1), tu_root()), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
}

/* ---- the PIT, one interrupt at a time, under load ------------------------------------------ */

#define PIT_GSI     2                   /* ISA IRQ 0 through the MADT override (q35/pc) */
#define PIT_SHOTS   200

static volatile L4_Word_t pit_count, pit_bad, pit_stop;
static volatile L4_Word_t load_a, load_b;

/* Channel 0, mode 0 (interrupt on terminal count): one rising edge `count` ticks later. */
static void pit_one_shot(unsigned count)
{
    tu_outb(0x43, 0x30);                   /* channel 0, lobyte/hibyte, mode 0, binary */
    tu_outb(0x40, count & 0xFF);
    tu_outb(0x40, count >> 8);
}

static void pit_handler(void *arg)
{
    (void)arg;
    L4_ThreadId_t irq = L4_GlobalId(PIT_GSI, 1), from;
    L4_MsgTag_t tag = L4_Receive(irq);
    for (;;) {
        if (L4_IpcFailed(tag) || (L4_Label(tag) & 0xFFF0) != 0xFFF0)
            pit_bad++;
        pit_count++;
        if (pit_stop) {
            L4_Set_MsgTag(L4_Niltag);
            L4_Send(irq);
            for (;;)
                L4_Sleep(L4_Never);
        }
        L4_Set_MsgTag(L4_Niltag);
        tag = L4_Ipc(irq, irq, L4_Timeouts(L4_Never, L4_Never), &from);
    }
}

/* Load: a pair of threads calling each other as fast as they can, below the handler. */
static void load_server(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        load_b++;
        L4_Set_MsgTag(L4_Niltag);
        tag = L4_ReplyWait(from, &from);
        (void)tag;
    }
}

static void load_client(void *arg)
{
    L4_ThreadId_t server = *(L4_ThreadId_t *)arg;
    for (;;) {
        L4_Set_MsgTag(L4_Niltag);
        if (L4_IpcSucceeded(L4_Call(server)))
            load_a++;
    }
}

TTEST(irq, pit_one_shots_none_lost_under_load)
{
    /* PIT_SHOTS one-shot PIT interrupts, each armed only after the previous one arrived,
     * while an IPC pair keeps the CPU busy: every one arrives, exactly once. */
    pit_count = pit_bad = pit_stop = 0;
    load_a = load_b = 0;
    pit_one_shot(0xFFFF);                           /* ports first (IO faults), quiet PIT */
    static L4_ThreadId_t server;
    server = tu_create(load_server, 0, 50);
    KCHECK(!L4_IsNilThread(server));
    KCHECK(!L4_IsNilThread(tu_create(load_client, &server, 50)));
    KCHECK(TU_WAIT(load_a > 100));
    L4_ThreadId_t h = tu_create(pit_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(PIT_GSI, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    /* The 0xFFFF shot (55 ms) comes and goes: wait until the count has stayed put for 50 ms
     * (on a loaded host the interrupt can be injected late). */
    L4_Sleep(L4_TimePeriod(100000));
    L4_Word_t base = pit_count;
    for (int settle = 0; settle < 20; settle++) {
        L4_Sleep(L4_TimePeriod(50000));
        if (pit_count == base)
            break;
        base = pit_count;
    }
    KCHECK(base <= 1);
    for (L4_Word_t i = 1; i <= PIT_SHOTS; i++) {
        pit_one_shot(600);                          /* ~0.5 ms */
        KCHECK(TU_WAIT(pit_count == base + i));
    }
    L4_Word_t a = load_a;
    L4_Sleep(L4_TimePeriod(20000));
    KCHECK_EQ(pit_count, base + PIT_SHOTS);         /* nothing extra came */
    KCHECK_EQ(pit_bad, 0);
    KCHECK(load_a > a);                             /* and the load kept running */
    pit_stop = 1;
    pit_one_shot(600);
    KCHECK(TU_WAIT(pit_count == base + PIT_SHOTS + 1));
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}

/* ---- IO faults to a pager of our own --------------------------------------------------------- */

/* IO permissions belong to a space: the root task's space has the CMOS ports already, so
 * these tests use a thread in a new space.  It starts under the tutil pager (which maps the
 * root task's pages, so the two share memory), waits for io_go, and meanwhile the root task
 * becomes its pager: the IO fault then comes to the test. */

static volatile L4_Word_t io_value, io_done, io_go, io_ready;

/* Aligned so that it lies in one page: once the root task is its pager (and answers only the
 * IO fault), a first fetch from a page it has not run yet would wait for ever. */
static void __attribute__((aligned(256))) io_reader(void *arg)
{
    L4_Word_t wide = (L4_Word_t)arg;
    io_ready = 1;
    while (!io_go)
        L4_Sleep(L4_TimePeriod(1000));
    if (wide) {
        unsigned short v;
        __asm__ volatile("inw %w1, %w0" : "=a"(v) : "Nd"(0x70));
        io_value = v;
    } else {
        io_value = tu_inb(0x71);
    }
    io_done = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

/* A thread in a new space running io_reader(arg), its pager `pager` from now on. */
static L4_ThreadId_t io_thread(void *arg, L4_ThreadId_t pager)
{
    io_value = io_done = io_go = io_ready = 0;
    L4_ThreadId_t t = tu_space_thread(io_reader, arg, 100);
    if (L4_IsNilThread(t) || !TU_WAIT(io_ready))
        return L4_nilthread;
    L4_Sleep(L4_TimePeriod(5000));                  /* into its sleep loop */
    if (!L4_ThreadControl(t, t, L4_nilthread, pager, (void *)-1))
        return L4_nilthread;
    io_go = 1;
    return t;
}

/* Wait for t's IO fault (answering page faults on the way); its IO fpage (MR1) and IP. */
static L4_Word_t take_io_fault(L4_ThreadId_t t, L4_MsgTag_t *tag, L4_Word_t *ip)
{
    for (int n = 0; n < 16; n++) {
        L4_Word_t w1 = 0, w2 = 0;
        *tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
        if (L4_IpcFailed(*tag))
            return 0;
        L4_StoreMR(1, &w1);
        L4_StoreMR(2, &w2);
        if ((L4_Label(*tag) & ~0xFUL) != TU_LABEL_PAGEFAULT) {
            *ip = w2;
            return w1;
        }
        L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);   /* map our page at the same address */
        L4_LoadMR(1, (w1 & ~0xFFFUL) | 0x8);
        L4_LoadMR(2, L4_FpageLog2(w1 & ~0xFFFUL, 12).raw | 7);
        L4_Send_Timeout(t, L4_TimePeriod(1000000));
    }
    return 0;
}

static L4_MsgTag_t reply_io_map(L4_ThreadId_t t, L4_Word_t fpage)
{
    L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
    L4_LoadMR(1, 0x8);                              /* map item, send base 0 */
    L4_LoadMR(2, fpage | 6);
    return L4_Send_Timeout(t, L4_TimePeriod(1000000));
}

TTEST(io, fault_message_and_map_item)
{
    /* A thread whose pager is the root task touches port 0x71: the root gets label -8 with
     * the port's IO fpage and the IP, maps the port with a map item, and the access works. */
    (void)tu_cmos_read(0x0B);                          /* the root has 0x70/0x71 (from sigma0) */
    L4_ThreadId_t t = io_thread(0, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag;
    L4_Word_t ip = 0, fp = take_io_fault(t, &tag, &ip);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag) & ~0xFUL, TU_LABEL_IOFAULT);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ((fp >> 4) & 0x3F, 2);                 /* an IO fpage */
    KCHECK_EQ(fp >> 16, 0x71);                      /* port 0x71 */
    KCHECK_EQ((fp >> 10) & 0x3F, 0);                /* one port */
    KCHECK(ip >= (L4_Word_t)io_reader && ip < (L4_Word_t)io_reader + 256);
    KCHECK(L4_IpcSucceeded(reply_io_map(t, fp & ~0xFUL)));
    KCHECK(TU_WAIT(io_done));
}

TTEST(io, wide_access_names_two_ports)
{
    (void)tu_cmos_read(0x0B);
    L4_ThreadId_t t = io_thread((void *)1, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag;
    L4_Word_t ip = 0, fp = take_io_fault(t, &tag, &ip);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(fp >> 16, 0x70);
    KCHECK_EQ((fp >> 10) & 0x3F, 1);                /* 2^1 ports: 0x70, 0x71 */
    KCHECK(L4_IpcSucceeded(reply_io_map(t, fp & ~0xFUL)));
    KCHECK(TU_WAIT(io_done));
}

TTEST(io, ports_the_pager_lacks_are_not_given)
{
    /* The pager maps ports it does not have itself (0x80): nothing is granted, the thread
     * faults again on the same port. */
    L4_ThreadId_t t = io_thread(0, tu_root());
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag;
    L4_Word_t ip = 0, fp = take_io_fault(t, &tag, &ip);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(L4_IpcSucceeded(reply_io_map(t, (0x80UL << 16) | (2 << 4))));
    L4_Word_t ip2 = 0, fp2 = take_io_fault(t, &tag, &ip2);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(fp2, fp);                             /* the same fault again */
    KCHECK_EQ(ip2, ip);
    KCHECK_EQ(io_done, 0);
}

TTEST(io, fault_without_answer_halts_and_reports)
{
    /* The pager goes away while the thread waits in its IO fault: the thread is halted and
     * the kernel reports the fault; everything else goes on. */
    L4_Word_t faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    L4_ThreadId_t pager = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(pager));
    L4_ThreadId_t t = io_thread(0, pager);
    KCHECK(!L4_IsNilThread(t));
    L4_Sleep(L4_TimePeriod(10000));                 /* it faults and waits for `pager` */
    KCHECK(tu_delete(pager));
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_USER_FAULTS) > faults));
    KCHECK_EQ(io_done, 0);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
}

static volatile L4_Word_t io_loops;

static void io_looper(void *arg)
{
    (void)arg;
    io_ready = 1;
    while (!io_go)
        L4_Sleep(L4_TimePeriod(1000));
    for (;;) {
        (void)tu_inb(0x71);
        io_loops++;
    }
}

TTEST(io, unmap_takes_ports_back)
{
    /* The root task lends port 0x71 to a thread of another space, then unmaps the IO fpage:
     * the thread's next access faults again, and it stops counting until it gets the port
     * back. */
    (void)tu_cmos_read(0x0B);
    io_value = io_done = io_go = io_ready = io_loops = 0;
    L4_ThreadId_t t = tu_space_thread(io_looper, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(io_ready));
    L4_Sleep(L4_TimePeriod(5000));
    KCHECK(L4_ThreadControl(t, t, L4_nilthread, tu_root(), (void *)-1));
    io_go = 1;
    L4_MsgTag_t tag;
    L4_Word_t ip = 0, fp = take_io_fault(t, &tag, &ip);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(L4_IpcSucceeded(reply_io_map(t, fp & ~0xFUL)));
    KCHECK(TU_WAIT(io_loops > 100));
    L4_Fpage_t f = { .raw = (fp & ~0xFUL) | 7 };
    L4_UnmapFpage(f);
    L4_Word_t ip2 = 0, fp2 = take_io_fault(t, &tag, &ip2);
    KCHECK(L4_IpcSucceeded(tag));                   /* it faults on the port again */
    KCHECK_EQ(fp2 & ~0xFUL, fp & ~0xFUL);
    L4_Word_t n = io_loops;
    L4_Sleep(L4_TimePeriod(10000));
    KCHECK_EQ(io_loops, n);                         /* and waits for us */
    KCHECK(L4_IpcSucceeded(reply_io_map(t, fp & ~0xFUL)));
    KCHECK(TU_WAIT(io_loops > n + 100));
    (void)tu_cmos_read(0x0B);                          /* the root task kept its own ports */
}

TTEST(irq, handler_moved_to_another_cpu_keeps_its_interrupts)
{
    /* The line follows its handler thread to another CPU (re-routed, still open). */
    if (L4_NumProcessors(L4_GetKernelInterface()) < 2)
        KSKIP("needs 2 CPUs");
    irq_count = irq_bad = 0;
    irq_stop = irq_hold = 0;
    (void)tu_cmos_read(0x0C);
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(TU_RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    tu_rtc_periodic(1);
    KCHECK(TU_WAIT(irq_count >= 10));
    KCHECK(L4_Set_ProcessorNo(h, 1) != L4_SCHEDRESULT_ERROR);
    L4_Word_t c = irq_count;
    KCHECK(TU_WAIT(irq_count >= c + 50));
    tu_rtc_periodic(0);
    irq_stop = 1;
    KCHECK_EQ(irq_bad, 0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}
