/* apic.c — local APIC (xAPIC through MMIO), LAPIC timer and TSC calibration against the PIT.
 *
 * The TCG CPUs of QEMU 7.2 have neither x2APIC nor the TSC-deadline timer, so sigma4 uses the
 * xAPIC and the LAPIC timer in periodic mode.  Calibration: PIT channel 2 counts a fixed
 * interval (gate through port 0x61, no interrupt) while we read the TSC and the LAPIC count.
 */
#include "cpu.h"
#include "arch.h"
#include "apic.h"
#include "core/percpu.h"

#define LAPIC_ID        0x020
#define LAPIC_EOI       0x0B0
#define LAPIC_SVR       0x0F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)

static volatile uint32_t *lapic;
uint64_t tsc_khz, lapic_timer_khz;

static inline uint32_t lapic_read(uint32_t reg) { return lapic[reg / 4]; }
static inline void lapic_write(uint32_t reg, uint32_t v) { lapic[reg / 4] = v; (void)lapic[LAPIC_ID / 4]; }

void lapic_init(uint64_t lapic_phys)
{
    if (!lapic)
        lapic = arch_map_mmio(lapic_phys, PAGE_SIZE);
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));   /* global enable */
    lapic_write(LAPIC_SVR, 0x100 | VECTOR_SPURIOUS);
    lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
    lapic_write(LAPIC_LVT_ERROR, LVT_MASKED);
    lapic_write(LAPIC_TIMER_DIV, 0x3);                          /* divide by 16 */
    lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void) { return lapic_read(LAPIC_ID) >> 24; }

#define LAPIC_ICR_LOW   0x300
#define LAPIC_ICR_HIGH  0x310

void lapic_send_ipi(uint32_t apic_id, uint32_t command)
{
    lapic_write(LAPIC_ICR_HIGH, apic_id << 24);
    lapic_write(LAPIC_ICR_LOW, command);
    while (lapic_read(LAPIC_ICR_LOW) & (1u << 12))     /* delivery pending */
        cpu_relax();
}
void lapic_eoi(void) { lapic_write(LAPIC_EOI, 0); }

/* PIT channel 2, one-shot, counting `ticks` of 1.193182 MHz; returns when it reaches 0. */
static void pit_wait(uint16_t ticks)
{
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);     /* speaker off, gate on */
    outb(0x43, 0xB0);                           /* channel 2, lobyte/hibyte, mode 0 */
    outb(0x42, ticks & 0xFF);
    outb(0x42, ticks >> 8);
    while (!(inb(0x61) & 0x20))
        cpu_relax();
}

void timer_calibrate(void)
{
    const uint16_t ticks = 11932;               /* 10 ms */
    outb(0x61, inb(0x61) & ~0x01);              /* gate off while programming */
    lapic_write(LAPIC_TIMER_INIT, 0xFFFFFFFF);
    uint64_t t0 = rdtsc();
    pit_wait(ticks);
    uint64_t t1 = rdtsc();
    uint32_t left = lapic_read(LAPIC_TIMER_CUR);
    lapic_write(LAPIC_TIMER_INIT, 0);
    uint64_t us = (uint64_t)ticks * 1000000 / 1193182;
    tsc_khz = (t1 - t0) * 1000 / us;
    lapic_timer_khz = (uint64_t)(0xFFFFFFFFu - left) * 1000 / us;
    if (!tsc_khz) tsc_khz = 1000000;
    if (!lapic_timer_khz) lapic_timer_khz = 62500;
    clock_mult = (1000ULL << 32) / tsc_khz;
}

void timer_start_periodic(uint32_t us)
{
    uint64_t count = lapic_timer_khz * us / 1000;
    lapic_write(LAPIC_LVT_TIMER, LVT_PERIODIC | VECTOR_TIMER);
    lapic_write(LAPIC_TIMER_INIT, count ? (uint32_t)count : 1);
}

uint64_t timer_tick_age_tsc(void)
{
    uint32_t init = lapic_read(LAPIC_TIMER_INIT), left = lapic_read(LAPIC_TIMER_CUR);
    return (uint64_t)(init - left) * tsc_khz / lapic_timer_khz;
}

/* µs = (TSC * clock_mult) >> 32; entry.S computes SystemClock the same way. */
uint64_t clock_mult;

uint64_t arch_clock_us(void)
{
    return (uint64_t)(((unsigned __int128)rdtsc() * clock_mult) >> 32);
}

void arch_send_kick(unsigned cpu)
{
    lapic_send_ipi(percpu[cpu].apic_id, LAPIC_ICR_FIXED | VECTOR_KICK);
}
