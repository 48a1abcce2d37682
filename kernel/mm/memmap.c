/* memmap.c — the physical memory map: typed, sorted, non-overlapping regions.
 *
 * Invariants of struct memmap after every call (memmap_init establishes them):
 *   - r[0..n) sorted by base, each base < end, and r[i].end <= r[i+1].base;
 *   - two regions that touch (r[i].end == r[i+1].base) differ in type or subtype.
 * memmap_set replaces the slice of regions that overlaps the new range by at most three
 * regions (left remainder, new region, right remainder), folding in equal neighbours; it
 * counts the result before moving anything, so a call that does not fit leaves the map as it
 * was.  Pure data structure: boot CPU only, no locks, no allocation.
 */
#include "mm/memmap.h"
#include <stdbool.h>

void memmap_init(struct memmap *m)
{
    m->n = 0;
}

static bool same_kind(const struct mem_region *r, uint8_t type, uint8_t subtype)
{
    return r->type == type && r->subtype == subtype;
}

/* Move r[from..n) to start at index `to` (either direction) and fix n. */
static void shift_tail(struct memmap *m, unsigned from, unsigned to)
{
    unsigned count = m->n - from;
    if (to > from) {
        for (unsigned k = count; k > 0; k--)
            m->r[to + k - 1] = m->r[from + k - 1];
    } else if (to < from) {
        for (unsigned k = 0; k < count; k++)
            m->r[to + k] = m->r[from + k];
    }
    m->n = to + count;
}

int memmap_set(struct memmap *m, uint64_t base, uint64_t end, uint8_t type, uint8_t subtype)
{
    if (base >= end)
        return -1;

    /* [i0, i1): the regions that overlap [base, end). */
    unsigned i0 = 0;
    while (i0 < m->n && m->r[i0].end <= base)
        i0++;
    unsigned i1 = i0;
    while (i1 < m->n && m->r[i1].base < end)
        i1++;

    struct mem_region left = { 0, 0, 0, 0 }, right = { 0, 0, 0, 0 };
    bool has_left = false, has_right = false;
    uint64_t nb = base, ne = end;

    if (i0 < i1 && m->r[i0].base < base) {          /* left remainder of r[i0] */
        if (same_kind(&m->r[i0], type, subtype)) {
            nb = m->r[i0].base;
        } else {
            left = m->r[i0];
            left.end = base;
            has_left = true;
        }
    }
    if (i0 < i1 && m->r[i1 - 1].end > end) {        /* right remainder of r[i1-1] */
        if (same_kind(&m->r[i1 - 1], type, subtype)) {
            ne = m->r[i1 - 1].end;
        } else {
            right = m->r[i1 - 1];
            right.base = end;
            has_right = true;
        }
    }
    /* Fold in untouched neighbours that meet the new region exactly. */
    if (!has_left && i0 > 0 && m->r[i0 - 1].end == nb && same_kind(&m->r[i0 - 1], type, subtype))
        nb = m->r[--i0].base;
    if (!has_right && i1 < m->n && m->r[i1].base == ne && same_kind(&m->r[i1], type, subtype))
        ne = m->r[i1++].end;

    unsigned k = (unsigned)has_left + 1 + (unsigned)has_right;
    if (m->n - (i1 - i0) + k > MEMMAP_MAX)
        return -1;

    shift_tail(m, i1, i0 + k);
    unsigned w = i0;
    if (has_left)
        m->r[w++] = left;
    m->r[w++] = (struct mem_region){ nb, ne, type, subtype };
    if (has_right)
        m->r[w] = right;
    return 0;
}

uint64_t memmap_find_top(const struct memmap *m, uint8_t type, uint64_t size,
                         uint64_t align, uint64_t limit)
{
    if (size == 0 || align == 0 || (align & (align - 1)) != 0)
        return 0;
    uint64_t best = 0;
    for (unsigned i = 0; i < m->n; i++) {
        const struct mem_region *r = &m->r[i];
        if (r->type != type)
            continue;
        uint64_t top = r->end < limit ? r->end : limit;
        if (top <= r->base || top - r->base < size)
            continue;
        uint64_t a = (top - size) & ~(align - 1);   /* top - size >= r->base: no wrap */
        if (a >= r->base && a > best)
            best = a;
    }
    return best;
}

uint64_t memmap_total(const struct memmap *m, uint8_t type)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].type == type)
            sum += m->r[i].end - m->r[i].base;
    return sum;
}

uint64_t memmap_top(const struct memmap *m, uint8_t type)
{
    uint64_t top = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].type == type && m->r[i].end > top)
            top = m->r[i].end;
    return top;
}
