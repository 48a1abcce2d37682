/* ext.c — sigma4's extension of the sigma0 protocol (label -1001), for debugging.
 *
 * MR1 = 1: set the console verbosity to MR2 (S0_QUIET .. S0_MESSAGES); MR1 = 2: print the pool.
 * sigma0 answers with the empty message (label 0); a sender that only sent (as Pistachio's
 * clients do) is not waiting for it, and the answer is dropped.
 */
#include "sigma0.h"

bool ext_handle(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t op = 0, arg = 0;
    if (L4_UntypedWords(tag) >= 1)
        L4_StoreMR(1, &op);
    if (L4_UntypedWords(tag) >= 2)
        L4_StoreMR(2, &arg);
    switch (op) {
    case 1:
        sigma0_verbose = (int)(arg > S0_MESSAGES ? S0_MESSAGES : arg);
        S0_LOG(S0_GRANTS, "sigma0: verbosity %d (set by %lx)\n", sigma0_verbose, from.raw);
        break;
    case 2:
        ext_dump();
        break;
    default:
        printf("sigma0: unknown extension request %lu from %lx\n", op, from.raw);
        break;
    }
    reply_empty();
    return true;
}

void ext_dump(void)
{
    const struct pool *p = &sigma0_pool;
    char name[32];
    uint64_t free = 0, kernel = 0, owned = 0;
    printf("sigma0: pool: %u regions (of %u)\n", p->n, POOL_MAX_REGIONS);
    for (unsigned i = 0; i < p->n; i++) {
        const struct pool_region *r = &p->r[i];
        uint64_t size = r->end - r->base;
        printf("sigma0:   %016lx-%016lx %8lu KiB %s\n", r->base, r->end - 1, size >> 10,
               sigma0_owner_name(r->owner, name));
        if (r->owner == POOL_FREE)
            free += size;
        else if (r->owner == POOL_KERNEL)
            kernel += size;
        else
            owned += size;
    }
    printf("sigma0: pool: %lu KiB free, %lu KiB handed out, %lu KiB reserved by the kernel\n",
           free >> 10, owned >> 10, kernel >> 10);
}
