/* frame.h — the kernel object pool: a bitmap allocator of 4 KiB physical frames.
 *
 * The pool is one contiguous physical range reserved at boot (size from `kmem=`, default
 * 16 MiB, described in the KIP as reserved memory).  Everything the kernel allocates at run
 * time (page tables, TCBs, mapping nodes) comes from here, so exhaustion is an error the caller
 * returns to user space, never a panic.  Blocks of 2^order frames are naturally aligned.
 * Pure module: the caller provides locking (kmem_lock) and the bitmap storage.
 */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define FRAME_SIZE      4096ULL
#define FRAME_SHIFT     12
#define FRAME_NONE      ((uint64_t)0)   /* never a valid frame: the pool never starts at 0 */

struct frame_pool {
    uint64_t  base;             /* physical address of frame 0, FRAME_SIZE aligned, != 0 */
    size_t    nframes;
    size_t    nfree;
    size_t    hint;             /* frame index where the next search starts */
    uint64_t *bitmap;           /* bit i set = frame i allocated; (nframes+63)/64 words */
};

/* Words of bitmap storage needed for n frames. */
static inline size_t frame_bitmap_words(size_t nframes) { return (nframes + 63) / 64; }

/* Initialise a pool of nframes frames at base, all free. */
void frame_pool_init(struct frame_pool *p, uint64_t base, size_t nframes, uint64_t *bitmap);

/* Mark [phys, phys + n*FRAME_SIZE) allocated (used at boot to carve out the bitmap itself). */
void frame_reserve(struct frame_pool *p, uint64_t phys, size_t n);

/* Allocate 2^order contiguous frames aligned to 2^order frames.  Returns the physical address
 * or FRAME_NONE when no such block is free. */
uint64_t frame_alloc(struct frame_pool *p, unsigned order);

/* Free a block previously returned by frame_alloc with the same order.  Returns false (and
 * changes nothing) if the block is outside the pool, misaligned or not fully allocated. */
bool frame_free(struct frame_pool *p, uint64_t phys, unsigned order);

/* Number of free frames. */
static inline size_t frame_free_count(const struct frame_pool *p) { return p->nfree; }
