/* kmem.h — kernel memory: the kernel object pool behind one lock.
 *
 * Every run-time kernel allocation goes through here.  Exhaustion returns NULL; callers turn
 * it into the X.2 error "out of memory" (8).  Blocks are zeroed, naturally aligned, and
 * addressed through the direct map.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Take [base, base+size) (physical, page-aligned) as the pool.  Boot CPU, once. */
void kmem_init(uint64_t base, uint64_t size);

/* 2^order zeroed pages, or NULL. */
void *kmem_alloc(unsigned order);

/* Return a block from kmem_alloc with the same order. */
void kmem_free(void *p, unsigned order);

uint64_t kmem_free_bytes(void);
uint64_t kmem_total_bytes(void);
