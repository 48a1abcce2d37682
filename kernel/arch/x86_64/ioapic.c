/* ioapic.c — IO-APICs from the MADT: every line programmed masked, edge, vector 0x44 + GSI.
 * Lines are unmasked only when an interrupt thread is associated (interrupt issue). */
#include "cpu.h"
#include "arch.h"
#include "apic.h"
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

unsigned ioapic_init_all(void)
{
    unsigned total = 0;
    for (unsigned i = 0; i < acpi.nioapics; i++) {
        volatile uint32_t *io = arch_map_mmio(acpi.ioapic[i].addr, PAGE_SIZE);
        unsigned lines = ((ioapic_read(io, IOAPIC_VER) >> 16) & 0xFF) + 1;
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
