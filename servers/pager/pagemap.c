/* pagemap.c — a client's page map as a 4-level radix tree (see pagemap.h).
 *
 * Level 0 is the top table; the index into a level-l table is bits 35-9l..27-9l of the page
 * number.  Walks and the destroy recurse at most PAGEMAP_LEVELS deep.
 */
#include "pagemap.h"

#define IDX_BITS        9
#define IDX_MASK        (PAGEMAP_FANOUT - 1)

static unsigned index_at(uint64_t vpn, unsigned level)
{
    return (unsigned)(vpn >> (IDX_BITS * (PAGEMAP_LEVELS - 1 - level))) & IDX_MASK;
}

void pagemap_init(struct pagemap *m, void *(*alloc)(void *ctx), void (*free)(void *ctx, void *t),
                  void *ctx)
{
    m->root = 0;
    m->entries = 0;
    m->tables = 0;
    m->table_alloc = alloc;
    m->table_free = free;
    m->ctx = ctx;
}

static uint64_t *new_table(struct pagemap *m)
{
    uint64_t *t = m->table_alloc(m->ctx);
    if (t)
        m->tables++;
    return t;
}

/* The leaf word of vpn; with `create`, tables are added on the way (NULL if one cannot be). */
static uint64_t *leaf(struct pagemap *m, uint64_t vpn, bool create)
{
    if (!m->root && (!create || !(m->root = new_table(m))))
        return 0;
    uint64_t *t = m->root;
    for (unsigned level = 0; level + 1 < PAGEMAP_LEVELS; level++) {
        uint64_t *w = &t[index_at(vpn, level)];
        if (!*w) {
            uint64_t *n = create ? new_table(m) : 0;
            if (!n)
                return 0;
            *w = (uint64_t)(uintptr_t)n;
        }
        t = (uint64_t *)(uintptr_t)*w;
    }
    return &t[index_at(vpn, PAGEMAP_LEVELS - 1)];
}

int pagemap_set(struct pagemap *m, uint64_t vpn, uint64_t pfn, unsigned rights)
{
    uint64_t *w = leaf(m, vpn, true);
    if (!w)
        return -1;
    if (!(*w & PAGEMAP_PRESENT))
        m->entries++;
    *w = PAGEMAP_PRESENT | ((uint64_t)(rights & PAGEMAP_RIGHTS_MASK) << PAGEMAP_RIGHTS_SHIFT) |
         (pfn << PAGEMAP_PFN_SHIFT);
    return 0;
}

bool pagemap_get(const struct pagemap *m, uint64_t vpn, uint64_t *pfn, unsigned *rights)
{
    uint64_t *w = leaf((struct pagemap *)m, vpn, false);    /* no create: nothing changes */
    if (!w || !(*w & PAGEMAP_PRESENT))
        return false;
    if (pfn)
        *pfn = *w >> PAGEMAP_PFN_SHIFT;
    if (rights)
        *rights = (unsigned)((*w >> PAGEMAP_RIGHTS_SHIFT) & PAGEMAP_RIGHTS_MASK);
    return true;
}

bool pagemap_clear(struct pagemap *m, uint64_t vpn, uint64_t *pfn)
{
    uint64_t *w = leaf(m, vpn, false);
    if (!w || !(*w & PAGEMAP_PRESENT))
        return false;
    if (pfn)
        *pfn = *w >> PAGEMAP_PFN_SHIFT;
    *w = 0;
    m->entries--;
    return true;
}

struct walk {
    uint64_t lo, hi, count;
    void (*fn)(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights);
    void *ctx;
};

/* Visit table t of `level` covering pages from `first`. */
static void walk_table(struct walk *w, const uint64_t *t, unsigned level, uint64_t first)
{
    uint64_t span = 1ULL << (IDX_BITS * (PAGEMAP_LEVELS - 1 - level));    /* pages per word */
    for (unsigned i = 0; i < PAGEMAP_FANOUT; i++) {
        uint64_t start = first + i * span;
        if (start >= w->hi)
            return;
        if (!t[i] || start + span <= w->lo)
            continue;
        if (level + 1 < PAGEMAP_LEVELS) {
            walk_table(w, (const uint64_t *)(uintptr_t)t[i], level + 1, start);
        } else if (t[i] & PAGEMAP_PRESENT) {
            w->count++;
            if (w->fn)
                w->fn(w->ctx, start, t[i] >> PAGEMAP_PFN_SHIFT,
                      (unsigned)((t[i] >> PAGEMAP_RIGHTS_SHIFT) & PAGEMAP_RIGHTS_MASK));
        }
    }
}

uint64_t pagemap_walk(const struct pagemap *m, uint64_t lo, uint64_t hi,
                      void (*fn)(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights),
                      void *ctx)
{
    struct walk w = { lo, hi, 0, fn, ctx };
    if (m->root && lo < hi)
        walk_table(&w, m->root, 0, 0);
    return w.count;
}

static void each_table(const uint64_t *t, unsigned level, void (*fn)(void *ctx, void *table),
                       void *ctx)
{
    if (level + 1 < PAGEMAP_LEVELS)
        for (unsigned i = 0; i < PAGEMAP_FANOUT; i++)
            if (t[i])
                each_table((const uint64_t *)(uintptr_t)t[i], level + 1, fn, ctx);
    fn(ctx, (void *)(uintptr_t)t);
}

void pagemap_foreach_table(const struct pagemap *m, void (*fn)(void *ctx, void *table), void *ctx)
{
    if (m->root)
        each_table(m->root, 0, fn, ctx);
}

static void destroy_table(struct pagemap *m, uint64_t *t, unsigned level)
{
    if (level + 1 < PAGEMAP_LEVELS)
        for (unsigned i = 0; i < PAGEMAP_FANOUT; i++)
            if (t[i])
                destroy_table(m, (uint64_t *)(uintptr_t)t[i], level + 1);
    m->table_free(m->ctx, t);
    m->tables--;
}

void pagemap_destroy(struct pagemap *m)
{
    if (m->root)
        destroy_table(m, m->root, 0);
    m->root = 0;
    m->entries = 0;
}
