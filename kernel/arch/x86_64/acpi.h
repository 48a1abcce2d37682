/* acpi.h — ACPI table discovery: RSDP, RSDT/XSDT, MADT (CPUs, IO-APICs, overrides), SRAT (NUMA).
 *
 * Parses tables through a caller-supplied mapping function, so the same code runs in the
 * kernel (direct map) and in host unit tests (captured QEMU tables in a buffer).  Every table
 * is checksum-verified; malformed tables are skipped, never trusted.  Boot CPU only, no locks.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define ACPI_MAX_CPUS       64
#define ACPI_MAX_IOAPICS    8
#define ACPI_MAX_OVERRIDES  16
#define ACPI_MAX_MEMAFF     32
#define ACPI_MAX_NODES      16

struct acpi_cpu     { uint32_t apic_id; uint32_t uid; uint32_t node; };
struct acpi_ioapic  { uint32_t id; uint64_t addr; uint32_t gsi_base; };
struct acpi_override{ uint8_t bus; uint8_t source_irq; uint32_t gsi; uint16_t flags; };
struct acpi_memaff  { uint64_t base; uint64_t length; uint32_t node; bool hotplug; };

struct acpi_info {
    uint64_t rsdp;                      /* physical address of the RSDP used */
    uint8_t  revision;                  /* RSDP revision: 0 = RSDT only, >= 2 = XSDT */
    char     oem_id[7];                 /* NUL-terminated */
    uint64_t lapic_addr;                /* from the MADT (and its address override entry) */
    bool     pcat_compat;               /* MADT flag: legacy 8259 PICs present */
    unsigned ncpus;                     /* enabled processors, in MADT order */
    struct acpi_cpu cpu[ACPI_MAX_CPUS];
    unsigned nioapics;
    struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
    unsigned noverrides;
    struct acpi_override override[ACPI_MAX_OVERRIDES];
    bool     has_srat;
    unsigned nnodes;                    /* distinct proximity domains seen (>= 1, capped at
                                           ACPI_MAX_NODES); node numbers are dense: domains
                                           renumbered 0..nnodes-1 in ascending order */
    unsigned nmemaff;
    struct acpi_memaff memaff[ACPI_MAX_MEMAFF];
    uint64_t hpet_addr;                 /* 0 if no HPET table */
};

/* Return a pointer through which `len` bytes at physical `phys` can be read, or NULL.
 * The parser uses a pointer only until its next call of the function. */
typedef const void *(*acpi_map_fn)(uint64_t phys, size_t len, void *ctx);

/* Find the RSDP by scanning the EBDA (segment at phys 0x40E) and 0xE0000-0xFFFFF, 16-byte
 * aligned; a candidate is accepted only if its checksum(s) verify, ranges the map function
 * cannot serve are skipped.  Returns its physical address, or 0 (e.g. UEFI, where the RSDP
 * comes from the EFI system table instead). */
uint64_t acpi_find_rsdp(acpi_map_fn map, void *ctx);

/* Parse everything reachable from the RSDP at rsdp_phys into *out (zeroed first).
 * Returns 0 on success, -1 if the RSDP or its root table is unusable, -2 if there is no
 * valid MADT.  Without an SRAT, has_srat is false, nnodes is 1 and every CPU is in node 0. */
int acpi_parse(uint64_t rsdp_phys, acpi_map_fn map, void *ctx, struct acpi_info *out);

/* Node of the CPU with the given APIC id (0 if unknown). */
uint32_t acpi_cpu_node(const struct acpi_info *info, uint32_t apic_id);
