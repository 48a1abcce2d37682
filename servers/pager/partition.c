/* partition.c — the partition table: the server's frames cut by node, then shared per pager.
 *
 * One pass over the held ranges in address order.  Each range is cut where its node changes
 * (node_run); each run goes to the next pager of its node whose share is not yet full.  The
 * shares are cumulative — pager j of a node with k pagers and T frames owns frames up to
 * T (j + 1) / k — so a cut moved down to a 2 MiB boundary only shifts frames to the next
 * pager of the node, and the last pager takes what is left.  Pieces come out in address
 * order, merged when they touch and share pager and node.  Runs once, single-threaded, at
 * start-up (its scratch state is static).  See partition.h.
 */
#include "partition.h"

#define PART_MAX_NODES  64

/* Per node: its frames, its pagers, and how far its sharing has come. */
static struct {
    uint64_t total, done;
    unsigned npagers, next;
    unsigned pager[PART_MAX_PAGERS];
} node_state[PART_MAX_NODES];

/* The node of frame pfn; *end := the end of the run of that node starting at pfn (at most
 * `limit`).  Frames no affinity range covers are node 0; the first covering range wins. */
static unsigned node_run(const struct part_affinity *aff, unsigned naff, uint64_t pfn,
                         uint64_t limit, uint64_t *end)
{
    uint64_t e = limit;
    for (unsigned i = 0; i < naff; i++) {
        if (pfn >= aff[i].pfn && pfn - aff[i].pfn < aff[i].count) {
            uint64_t ae = aff[i].pfn + aff[i].count;
            *end = ae < limit ? ae : limit;
            return aff[i].node;
        }
        if (aff[i].pfn > pfn && aff[i].pfn < e && aff[i].count > 0)
            e = aff[i].pfn;                     /* uncovered until the next range starts */
    }
    *end = e;
    return 0;
}

/* Append [pfn, pfn + count) of node/pager to t, merging with the last piece; false if full. */
static bool emit(struct part_table *t, uint64_t pfn, uint64_t count, unsigned node,
                 unsigned pager)
{
    struct part_piece *last = t->npieces ? &t->piece[t->npieces - 1] : 0;
    t->home_frames[pager] += count;
    if (last && last->pfn + last->count == pfn && last->node == node && last->pager == pager) {
        last->count += count;
        return true;
    }
    if (t->npieces == PART_MAX_PIECES)
        return false;
    t->piece[t->npieces++] = (struct part_piece){ pfn, count, node, pager };
    return true;
}

/* Pager j's cumulative share end in its node. */
static uint64_t share_end(unsigned n, unsigned j)
{
    return node_state[n].total * (j + 1) / node_state[n].npagers;
}

/* Give the run [pfn, end) of node n to its pagers; false if the table is full. */
static bool share_run(struct part_table *t, unsigned n, uint64_t pfn, uint64_t end)
{
    while (pfn < end) {
        unsigned j = node_state[n].next;
        while (j + 1 < node_state[n].npagers && node_state[n].done >= share_end(n, j))
            j++;
        node_state[n].next = j;
        uint64_t c = end;
        if (j + 1 < node_state[n].npagers) {
            uint64_t room = share_end(n, j) - node_state[n].done;
            if (room < end - pfn) {
                c = pfn + room;
                uint64_t aligned = c & ~(uint64_t)(PART_ALIGN_FRAMES - 1);
                if (aligned > pfn)
                    c = aligned;                /* the rest of the share goes to pager j + 1 */
                node_state[n].next = j + 1;
            }
        }
        if (!emit(t, pfn, c - pfn, n, node_state[n].pager[j]))
            return false;
        node_state[n].done += c - pfn;
        pfn = c;
    }
    return true;
}

int part_build(struct part_table *t, const struct pma_range *mem, unsigned nmem,
               const struct part_affinity *aff, unsigned naff, const unsigned *pager_node,
               unsigned npagers)
{
    if (npagers == 0 || npagers > PART_MAX_PAGERS)
        return PART_E_ARG;
    for (unsigned i = 0; i < nmem; i++)
        if (mem[i].count == 0 || mem[i].pfn + mem[i].count < mem[i].pfn ||
            (i > 0 && mem[i].pfn < mem[i - 1].pfn + mem[i - 1].count))
            return PART_E_ARG;
    for (unsigned i = 0; i < npagers; i++)
        if (pager_node[i] >= PART_MAX_NODES)
            return PART_E_ARG;
    for (unsigned i = 0; i < naff; i++)
        if (aff[i].node >= PART_MAX_NODES)
            return PART_E_ARG;

    for (unsigned n = 0; n < PART_MAX_NODES; n++)
        node_state[n].total = node_state[n].done = node_state[n].npagers = node_state[n].next = 0;
    for (unsigned i = 0; i < nmem; i++) {                  /* frames per node */
        uint64_t end;
        for (uint64_t p = mem[i].pfn, lim = mem[i].pfn + mem[i].count; p < lim; p = end)
            node_state[node_run(aff, naff, p, lim, &end)].total += end - p;
    }
    for (unsigned i = 0; i < npagers; i++) {               /* pagers per node, in order */
        unsigned n = pager_node[i];
        node_state[n].pager[node_state[n].npagers++] = i;
    }
    for (unsigned n = 0; n < PART_MAX_NODES; n++) {        /* a node without pagers: all */
        if (node_state[n].total == 0 || node_state[n].npagers > 0)
            continue;
        for (unsigned i = 0; i < npagers; i++)
            node_state[n].pager[i] = i;
        node_state[n].npagers = npagers;
    }

    t->npagers = npagers;
    t->npieces = 0;
    for (unsigned i = 0; i < PART_MAX_PAGERS; i++)
        t->home_frames[i] = 0;
    for (unsigned i = 0; i < nmem; i++) {
        uint64_t end;
        for (uint64_t p = mem[i].pfn, lim = mem[i].pfn + mem[i].count; p < lim; p = end) {
            unsigned n = node_run(aff, naff, p, lim, &end);
            if (!share_run(t, n, p, end))
                return PART_E_FULL;
        }
    }
    return PART_OK;
}

const struct part_piece *part_find(const struct part_table *t, uint64_t pfn)
{
    unsigned lo = 0, hi = t->npieces;               /* the answer is in [lo, hi) */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const struct part_piece *p = &t->piece[mid];
        if (pfn < p->pfn)
            hi = mid;
        else if (pfn - p->pfn >= p->count)
            lo = mid + 1;
        else
            return p;
    }
    return 0;
}
