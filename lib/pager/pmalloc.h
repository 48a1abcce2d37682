/* pmalloc.h — the programs' page allocator: a reserved virtual range, freed pages really go back.
 *
 * As in the paper's benchmark (§5.1): no caching, no optimisation.  pmalloc_alloc hands out
 * whole pages of a virtual range the program's pager serves; nothing is touched (the
 * program's first touch of a page is the fault that commits a frame).  pmalloc_free gives
 * the pages back to the range and sends FREE for them to the pager, so their frames go back
 * to its allocator at once.  One thread at a time per struct pmalloc.
 */
#pragma once
#include <stddef.h>
#include <l4/l4.h>
#include "vrange.h"

struct pmalloc {
    L4_Word_t base;             /* the first page of the range */
    struct vrange pages;
    L4_ThreadId_t pager;
    unsigned long frees_failed; /* FREE answers other than PAGER_OK */
    unsigned long last_error;   /* the last of them */
};

/* A page allocator over npages pages from base (page aligned; inside the program's pageable
 * range), its bookkeeping in meta (vrange_meta_bytes(npages), 8-aligned), freeing to pager. */
void pmalloc_init(struct pmalloc *m, L4_Word_t base, L4_Word_t npages, void *meta,
                  L4_ThreadId_t pager);
/* bytes (rounded up to pages) of fresh virtual memory, or NULL if the range has no such run. */
void *pmalloc_alloc(struct pmalloc *m, size_t bytes);
/* Give back what pmalloc_alloc returned (NULL or anything else: ignored); its pages' frames
 * go back to the pager. */
void pmalloc_free(struct pmalloc *m, void *p);
