/* fpage.h — flexpages: the fpage word, and where a map or grant item's pages go (X.2 4.1).
 *
 * A memory fpage names 2^s bytes at a 2^s-aligned base, s in 12..63 (smaller fpages name no
 * whole page and are ignored), or the complete address space (s = 1, base 0), taken here as
 * s = 64.  Sizes are kept as log2 so that 2^64 needs no 65th bit.  X.2 placement: with a
 * send fpage of 2^s bytes and a receive window of 2^w bytes, if s <= w the fpage lands at
 * window base + (SendBase mod 2^w, rounded down to 2^s); if s > w the 2^w-sized part of the
 * fpage that SendBase selects is transferred, at the window base.  The results are clipped
 * to the user half and to the callers' limits (core/urange.h), so the ranges handed on
 * never wrap and never reach the kernel half.  Pure; host-tested (tests/host/test_fpage.c).
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "core/urange.h"

#define FPAGE_NIL       0ULL
#define FPAGE_R         4
#define FPAGE_W         2
#define FPAGE_X         1
#define FPAGE_MIN_LOG2  12              /* one page: the smallest fpage that maps anything */

static inline uint64_t fpage_addr(uint64_t f) { return f & ~0x3FFULL; }
static inline unsigned fpage_size_log2(uint64_t f) { return (f >> 4) & 0x3F; }
static inline unsigned fpage_rights(uint64_t f) { return f & 7; }
static inline bool fpage_is_complete(uint64_t f) { return fpage_size_log2(f) == 1 && fpage_addr(f) == 0; }

/* log2 of f's size: 64 for the complete fpage. */
static inline unsigned fpage_order(uint64_t f)
{
    return fpage_is_complete(f) ? 64 : fpage_size_log2(f);
}

/* 2^lg - 1 (lg <= 64): the offset bits of an fpage of 2^lg bytes. */
static inline uint64_t fpage_mask(unsigned lg)
{
    return lg >= 64 ? ~0ULL : (1ULL << lg) - 1;
}

/* f's base, aligned down to its size. */
static inline uint64_t fpage_start(uint64_t f)
{
    return fpage_addr(f) & ~fpage_mask(fpage_order(f));
}

/* min(2^lg, USER_ADDR_END): every length in the user half fits, so clipping an fpage with
 * this length to a top in the user half gives the same as with its true (maybe 2^64) size. */
static inline uint64_t fpage_user_len(unsigned lg)
{
    return lg >= 47 ? USER_ADDR_END : 1ULL << lg;
}

/* The part of memory fpage f below top: [*base, *base + *len), a whole number of pages if
 * top is page-aligned.  false (nothing to do) if f is smaller than a page or lies wholly
 * at or above top. */
static inline bool fpage_user_range(uint64_t f, uint64_t top, uint64_t *base, uint64_t *len)
{
    unsigned lg = fpage_order(f);
    if (lg < FPAGE_MIN_LOG2)
        return false;
    *base = fpage_start(f);
    *len = urange_clip(*base, fpage_user_len(lg), top);
    return *len != 0;
}

/* Where an item's pages go: [src, src + len) of the sender to [dst, dst + len) of the
 * receiver. */
struct fpage_placement {
    uint64_t src, dst, len;
};

/* Place send fpage snd (SendBase sbase) in receive window win (X.2, see above), limited to
 * source addresses below src_top and destinations below dst_top (each also the user half):
 * both ranges of *p lie below their tops.  false if nothing is transferred (an fpage or
 * window smaller than a page, or no part of the placement below the tops). */
static inline bool fpage_place(uint64_t snd, uint64_t sbase, uint64_t win,
                               uint64_t src_top, uint64_t dst_top, struct fpage_placement *p)
{
    unsigned s = fpage_order(snd), w = fpage_order(win);
    if (s < FPAGE_MIN_LOG2 || w < FPAGE_MIN_LOG2)
        return false;
    unsigned lg = s <= w ? s : w;
    /* base + (offset below 2^size) never wraps: the base is aligned to that size. */
    if (s <= w) {
        p->src = fpage_start(snd);
        p->dst = fpage_start(win) + (sbase & fpage_mask(w) & ~fpage_mask(s));
    } else {
        p->src = fpage_start(snd) + (sbase & fpage_mask(s) & ~fpage_mask(w));
        p->dst = fpage_start(win);
    }
    uint64_t a = urange_clip(p->src, fpage_user_len(lg), src_top);
    uint64_t b = urange_clip(p->dst, fpage_user_len(lg), dst_top);
    p->len = a < b ? a : b;
    return p->len != 0;
}
