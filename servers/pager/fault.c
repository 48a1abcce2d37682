/* fault.c — page faults of a pager's clients (X.2 label -2: MR1 address, MR2 IP).
 *
 * In the client's pageable range: the committed frame of the page, or a new zeroed frame
 * committed now (borrowing if the pager has none), mapped with one map item (send base: the
 * faulting page; the kernel accepts the whole space on a fault) with the page's rights; an
 * access the rights do not allow (a write to a read-only image page) is unresolvable.  In the share range (hosted
 * mode, server.h): the server's own page at the same address.  Anything else is
 * unresolvable: a client with an upcall gets a control transfer item instead of a mapping
 * (RIP = the handler, RSP = its stack, RDI = the address, RSI = the PAGER_E_* code, RDX =
 * the faulting IP; the kernel applies it because the thread waits for its fault's answer);
 * a client without one is not answered — it stays blocked — and the loader gets a CRASHED
 * report and deletes it.  A fault of an unknown thread is printed and not answered.
 * Context: the pager thread that owns `p`.
 */
#include <stdio.h>
#include <l4/ext.h>
#include <sigma4/loader.h>
#include "server.h"

/* MR0..MR2 := one map item: `fpage` (of the server's space) to the client's `page`. */
static void reply_map(L4_Word_t page, L4_Fpage_t fpage)
{
    L4_LoadMR(1, (page & L4_FPAGE_BASE_MASK) | PAGER_MAPITEM);
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
    unsigned access = (unsigned)(tag.raw >> 16) & L4_FullyAccessible;   /* the label's rwx */
    struct client *c = client_find(p, from);
    int err = PAGER_E_UNKNOWN_CLIENT;
    if (L4_UntypedWords(tag) != 2 || L4_TypedWords(tag) != 0) {
        err = PAGER_E_BADMSG;
    } else if (c && page >= c->low && page < c->high) {
        uint64_t pfn;
        unsigned rights;
        err = frame_of(p, c, page >> PAGER_PAGE_LOG2, &pfn, &rights);
        if (err == PAGER_OK && (access & ~rights))
            err = PAGER_E_PROT;                 /* e.g. a write to a read-only image page */
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
    if (c && c->upcall_ip) {
        L4_CtrlXferItem_t item = L4_CtrlXferItem();
        L4_CtrlXferItemSet(&item, L4_CTRLXFER_RIP, c->upcall_ip);
        L4_CtrlXferItemSet(&item, L4_CTRLXFER_RSP, c->upcall_sp);
        L4_CtrlXferItemSet(&item, L4_CTRLXFER_RDI, addr);
        L4_CtrlXferItemSet(&item, L4_CTRLXFER_RSI, (L4_Word_t)err);
        L4_CtrlXferItemSet(&item, L4_CTRLXFER_RDX, ip);
        L4_Word_t words = L4_CtrlXferItemWords(&item);
        for (L4_Word_t i = 0; i < words; i++)
            L4_LoadMR((int)(i + 1), item.raw[i]);
        L4_Set_MsgTag(L4_MsgTagMake(0, 0, words));
        return true;
    }
    printf("pager %u: unresolved page fault of %lx at 0x%lx (ip 0x%lx): %s\n", p->index,
           from.raw, addr, ip, pager_strerror((unsigned long)err));
    if (c) {
        p->crashes_dropped += p->crash.pending;
        p->crash = (struct crash_report){ true, from.raw, addr, ip, (L4_Word_t)err };
        crash_report_send(p);
    }
    return false;
}

void crash_report_send(struct pager *p)
{
    if (!p->crash.pending)
        return;
    L4_LoadMR(1, p->crash.thread);
    L4_LoadMR(2, p->crash.addr);
    L4_LoadMR(3, p->crash.ip);
    L4_LoadMR(4, p->crash.err);
    L4_Set_MsgTag(L4_MsgTagMake(LOADER_LABEL(LOADER_OP_CRASHED), LOADER_ARGS_CRASHED, 0));
    if (L4_IpcSucceeded(L4_Send_Timeout(pager_server.loader, L4_ZeroTime)))
        p->crash.pending = false;
}
