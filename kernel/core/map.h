/* map.h — flexpages and map/grant items: installing a sender's pages in a receiver's space.
 *
 * Each page goes through the mapping database (core/mdb.h), so Unmap can revoke it later.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "core/fpage.h"

struct space;
struct tcb;

/* Typed item types (bits 3-1 of an item's first word). */
#define ITEM_MAP        4
#define ITEM_GRANT      5
#define ITEM_CTRLXFER   6

/* Carry out s's map or grant item (w0, fpage) into r, whose acceptor (BR0) gives the receive
 * window.  Returns 0, or IPC_ERR_OVERFLOW when r has no window or a page (or port) could not
 * be placed for lack of kernel memory or over r's space's quota (the pages placed before it
 * stay; docs/abi/ipc.md). */
int map_item(struct tcb *s, struct tcb *r, uint64_t w0, uint64_t fpage);

/* Map (or grant) the sender fpage `snd` of space `from` into space `to` at the receive
 * window `win` (fpage), placing it by send base `sbase` (X.2 rules, core/fpage.h); only source
 * addresses below src_top and destinations below dst_top (the two threads' limits, never
 * beyond the user half) take part.  0, or -1 when a page could not be placed (kernel memory
 * or to's quota exhausted): the rest stays unmapped. */
int map_fpage(struct space *from, uint64_t snd, uint64_t sbase, struct space *to,
               uint64_t win, bool grant, uint64_t src_top, uint64_t dst_top);

/* Unmap (X.2), limited to addresses below `top` (the caller's thread limit): revoke the
 * rights named by fpage (rwx bits) from everything derived from the caller's mappings in it
 * (and from the caller's own with flush).  Returns the fpage with its status bits (R
 * referenced, W dirty) in bits 2-0. */
uint64_t map_unmap_fpage(struct space *s, uint64_t fpage, bool flush, uint64_t top);

/* MemoryControl: give every mapped page of fpage in s cache type (PAT index) `type`. */
void map_set_cache(struct space *s, uint64_t fpage, unsigned type);
