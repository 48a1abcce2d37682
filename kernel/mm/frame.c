/* frame.c — the kernel object pool: a bitmap allocator of 4 KiB physical frames.
 *
 * Bit i of the bitmap is set while frame i (at base + i*FRAME_SIZE) is allocated; bits past
 * nframes stay clear and are never looked at.  nfree always equals the number of clear bits
 * below nframes, and hint < nframes (or 0 for an empty pool).  A block of 2^order frames
 * starts at a frame index that is a multiple of 2^order (natural alignment); the search
 * tries such indices from the hint up, then wraps once to the start.  The caller holds the
 * pool's lock (kmem_lock); no allocation, no hardware.
 */
#include "mm/frame.h"

/* Bits [b, b+k) of one word, 0 < k <= 64 - b. */
static uint64_t word_mask(size_t b, size_t k)
{
    return (k == 64 ? ~0ULL : ((1ULL << k) - 1)) << b;
}

/* True if bits [i, i+n) are all set (want_set) or all clear (!want_set). */
static bool bits_all(const uint64_t *bm, size_t i, size_t n, bool want_set)
{
    while (n > 0) {
        size_t b = i % 64, k = 64 - b < n ? 64 - b : n;
        uint64_t mask = word_mask(b, k), got = bm[i / 64] & mask;
        if (got != (want_set ? mask : 0))
            return false;
        i += k;
        n -= k;
    }
    return true;
}

/* Set or clear bits [i, i+n). */
static void bits_assign(uint64_t *bm, size_t i, size_t n, bool set)
{
    while (n > 0) {
        size_t b = i % 64, k = 64 - b < n ? 64 - b : n;
        uint64_t mask = word_mask(b, k);
        if (set)
            bm[i / 64] |= mask;
        else
            bm[i / 64] &= ~mask;
        i += k;
        n -= k;
    }
}

void frame_pool_init(struct frame_pool *p, uint64_t base, size_t nframes, uint64_t *bitmap)
{
    p->base = base;
    p->nframes = nframes;
    p->nfree = nframes;
    p->hint = 0;
    p->bitmap = bitmap;
    for (size_t w = 0; w < frame_bitmap_words(nframes); w++)
        bitmap[w] = 0;
}

void frame_reserve(struct frame_pool *p, uint64_t phys, size_t n)
{
    uint64_t pool_end = p->base + (uint64_t)p->nframes * FRAME_SIZE;
    uint64_t lo = phys, hi = phys + (uint64_t)n * FRAME_SIZE;
    if (hi < lo)                                /* wrapped: reserve to the end */
        hi = ~0ULL;
    if (lo < p->base)
        lo = p->base;
    if (hi > pool_end)
        hi = pool_end;
    if (lo >= hi)
        return;
    size_t first = (lo - p->base) / FRAME_SIZE;
    size_t last = (hi - p->base + FRAME_SIZE - 1) / FRAME_SIZE;     /* exclusive */
    for (size_t i = first; i < last; i++) {
        uint64_t bit = 1ULL << (i % 64);
        if (!(p->bitmap[i / 64] & bit)) {
            p->bitmap[i / 64] |= bit;
            p->nfree--;
        }
    }
}

/* First free aligned block of `block` frames with index in [from, to), or nframes if none. */
static size_t find_block(const struct frame_pool *p, size_t from, size_t to, size_t block)
{
    for (size_t i = from; i < to && block <= p->nframes - i; i += block)
        if (bits_all(p->bitmap, i, block, false))
            return i;
    return p->nframes;
}

uint64_t frame_alloc(struct frame_pool *p, unsigned order)
{
    if (order >= 8 * sizeof(size_t) - 1)
        return FRAME_NONE;
    size_t block = (size_t)1 << order;
    if (block > p->nfree)
        return FRAME_NONE;
    size_t start = (p->hint + block - 1) & ~(block - 1);        /* hint < nframes: no wrap */
    size_t i = find_block(p, start, p->nframes, block);
    if (i == p->nframes)
        i = find_block(p, 0, start, block);
    if (i == p->nframes)
        return FRAME_NONE;
    bits_assign(p->bitmap, i, block, true);
    p->nfree -= block;
    p->hint = i + block < p->nframes ? i + block : 0;
    return p->base + (uint64_t)i * FRAME_SIZE;
}

bool frame_free(struct frame_pool *p, uint64_t phys, unsigned order)
{
    if (order >= 8 * sizeof(size_t) - 1 || phys < p->base || (phys - p->base) % FRAME_SIZE)
        return false;
    uint64_t idx = (phys - p->base) / FRAME_SIZE;
    size_t block = (size_t)1 << order;
    if (idx >= p->nframes || block > p->nframes - idx || (idx & (block - 1)))
        return false;
    if (!bits_all(p->bitmap, (size_t)idx, block, true))
        return false;
    bits_assign(p->bitmap, (size_t)idx, block, false);
    p->nfree += block;
    return true;
}
