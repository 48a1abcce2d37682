/* kip.h — building the kernel interface page from what boot discovered.
 *
 * kip_build() writes the X.2 layout (abi/include/sigma4/kip.h) into one zeroed page: fixed
 * fields, kernel descriptor with version and feature strings, processor descriptors, memory
 * descriptors and the system-call stubs.  Pure function of its parameters; runs once at boot.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include "mm/memmap.h"

#define KIP_MAX_CPUS 64
#define KIP_MAX_NUMA 32                 /* memory affinity entries (ACPI_MAX_MEMAFF) */

/* A memory affinity range [base, end) on NUMA node `node` (page aligned, node < 4096). */
struct kip_numa_range { uint64_t base, end; uint32_t node; };

struct kip_root_server { uint64_t sp, ip, low, high; };

struct kip_params {
    uint32_t gen_date;                  /* KDESC_GEN_DATE(y, m, d) */
    uint32_t version;                   /* bits 31-24 ver, 23-16 subver, 15-0 subsubver */
    const char *version_string;         /* e.g. "sigma4 0.1 (gcc 12.2)" */
    const char *const *features;        /* NULL-terminated list of feature strings */
    const struct memmap *memmap;        /* becomes the memory descriptors */
    unsigned ncpus;
    uint32_t cpu_khz[KIP_MAX_CPUS];     /* internal frequency of each CPU */
    uint32_t bus_khz;                   /* external (LAPIC timer) frequency */
    uint16_t cpu_node[KIP_MAX_CPUS];    /* NUMA node of each CPU (0 without an SRAT) */
    unsigned nnuma;                     /* memory affinity ranges (0 without an SRAT) */
    struct kip_numa_range numa[KIP_MAX_NUMA];   /* sorted by base, disjoint */
    uint64_t boot_info;                 /* BootInfo word: physical address of the boot-info page */
    struct kip_root_server sigma0, sigma1, root;
};

/* Fill the page `kip` (KIP_SIZE bytes, need not be zeroed) from p.  Returns 0, or -1 if the
 * strings, descriptors and stubs do not fit into one page, or the NUMA ranges are more than
 * KIP_MAX_NUMA, unsorted, overlapping, unaligned or name a node >= 4096 (the page is then
 * unusable). */
int kip_build(void *kip, const struct kip_params *p);

/* Make r[0..n) acceptable to kip_build: each range rounded inward to 4 KiB pages, empty ones
 * and nodes >= 4096 dropped, sorted by base, a range's overlap with the one before it cut off.
 * Returns the new count (<= n).  For the ACPI SRAT's memory affinity list, which is in table
 * order and byte granular. */
unsigned kip_numa_normalize(struct kip_numa_range *r, unsigned n);
