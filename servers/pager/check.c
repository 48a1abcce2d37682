/* check.c — the ownership checker (CHECK, tests only): every frame held exactly once.
 *
 * Each pager, asked in turn while the programs are quiescent, marks the frames it holds —
 * free frames of both allocators (the inactive one should hold none), its allocator
 * metadata, every client's committed pages and page-map tables, frames in an answer not yet
 * known delivered — in one bitmap of the server.  A frame found marked already is held twice
 * (or, outside the span, is not the server's at all).  The asker compares the total marked
 * with what sigma0 gave: the difference is frames lost.  Pagers mark one after the other
 * (the asker waits for each answer), so the bitmap needs no lock.
 * Context: the pager thread that owns `p`.
 */
#include "server.h"

#define CHECK_MAX_FRAMES        (1UL << 20)     /* 4 GiB of span */

static uint8_t bitmap[CHECK_MAX_FRAMES / 8];
static uint64_t total_marked;

struct mark {
    uint64_t marked, dups;
};

static void mark_one(struct mark *m, uint64_t pfn)
{
    uint64_t i = pfn - pager_server.span_base;
    if (pfn < pager_server.span_base || i >= pager_server.span_frames) {
        m->dups++;
        return;
    }
    if (bitmap[i / 8] & (1u << (i % 8))) {
        m->dups++;
        return;
    }
    bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
    m->marked++;
}

static void mark_range(void *ctx, uint64_t pfn, uint64_t count)
{
    for (uint64_t i = 0; i < count; i++)
        mark_one(ctx, pfn + i);
}

static void mark_page(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights)
{
    (void)vpn;
    (void)rights;
    mark_one(ctx, pfn);
}

static void mark_table(void *ctx, void *table)
{
    mark_one(ctx, ((uintptr_t)table - PAGER_WINDOW_BASE) >> PAGER_PAGE_LOG2);
}

int check_mark(struct pager *p, L4_Word_t flags, L4_Word_t *w)
{
    struct mark m = { 0, 0 };
    if (pager_server.span_frames > CHECK_MAX_FRAMES)
        return PAGER_E_FULL;
    if (flags & PAGER_CHECK_FIRST) {
        for (uint64_t i = 0; i < (pager_server.span_frames + 7) / 8; i++)
            bitmap[i] = 0;
        total_marked = 0;
    }
    pma_foreach_free(&p->alloc[0], mark_range, &m);
    pma_foreach_free(&p->alloc[1], mark_range, &m);
    mark_range(&m, p->meta_pfn, p->meta_n);
    for (unsigned i = 0; i < PAGER_MAX_CLIENTS; i++) {
        const struct client *c = &p->client[i];
        if (!c->used)
            continue;
        pagemap_walk(&c->map, 0, 1ULL << PAGEMAP_VPN_BITS, mark_page, &m);
        pagemap_foreach_table(&c->map, mark_table, &m);
    }
    for (unsigned i = 0; i < p->ngiven; i++)
        mark_range(&m, p->given[i].pfn, p->given[i].count);
    total_marked += m.marked;
    w[0] = m.marked;
    w[1] = m.dups;
    w[2] = total_marked;
    return PAGER_OK;
}
