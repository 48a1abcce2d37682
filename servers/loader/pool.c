/* pool.c — the loader's own memory: 2 MiB pages from sigma0, mapped one after another at
 * LD_POOL_WIN, handed out as zeroed page runs and never given back.  What it holds: the
 * memory server's image (the loader pages it) and its start block.  Context: the loader
 * thread.
 */
#include <string.h>
#include "loader.h"

#define CHUNK_LOG2      21

static uint64_t mapped = LD_POOL_WIN;           /* end of what sigma0 gave */
static uint64_t next = LD_POOL_WIN;             /* end of what was handed out */

void *loader_pool_alloc(uint64_t pages)
{
    uint64_t bytes = pages << 12;
    while (mapped - next < bytes) {
        L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, CHUNK_LOG2, L4_FpageLog2(mapped, CHUNK_LOG2));
        if (L4_IsNilFpage(got))
            return 0;
        mapped += 1ULL << CHUNK_LOG2;
    }
    void *p = (void *)next;
    next += bytes;
    memset(p, 0, bytes);
    return p;
}
