/* partition.h — splitting the memory server's frames into one home partition per pager.
 *
 * Input: the frames the server holds (sorted, disjoint ranges), the memory affinity ranges
 * (which NUMA node each range of physical memory belongs to; any order, may be empty) and
 * the node of each pager's CPU.  Output: the partition table, a sorted list of pieces, each
 * a run of frames with its node and its home pager.  The rule (docs/design/pagers.md,
 * "Partition"): memory goes to its node (memory no affinity range covers: node 0); a node's
 * frames are split into equal shares among the pagers on that node, in pager order, over
 * ascending addresses, each cut moved down to a 512-frame (2 MiB) boundary when one lies in
 * the piece being cut; a node without pagers is split among all pagers.  The table never
 * changes once built; part_home / part_node look frames up in it.
 * Pure code (no L4 calls, no output): shared by the memory server and the host tests.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "../../lib/pma/pma.h"

#define PART_MAX_PAGERS         64
#define PART_MAX_PIECES         512
#define PART_NO_NODE            0xFFFFFFFFu
#define PART_ALIGN_FRAMES       512             /* cuts on 2 MiB boundaries */

/* A NUMA memory affinity range: frames [pfn, pfn + count) are on node `node`. */
struct part_affinity {
    uint64_t pfn, count;
    unsigned node;
};

struct part_piece {
    uint64_t pfn, count;
    unsigned node;              /* the NUMA node of these frames */
    unsigned pager;             /* their home pager */
};

struct part_table {
    unsigned npagers;
    unsigned npieces;
    struct part_piece piece[PART_MAX_PIECES];   /* sorted by pfn, disjoint */
    uint64_t home_frames[PART_MAX_PAGERS];      /* frames of each pager's home */
};

enum part_err {
    PART_OK = 0,
    PART_E_ARG,                 /* no pagers, too many, or memory ranges unsorted/overlapping */
    PART_E_FULL,                /* more pieces than PART_MAX_PIECES */
};

/* Build t from the held ranges mem[0..nmem), the affinity ranges aff[0..naff) and the node of
 * each pager pager_node[0..npagers).  PART_E_ARG / PART_E_FULL; t is complete only on PART_OK. */
int part_build(struct part_table *t, const struct pma_range *mem, unsigned nmem,
               const struct part_affinity *aff, unsigned naff, const unsigned *pager_node,
               unsigned npagers);

/* The piece holding frame pfn, or NULL if the server does not hold it (binary search). */
const struct part_piece *part_find(const struct part_table *t, uint64_t pfn);

/* The home pager of pfn, or -1 if the server does not hold it. */
static inline int part_home(const struct part_table *t, uint64_t pfn)
{
    const struct part_piece *p = part_find(t, pfn);
    return p ? (int)p->pager : -1;
}

/* The node of pfn according to the table, or PART_NO_NODE if the server does not hold it. */
static inline unsigned part_node(const struct part_table *t, uint64_t pfn)
{
    const struct part_piece *p = part_find(t, pfn);
    return p ? p->node : PART_NO_NODE;
}
