/* root_overlap.c — do two root servers claim the same physical memory?
 *
 * Each root server occupies the physical range equal to its link range [low, high)
 * (root_servers.c).  Two programs linked to overlapping addresses cannot both be loaded: the
 * second copy would overwrite the first, and sigma0 would be handed memory twice.  Boot
 * checks every pair before it copies anything (core/init.c).  Pure arithmetic, no context;
 * compiled into the host tests (tests/host/test_root_overlap.c).
 */
#include "core/root_servers.h"

/* Do [a->low, a->high) and [b->low, b->high) share a byte?  Empty ranges share none. */
static bool ranges_meet(const struct root_server *a, const struct root_server *b)
{
    return a->low < a->high && b->low < b->high && a->low < b->high && b->low < a->high;
}

bool root_overlap_find(const struct root_server *const rs[], unsigned n, unsigned *first,
                       unsigned *second)
{
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            if (rs[i] && rs[j] && ranges_meet(rs[i], rs[j])) {
                *first = i;
                *second = j;
                return true;
            }
    return false;
}
