/* memmap.h — the physical memory map: typed, sorted, non-overlapping regions.
 *
 * Built once at boot from the Multiboot memory map, the kernel image and the modules; it
 * chooses the kernel object pool and becomes the KIP memory descriptors.  Pure data structure
 * (no hardware access); runs on the boot CPU before SMP, so it takes no locks.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define MEMMAP_MAX 64

/* Region types are the KIP memory-descriptor types (sigma4/kip.h, MDESC_*). */
struct mem_region {
    uint64_t base;              /* first byte */
    uint64_t end;               /* one past the last byte; base < end */
    uint8_t  type;              /* MDESC_* */
    uint8_t  subtype;
};

struct memmap {
    unsigned n;
    struct mem_region r[MEMMAP_MAX];   /* sorted by base, non-overlapping, adjacent equal merged */
};

/* Empty the map. */
void memmap_init(struct memmap *m);

/* Set [base, end) to type/subtype, overriding whatever lay there before (later calls win,
 * like later KIP descriptors).  Returns 0, or -1 if the map would exceed MEMMAP_MAX regions
 * or base >= end (the map is unchanged then). */
int memmap_set(struct memmap *m, uint64_t base, uint64_t end, uint8_t type, uint8_t subtype);

/* Highest address a such that [a, a+size) lies wholly in one region of type `type`,
 * a is `align`-aligned (power of two) and a+size <= limit.  Returns 0 if none exists
 * (address 0 is never returned as a valid result). */
uint64_t memmap_find_top(const struct memmap *m, uint8_t type, uint64_t size,
                         uint64_t align, uint64_t limit);

/* Total bytes of regions of the given type. */
uint64_t memmap_total(const struct memmap *m, uint8_t type);

/* One past the highest byte of any region of the given type (0 if none). */
uint64_t memmap_top(const struct memmap *m, uint8_t type);
