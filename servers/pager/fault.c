/* fault.c — page faults of a pager's clients (X.2 label -2: MR1 address, MR2 IP).
 *
 * In the client's pageable range: the committed frame of the page, or a new zeroed frame
 * committed now, mapped with one map item (send base: the faulting page; the kernel accepts
 * the whole space on a fault).  In the share range (hosted mode, server.h): the server's own
 * page at the same address.  Anything else — an unknown thread, an address outside both, no
 * free frame — is printed and not answered (the thread stays blocked; the upcall and the
 * report to the loader are not there yet, docs/design/pagers.md).
 * Context: the pager thread that owns `p`.
 */
#include <stdio.h>
#include "server.h"

#define MAPITEM_MAP     0x8UL                   /* bits 3-1 = 100b: a map item */

/* MR0..MR2 := one map item: `fpage` (of the server's space) to the client's `page`. */
static void reply_map(L4_Word_t page, L4_Fpage_t fpage)
{
    L4_LoadMR(1, (page & L4_FPAGE_BASE_MASK) | MAPITEM_MAP);
    L4_LoadMR(2, fpage.raw);
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
}

/* The frame for page vpn of c (committed now if it was not); a PAGER_E_* code. */
static int frame_of(struct pager *p, struct client *c, uint64_t vpn, uint64_t *pfn,
                    unsigned *rights)
{
    if (pagemap_get(&c->map, vpn, pfn, rights))
        return PAGER_OK;
    if (frame_alloc_zeroed(p, pfn) != PAGER_OK)
        return PAGER_E_NOMEM;
    *rights = L4_FullyAccessible;
    if (pagemap_set(&c->map, vpn, *pfn, *rights) < 0) {
        frame_free(p, *pfn);
        return PAGER_E_FULL;
    }
    return PAGER_OK;
}

bool fault_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    L4_Word_t addr, ip;
    L4_StoreMR(1, &addr);
    L4_StoreMR(2, &ip);
    L4_Word_t page = addr & ~(PAGER_PAGE_SIZE - 1);
    struct client *c = client_find(p, from);
    int err = PAGER_E_UNKNOWN_CLIENT;
    if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
        err = PAGER_E_BADMSG;
    } else if (c && page >= c->low && page < c->high) {
        uint64_t pfn;
        unsigned rights;
        err = frame_of(p, c, page >> PAGER_PAGE_LOG2, &pfn, &rights);
        if (err == PAGER_OK) {
            p->faults++;
            reply_map(page, pager_frame_fpage(pfn, rights));
            return true;
        }
    } else if (c && page >= pager_server.share_lo && page < pager_server.share_hi) {
        (void)*(volatile char *)page;          /* mapped in the server's space first */
        reply_map(page, L4_FpageAddRights(L4_FpageLog2(page, PAGER_PAGE_LOG2), L4_FullyAccessible));
        return true;
    } else if (c) {
        err = PAGER_E_RANGE;
    }
    printf("pager %u: unresolved page fault of %lx at 0x%lx (ip 0x%lx): %s\n", p->index,
           from.raw, addr, ip, pager_strerror((unsigned long)err));
    return false;
}
