/* request.c — the X.2 sigma0 protocol: threads ask for physical memory (label -6).
 *
 * Request: u = 2, t = 0; MR1 = fpage (base, log2 size s, rights), MR2 = attributes.  A base
 * whose bits are all ones (above the size: L4_FpageLog2(~0, s) and the raw ~0 << 10 both count)
 * asks for any free page of that size; sigma0 takes the highest free size-aligned block, so
 * low memory (ISA DMA, the root servers' neighbourhood) stays for those who ask for it by
 * address.  Reply: one map item of the page with the requested rights (none named: all), or
 * the nil map item if sigma0 refuses.
 * Memory belongs to the first thread that gets it; that thread may ask again (and gets the same
 * answer), every other thread is refused.  Also refused: malformed requests, attributes other
 * than 0 (default caching; MemoryControl is not wired up yet), pages smaller than the kernel's
 * smallest page or larger than 2^SIGMA0_MAX_LOG2, bases not aligned to their size, memory that
 * is not conventional (not in the pool) or reserved by the kernel, and "any" when nothing fits.
 */
#include "sigma0.h"

/* Is fpage f (size 2^s) the "any page" request (all base bits above the size set)? */
static bool is_any(L4_Word_t f, unsigned s)
{
    L4_Word_t below = s >= 64 ? ~0UL : (1UL << s) - 1;
    return (f | below | 0x3FFUL) == ~0UL;
}

/* Refuse: print why (at S0_REFUSALS) and load the nil map item. */
static bool refuse(L4_ThreadId_t from, L4_Word_t f, const char *why)
{
    S0_LOG(S0_REFUSALS, "sigma0: refused fpage %lx (base 0x%lx, 2^%lu bytes) to %lx: %s\n", f,
           f & L4_FPAGE_BASE_MASK, L4_SizeLog2(__L4_FpageFromRaw(f)), from.raw, why);
    reply_refuse();
    return true;
}

bool request_handle(L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t f, attributes;
    L4_StoreMR(1, &f);
    L4_StoreMR(2, &attributes);
    if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0)
        return refuse(from, f, "malformed request (want u = 2, t = 0)");
    if (attributes != 0)
        return refuse(from, f, "memory attributes are not supported yet");
    if (f & L4_FPAGE_EXTENDED)
        return refuse(from, f, "extended (above 2^64) fpages are not supported");
    unsigned s = (unsigned)L4_SizeLog2(__L4_FpageFromRaw(f));
    if (s < sigma0_page_log2 || s > SIGMA0_MAX_LOG2)
        return refuse(from, f, "unsupported size");
    L4_Word_t size = 1UL << s, rights = f & L4_FPAGE_RIGHTS_MASK, base;
    if (rights == 0)
        rights = L4_FullyAccessible;
    if (is_any(f, s)) {
        base = pool_find_free(&sigma0_pool, s);
        if (base == ~0UL)
            return refuse(from, f, "no free memory of that size");
    } else {
        base = f & L4_FPAGE_BASE_MASK;
        if (base & (size - 1))
            return refuse(from, f, "base not aligned to the size");
        L4_Word_t holder = 0;
        switch (pool_check(&sigma0_pool, base, base + size, from.raw, &holder)) {
        case POOL_OK:
            break;
        case POOL_NOT_RAM:
            return refuse(from, f, "not conventional memory");
        case POOL_TAKEN: {
            char name[32], why[48];
            if (holder == POOL_KERNEL)
                return refuse(from, f, "reserved by the kernel");
            snprintf(why, sizeof why, "owned by %s", sigma0_owner_name(holder, name));
            return refuse(from, f, why);
        }
        }
    }
    if (pool_set(&sigma0_pool, base, base + size, from.raw) < 0)
        return refuse(from, f, "region table full");
    S0_LOG(S0_GRANTS, "sigma0: %lx gets 0x%lx-0x%lx (%c%c%c)\n", from.raw, base, base + size - 1,
           rights & 4 ? 'r' : '-', rights & 2 ? 'w' : '-', rights & 1 ? 'x' : '-');
    reply_map(base, s, rights);
    return true;
}
