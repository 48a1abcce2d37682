/* mdb.h — the mapping database: where every user mapping came from.
 *
 * Each user mapping (space, page) that was created by a map or grant item has a node; a node
 * derived by map is a child of the node it was mapped from; grant moves a node.  Mappings
 * the kernel made (root-server images) get a root node the first time they are mapped on;
 * sigma0's identity mappings are implicit roots.  Unmap revokes rights in the whole subtree.
 * One lock (mdb_lock) guards all nodes and user page-table entries changed through here.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct space;

/* Map (or grant) the page at src_va of `from` (physical pa) to dst_va of `to` with rights
 * PT_R/W/X: 4 KiB, or with `large` 2 MiB (all three addresses 2 MiB aligned, the source a
 * 2 MiB mapping or sigma0's memory, no leaf table at the destination).  An existing mapping
 * at the destination is replaced (its subtree revoked; a 2 MiB one as a whole).  Returns 0,
 * or -1 if kernel memory is exhausted (nothing changed). */
int mdb_map(struct space *from, uint64_t src_va, struct space *to, uint64_t dst_va,
            uint64_t pa, unsigned rights, bool grant, bool large);

/* Revoke `rights` (PT_R removes the mapping, PT_W/PT_X downgrade) from every mapping derived
 * from s's mapping at va, and from s's own mapping too if `flush`.  Returns the referenced
 * (PT_R) / dirty (PT_W) status gathered from the own mapping and the revoked ones. */
unsigned mdb_unmap(struct space *s, uint64_t va, unsigned rights, bool flush);

/* mdb_unmap in bounded steps (Unmap's preemption points, docs/design/preemption.md): removing
 * a derived mapping costs one unit of *budget; when it runs out first, *more is set and the
 * rest stays (the tree consistent): the caller passes a preemption point and calls again for
 * the same page, which converges, as every call removes nodes.  Downgrades are not counted. */
unsigned mdb_unmap_some(struct space *s, uint64_t va, unsigned rights, bool flush, int *budget,
                        bool *more);

/* Remove every mapping of s and everything derived from it (s is being destroyed). */
void mdb_space_destroy(struct space *s);

/* Mapping nodes in use (statistics, leak tests). */
uint64_t mdb_nodes(void);

/* Give every mapped user page of s in [base, end) cache type (PAT index) `type`, except the
 * kernel's pages (KIP, UTCB area): MemoryControl. */
void mdb_set_cache(struct space *s, uint64_t base, uint64_t end, unsigned type);
