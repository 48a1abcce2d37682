/* pma.c — the PMA interface: span checks, the free count, and dispatch to the algorithms.
 *
 * Everything a caller can get wrong (frames outside the span, empty ranges, double frees) is
 * checked here or reported by the algorithm before anything changes; the algorithm files see
 * only 32-bit offsets into the span and ranges known to be inside it.  Results the algorithms
 * write as offsets (pma_take*, pma_foreach_free) are turned back into frame numbers here.
 * Context: single-threaded, pure (see pma.h).
 */
#include "pma.h"

size_t pma_meta_bytes(enum pma_kind kind, uint64_t n)
{
    switch (kind) {
    case PMA_AVL:
        return pma_avl_meta_bytes(n);
    case PMA_BUDDY:
        return pma_buddy_meta_bytes(n);
    }
    return 0;
}

const char *pma_kind_name(enum pma_kind kind)
{
    switch (kind) {
    case PMA_AVL:
        return "avl";
    case PMA_BUDDY:
        return "buddy";
    }
    return "?";
}

int pma_init(struct pma *a, enum pma_kind kind, uint64_t base, uint64_t n, void *meta)
{
    if (n == 0 || n > PMA_MAX_FRAMES || base + n < base)
        return PMA_E_ARG;
    switch (kind) {
    case PMA_AVL:
        pma_avl_init(&a->u.avl, n, meta);
        break;
    case PMA_BUDDY:
        pma_buddy_init(&a->u.buddy, base, n, meta);
        break;
    default:
        return PMA_E_ARG;
    }
    a->kind = kind;
    a->base = base;
    a->n = n;
    a->nfree = 0;
    return PMA_OK;
}

/* Is [pfn, pfn + count) a non-empty range inside the span? */
static bool inside(const struct pma *a, uint64_t pfn, uint64_t count)
{
    return count > 0 && pfn >= a->base && pfn - a->base <= a->n && count <= a->n - (pfn - a->base);
}

bool pma_is_free(const struct pma *a, uint64_t pfn)
{
    if (!inside(a, pfn, 1))
        return false;
    uint32_t off = (uint32_t)(pfn - a->base);
    return a->kind == PMA_AVL ? pma_avl_is_free(&a->u.avl, off)
                              : pma_buddy_is_free(&a->u.buddy, off);
}

int pma_add(struct pma *a, uint64_t pfn, uint64_t count)
{
    if (!inside(a, pfn, count))
        return PMA_E_RANGE;
    uint32_t off = (uint32_t)(pfn - a->base), len = (uint32_t)count;
    int err = a->kind == PMA_AVL ? pma_avl_add(&a->u.avl, off, len)
                                 : pma_buddy_add(&a->u.buddy, off, len);
    if (err == PMA_OK)
        a->nfree += count;
    return err;
}

int pma_alloc(struct pma *a, uint64_t *pfn)
{
    uint32_t off;
    int err = a->kind == PMA_AVL ? pma_avl_alloc(&a->u.avl, &off)
                                 : pma_buddy_alloc(&a->u.buddy, &off);
    if (err != PMA_OK)
        return err;
    a->nfree--;
    *pfn = a->base + off;
    return PMA_OK;
}

int pma_free(struct pma *a, uint64_t pfn)
{
    if (!inside(a, pfn, 1))
        return PMA_E_RANGE;
    uint32_t off = (uint32_t)(pfn - a->base);
    if (a->kind == PMA_AVL) {
        int err = pma_avl_add(&a->u.avl, off, 1);
        if (err != PMA_OK)
            return err;
    } else {
        if (pma_buddy_is_free(&a->u.buddy, off))
            return PMA_E_DOUBLE;
        pma_buddy_free(&a->u.buddy, off);
    }
    a->nfree++;
    return PMA_OK;
}

bool pma_range_emit(struct pma_range *out, unsigned nout, unsigned *used, uint64_t pfn,
                    uint64_t count)
{
    if (*used > 0) {
        struct pma_range *last = &out[*used - 1];
        if (last->pfn + last->count == pfn) {
            last->count += count;
            return true;
        }
        if (pfn + count == last->pfn) {
            last->pfn = pfn;
            last->count += count;
            return true;
        }
    }
    if (*used >= nout)
        return false;
    out[(*used)++] = (struct pma_range){ pfn, count };
    return true;
}

/* Turn the offsets the algorithms wrote into out[first .. used) into frame numbers. */
static void rebase(const struct pma *a, struct pma_range *out, unsigned used)
{
    for (unsigned i = 0; i < used; i++)
        out[i].pfn += a->base;
}

uint64_t pma_take(struct pma *a, uint64_t max, struct pma_range *out, unsigned nout,
                  unsigned *nout_used)
{
    unsigned used = 0;
    uint64_t got = a->kind == PMA_AVL ? pma_avl_take(&a->u.avl, max, out, nout, &used)
                                      : pma_buddy_take(&a->u.buddy, max, out, nout, &used);
    rebase(a, out, used);
    a->nfree -= got;
    *nout_used = used;
    return got;
}

uint64_t pma_take_within(struct pma *a, uint64_t lo, uint64_t hi, uint64_t max,
                         struct pma_range *out, unsigned nout, unsigned *nout_used)
{
    unsigned used = 0;
    uint64_t got = 0;
    if (lo < a->base)
        lo = a->base;
    if (hi > a->base + a->n)
        hi = a->base + a->n;
    if (lo < hi && max > 0) {
        uint32_t l = (uint32_t)(lo - a->base), h = (uint32_t)(hi - a->base);
        got = a->kind == PMA_AVL ? pma_avl_take_within(&a->u.avl, l, h, max, out, nout, &used)
                                 : pma_buddy_take_within(&a->u.buddy, l, h, max, out, nout,
                                                         &used);
    }
    rebase(a, out, used);
    a->nfree -= got;
    *nout_used = used;
    return got;
}

struct rebase_ctx {
    void (*fn)(void *ctx, uint64_t pfn, uint64_t count);
    void *ctx;
    uint64_t base;
};

static void rebase_one(void *c, uint64_t off, uint64_t len)
{
    struct rebase_ctx *r = c;
    r->fn(r->ctx, r->base + off, len);
}

void pma_foreach_free(const struct pma *a, void (*fn)(void *ctx, uint64_t pfn, uint64_t count),
                      void *ctx)
{
    struct rebase_ctx r = { fn, ctx, a->base };
    if (a->kind == PMA_AVL)
        pma_avl_foreach(&a->u.avl, rebase_one, &r);
    else
        pma_buddy_foreach(&a->u.buddy, rebase_one, &r);
}

int pma_drain(struct pma *from, struct pma *to)
{
    if (from->base < to->base || from->base + from->n > to->base + to->n)
        return PMA_E_RANGE;
    struct pma_range batch[32];
    unsigned used;
    while (pma_take(from, ~0ULL, batch, 32, &used) > 0) {
        for (unsigned i = 0; i < used; i++) {
            int err = pma_add(to, batch[i].pfn, batch[i].count);
            if (err != PMA_OK) {
                for (unsigned j = i; j < used; j++)     /* give back what did not move */
                    pma_add(from, batch[j].pfn, batch[j].count);
                return err;
            }
        }
    }
    return PMA_OK;
}
