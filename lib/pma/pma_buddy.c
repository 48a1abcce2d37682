/* pma_buddy.c — the buddy PMA: free frames as size-aligned blocks of 2^k frames.
 *
 * Allocation pops a block of the smallest non-empty order and splits it, putting the upper
 * halves back on the lower orders; free merges a block with its buddy (the block of the same
 * order whose number differs in bit k) while the buddy is a free block of that order and lies
 * inside the span.  Both are O(PMA_BUDDY_MAX_ORDER) whatever the number of outstanding frames
 * (the target of Figure 11).  Block alignment is absolute (frame number, not offset), so
 * order 9 blocks are 2 MiB-aligned physical pages.  Adding a range cuts it into the largest
 * aligned blocks that fit and frees each (merging with what is free around it).  Taking the
 * free frames of a window (take_within, a pager returning borrowed frames) walks the free
 * lists for the highest block meeting the window, O(free blocks) per block taken — not the
 * window frame by frame, which made a 1024-frame window cost ~100,000 instructions.
 * Context: single-threaded, pure (see pma.h).
 */
#include "pma.h"


static uint64_t block(unsigned k)
{
    return 1ULL << k;
}

/* Is the block of order k at absolute frame p inside the span? */
static int in_span(const struct pma_buddy *b, uint64_t p, unsigned k)
{
    return p >= b->base && p + block(k) <= b->base + b->n;
}

static void push(struct pma_buddy *b, uint32_t off, unsigned k)
{
    b->state[off] = (uint8_t)(PMA_BUDDY_HEAD | k);
    b->prev[off] = PMA_BUDDY_NIL;
    b->next[off] = b->head[k];
    if (b->head[k] != PMA_BUDDY_NIL)
        b->prev[b->head[k]] = off;
    b->head[k] = off;
}

static void unlink_block(struct pma_buddy *b, uint32_t off, unsigned k)
{
    if (b->prev[off] != PMA_BUDDY_NIL)
        b->next[b->prev[off]] = b->next[off];
    else
        b->head[k] = b->next[off];
    if (b->next[off] != PMA_BUDDY_NIL)
        b->prev[b->next[off]] = b->prev[off];
    b->state[off] = 0;
}

/* The free block covering offset off: *head := its offset, *order := its order; 0 if none. */
static int covering(const struct pma_buddy *b, uint32_t off, uint32_t *head, unsigned *order)
{
    uint64_t p = b->base + off;
    for (unsigned k = 0; k <= PMA_BUDDY_MAX_ORDER; k++) {
        uint64_t h = p & ~(block(k) - 1);
        if (h < b->base)
            break;                              /* larger orders start lower still */
        if (b->state[h - b->base] == (PMA_BUDDY_HEAD | k)) {
            *head = (uint32_t)(h - b->base);
            *order = k;
            return 1;
        }
    }
    return 0;
}

/* Free the block of order k at absolute frame p, merging with free buddies. */
static void free_block(struct pma_buddy *b, uint64_t p, unsigned k)
{
    while (k < PMA_BUDDY_MAX_ORDER) {
        uint64_t buddy = p ^ block(k);
        if (!in_span(b, buddy, k) || b->state[buddy - b->base] != (PMA_BUDDY_HEAD | k))
            break;
        unlink_block(b, (uint32_t)(buddy - b->base), k);
        if (buddy < p)
            p = buddy;
        k++;
    }
    push(b, (uint32_t)(p - b->base), k);
}

/* Free the absolute frames [p, end) as the largest aligned blocks that fit. */
static void free_blocks(struct pma_buddy *b, uint64_t p, uint64_t end)
{
    while (p < end) {
        unsigned k = p ? (unsigned)__builtin_ctzll(p) : PMA_BUDDY_MAX_ORDER;
        if (k > PMA_BUDDY_MAX_ORDER)
            k = PMA_BUDDY_MAX_ORDER;
        while (p + block(k) > end)
            k--;
        free_block(b, p, k);
        p += block(k);
    }
}

size_t pma_buddy_meta_bytes(uint64_t n)
{
    size_t bytes = (size_t)n * (2 * sizeof(uint32_t) + 1);
    return (bytes + 7) & ~(size_t)7;
}

void pma_buddy_init(struct pma_buddy *b, uint64_t base, uint64_t n, void *meta)
{
    b->base = base;
    b->n = n;
    b->next = meta;
    b->prev = b->next + n;
    b->state = (uint8_t *)(b->prev + n);
    for (uint64_t i = 0; i < n; i++)
        b->state[i] = 0;
    for (unsigned k = 0; k < PMA_BUDDY_ORDERS; k++)
        b->head[k] = PMA_BUDDY_NIL;
}

int pma_buddy_is_free(const struct pma_buddy *b, uint32_t off)
{
    uint32_t h;
    unsigned k;
    return covering(b, off, &h, &k);
}

int pma_buddy_add(struct pma_buddy *b, uint32_t off, uint32_t len)
{
    for (uint64_t i = off; i < (uint64_t)off + len; i++)
        if (pma_buddy_is_free(b, (uint32_t)i))
            return PMA_E_DOUBLE;
    free_blocks(b, b->base + off, b->base + off + len);
    return PMA_OK;
}

int pma_buddy_alloc(struct pma_buddy *b, uint32_t *off)
{
    for (unsigned k = 0; k <= PMA_BUDDY_MAX_ORDER; k++) {
        uint32_t o = b->head[k];
        if (o == PMA_BUDDY_NIL)
            continue;
        unlink_block(b, o, k);
        while (k-- > 0)
            push(b, o + (uint32_t)block(k), k);     /* the upper half stays free */
        *off = o;
        return PMA_OK;
    }
    return PMA_E_EMPTY;
}

void pma_buddy_free(struct pma_buddy *b, uint32_t off)
{
    free_block(b, b->base + off, 0);
}

uint64_t pma_buddy_take(struct pma_buddy *b, uint64_t max, struct pma_range *out, unsigned nout,
                        unsigned *used)
{
    uint64_t got = 0;
    for (unsigned k = PMA_BUDDY_ORDERS; k-- > 0;) {
        while (b->head[k] != PMA_BUDDY_NIL && max - got >= block(k)) {
            uint32_t o = b->head[k];
            if (!pma_range_emit(out, nout, used, o, block(k)))
                return got;
            unlink_block(b, o, k);
            got += block(k);
        }
    }
    while (got < max) {                         /* the rest frame by frame, splitting a block */
        uint32_t o;
        if (pma_buddy_alloc(b, &o) != PMA_OK)
            break;
        if (!pma_range_emit(out, nout, used, o, 1)) {
            pma_buddy_free(b, o);
            break;
        }
        got++;
    }
    return got;
}

/* The free block with the highest start that meets [lo, hi): *head, *order; 0 if none.
 * Walks the free lists, so it costs O(free blocks), not O(hi - lo). */
static int highest_within(const struct pma_buddy *b, uint32_t lo, uint32_t hi, uint32_t *head,
                          unsigned *order)
{
    int found = 0;
    for (unsigned k = 0; k < PMA_BUDDY_ORDERS; k++)
        for (uint32_t o = b->head[k]; o != PMA_BUDDY_NIL; o = b->next[o])
            if (o < hi && o + block(k) > lo && (!found || o > *head)) {
                *head = o;
                *order = k;
                found = 1;
            }
    return found;
}

uint64_t pma_buddy_take_within(struct pma_buddy *b, uint32_t lo, uint32_t hi, uint64_t max,
                               struct pma_range *out, unsigned nout, unsigned *used)
{
    uint64_t got = 0;
    uint32_t h = 0;
    unsigned k = 0;
    while (got < max && highest_within(b, lo, hi, &h, &k)) {
        uint64_t e = h + block(k);
        uint32_t a = h > lo ? h : lo, z = e < hi ? (uint32_t)e : hi;
        if (z - a > max - got)
            a = z - (uint32_t)(max - got);      /* only the top of the block */
        if (!pma_range_emit(out, nout, used, a, z - a))
            break;
        unlink_block(b, h, k);
        free_blocks(b, b->base + h, b->base + a);       /* the parts not taken */
        free_blocks(b, b->base + z, b->base + e);
        got += z - a;
    }
    return got;
}

void pma_buddy_foreach(const struct pma_buddy *b,
                       void (*fn)(void *ctx, uint64_t off, uint64_t len), void *ctx)
{
    uint64_t start = 0, len = 0;
    for (uint64_t off = 0; off < b->n;) {
        uint8_t s = b->state[off];
        if (!(s & PMA_BUDDY_HEAD)) {
            off++;
            continue;
        }
        uint64_t size = block(s & PMA_BUDDY_ORDER_MASK);
        if (len && start + len == off) {
            len += size;
        } else {
            if (len)
                fn(ctx, start, len);
            start = off;
            len = size;
        }
        off += size;
    }
    if (len)
        fn(ctx, start, len);
}
