/* vrange.h — a range of virtual pages handed out in runs: the bookkeeping of pmalloc.
 *
 * Pages 0 .. npages-1 of a range; an allocation is a run of consecutive pages.  Two bitmaps
 * in the caller's memory: `used` (page allocated) and `start` (an allocation begins here), so
 * a free needs only the first page: the run ends at the next start bit or free page.  No
 * page is ever touched — the program's first touch is what makes its pager commit a frame.
 * First fit from the lowest free page (`hint`), so freed addresses are reused first and the
 * pager's page maps stay small.  Pure code, single-threaded: shared with the host tests.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

struct vrange {
    uint64_t npages;
    uint64_t *used;             /* bit i: page i is allocated */
    uint64_t *start;            /* bit i: an allocation starts at page i */
    uint64_t hint;              /* no free page below this */
    uint64_t nused;             /* pages allocated */
};

/* Bytes of bitmaps a range of npages needs. */
size_t vrange_meta_bytes(uint64_t npages);
/* An empty range of npages pages with vrange_meta_bytes(npages) bytes at meta (8-aligned). */
void vrange_init(struct vrange *v, uint64_t npages, void *meta);
/* A run of n pages (n >= 1): the index of its first page, or -1 if no run is free. */
int64_t vrange_alloc(struct vrange *v, uint64_t n);
/* Free the allocation that starts at page `first`: the number of its pages, or 0 if no
 * allocation starts there (nothing changes). */
uint64_t vrange_free(struct vrange *v, uint64_t first);
