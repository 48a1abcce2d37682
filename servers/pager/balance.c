/* balance.c — memory between pagers: borrowing below MEM_LOW, returning above MEM_HIGH.
 *
 * Rules (docs/design/pagers.md, "Load balancing"): a pager whose free count falls below
 * MEM_LOW asks the others — same node first, then the rest, each in CPU order after its own —
 * with a Call of MEM_LOW(frames wanted): send timeout 0 (a pager that is not waiting refuses
 * at once, so two pagers asking each other never deadlock) and a bounded receive timeout.  A
 * donor gives only home frames (never borrowed ones), only what it has above its own mid
 * point, as ranges in its answer; the frames leave its allocator before it answers and come
 * back if the answer cannot be delivered (balance_donation_failed).  A pager whose free count
 * rises above MEM_HIGH sends free borrowed frames home with RETURN (send timeout 0; kept if
 * refused).  The books: borrowed[q] at the holder and lent[p] at the home always agree.
 * Context: the pager thread that owns `p`; reads other pagers' ids, nodes and thresholds,
 * which do not change while pagers run.
 */
#include <stdio.h>
#include "server.h"

#define BORROW_WAIT_US  1000000UL               /* a borrower waits 1 s at most for an answer */

static uint64_t mid(const struct pager *p)
{
    return (p->mem_low + p->mem_high) / 2;
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Take up to max free frames whose home is pager `home` out of p's allocator, as at most
 * PAGER_MAX_RANGES ranges in out; the frames taken. */
static uint64_t take_home_of(struct pager *p, unsigned home, uint64_t max, struct pma_range *out,
                             unsigned *used)
{
    const struct part_table *t = &pager_server.part;
    uint64_t got = 0;
    *used = 0;
    for (unsigned i = t->npieces; i-- > 0 && got < max && *used < PAGER_MAX_RANGES;) {
        const struct part_piece *pc = &t->piece[i];
        unsigned u = 0;
        if (pc->pager != home)
            continue;
        got += pma_take_within(&p->alloc[p->active], pc->pfn, pc->pfn + pc->count, max - got,
                               out + *used, PAGER_MAX_RANGES - *used, &u);
        *used += u;
    }
    return got;
}

/* Add the u ranges in MR1..MRu to p's allocator; the frames added. */
static uint64_t take_in(struct pager *p, unsigned u)
{
    uint64_t got = 0;
    for (unsigned i = 1; i <= u; i++) {
        L4_Word_t w;
        L4_StoreMR(i, &w);
        uint64_t pfn = PAGER_RANGE_PFN(w), n = PAGER_RANGE_COUNT(w);
        if (pma_add(&p->alloc[p->active], pfn, n) != PMA_OK) {
            printf("pager %u: refused frames 0x%lx+%lu (held already?)\n", p->index, pfn, n);
            continue;
        }
        got += n;
    }
    return got;
}

static void load_ranges(const struct pma_range *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        L4_LoadMR(i + 1, PAGER_RANGE(r[i].pfn, r[i].count));
}

uint64_t balance_borrow(struct pager *p, uint64_t want)
{
    unsigned n = pager_server.npagers;
    uint64_t got = 0;
    for (int pass = 0; pass < 2 && got < want; pass++) {
        for (unsigned k = 1; k < n && got < want; k++) {
            struct pager *q = &pager_server.pager[(p->index + k) % n];
            if ((q->node == p->node) != (pass == 0))
                continue;
            uint64_t ask = want - got;
            L4_LoadMR(1, ask < PAGER_RANGE_MAX_COUNT ? ask : PAGER_RANGE_MAX_COUNT);
            L4_Set_MsgTag(L4_MsgTagMake(PAGER_LABEL(PAGER_OP_MEM_LOW), 1, 0));
            L4_MsgTag_t tag = L4_Call_Timeouts(q->self, L4_ZeroTime, L4_TimePeriod(BORROW_WAIT_US));
            if (L4_IpcFailed(tag) || L4_Label(tag) != PAGER_OK)
                continue;                       /* busy or nothing to give: the next one */
            uint64_t g = take_in(p, (unsigned)L4_UntypedWords(tag));
            p->borrowed[q->index] += g;
            p->borrowed_free += g;
            p->held += g;
            got += g;
        }
    }
    return got;
}

/* Send free frames borrowed from each lender home, up to `excess` in all. */
static void give_back(struct pager *p, uint64_t excess)
{
    struct pma_range r[PAGER_MAX_RANGES];
    for (unsigned q = 0; q < pager_server.npagers && excess > 0; q++) {
        if (p->borrowed[q] == 0)
            continue;
        unsigned used;
        uint64_t got = take_home_of(p, q, min3(excess, p->borrowed[q], PAGER_RANGE_MAX_COUNT),
                                    r, &used);
        if (got == 0)
            continue;
        load_ranges(r, used);
        L4_Set_MsgTag(L4_MsgTagMake(PAGER_LABEL(PAGER_OP_RETURN), used, 0));
        if (L4_IpcFailed(L4_Send_Timeout(pager_server.pager[q].self, L4_ZeroTime))) {
            for (unsigned i = 0; i < used; i++)         /* not delivered: keep them */
                pma_add(&p->alloc[p->active], r[i].pfn, r[i].count);
            continue;
        }
        p->borrowed[q] -= got;
        p->borrowed_free -= got;
        p->held -= got;
        excess -= got;
    }
}

void balance_after(struct pager *p)
{
    uint64_t free = pager_free_frames(p);
    if (free < p->mem_low)
        balance_borrow(p, mid(p) - free);
    else if (free > p->mem_high)
        give_back(p, free - mid(p));
}

void balance_donate(struct pager *p, unsigned q, L4_Word_t want)
{
    uint64_t free = pager_free_frames(p), give = 0;
    unsigned used = 0;
    if (free > mid(p))
        give = min3(want, free - mid(p), PAGER_RANGE_MAX_COUNT);
    uint64_t got = give ? take_home_of(p, p->index, give, p->given, &used) : 0;
    p->ngiven = used;
    p->given_to = q;
    p->lent[q] += got;
    p->held -= got;
    load_ranges(p->given, used);
    L4_Set_MsgTag(L4_MsgTagMake(PAGER_OK, used, 0));
}

void balance_donation_failed(struct pager *p)
{
    for (unsigned i = 0; i < p->ngiven; i++) {
        pma_add(&p->alloc[p->active], p->given[i].pfn, p->given[i].count);
        p->lent[p->given_to] -= p->given[i].count;
        p->held += p->given[i].count;
    }
    p->ngiven = 0;
}

void balance_donation_done(struct pager *p)
{
    p->ngiven = 0;
}

void balance_returned(struct pager *p, unsigned q, L4_MsgTag_t tag)
{
    uint64_t got = take_in(p, (unsigned)L4_UntypedWords(tag));
    p->lent[q] -= got;
    p->held += got;
}

void balance_settle(void)
{
    struct pma_range r[PAGER_MAX_RANGES];
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        struct pager *p = &pager_server.pager[i];
        for (unsigned q = 0; q < pager_server.npagers; q++) {
            struct pager *home = &pager_server.pager[q];
            unsigned used;
            uint64_t got;
            while (p->borrowed[q] &&
                   (got = take_home_of(p, q, p->borrowed[q], r, &used)) > 0) {
                for (unsigned k = 0; k < used; k++)
                    pma_add(&home->alloc[home->active], r[k].pfn, r[k].count);
                p->borrowed[q] -= got;
                p->borrowed_free -= got;
                p->held -= got;
                home->lent[i] -= got;
                home->held += got;
            }
        }
        p->mem_low = pager_server.part.home_frames[i] / 16;
        p->mem_high = pager_server.part.home_frames[i] / 4;
    }
}

int balance_set_limits(struct pager *p, L4_Word_t low, L4_Word_t high)
{
    if (low >= high)
        return PAGER_E_BADARG;
    p->mem_low = low;
    p->mem_high = high;
    return PAGER_OK;
}
