/* pagemap.h — a client's page map: which frame, with which rights, backs each virtual page.
 *
 * A 4-level radix tree over 36-bit virtual page numbers (48-bit addresses), 512 words per
 * table, like the x86-64 page tables it shadows.  A leaf word is PAGEMAP_PRESENT | rights << 1
 * | pfn << PAGEMAP_PFN_SHIFT, or 0; an inner word points to the next table, or is 0.  Tables
 * (4 KiB, zeroed) come from the caller's table_alloc — in the pager, frames of its own
 * allocator reached through the window — and go back through table_free only when the map is
 * destroyed: a table, once needed, stays for the life of the client (at most one 4 KiB leaf
 * table per 2 MiB of address space the client ever used).
 * Invariant: `entries` is the number of present leaf words.
 * Pure code (no L4 calls, no output), used by one pager thread: shared with the host tests.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define PAGEMAP_LEVELS          4
#define PAGEMAP_FANOUT          512
#define PAGEMAP_VPN_BITS        36
#define PAGEMAP_PRESENT         0x1ULL
#define PAGEMAP_RIGHTS_SHIFT    1               /* rwx: r 4, w 2, x 1 (as in fpages) */
#define PAGEMAP_RIGHTS_MASK     0x7ULL
#define PAGEMAP_PFN_SHIFT       4

struct pagemap {
    uint64_t *root;                             /* the top table, or NULL (empty map) */
    uint64_t entries;                           /* present pages */
    uint64_t tables;                            /* tables allocated */
    void *(*table_alloc)(void *ctx);            /* a zeroed, 8-aligned 4 KiB table, or NULL */
    void (*table_free)(void *ctx, void *table);
    void *ctx;
};

/* An empty map whose tables come from alloc/free(ctx). */
void pagemap_init(struct pagemap *m, void *(*alloc)(void *ctx), void (*free)(void *ctx, void *t),
                  void *ctx);

/* Page vpn (< 2^36) := frame pfn with `rights`; replaces what was there.  0, or -1 if a table
 * could not be had (the map is unchanged except for tables added on the way, which stay). */
int pagemap_set(struct pagemap *m, uint64_t vpn, uint64_t pfn, unsigned rights);

/* Is page vpn present?  If so *pfn and *rights (either may be NULL) := its frame and rights. */
bool pagemap_get(const struct pagemap *m, uint64_t vpn, uint64_t *pfn, unsigned *rights);

/* Remove page vpn; true (and *pfn := its frame, if pfn) if it was present. */
bool pagemap_clear(struct pagemap *m, uint64_t vpn, uint64_t *pfn);

/* Call fn(ctx, vpn, pfn, rights) for every present page in [lo, hi), in ascending order,
 * skipping empty subtrees.  fn must not change the map.  Returns the number visited. */
uint64_t pagemap_walk(const struct pagemap *m, uint64_t lo, uint64_t hi,
                      void (*fn)(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights),
                      void *ctx);

/* Call fn(ctx, table) for every table of the map (the checker counts their frames). */
void pagemap_foreach_table(const struct pagemap *m, void (*fn)(void *ctx, void *table), void *ctx);

/* Free every table (the caller has dealt with the pages first); the map is empty after. */
void pagemap_destroy(struct pagemap *m);
