/* pma_buddy.h — the buddy PMA's state and its operations on frame offsets (used by pma.c).
 *
 * Free frames as blocks of 2^k frames (k <= PMA_BUDDY_MAX_ORDER) whose *absolute* frame
 * number is a multiple of 2^k (so a 512-frame block is a 2 MiB-aligned physical page), lying
 * wholly inside the span.  One doubly linked list per order, linked through 32-bit offsets in
 * next[]/prev[]; state[off] is PMA_BUDDY_HEAD | k when a free block of order k starts at off,
 * else 0.  Invariant: never two free buddies of the same order (they are merged on free).
 * Metadata: 9 bytes per frame of the span.  Offsets are relative to the span base.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>

#define PMA_BUDDY_MAX_ORDER     18              /* 2^18 frames = 1 GiB */
#define PMA_BUDDY_ORDERS        (PMA_BUDDY_MAX_ORDER + 1)
#define PMA_BUDDY_HEAD          0x80u
#define PMA_BUDDY_ORDER_MASK    0x1Fu
#define PMA_BUDDY_NIL           0xFFFFFFFFu

struct pma_buddy {
    uint64_t base, n;                   /* the span (absolute alignment needs the base) */
    uint32_t *next, *prev;              /* list links, by offset */
    uint8_t *state;                     /* per frame: PMA_BUDDY_HEAD | order, or 0 */
    uint32_t head[PMA_BUDDY_ORDERS];    /* first free block of each order */
};

struct pma_range;

size_t pma_buddy_meta_bytes(uint64_t n);
void pma_buddy_init(struct pma_buddy *b, uint64_t base, uint64_t n, void *meta);
int pma_buddy_add(struct pma_buddy *b, uint32_t off, uint32_t len);
int pma_buddy_alloc(struct pma_buddy *b, uint32_t *off);
void pma_buddy_free(struct pma_buddy *b, uint32_t off);
int pma_buddy_is_free(const struct pma_buddy *b, uint32_t off);
uint64_t pma_buddy_take(struct pma_buddy *b, uint64_t max, struct pma_range *out, unsigned nout,
                        unsigned *used);
uint64_t pma_buddy_take_within(struct pma_buddy *b, uint32_t lo, uint32_t hi, uint64_t max,
                               struct pma_range *out, unsigned nout, unsigned *used);
void pma_buddy_foreach(const struct pma_buddy *b,
                       void (*fn)(void *ctx, uint64_t off, uint64_t len), void *ctx);
