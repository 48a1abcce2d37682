/* pmalloc.c — page-granular malloc over a virtual range, with FREE to the pager (pmalloc.h). */
#include "pmalloc.h"
#include "pager_client.h"

void pmalloc_init(struct pmalloc *m, L4_Word_t base, L4_Word_t npages, void *meta,
                  L4_ThreadId_t pager)
{
    m->base = base;
    m->pager = pager;
    m->frees_failed = 0;
    m->last_error = PAGER_OK;
    vrange_init(&m->pages, npages, meta);
}

void *pmalloc_alloc(struct pmalloc *m, size_t bytes)
{
    L4_Word_t n = (bytes + PAGER_PAGE_SIZE - 1) >> PAGER_PAGE_LOG2;
    int64_t first = vrange_alloc(&m->pages, n ? n : 1);
    if (first < 0)
        return NULL;
    return (void *)(m->base + ((L4_Word_t)first << PAGER_PAGE_LOG2));
}

void pmalloc_free(struct pmalloc *m, void *p)
{
    L4_Word_t a = (L4_Word_t)p;
    if (a < m->base || (a & (PAGER_PAGE_SIZE - 1)))
        return;
    L4_Word_t first = (a - m->base) >> PAGER_PAGE_LOG2;
    L4_Word_t n = vrange_free(&m->pages, first);
    if (n == 0)
        return;
    unsigned long err = pager_free(m->pager, a, n, 0);
    if (err != PAGER_OK) {
        m->frees_failed++;
        m->last_error = err;
    }
}
