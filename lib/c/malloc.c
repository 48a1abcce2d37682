/* malloc.c — the heap: first-fit allocation from an address-ordered free list with coalescing.
 *
 * Every block starts with a 16-byte header {size, next-or-magic}; the payload follows, so
 * payloads are 16-byte aligned.  `size` counts the header and is a multiple of 16.  Free blocks
 * form a singly linked list sorted by address; freeing merges a block with its neighbours when
 * they touch, so the list never holds two adjacent blocks.  Used blocks carry a magic word
 * that free() and realloc() check.  Allocation splits a fitting block at its front and leaves
 * the remainder in the list.
 *
 * Memory comes only from __heap_more(); it need not be contiguous (regions that happen to touch
 * merge like any neighbours).  Today it carves the static arena that user.ld reserves at the end
 * of .bss (HEAP_ARENA_SIZE, default 4 MiB); later it will ask sigma0.
 * Single-threaded: no locks.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include "libc.h"

#define ALIGN           16
#define HDR             sizeof(struct block)
#define MIN_BLOCK       (2 * HDR)               /* smallest block worth splitting off */
#define GROW_MIN        (64 * 1024)             /* smallest request to __heap_more */
#define USED_MAGIC      0x5a5a0000a110c8edULL

struct block {
    size_t size;                                /* bytes including this header */
    union {
        struct block *next;                     /* free: next free block, higher address */
        uint64_t magic;                         /* used: USED_MAGIC */
    };
};
_Static_assert(sizeof(struct block) == ALIGN, "block header keeps payloads aligned");

static struct block *free_list;
static size_t heap_bytes, free_bytes;

/* ---- where memory comes from ------------------------------------------------------------- */

extern unsigned char __heap_arena_start[], __heap_arena_end[];    /* from user.ld, zeroed */
static size_t arena_used;

/* At least `size` (a multiple of 16) fresh bytes, 16-byte aligned, or NULL: the only function
 * that knows where heap memory comes from. */
void *__heap_more(size_t size)
{
    if (size > (size_t)(__heap_arena_end - __heap_arena_start) - arena_used)
        return NULL;
    void *p = __heap_arena_start + arena_used;
    arena_used += size;
    return p;
}

/* ---- the free list ----------------------------------------------------------------------- */

static size_t round_up(size_t n, size_t a)
{
    return (n + a - 1) & ~(a - 1);
}

static struct block *header_of(void *p)
{
    struct block *b = (struct block *)p - 1;
    if (((uintptr_t)p & (ALIGN - 1)) || b->magic != USED_MAGIC) {
        printf("malloc: bad or freed pointer %p\n", p);
        abort();
    }
    return b;
}

/* Put b into the free list at its address, merging with touching neighbours. */
static void release(struct block *b)
{
    struct block **pp = &free_list, *prev = NULL;
    free_bytes += b->size;
    while (*pp && *pp < b) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    b->next = *pp;
    if (b->next && (char *)b + b->size == (char *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (prev && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
    } else {
        *pp = b;
    }
}

/* Keep the first `need` bytes of used block b, return a large enough tail to the free list. */
static void trim(struct block *b, size_t need)
{
    if (b->size - need >= MIN_BLOCK) {
        struct block *rest = (struct block *)((char *)b + need);
        rest->size = b->size - need;
        b->size = need;
        release(rest);
    }
}

/* Block size for a request of n bytes, or 0 if it cannot be represented. */
static size_t block_size(size_t n)
{
    if (n > SIZE_MAX / 2)
        return 0;
    return round_up(n ? n : 1, ALIGN) + HDR;
}

/* Take the first free block of at least `need` bytes, split at its front; NULL if none. */
static struct block *take(size_t need)
{
    for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
        struct block *b = *pp;
        if (b->size < need)
            continue;
        if (b->size - need >= MIN_BLOCK) {
            struct block *rest = (struct block *)((char *)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *pp = rest;
            b->size = need;
        } else {
            *pp = b->next;
        }
        free_bytes -= b->size;
        b->magic = USED_MAGIC;
        return b;
    }
    return NULL;
}

/* ---- the interface ----------------------------------------------------------------------- */

void __malloc_init(void)
{
    free_list = NULL;
    heap_bytes = free_bytes = 0;
}

void *malloc(size_t n)
{
    size_t need = block_size(n);
    if (!need)
        return NULL;
    struct block *b = take(need);
    if (!b) {
        size_t grow = round_up(need > GROW_MIN ? need : GROW_MIN, 4096);
        struct block *fresh = __heap_more(grow);
        if (!fresh)
            return NULL;
        heap_bytes += grow;
        fresh->size = grow;
        release(fresh);
        b = take(need);
    }
    return b + 1;
}

void free(void *p)
{
    if (!p)
        return;
    release(header_of(p));
}

void *calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    void *p = malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct block *b = header_of(p);
    size_t need = block_size(n);
    if (!need)
        return NULL;
    if (b->size >= need) {                      /* shrink in place */
        trim(b, need);
        return p;
    }
    /* Grow in place if the next block is free and big enough. */
    struct block **pp = &free_list;
    while (*pp && *pp < b)
        pp = &(*pp)->next;
    struct block *nb = *pp;
    if (nb && (char *)b + b->size == (char *)nb && b->size + nb->size >= need) {
        *pp = nb->next;
        free_bytes -= nb->size;
        b->size += nb->size;
        trim(b, need);
        return p;
    }
    void *q = malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, b->size - HDR);
    free(p);
    return q;
}

void __malloc_stats(size_t *heap, size_t *free_now)
{
    if (heap)
        *heap = heap_bytes;
    if (free_now)
        *free_now = free_bytes;
}
