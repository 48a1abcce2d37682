/* ioapic.c — IO-APICs from the MADT: every line programmed masked, edge, vector 0x44 + GSI.
 * Lines are unmasked only when an interrupt thread is associated (interrupt issue). */
#include "cpu.h"
#include "arch.h"
#include "apic.h"
#include "lib/spinlock.h"
#include "acpi.h"

extern struct acpi_info acpi;

#define IOREGSEL 0x00
#define IOWIN    0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

static uint32_t ioapic_read(volatile uint32_t *io, uint32_t reg)
{
    io[IOREGSEL / 4] = reg;
    return io[IOWIN / 4];
}

static void ioapic_write(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
    io[IOREGSEL / 4] = reg;
    io[IOWIN / 4] = v;
}

static struct { volatile uint32_t *regs; uint32_t gsi_base, lines; } ioapics[ACPI_MAX_IOAPICS];
static unsigned nioapics;

unsigned ioapic_init_all(void)
{
    unsigned total = 0;
    for (unsigned i = 0; i < acpi.nioapics; i++) {
        volatile uint32_t *io = arch_map_mmio(acpi.ioapic[i].addr, PAGE_SIZE);
        unsigned lines = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xFF) + 1;
        ioapics[nioapics].regs = io;
        ioapics[nioapics].gsi_base = acpi.ioapic[i].gsi_base;
        ioapics[nioapics++].lines = lines;
        for (unsigned n = 0; n < lines; n++) {
            uint32_t gsi = acpi.ioapic[i].gsi_base + n;
            ioapic_write(io, IOAPIC_REDTBL(n), (1u << 16) | (VECTOR_IRQ_BASE + gsi));
            ioapic_write(io, IOAPIC_REDTBL(n) + 1, 0);
        }
        total += lines;
    }
    return total;
}

/* Remap the legacy 8259 PICs away from the exception vectors (to 0x20-0x2F) and mask them:
 * the IO-APIC delivers device interrupts, the 8259s must stay silent. */
void pic_disable(void)
{
    static const uint8_t seq[][2] = {
        { 0x20, 0x11 }, { 0xA0, 0x11 }, { 0x21, 0x20 }, { 0xA1, 0x28 },
        { 0x21, 0x04 }, { 0xA1, 0x02 }, { 0x21, 0x01 }, { 0xA1, 0x01 },
        { 0x21, 0xFF }, { 0xA1, 0xFF },
    };
    for (unsigned i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
        outb(seq[i][0], seq[i][1]);
}

/* The IO-APIC pin of gsi, or NULL. */
static volatile uint32_t *pin_of(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < nioapics; i++)
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + ioapics[i].lines) {
            *pin = gsi - ioapics[i].gsi_base;
            return ioapics[i].regs;
        }
    return NULL;
}

/* Trigger mode and polarity of gsi: ISA lines are edge/active-high unless a MADT override
 * says otherwise (flags bits 1-0 polarity: 3 = low; bits 3-2 trigger: 3 = level); other
 * lines are PCI: level/active-low. */
static uint32_t rte_mode(unsigned gsi)
{
    for (unsigned i = 0; i < acpi.noverrides; i++)
        if (acpi.override[i].gsi == gsi) {
            uint16_t f = acpi.override[i].flags;
            return ((f & 3) == 3 ? (1u << 13) : 0) | (((f >> 2) & 3) == 3 ? (1u << 15) : 0);
        }
    return gsi < 16 ? 0 : (1u << 13) | (1u << 15);
}

/* The IO-APIC's index/data register pair must not be used by two CPUs at once. */
static struct spinlock ioapic_lock = SPINLOCK_INIT("ioapic");

int arch_irq_route(unsigned gsi, unsigned cpu_apic_id)
{
    unsigned pin;
    volatile uint32_t *io = pin_of(gsi, &pin);
    if (!io || VECTOR_IRQ_BASE + gsi >= VECTOR_KICK)
        return -1;
    spin_lock(&ioapic_lock);
    ioapic_write(io, IOAPIC_REDTBL(pin) + 1, cpu_apic_id << 24);
    ioapic_write(io, IOAPIC_REDTBL(pin), (1u << 16) | rte_mode(gsi) | (VECTOR_IRQ_BASE + gsi));
    spin_unlock(&ioapic_lock);
    return 0;
}

void arch_irq_mask(unsigned gsi, bool masked)
{
    unsigned pin;
    volatile uint32_t *io = pin_of(gsi, &pin);
    if (!io)
        return;
    spin_lock(&ioapic_lock);
    uint32_t v = ioapic_read(io, IOAPIC_REDTBL(pin));
    ioapic_write(io, IOAPIC_REDTBL(pin), masked ? v | (1u << 16) : v & ~(1u << 16));
    spin_unlock(&ioapic_lock);
}

unsigned arch_irq_lines(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nioapics; i++)
        if (ioapics[i].gsi_base + ioapics[i].lines > n)
            n = ioapics[i].gsi_base + ioapics[i].lines;
    return n;
}
