/* kipmem.c — sigma0's pool from the KIP: the memory descriptors and the root servers' records.
 *
 * The descriptors are applied in order, later ones overriding earlier ones (X.2): a
 * conventional descriptor (type 1) makes its whole pages free memory; a reserved one (type 2)
 * makes its range the kernel's; the boot modules and the boot-info page (boot loader, subtypes
 * MDESC_BOOT_MODULE and MDESC_BOOT_INFO: docs/abi/kip.md) become the root task's, so that it
 * can read them and nobody else can; every other type (undefined, dedicated, shared, other
 * boot-loader memory, architecture) takes its range out of the pool, so sigma0 never hands
 * it out.  Virtual
 * descriptors say nothing about physical memory and are skipped.  Conventional ranges shrink
 * to whole pages, the others grow to whole pages (a page half reserved is reserved).
 * Then the images of sigma0, sigma1 and the root task (the KIP records: SP, IP, low, high,
 * high inclusive) become their own: the kernel loaded and mapped them there already.
 * Runs once, at start-up.
 */
#include "sigma0.h"
#include <sigma4/kip.h>

#define PAGE_MASK(log2) ((1ULL << (log2)) - 1)

unsigned kipmem_page_log2(const void *kip)
{
    L4_Word_t mask = L4_PageSizeMask(kip);
    if (mask == 0)
        return 12;
    return (unsigned)__builtin_ctzl(mask);
}

/* Apply one descriptor to the pool; false if the region table overflowed. */
static bool apply(struct pool *p, const L4_MemoryDesc_t *d, unsigned page_log2)
{
    uint64_t lo = L4_MemoryDescLow(d), hi = L4_MemoryDescHigh(d);     /* hi inclusive */
    uint64_t mask = PAGE_MASK(page_log2);
    if (L4_IsMemoryDescVirtual(d) || hi < lo)
        return true;
    if ((L4_MemoryDescType(d) & 0xF) == L4_ConventionalMemoryType) {
        uint64_t base = (lo + mask) & ~mask, end = (hi + 1) & ~mask;
        if (hi == ~0ULL)
            end = ~mask;                /* hi + 1 wrapped: stop a page short of 2^64 */
        return base >= end || pool_set(p, base, end, POOL_FREE) == 0;
    }
    uint64_t base = lo & ~mask, end = (hi | mask) + 1;
    if (end == 0)
        end = ~mask;                    /* up to the end of the address space: lose one page */
    if ((L4_MemoryDescType(d) & 0xF) == L4_ReservedMemoryType)
        return pool_set(p, base, end, POOL_KERNEL) == 0;
    if (L4_MemoryDescType(d) == (MDESC_BOOT_MODULE << 4 | MDESC_BOOTLOADER) ||
        L4_MemoryDescType(d) == (MDESC_BOOT_INFO << 4 | MDESC_BOOTLOADER))
        return pool_set(p, base, end, sigma0_root.raw) == 0;
    return pool_remove(p, base, end) == 0;
}

/* Give the free memory of a root server's image (KIP record at `off`) to `owner`. */
static void claim_image(struct pool *p, const void *kip, unsigned off, L4_ThreadId_t owner,
                        unsigned page_log2)
{
    const L4_Word_t *rec = (const L4_Word_t *)((const char *)kip + off);
    uint64_t lo = rec[2], hi = rec[3], mask = PAGE_MASK(page_log2);
    if (rec[1] == 0 || hi < lo)
        return;                         /* this root server was not loaded */
    if (pool_claim(p, lo & ~mask, (hi | mask) + 1, owner.raw) < 0)
        printf("sigma0: region table full; image 0x%lx-0x%lx stays free\n", lo, hi);
}

void kipmem_init(struct pool *p, const void *kip)
{
    unsigned page_log2 = kipmem_page_log2(kip);
    pool_init(p);
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++)
        if (!apply(p, L4_MemoryDesc(kip, i), page_log2))
            printf("sigma0: region table full: memory descriptor %lu ignored\n", i);
    claim_image(p, kip, KIP_OFF_SIGMA0, sigma0_self, page_log2);
    claim_image(p, kip, KIP_OFF_SIGMA1, sigma0_sigma1, page_log2);
    claim_image(p, kip, KIP_OFF_ROOT_SERVER, sigma0_root, page_log2);
}
