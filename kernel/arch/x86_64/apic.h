/* apic.h — the local APIC (xAPIC, MMIO), its timer, the IO-APICs and the TSC clock. */
#pragma once
#include <stdint.h>

#define VECTOR_TIMER    0x40
#define VECTOR_IRQ_BASE 0x44            /* IO-APIC line n -> vector 0x44 + n */
#define VECTOR_KICK     0xF0            /* IPI: enter the kernel (klock.h: cpu_kick) */
#define VECTOR_SPURIOUS 0xFF

/* Map and enable this CPU's LAPIC (xAPIC mode).  lapic_phys from the MADT. */
void lapic_init(uint64_t lapic_phys);
uint32_t lapic_id(void);
void lapic_eoi(void);

/* Measure the LAPIC timer and TSC frequencies against PIT channel 2 (boot CPU). */
void timer_calibrate(void);

/* Start the periodic LAPIC timer on this CPU at `us` microseconds per tick. */
void timer_start_periodic(uint32_t us);

/* TSC ticks since this CPU's periodic timer last fired (its count restarted): how long its
 * interrupt has waited, read in the interrupt (the latency benchmark, bench/latency). */
uint64_t timer_tick_age_tsc(void);

extern uint64_t tsc_khz, lapic_timer_khz;

/* Program every IO-APIC line masked (edge, vector 0x44 + GSI).  Returns the number of lines. */
unsigned ioapic_init_all(void);
void pic_disable(void);
extern uint64_t clock_mult;                /* SystemClock: us = (TSC * clock_mult) >> 32 */

#define LAPIC_ICR_INIT      0x4500      /* INIT, level assert */
#define LAPIC_ICR_STARTUP   0x4600      /* startup IPI; low byte = vector (page number) */
#define LAPIC_ICR_FIXED     0x4000      /* fixed delivery, assert; low byte = vector */

/* Send an IPI (ICR command) to the CPU with this APIC id and wait until it is sent. */
void lapic_send_ipi(uint32_t apic_id, uint32_t command);
