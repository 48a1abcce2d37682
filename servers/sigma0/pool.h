/* pool.h — sigma0's memory pool: physical memory as a sorted list of regions, each with an owner.
 *
 * A region is a page-aligned half-open range [base, end) of physical memory and the one owner
 * of all of it.  The list is sorted by base, regions never overlap, and neighbours that touch
 * and have the same owner are always merged, so a free block of memory is inside one region.
 * Memory the list does not cover is not memory sigma0 hands out (not RAM, or RAM the boot
 * loader, firmware or devices use).  The list lives in a fixed table (POOL_MAX_REGIONS); an
 * operation that would overflow it fails and leaves the pool as it was.
 *
 * Pure code (no L4 calls, no output), single-threaded: sigma0 has one thread.
 */
#pragma once
#include <stdint.h>

#define POOL_MAX_REGIONS        4096

/* Owners.  Any other value is the global thread id of the owner.  The special values have the
 * low six bits clear, so they are never global ids (whose version's low bits are non-zero). */
#define POOL_FREE               0x00ULL     /* conventional memory nobody has asked for */
#define POOL_KERNEL             0x40ULL     /* reserved by the kernel (reserved descriptor) */

struct pool_region {
    uint64_t base, end;         /* [base, end), page aligned, base < end */
    uint64_t owner;             /* POOL_FREE, POOL_KERNEL or a thread id */
};

struct pool {
    unsigned n;                 /* regions in use */
    struct pool_region r[POOL_MAX_REGIONS];
};

/* Outcome of pool_check. */
enum pool_check {
    POOL_OK,                    /* all of the range is free or already the asker's */
    POOL_NOT_RAM,               /* part of the range is not in the pool */
    POOL_TAKEN,                 /* part belongs to someone else (kernel or another thread) */
};

/* Make the pool empty. */
void pool_init(struct pool *p);

/* Make [base, end) one region of `owner`, whatever covered it before (base < end, both page
 * aligned).  0, or -1 if the table is full (the pool is unchanged). */
int pool_set(struct pool *p, uint64_t base, uint64_t end, uint64_t owner);

/* Take [base, end) out of the pool.  0, or -1 if the table is full (pool unchanged). */
int pool_remove(struct pool *p, uint64_t base, uint64_t end);

/* Give the free parts of [base, end) to `owner`; other parts keep their owner.  0, or -1 if the
 * table filled up (the parts given so far stay given). */
int pool_claim(struct pool *p, uint64_t base, uint64_t end, uint64_t owner);

/* May `who` have [base, end)?  On POOL_TAKEN, *holder (if not NULL) := the first other owner
 * found.  An empty range is POOL_OK. */
enum pool_check pool_check(const struct pool *p, uint64_t base, uint64_t end, uint64_t who,
                           uint64_t *holder);

/* The base of the highest free block of 2^log2size bytes aligned to its size, or ~0 if there
 * is none (log2size < 64).  The pool is not changed. */
uint64_t pool_find_free(const struct pool *p, unsigned log2size);

/* Bytes in the pool that belong to `owner`. */
uint64_t pool_bytes(const struct pool *p, uint64_t owner);

/* Bytes in the pool in all. */
uint64_t pool_total(const struct pool *p);
