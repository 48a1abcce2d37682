/* pool.c — sigma0's memory pool: a sorted list of owned physical regions (see pool.h).
 *
 * Every change goes through one routine, put(): it rebuilds the list into a scratch table with
 * the range cut out (and, for pool_set, re-inserted with its new owner), merging neighbours on
 * the way, and copies the result back only if it fitted.  That keeps the invariants (sorted,
 * disjoint, merged) in one place and makes a failed change leave the pool untouched.  The
 * scratch table is static: the pool is used by sigma0's only thread.
 */
#include <stddef.h>
#include <stdbool.h>
#include "pool.h"

static struct pool_region scratch[POOL_MAX_REGIONS];

void pool_init(struct pool *p)
{
    p->n = 0;
}

/* Append [base, end) of owner to scratch[0..*k), merging with the last entry; false if full. */
static bool emit(unsigned *k, uint64_t base, uint64_t end, uint64_t owner)
{
    if (base >= end)
        return true;
    if (*k > 0 && scratch[*k - 1].end == base && scratch[*k - 1].owner == owner) {
        scratch[*k - 1].end = end;
        return true;
    }
    if (*k == POOL_MAX_REGIONS)
        return false;
    scratch[(*k)++] = (struct pool_region){ base, end, owner };
    return true;
}

/* The pool with [base, end) removed and, if `present`, re-added as one region of `owner`. */
static int put(struct pool *p, uint64_t base, uint64_t end, uint64_t owner, bool present)
{
    unsigned k = 0;
    bool placed = !present;
    for (unsigned i = 0; i < p->n; i++) {
        const struct pool_region *r = &p->r[i];
        if (r->end <= base) {                       /* wholly before the range */
            if (!emit(&k, r->base, r->end, r->owner))
                return -1;
            continue;
        }
        if (!placed && r->base >= base) {           /* the range goes before this region */
            if (!emit(&k, base, end, owner))
                return -1;
            placed = true;
        }
        if (r->base < base) {                       /* the part before the range */
            if (!emit(&k, r->base, base, r->owner))
                return -1;
            if (!placed) {
                if (!emit(&k, base, end, owner))
                    return -1;
                placed = true;
            }
        }
        if (r->end > end) {                         /* the part after the range */
            if (!emit(&k, r->base > end ? r->base : end, r->end, r->owner))
                return -1;
        }
    }
    if (!placed && !emit(&k, base, end, owner))
        return -1;
    for (unsigned i = 0; i < k; i++)
        p->r[i] = scratch[i];
    p->n = k;
    return 0;
}

int pool_set(struct pool *p, uint64_t base, uint64_t end, uint64_t owner)
{
    return put(p, base, end, owner, true);
}

int pool_remove(struct pool *p, uint64_t base, uint64_t end)
{
    return put(p, base, end, 0, false);
}

int pool_claim(struct pool *p, uint64_t base, uint64_t end, uint64_t owner)
{
    if (owner == POOL_FREE)
        return 0;                       /* nothing to give: free parts stay free */
    for (;;) {
        const struct pool_region *free = NULL;
        for (unsigned i = 0; i < p->n && !free; i++)
            if (p->r[i].owner == POOL_FREE && p->r[i].end > base && p->r[i].base < end)
                free = &p->r[i];
        if (!free)
            return 0;
        uint64_t b = free->base > base ? free->base : base;
        uint64_t e = free->end < end ? free->end : end;
        if (pool_set(p, b, e, owner) < 0)
            return -1;
    }
}

enum pool_check pool_check(const struct pool *p, uint64_t base, uint64_t end, uint64_t who,
                           uint64_t *holder)
{
    uint64_t at = base;                 /* everything below `at` has been checked */
    for (unsigned i = 0; i < p->n && at < end; i++) {
        const struct pool_region *r = &p->r[i];
        if (r->end <= at)
            continue;
        if (r->base > at)
            return POOL_NOT_RAM;        /* a hole before this region */
        if (r->owner != POOL_FREE && r->owner != who) {
            if (holder)
                *holder = r->owner;
            return POOL_TAKEN;
        }
        at = r->end;
    }
    return at >= end ? POOL_OK : POOL_NOT_RAM;
}

uint64_t pool_find_free(const struct pool *p, unsigned log2size)
{
    uint64_t size = 1ULL << log2size;
    for (unsigned i = p->n; i-- > 0;) {
        const struct pool_region *r = &p->r[i];
        if (r->owner != POOL_FREE || r->end - r->base < size)
            continue;
        uint64_t a = (r->end - size) & ~(size - 1);
        if (a >= r->base)
            return a;
    }
    return ~0ULL;
}

uint64_t pool_bytes(const struct pool *p, uint64_t owner)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < p->n; i++)
        if (p->r[i].owner == owner)
            n += p->r[i].end - p->r[i].base;
    return n;
}

uint64_t pool_total(const struct pool *p)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < p->n; i++)
        n += p->r[i].end - p->r[i].base;
    return n;
}
