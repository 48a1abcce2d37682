/* kmem.c — kernel memory: the frame pool (mm/frame.c) behind kmem_lock, via the direct map. */
#include "mm/kmem.h"
#include "mm/frame.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "debug/panic.h"
#include "arch.h"

static struct frame_pool pool;                 /* guarded by kmem_lock */
static struct spinlock kmem_lock = SPINLOCK_INIT("kmem");

void kmem_init(uint64_t base, uint64_t size)
{
    size_t nframes = size / FRAME_SIZE;
    size_t words = frame_bitmap_words(nframes);
    size_t bitmap_frames = (words * 8 + FRAME_SIZE - 1) / FRAME_SIZE;
    frame_pool_init(&pool, base, nframes, phys_to_virt(base));
    frame_reserve(&pool, base, bitmap_frames);
}

void *kmem_alloc(unsigned order)
{
    spin_lock(&kmem_lock);
    uint64_t pa = frame_alloc(&pool, order);
    spin_unlock(&kmem_lock);
    if (pa == FRAME_NONE)
        return NULL;
    void *p = phys_to_virt(pa);
    memset(p, 0, FRAME_SIZE << order);
    return p;
}

void kmem_free(void *p, unsigned order)
{
    spin_lock(&kmem_lock);
    bool ok = frame_free(&pool, virt_to_phys(p), order);
    spin_unlock(&kmem_lock);
    if (!ok)
        panic("kmem_free: bad block %p order %u", p, order);
}

uint64_t kmem_free_bytes(void) { return (uint64_t)frame_free_count(&pool) * FRAME_SIZE; }
uint64_t kmem_total_bytes(void) { return (uint64_t)pool.nframes * FRAME_SIZE; }
