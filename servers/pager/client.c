/* client.c — a pager's clients: the programs it pages, known by their threads' ids.
 *
 * A client is a space the loader registered (CLIENT_ADD) with its pageable range and up to
 * PAGER_CLIENT_THREADS threads; its page map says which frame backs each committed page.
 * Deleting a client (CLIENT_DEL) unmaps and frees every committed page and the page map's
 * tables, so all its frames are back in the allocator.  Context: the pager thread.
 */
#include "server.h"

struct client *client_find(struct pager *p, L4_ThreadId_t t)
{
    for (unsigned i = 0; i < PAGER_MAX_CLIENTS; i++) {
        struct client *c = &p->client[i];
        for (unsigned j = 0; c->used && j < c->nthreads; j++)
            if (c->thread[j].raw == t.raw)
                return c;
    }
    return 0;
}

int client_add(struct pager *p, L4_ThreadId_t t, uint64_t low, uint64_t high)
{
    if (L4_IsNilThread(t) || !L4_IsGlobalId(t) || low >= high || (low | high) & (PAGER_PAGE_SIZE - 1) ||
        high > PAGER_WINDOW_BASE)
        return PAGER_E_BADARG;
    if (client_find(p, t))
        return PAGER_E_EXISTS;
    for (unsigned i = 0; i < PAGER_MAX_CLIENTS; i++) {
        struct client *c = &p->client[i];
        if (c->used)
            continue;
        c->used = true;
        c->nthreads = 1;
        c->thread[0] = t;
        c->low = low;
        c->high = high;
        c->upcall_ip = c->upcall_sp = 0;
        pagemap_init(&c->map, frame_table_alloc, frame_table_free, p);
        return PAGER_OK;
    }
    return PAGER_E_FULL;
}

int client_thread_add(struct pager *p, L4_ThreadId_t t, L4_ThreadId_t existing)
{
    struct client *c = client_find(p, existing);
    if (!c || L4_IsNilThread(t) || !L4_IsGlobalId(t))
        return PAGER_E_BADARG;
    if (client_find(p, t))
        return PAGER_E_EXISTS;
    if (c->nthreads == PAGER_CLIENT_THREADS)
        return PAGER_E_FULL;
    c->thread[c->nthreads++] = t;
    return PAGER_OK;
}

/* Clear page vpn of c, queue its frame's unmap and free the frame; 1 if it was committed.
 * The frame goes back to the allocator before the Unmap runs; nothing is allocated before
 * the caller flushes the batch (the same request), so no one can get it while still mapped. */
static uint64_t free_one(struct pager *p, struct client *c, uint64_t vpn)
{
    uint64_t pfn;
    if (!pagemap_clear(&c->map, vpn, &pfn))
        return 0;
    frame_unmap(pfn);
    frame_free(p, pfn);
    return 1;
}

/* Committed pages found by a walk, freed after it (the walk must not change the map). */
struct collect {
    uint64_t vpn[256];
    unsigned n;
};

static void collect(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights)
{
    struct collect *k = ctx;
    (void)pfn;
    (void)rights;
    if (k->n < 256)
        k->vpn[k->n++] = vpn;
}

uint64_t client_free_pages(struct pager *p, struct client *c, uint64_t vpn, uint64_t n)
{
    static struct collect scratch[PAGER_MAX_PAGERS];    /* one per pager: they run at once */
    struct collect *k = &scratch[p->index];
    uint64_t freed = 0;
    do {
        k->n = 0;
        pagemap_walk(&c->map, vpn, vpn + n, collect, k);
        for (unsigned i = 0; i < k->n; i++)
            freed += free_one(p, c, k->vpn[i]);
        frame_unmap_flush();
    } while (k->n == 256);
    return freed;
}

int client_del(struct pager *p, L4_ThreadId_t t, uint64_t *reclaimed)
{
    struct client *c = client_find(p, t);
    if (!c)
        return PAGER_E_BADARG;
    *reclaimed = client_free_pages(p, c, 0, 1ULL << PAGEMAP_VPN_BITS);
    pagemap_destroy(&c->map);
    c->used = false;
    c->nthreads = 0;
    return PAGER_OK;
}
