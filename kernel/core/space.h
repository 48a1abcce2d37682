/* space.h — address spaces: page-table root, KIP and UTCB areas, user-memory access.
 *
 * A space lives as long as it has threads.  Its page tables are changed under space->lock.
 * The kernel reads user memory only by walking the space's page table (never through user
 * pointers), so a bad user pointer can never fault inside the kernel.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include "lib/spinlock.h"
#include "core/urange.h"
#include "mm/account.h"

struct tcb;

#define SPACE_FAST_SLOTS 64         /* local ids of the first 64 UTCB slots resolve in O(1) */
#define SPACE_LIMITS     4          /* different thread limits in one space */

struct space {
    uint64_t pt_root;           /* physical address of the PML4 */
    uint64_t kip_area;          /* user address of the KIP, 0 = not set up yet */
    uint64_t utcb_area;         /* base of the UTCB area */
    unsigned utcb_area_log2;    /* its size */
    unsigned nthreads;
    struct tcb *threads;        /* list through tcb.space_next */
    struct tcb *utcb_slot[SPACE_FAST_SLOTS];    /* threads by UTCB slot (first slots only) */
    bool privileged;            /* a root-server space: sigma0, sigma1, root task */
    bool sigma0;                /* sigma0's space: the identity map of conventional memory */
    uint8_t *iobitmap;          /* x86 IO permissions (arch/x86_64/io.c), NULL = no ports */
    unsigned io_lo, io_hi;      /* byte range of iobitmap with granted ports */
    struct spinlock lock;       /* guards the page tables and the fields above */
    uint64_t cpus_active;       /* CPUs with these page tables loaded (atomic; TLB shootdown) */
    struct space_limit {        /* limited roots of the threads with a limit (limits.c) */
        uint64_t end;           /* addresses below it are visible; 0 = slot free */
        uint64_t root;          /* the limited root (physical) */
        unsigned users;         /* threads using it */
    } limits[SPACE_LIMITS];
    struct spinlock limits_lock;    /* guards limits[] and the limited roots' own tables */
    uint32_t nlimits;           /* limited roots (atomic; read unlocked: space_limits_sync) */
    uint32_t zombies;           /* deleted threads not yet freed (atomic; thread_reap) */
    struct account_ref acct;    /* the kernel-memory account everything above is charged to */
    bool dying;                 /* being destroyed: its page tables go as a whole (atomic) */
};

/* s gained a mapping at va: make the limited roots below which va lies see it. */
void space_limits_sync(struct space *s, uint64_t va);

/* The limited root of s for limit `end`, made or shared (one more user); 0 if out of memory
 * or every slot is taken by other limits.  Kernel lock exclusive (see space_limits_sync). */
uint64_t space_limit_get(struct space *s, uint64_t end);

/* One user fewer of s's limited root for `end`; the last frees it. */
void space_limit_put(struct space *s, uint64_t end);

/* A new empty space (kernel half only), charged to the account of `creator` (it shares that
 * account); creator NULL: a root server's space, with an unlimited account of its own.
 * NULL when kernel memory or the account is exhausted. */
struct space *space_create(struct space *creator);

/* Give s a new account of its own with `limit` bytes, moving its charges there: -1 (nothing
 * changed) if s already holds more than that or no memory is left for the account.
 * Exclusive kernel lock. */
int space_set_quota(struct space *s, uint64_t limit);

/* Free s and its page tables and UTCB pages; s must have no threads.  Its account gets back
 * every byte s was charged. */
void space_destroy(struct space *s);

/* Fix the KIP area and the UTCB area (2^utcb_log2 bytes) and map the KIP there.
 * Returns 0 or -1 when out of kernel memory. */
int space_set_areas(struct space *s, uint64_t kip_area, uint64_t utcb_area, unsigned utcb_log2);

/* Map one 4 KiB page; rights PT_R/W/X.  0, or -1 when out of kernel memory. */
int space_map_page(struct space *s, uint64_t va, uint64_t pa, unsigned rights);

/* Kernel pointer to the UTCB at user address loc (UTCB-size aligned, inside the UTCB area),
 * allocating and mapping its page on first use; NULL when out of memory. */
uint64_t *space_utcb(struct space *s, uint64_t loc);

/* Copy up to len bytes from user address ua; returns the bytes copied before the first
 * unmapped page. */
size_t space_read(struct space *s, uint64_t ua, void *buf, size_t len);

/* Like space_read but stops after a NUL byte (included in the count). */
size_t space_read_str(struct space *s, uint64_t ua, char *buf, size_t len);

static inline bool space_is_privileged(const struct space *s) { return s->privileged; }

/* Does [va, va + len) hold s's KIP page or part of its UTCB area (pages the kernel owns,
 * never mapped or unmapped by users)? */
static inline bool space_kernel_range(const struct space *s, uint64_t va, uint64_t len)
{
    if (!s->kip_area)
        return false;
    return urange_overlap(va, len, s->kip_area, 1) ||
           urange_overlap(va, len, s->utcb_area, 1ULL << s->utcb_area_log2);
}

/* Is the page at va one the kernel owns? */
static inline bool space_kernel_page(const struct space *s, uint64_t va)
{
    return space_kernel_range(s, va & ~0xFFFULL, 0x1000);
}

/* Is physical address pa memory sigma0 owns: conventional memory, the boot modules and the
 * boot-info page (boot-loader memory of subtypes MDESC_BOOT_MODULE, MDESC_BOOT_INFO, which
 * sigma0 hands to the root task only)? */
bool phys_is_sigma0(uint64_t pa);

/* Is all of [pa, pa + len) memory sigma0 owns?  (O(regions), not O(pages).) */
bool phys_range_sigma0(uint64_t pa, uint64_t len);

/* One past the highest conventional byte. */
uint64_t phys_conventional_top(void);

/* The page holding the KIP (kernel virtual), built at boot. */
extern void *kip_page;
