/* map.c — map and grant items: placing a sender's fpage into the receiver's window.
 *
 * The placement (X.2) is fpage_place (core/fpage.h): it clips both sides to the user half
 * and the threads' limits without overflow, so every address below is a user address and
 * `base + len` never wraps.  Rights are the intersection of the item's and the sender's.
 * sigma0's space is, by definition, the identity mapping of conventional memory, so its
 * fpages name physical memory directly.  The receiver's KIP page and UTCB area are never overwritten.
 */
#include "core/map.h"
#include "core/space.h"
#include "core/thread.h"
#include "core/ipc.h"
#include "core/mdb.h"
#include "core/klock.h"
#include "core/kpreempt.h"
#include "arch.h"
#include <sigma4/utcb.h>
#include <sigma4/layout.h>

/* Is [va, va + 2 MiB) of `from` one 2 MiB page that can be mapped as such? */
static bool large_source(struct space *from, uint64_t va)
{
    if (from->sigma0)
        return phys_range_sigma0(va, SUPERPAGE_SIZE);
    return arch_pt_size(from->pt_root, va) == 21;
}

/* Map the placed range pl (both sides below their tops: fpage_place) page by page.  -1 if a
 * page could not be placed (kernel memory or the receiver's quota exhausted): the pages
 * before it stay mapped, the rest is not.  preempt(ctx) as in map_fpage: when it returns
 * false (aborted at a preemption point) the rest stays unmapped and 0 is returned. */
static int map_range(struct space *from, struct space *to, const struct fpage_placement *pl,
                     unsigned want, bool grant, map_preempt_fn preempt, void *ctx)
{
    uint64_t src = pl->src, dst = pl->dst, len = pl->len, work = 0;
    if (from->sigma0)                               /* sigma0 owns conventional memory only */
        len = urange_clip(src, len, phys_conventional_top());
    uint64_t end = src + len;                       /* no wrap: below the source top */
    for (uint64_t va = src; va < end; ) {
        if (!from->sigma0) {
            va = arch_pt_next(from->pt_root, va, end);
            if (va >= end)
                break;
        }
        unsigned have, lg = 12;
        uint64_t pa = from->sigma0 ? va : arch_pt_query_size(from->pt_root, va, &have, &lg);
        uint64_t target = dst + (va - src);         /* below dst + len: in the user half */
        if (from->sigma0)
            have = PT_R | PT_W | PT_X;
        /* 2 MiB at once where both sides are aligned and the whole page is wanted. */
        bool large = !(va & (SUPERPAGE_SIZE - 1)) && !(target & (SUPERPAGE_SIZE - 1)) &&
                     end - va >= SUPERPAGE_SIZE &&
                     large_source(from, va) && arch_pt_large_possible(to->pt_root, target) &&
                     !space_kernel_range(to, target, SUPERPAGE_SIZE) &&
                     (from->sigma0 || !space_kernel_range(from, va, SUPERPAGE_SIZE));
        uint64_t step = large ? SUPERPAGE_SIZE : PAGE_SIZE;
        if (!large) {
            if (from->sigma0 && !phys_is_sigma0(va))
                pa = ~0ULL;
            if (pa != ~0ULL && (space_kernel_page(to, target) ||
                                (!from->sigma0 && space_kernel_page(from, va))))
                pa = ~0ULL;
            if (grant && lg == 21)
                pa = ~0ULL;                         /* no granting part of a 2 MiB page */
        }
        if (pa != ~0ULL) {
            unsigned rights = PT_R | (have & want & (PT_W | PT_X));
            if (mdb_map(from, va, to, target, pa, rights, grant && !from->sigma0, large) < 0)
                return -1;
        }
        va += step;
        if (preempt && va < end && kpreempt_due(&work, 1, KPREEMPT_MAP_PAGES) && !preempt(ctx))
            return 0;               /* aborted at a preemption point */
    }
    return 0;
}

int map_fpage(struct space *from, uint64_t snd, uint64_t sbase, struct space *to,
              uint64_t win, bool grant, uint64_t src_top, uint64_t dst_top,
              map_preempt_fn preempt, void *ctx)
{
    unsigned want = ((fpage_rights(snd) & FPAGE_W) ? PT_W : 0) | ((fpage_rights(snd) & FPAGE_X) ? PT_X : 0);
    struct fpage_placement pl;
    if (!fpage_rights(snd) || !fpage_place(snd, sbase, win, src_top, dst_top, &pl))
        return 0;
    return map_range(from, to, &pl, want, grant, preempt, ctx);
}

int map_item(struct tcb *s, struct tcb *r, uint64_t w0, uint64_t fpage, map_preempt_fn preempt,
             void *ctx)
{
    uint64_t win = r->utcb[UTCB_BR(0)] & ~0xFULL;
    if (win == FPAGE_NIL)
        return IPC_ERR_OVERFLOW;                    /* no receive window */
    int res = arch_fpage_is_io(fpage) ? arch_map_io_fpage(s->space, r->space, fpage) :
              map_fpage(s->space, fpage, w0 & ~0x3FFULL, r->space, win,
                        ((w0 >> 1) & 7) == ITEM_GRANT, thread_top(s), thread_top(r), preempt, ctx);
    return res < 0 ? IPC_ERR_OVERFLOW : 0;          /* not placed: kernel memory or quota */
}

uint64_t map_unmap_fpage(struct space *s, uint64_t fpage, bool flush, uint64_t top)
{
    if (arch_fpage_is_io(fpage)) {
        arch_unmap_io_fpage(s, fpage, flush);
        return fpage & ~7ULL;                       /* ports have no status bits */
    }
    unsigned rights = ((fpage & FPAGE_R) ? PT_R : 0) | ((fpage & FPAGE_W) ? PT_W : 0) |
                      ((fpage & FPAGE_X) ? PT_X : 0);
    uint64_t base, len;
    if (!fpage_user_range(fpage, top, &base, &len))   /* below the caller's thread limit */
        return fpage & ~7ULL;
    uint64_t end = base + len;
    unsigned st = 0;
    int budget = KPREEMPT_UNMAP_WORK;               /* a page visited or a node removed: 1 */
    for (uint64_t va = base; (va = arch_pt_next(s->pt_root, va, end)) < end; ) {
        uint64_t size = arch_pt_size(s->pt_root, va) == 21 ? SUPERPAGE_SIZE : PAGE_SIZE;
        bool more = false;
        if (!space_kernel_page(s, va))
            st |= mdb_unmap_some(s, va, rights, flush, &budget, &more);   /* 2 MiB: all */
        if (!more)
            va = (va & ~(size - 1)) + size;
        if (--budget <= 0) {
            kpreempt_point();                       /* then on from va: preemption.md */
            budget = KPREEMPT_UNMAP_WORK;
        }
    }
    return (fpage & ~7ULL) | ((st & PT_R) ? FPAGE_R : 0) | ((st & PT_W) ? FPAGE_W : 0);
}

void map_set_cache(struct space *s, uint64_t fpage, unsigned type)
{
    uint64_t base, len;
    if (fpage_user_range(fpage, USER_ADDR_END, &base, &len))
        mdb_set_cache(s, base, base + len, type);
}
