/* platform.h — boot-time platform bring-up, called in this order by kmain(). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "mm/memmap.h"

/* CPU state (GDT, IDT, syscall, CR4), console.  First thing kmain does. */
void arch_early_init(void);

/* Physical memory map from the Multiboot information, the kernel image and the modules. */
void platform_memmap(struct memmap *m);

/* Direct map for all RAM up to `top`, the MMIO window (needs kmem). */
void mmu_init(uint64_t top);
void mmu_drop_identity(void);

/* ACPI, LAPIC, IO-APICs (all masked), 8259s off, timer calibration; logs what it found. */
void platform_init(void);

/* Start this CPU's periodic scheduler tick. */
void platform_start_timer(void);

unsigned platform_cpu_count(void);
unsigned platform_node_count(void);
/* NUMA node of online CPU `cpu` (its percpu APIC id looked up in the SRAT; 0 without one). */
unsigned platform_cpu_node(unsigned cpu);
/* The SRAT's memory affinity entries: how many, and entry i as [*base, *end) on *node (table
 * order, byte granular, may overlap).  Returns false if i is out of range. */
unsigned platform_mem_affinity_count(void);
bool platform_mem_affinity(unsigned i, uint64_t *base, uint64_t *end, unsigned *node);

/* Calibrated frequencies for the KIP processor descriptors. */
uint64_t tsc_khz_value(void);
uint64_t timer_khz_value(void);

/* The first C function, called by boot.S on the boot stack: magic and Multiboot info. */
_Noreturn void kmain(uint32_t magic, uint64_t mbi);

/* Start every other CPU the MADT lists (before mmu_drop_identity).  Returns CPUs online. */
unsigned smp_start_aps(void);
