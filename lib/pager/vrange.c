/* vrange.c — runs of virtual pages from a range, two bitmaps (see vrange.h).
 *
 * The scans go a 64-bit word at a time where they can (ctz over the inverted or plain word),
 * so an allocation costs O(pages scanned / 64) and a free O(its pages).
 */
#include "vrange.h"

#define WORDS(n)        (((n) + 63) / 64)

static int bit(const uint64_t *bm, uint64_t i)
{
    return (int)((bm[i / 64] >> (i % 64)) & 1);
}

/* The first index in [i, end) whose bit in bm is `want`, or end. */
static uint64_t next_bit(const uint64_t *bm, uint64_t i, uint64_t end, int want)
{
    while (i < end) {
        uint64_t w = want ? bm[i / 64] : ~bm[i / 64];
        w &= ~0ULL << (i % 64);                 /* bits below i do not count */
        if (w) {
            uint64_t j = (i & ~63ULL) + (uint64_t)__builtin_ctzll(w);
            return j < end ? j : end;
        }
        i = (i & ~63ULL) + 64;
    }
    return end;
}

size_t vrange_meta_bytes(uint64_t npages)
{
    return (size_t)(2 * WORDS(npages) * sizeof(uint64_t));
}

void vrange_init(struct vrange *v, uint64_t npages, void *meta)
{
    v->npages = npages;
    v->used = meta;
    v->start = v->used + WORDS(npages);
    for (uint64_t i = 0; i < 2 * WORDS(npages); i++)
        v->used[i] = 0;
    v->hint = 0;
    v->nused = 0;
}

int64_t vrange_alloc(struct vrange *v, uint64_t n)
{
    if (n == 0 || n > v->npages)
        return -1;
    uint64_t i = next_bit(v->used, v->hint, v->npages, 0);
    while (i + n <= v->npages) {
        uint64_t j = next_bit(v->used, i, i + n, 1);
        if (j == i + n)
            break;                              /* [i, i + n) is free */
        i = next_bit(v->used, j, v->npages, 0);
    }
    if (i + n > v->npages)
        return -1;
    for (uint64_t k = i; k < i + n; k++)
        v->used[k / 64] |= 1ULL << (k % 64);
    v->start[i / 64] |= 1ULL << (i % 64);
    if (i == v->hint)
        v->hint = i + n;
    v->nused += n;
    return (int64_t)i;
}

uint64_t vrange_free(struct vrange *v, uint64_t first)
{
    if (first >= v->npages || !bit(v->start, first))
        return 0;
    uint64_t end = next_bit(v->start, first + 1, v->npages, 1);
    uint64_t hole = next_bit(v->used, first + 1, end, 0);
    end = hole < end ? hole : end;
    v->start[first / 64] &= ~(1ULL << (first % 64));
    for (uint64_t k = first; k < end; k++)
        v->used[k / 64] &= ~(1ULL << (k % 64));
    if (first < v->hint)
        v->hint = first;
    v->nused -= end - first;
    return end - first;
}
