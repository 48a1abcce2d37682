/* frames.c — a pager's frames: zeroed allocation, free, batched unmapping, page-map tables.
 *
 * Frames come from the pager's active allocator and are reached through the window.  A frame
 * is zeroed when it is handed out (512 stores of 8 bytes), never on free.  Unmapping a frame
 * from clients is an Unmap of its window page without the flush bit: every mapping derived
 * from the server's (the client's, and whatever the client mapped on) goes, the server's own
 * stays.  Unmaps are batched, up to 64 fpages per system call.  The batch is static: one
 * pager thread at a time uses it — it is emptied (frame_unmap_flush) before a request ends.
 * Context: the pager thread that owns `p`.
 */
#include "server.h"

#define UNMAP_BATCH     64

static L4_Fpage_t batch[PAGER_MAX_PAGERS][UNMAP_BATCH];
static unsigned batched[PAGER_MAX_PAGERS];

/* The index of the calling pager thread (its batch). */
static unsigned me(void)
{
    L4_ThreadId_t t = L4_Myself();
    for (unsigned i = 0; i < pager_server.npagers; i++)
        if (pager_server.pager[i].self.raw == t.raw)
            return i;
    return 0;
}

int frame_alloc_zeroed(struct pager *p, uint64_t *pfn)
{
    if (pma_alloc(&p->alloc[p->active], pfn) != PMA_OK &&
        (balance_borrow(p, (p->mem_low + p->mem_high) / 2 + 1) == 0 ||
         pma_alloc(&p->alloc[p->active], pfn) != PMA_OK))
        return PAGER_E_NOMEM;
    if (part_home(&pager_server.part, *pfn) != (int)p->index)
        p->borrowed_free--;
    uint64_t *w = pager_window(*pfn);
    for (unsigned i = 0; i < PAGER_PAGE_SIZE / sizeof *w; i++)
        w[i] = 0;
    return PAGER_OK;
}

void frame_free(struct pager *p, uint64_t pfn)
{
    pma_free(&p->alloc[p->active], pfn);
    if (part_home(&pager_server.part, pfn) != (int)p->index)
        p->borrowed_free++;
}

void frame_unmap(uint64_t pfn)
{
    unsigned i = me();
    batch[i][batched[i]++] = pager_frame_fpage(pfn, L4_FullyAccessible);
    if (batched[i] == UNMAP_BATCH)
        frame_unmap_flush();
}

void frame_unmap_flush(void)
{
    unsigned i = me();
    if (batched[i])
        L4_UnmapFpages(batched[i], batch[i]);
    batched[i] = 0;
}

void *frame_table_alloc(void *ctx)
{
    struct pager *p = ctx;
    uint64_t pfn;
    if (frame_alloc_zeroed(p, &pfn) != PAGER_OK)
        return 0;
    p->meta_frames++;
    return pager_window(pfn);
}

void frame_table_free(void *ctx, void *table)
{
    struct pager *p = ctx;
    frame_free(p, ((uintptr_t)table - PAGER_WINDOW_BASE) >> PAGER_PAGE_LOG2);
    p->meta_frames--;
}
