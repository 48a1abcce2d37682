/* slab.c — fixed-size object caches over kmem pages.  A page: header, then objects; free
 * objects are chained through their first word; the page sits on the cache's partial list
 * while it has free objects and returns to kmem when none is in use. */
#include "mm/slab.h"
#include "mm/kmem.h"
#include "lib/string.h"
#include "debug/panic.h"
#include "arch.h"

struct slab_page {
    struct slab_page *next, *prev;  /* partial list */
    void *free;                     /* free objects */
    unsigned used, capacity;
};

static void partial_remove(struct slab_cache *c, struct slab_page *p)
{
    if (p->prev) p->prev->next = p->next; else c->partial = p->next;
    if (p->next) p->next->prev = p->prev;
    p->next = p->prev = NULL;
}

static void partial_add(struct slab_cache *c, struct slab_page *p)
{
    p->prev = NULL;
    p->next = c->partial;
    if (c->partial)
        c->partial->prev = p;
    c->partial = p;
}

static struct slab_page *grow(struct slab_cache *c)
{
    struct slab_page *p = kmem_alloc(0);
    if (!p)
        return NULL;
    size_t first = (sizeof(*p) + 15) & ~15UL;
    p->capacity = (unsigned)((PAGE_SIZE - first) / c->size);
    for (unsigned i = p->capacity; i-- > 0; ) {
        void **obj = (void **)((char *)p + first + i * c->size);
        *obj = p->free;
        p->free = obj;
    }
    partial_add(c, p);
    return p;
}

void *slab_alloc(struct slab_cache *c)
{
    spin_lock(&c->lock);
    struct slab_page *p = c->partial ? c->partial : grow(c);
    void **obj = NULL;
    if (p) {
        obj = p->free;
        p->free = *obj;
        if (++p->used == p->capacity)
            partial_remove(c, p);
        c->in_use++;
    }
    spin_unlock(&c->lock);
    if (obj)
        memset(obj, 0, c->size);
    return obj;
}

void slab_free(struct slab_cache *c, void *obj)
{
    struct slab_page *p = (struct slab_page *)((uint64_t)obj & ~(PAGE_SIZE - 1));
    spin_lock(&c->lock);
    if (p->used == p->capacity)
        partial_add(c, p);
    *(void **)obj = p->free;
    p->free = obj;
    c->in_use--;
    if (--p->used == 0) {
        partial_remove(c, p);
        kmem_free(p, 0);
    }
    spin_unlock(&c->lock);
}
