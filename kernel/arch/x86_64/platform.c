/* platform.c — bringing up the boot CPU and the PC platform: CPU state, console, Multiboot,
 * the physical memory map, ACPI, interrupt controllers and the timer. */
#include "cpu.h"
#include "arch.h"
#include "apic.h"
#include "acpi.h"
#include "multiboot.h"
#include "platform.h"
#include "core/percpu.h"
#include "mm/memmap.h"
#include "debug/console.h"
#include "debug/panic.h"
#include <sigma4/kip.h>


extern char _kernel_phys_start[], _kernel_phys_end[];
struct acpi_info acpi;

void arch_early_init(void)
{
    percpu[0].cpu = 0;
    cpu_detect();
    idt_init();
    cpu_init(&percpu[0]);
    serial_init();
}

/* The memory map from Multiboot: e820 RAM is conventional, everything else the loader named
 * is architecture-specific with the e820 type as subtype; then the kernel image and the
 * modules on top (later entries win). */
void platform_memmap(struct memmap *m)
{
    memmap_init(m);
    for (unsigned i = 0; i < boot_info.nmmap; i++) {
        const struct mb_mmap_entry *e = &boot_info.mmap[i];
        uint64_t base = e->base, end = e->base + e->len;
        if (e->type == 1) {         /* usable RAM: whole pages only */
            base = (base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
            end &= ~(PAGE_SIZE - 1);
        }
        if (base < end && memmap_set(m, base, end, e->type == 1 ? MDESC_CONVENTIONAL : MDESC_ARCH,
                                     e->type == 1 ? 0 : (uint8_t)(e->type & 0xF)) < 0)
            panic("memory map: too many regions");
    }
    memmap_set(m, 0, PAGE_SIZE, MDESC_ARCH, 0);                 /* never hand out page 0 */
    memmap_set(m, 0x8000, 0x9000, MDESC_RESERVED, MDESC_RES_KERNEL);    /* AP trampoline */
    memmap_set(m, 0xA0000, 0x100000, MDESC_SHARED, 0);          /* VGA and ROM */
    memmap_set(m, (uint64_t)_kernel_phys_start, ((uint64_t)_kernel_phys_end + PAGE_SIZE - 1)
               & ~(PAGE_SIZE - 1), MDESC_RESERVED, MDESC_RES_KERNEL);
    for (unsigned i = 0; i < boot_info.nmods; i++)
        memmap_set(m, boot_info.mods[i].start & ~(PAGE_SIZE - 1),
                   (boot_info.mods[i].end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1),
                   MDESC_BOOTLOADER, MDESC_BOOT_MODULE);
}

static const void *acpi_map_direct(uint64_t phys, size_t len, void *ctx)
{
    (void)ctx;
    if (phys + len < phys || phys + len > (4ULL << 30))
        return NULL;
    return phys_to_virt(phys);
}

void platform_init(void)
{
    uint64_t rsdp = acpi_find_rsdp(acpi_map_direct, NULL);
    int r = rsdp ? acpi_parse(rsdp, acpi_map_direct, NULL, &acpi) : -1;
    if (r < 0)
        panic("ACPI: no usable RSDP/MADT (error %d); sigma4 needs ACPI", r);
    pic_disable();                  /* first: a tick the BIOS left in the 8259 must not reach us */
    lapic_init(acpi.lapic_addr);
    percpu[0].apic_id = lapic_id();
    unsigned lines = ioapic_init_all();
    timer_calibrate();
    kprintf("sigma4: ACPI %s rev %u: %u CPUs, %u IO-APIC(s) with %u lines, %u override(s), "
            "%u NUMA node(s)%s\n", acpi.oem_id, acpi.revision, acpi.ncpus, acpi.nioapics, lines,
            acpi.noverrides, acpi.nnodes, acpi.has_srat ? " (SRAT)" : "");
    for (unsigned i = 0; i < acpi.ncpus; i++)
        kprintf("sigma4:   cpu %u: apic id %u, node %u%s\n", i, acpi.cpu[i].apic_id,
                acpi.cpu[i].node, acpi.cpu[i].apic_id == percpu[0].apic_id ? " (boot)" : "");
    for (unsigned i = 0; i < acpi.nmemaff; i++)
        kprintf("sigma4:   memory 0x%lx-0x%lx: node %u\n", acpi.memaff[i].base,
                acpi.memaff[i].base + acpi.memaff[i].length - 1, acpi.memaff[i].node);
    kprintf("sigma4: TSC %lu kHz, LAPIC timer %lu kHz; CPU %s%s%s%s%s\n", tsc_khz, lapic_timer_khz,
            cpu_feat.brand[0] ? cpu_feat.brand : cpu_feat.vendor, cpu_feat.smep ? " smep" : "",
            cpu_feat.smap ? " smap" : "", cpu_feat.pcid ? " pcid" : "", cpu_feat.nx ? " nx" : "");
}

void platform_start_timer(void)
{
    timer_start_periodic(1000);
}

void arch_idle_wait(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_irq_window(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");    /* sti's shadow covers the nop */
}

unsigned platform_cpu_count(void) { return acpi.ncpus; }
unsigned platform_node_count(void) { return acpi.nnodes; }
unsigned platform_cpu_node(unsigned cpu) { return acpi_cpu_node(&acpi, percpu[cpu].apic_id); }
unsigned platform_mem_affinity_count(void) { return acpi.nmemaff; }

bool platform_mem_affinity(unsigned i, uint64_t *base, uint64_t *end, unsigned *node)
{
    if (i >= acpi.nmemaff)
        return false;
    *base = acpi.memaff[i].base;
    *end = acpi.memaff[i].base + acpi.memaff[i].length;
    *node = acpi.memaff[i].node;
    return true;
}

uint64_t tsc_khz_value(void) { return tsc_khz; }
uint64_t timer_khz_value(void) { return lapic_timer_khz; }
