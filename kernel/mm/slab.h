/* slab.h — fixed-size kernel objects carved from kmem pages (mapping nodes, ...).
 *
 * Each page holds a header and as many objects as fit; a page whose objects are all free
 * goes back to kmem at once, so "free kernel memory before = after" holds for every test.
 * Callers serialise access to one cache (its own lock).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "lib/spinlock.h"

struct slab_page;

struct slab_cache {
    size_t size;                    /* object size, multiple of 8 */
    struct slab_page *partial;      /* pages with at least one free object */
    struct spinlock lock;
    uint64_t in_use;                /* objects allocated (statistics) */
};

#define SLAB_CACHE_INIT(sz, n) { ((sz) + 7) & ~7UL, NULL, SPINLOCK_INIT(n), 0 }

/* A zeroed object, or NULL when kernel memory is exhausted. */
void *slab_alloc(struct slab_cache *c);

/* Return an object from slab_alloc. */
void slab_free(struct slab_cache *c, void *obj);
