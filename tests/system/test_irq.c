/* test_irq.c — interrupts and IO ports with a real device: the CMOS real-time clock.
 *
 * The root task gets ports 0x70/0x71 through IO faults served by sigma0, attaches a handler
 * thread to the RTC line (ISA IRQ 8 = GSI 8 on q35/pc) and lets the RTC raise periodic
 * interrupts (1024 Hz); each one arrives as an IPC from interrupt thread (8, 1). */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "ktest.h"
#include "tutil.h"

#define RTC_IRQ 8

static inline void outb(unsigned port, unsigned v) { __asm__ volatile("outb %b0, %w1" :: "a"(v), "Nd"(port)); }
static inline unsigned inb(unsigned port) { unsigned char v; __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); return v; }

static unsigned cmos_read(unsigned reg) { outb(0x70, reg); return inb(0x71); }
static void cmos_write(unsigned reg, unsigned v) { outb(0x70, reg); outb(0x71, v); }

static void rtc_periodic(int on)
{
    cmos_write(0x0A, (cmos_read(0x0A) & 0xF0) | 0x06);     /* rate 6: 1024 Hz */
    cmos_write(0x0B, on ? cmos_read(0x0B) | 0x40 : cmos_read(0x0B) & ~0x40);
    (void)cmos_read(0x0C);                                  /* clear a pending flag */
}

KTEST(io, port_fault_maps_ports)
{
    /* A port access faults; sigma0 hands the port out; the access is retried and works:
     * no fault gets reported, and the RTC answers like an RTC (status B bit 1 = 24-hour
     * mode as the BIOS set it up, seconds in BCD). */
    L4_Word_t faults = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    unsigned b = cmos_read(0x0B);
    KCHECK(b & 0x02);
    unsigned s = cmos_read(0x00);
    KCHECK(s <= 0x59 && (s & 0x0F) <= 9);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults);
}

static volatile L4_Word_t irq_count, irq_bad;
static volatile int irq_stop, irq_hold;

static void rtc_handler(void *arg)
{
    (void)arg;
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1), from;
    L4_MsgTag_t tag = L4_Receive(irq);
    for (;;) {
        if (L4_IpcFailed(tag) || !L4_IsThreadEqual(L4_GlobalIdOf(irq), irq) ||
            (L4_Label(tag) & 0xFFF0) != 0xFFF0 || L4_UntypedWords(tag) != 0)
            irq_bad++;
        irq_count++;
        (void)cmos_read(0x0C);                              /* RTC: acknowledge the device */
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
    (void)cmos_read(0x0C);                                  /* ports (IO fault) first */
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    rtc_periodic(1);
    KCHECK(TU_WAIT(irq_count >= 50));
    rtc_periodic(0);
    irq_stop = 1;
    KCHECK_EQ(irq_bad, 0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}

TTEST(irq, line_stays_masked_until_acknowledged)
{
    irq_count = irq_bad = 0;
    irq_stop = 0;
    irq_hold = 1;                                           /* the handler will not ack */
    (void)cmos_read(0x0C);
    L4_ThreadId_t h = tu_create(rtc_handler, 0, 200);
    KCHECK(!L4_IsNilThread(h));
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1);
    KCHECK_EQ(L4_AssociateInterrupt(irq, h), 1);
    rtc_periodic(1);
    KCHECK(TU_WAIT(irq_count >= 1));
    L4_Sleep(L4_TimePeriod(50000));                         /* ~50 RTC periods */
    KCHECK_EQ(irq_count, 1);                                /* masked: nothing more came */
    irq_hold = 0;                                           /* ack: interrupts flow again */
    KCHECK(TU_WAIT(irq_count >= 10));
    rtc_periodic(0);
    irq_stop = 1;
    KCHECK_EQ(irq_bad, 0);
    KCHECK_EQ(L4_DeassociateInterrupt(irq), 1);
}

TTEST(irq, errors)
{
    L4_ThreadId_t irq = L4_GlobalId(RTC_IRQ, 1);
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
