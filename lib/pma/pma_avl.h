/* pma_avl.h — the AVL-tree PMA's state and its operations on frame offsets (used by pma.c).
 *
 * Free frames as maximal ranges [start, start + len) of offsets into the span, one tree node
 * each, keyed by start; no two ranges overlap or touch.  Nodes live in an array in the
 * caller's metadata, linked by 32-bit indexes (PMA_AVL_NIL = none); unused nodes form a free
 * list through `left`.  A span of n frames has at most (n + 1) / 2 maximal free ranges, so
 * n / 2 + 2 nodes never run out.  Offsets are relative to the span base; pma.c checks spans.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define PMA_AVL_NIL     0xFFFFFFFFu

struct pma_avl_node {
    uint32_t start, len;        /* the free range, offsets into the span */
    uint32_t left, right;       /* children (PMA_AVL_NIL: none); `left` links unused nodes */
    uint32_t height;            /* of the subtree, a leaf is 1 */
};

struct pma_avl {
    struct pma_avl_node *node;  /* node[0 .. cap) */
    uint32_t cap;
    uint32_t root;              /* PMA_AVL_NIL: no free frame */
    uint32_t unused;            /* head of the unused-node list */
    uint32_t nranges;           /* nodes in the tree */
};

struct pma_range;

size_t pma_avl_meta_bytes(uint64_t n);
void pma_avl_init(struct pma_avl *t, uint64_t n, void *meta);
/* [off, off + len) becomes free; PMA_E_DOUBLE if part of it is free (tree unchanged). */
int pma_avl_add(struct pma_avl *t, uint32_t off, uint32_t len);
/* Lowest free frame out: *off := it; PMA_E_EMPTY if none. */
int pma_avl_alloc(struct pma_avl *t, uint32_t *off);
int pma_avl_is_free(const struct pma_avl *t, uint32_t off);
/* Up to max frames from the highest ranges down, as span offsets in out (pma.c rebases). */
uint64_t pma_avl_take(struct pma_avl *t, uint64_t max, struct pma_range *out, unsigned nout,
                      unsigned *used);
/* Up to max free frames in [lo, hi), highest first. */
uint64_t pma_avl_take_within(struct pma_avl *t, uint32_t lo, uint32_t hi, uint64_t max,
                             struct pma_range *out, unsigned nout, unsigned *used);
void pma_avl_foreach(const struct pma_avl *t, void (*fn)(void *ctx, uint64_t off, uint64_t len),
                     void *ctx);
