/* urange.h — user address ranges: the one checked place where a size meets a user address.
 *
 * Every kernel path that adds a size to a user address (map and grant placement, Unmap,
 * MemoryControl, SpaceControl's areas, the kernel-owned pages of a space) asks here instead
 * of computing `base + size` itself: these functions never overflow, and the user half
 * (below USER_ADDR_END) bounds every answer whatever `top` the caller passes.  Pure
 * arithmetic, no context; compiled into the host tests (tests/host/test_fpage.c).
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <sigma4/layout.h>

/* top, never above the end of the user half. */
static inline uint64_t urange_top(uint64_t top)
{
    return top < USER_ADDR_END ? top : USER_ADDR_END;
}

/* Does [base, base + size) lie wholly below top (and in the user half)?  An empty range
 * qualifies if base <= top. */
static inline bool urange_ok(uint64_t base, uint64_t size, uint64_t top)
{
    top = urange_top(top);
    return base <= top && size <= top - base;
}

/* The length of the part of [base, base + size) below top (and in the user half): the
 * range [base, base + urange_clip(...)) is urange_ok; 0 if base is not below top. */
static inline uint64_t urange_clip(uint64_t base, uint64_t size, uint64_t top)
{
    top = urange_top(top);
    if (base >= top)
        return 0;
    return size < top - base ? size : top - base;
}

/* Do [a, a + alen) and [b, b + blen) overlap (anywhere in the 64-bit space, no wrap)? */
static inline bool urange_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a >= b ? alen && a - b < blen : blen && b - a < alen;
}
