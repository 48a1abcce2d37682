/* pma.h — a physical memory allocator (PMA): free frames of one span, behind one interface.
 *
 * A PMA manages frame numbers (pfn = physical address >> 12) inside a fixed span
 * [base, base + n) chosen at init.  It knows only which frames of the span are *free here*;
 * frames of the span that are not free are someone else's business (allocated, held by
 * another pager, not memory at all).  Two algorithms sit behind the interface:
 *     PMA_AVL    an AVL tree of maximal free ranges (pma_avl.c; the paper's and L4Re's)
 *     PMA_BUDDY  a binary buddy allocator (pma_buddy.c)
 * Invariants (both kinds, checked by tests/host/test_pma.c): every free frame is inside the
 * span; no frame is free twice; nfree is the number of free frames; free ranges are kept
 * coalesced (AVL: no two ranges touch; buddy: no two free buddies of one order).
 *
 * Metadata lives in memory the caller provides (pma_meta_bytes), so the code needs no malloc:
 * it is pure (no L4 calls, no output), single-threaded, and runs unchanged in the memory
 * server and in the host unit tests.  docs/design/pagers.md, "Allocators".
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "pma_avl.h"
#include "pma_buddy.h"

enum pma_kind {
    PMA_AVL = 1,                /* same numbers as PAGER_ALG_* (abi/include/sigma4/pager.h) */
    PMA_BUDDY = 2,
};

enum pma_err {
    PMA_OK = 0,
    PMA_E_EMPTY,                /* no free frame */
    PMA_E_RANGE,                /* frames outside the span, or an empty range */
    PMA_E_DOUBLE,               /* a frame that is free already (double free, overlapping add) */
    PMA_E_NOMETA,               /* metadata exhausted (cannot happen with pma_meta_bytes) */
    PMA_E_ARG,                  /* bad kind or span */
};

/* Largest span: frame offsets are 32-bit, and one value is the "none" link. */
#define PMA_MAX_FRAMES          0xFFFFFFF0ULL

/* A run of frames [pfn, pfn + count). */
struct pma_range {
    uint64_t pfn, count;
};

struct pma {
    enum pma_kind kind;
    uint64_t base;              /* first frame of the span */
    uint64_t n;                 /* frames in the span */
    uint64_t nfree;             /* frames free here */
    union {
        struct pma_avl avl;
        struct pma_buddy buddy;
    } u;
};

/* Bytes of metadata a PMA of `kind` over n frames needs (0 for a bad kind); 8-byte aligned. */
size_t pma_meta_bytes(enum pma_kind kind, uint64_t n);

/* An empty PMA of `kind` over [base, base + n) with pma_meta_bytes(kind, n) bytes at `meta`
 * (8-byte aligned, owned by the PMA until it is no longer used).  PMA_E_ARG for an unknown
 * kind, n = 0, n > PMA_MAX_FRAMES or a span that wraps. */
int pma_init(struct pma *a, enum pma_kind kind, uint64_t base, uint64_t n, void *meta);

/* The name of a kind ("avl", "buddy", "?"). */
const char *pma_kind_name(enum pma_kind kind);

/* Make [pfn, pfn + count) free here.  PMA_E_RANGE if count = 0 or any frame is outside the
 * span, PMA_E_DOUBLE if any is free already; on error nothing changes. */
int pma_add(struct pma *a, uint64_t pfn, uint64_t count);

/* Take one free frame: *pfn := it.  PMA_E_EMPTY if there is none. */
int pma_alloc(struct pma *a, uint64_t *pfn);

/* Make frame pfn free again.  PMA_E_RANGE outside the span, PMA_E_DOUBLE if it is free. */
int pma_free(struct pma *a, uint64_t pfn);

/* Remove up to `max` free frames (donation): at most nout ranges are written to out, *nout_used
 * := how many; returns the frames removed (fewer than max if the PMA or out ran out).
 * AVL takes from the highest ranges down, buddy from the largest blocks down. */
uint64_t pma_take(struct pma *a, uint64_t max, struct pma_range *out, unsigned nout,
                  unsigned *nout_used);

/* Remove up to `max` free frames of [lo, hi) (return to a home pager), highest first, as
 * ranges like pma_take; stops early when out is full (call again for the rest).  Returns the
 * frames removed. */
uint64_t pma_take_within(struct pma *a, uint64_t lo, uint64_t hi, uint64_t max,
                         struct pma_range *out, unsigned nout, unsigned *nout_used);

/* Call fn(ctx, pfn, count) for every maximal free range, in address order.  fn must not
 * change the PMA. */
void pma_foreach_free(const struct pma *a, void (*fn)(void *ctx, uint64_t pfn, uint64_t count),
                      void *ctx);

/* Move every free frame of `from` into `to` (algorithm switch); `to`'s span must cover
 * `from`'s.  PMA_E_RANGE if it does not (nothing moved), PMA_E_DOUBLE if a frame is free in
 * both (the frames moved so far stay moved; a caller bug). */
int pma_drain(struct pma *from, struct pma *to);

/* Frames free here. */
static inline uint64_t pma_free_count(const struct pma *a)
{
    return a->nfree;
}

/* Is frame pfn free here? (false outside the span) */
bool pma_is_free(const struct pma *a, uint64_t pfn);

/* For the algorithm files: append [pfn, pfn + count) to out[0 .. *used), merged with the last
 * range if the two touch; false (nothing written) if out is full. */
bool pma_range_emit(struct pma_range *out, unsigned nout, unsigned *used, uint64_t pfn,
                    uint64_t count);
