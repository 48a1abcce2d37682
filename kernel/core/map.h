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

/* A long map's preemption hook (docs/design/preemption.md): called with ctx, no spinlock
 * held, every KPREEMPT_MAP_PAGES pages placed; it may pass a preemption point; false stops
 * the mapping (the rest stays unmapped: the IPC was aborted). */
typedef bool (*map_preempt_fn)(void *ctx);

/* Carry out s's map or grant item (w0, fpage) into r, whose acceptor (BR0) gives the receive
 * window; `preempt` (may be NULL) as in map_fpage.  Returns 0, or IPC_ERR_OVERFLOW when r
 * has no window or a page (or port) could not be placed for lack of kernel memory or over r's
 * space's quota (the pages placed before it stay; docs/abi/ipc.md). */
int map_item(struct tcb *s, struct tcb *r, uint64_t w0, uint64_t fpage, map_preempt_fn preempt,
             void *ctx);

/* Map (or grant) the sender fpage `snd` of space `from` into space `to` at the receive
 * window `win` (fpage), placing it by send base `sbase` (X.2 rules, core/fpage.h); only source
 * addresses below src_top and destinations below dst_top (the two threads' limits, never
 * beyond the user half) take part.  preempt(ctx), if preempt is not NULL, is called every
 * KPREEMPT_MAP_PAGES pages; when it returns false the rest stays unmapped.  0, or -1 when a
 * page could not be placed (kernel memory or to's quota exhausted): the rest stays unmapped. */
int map_fpage(struct space *from, uint64_t snd, uint64_t sbase, struct space *to,
              uint64_t win, bool grant, uint64_t src_top, uint64_t dst_top,
              map_preempt_fn preempt, void *ctx);

/* Unmap (X.2), limited to addresses below `top` (the caller's thread limit): revoke the
 * rights named by fpage (rwx bits) from everything derived from the caller's mappings in it
 * (and from the caller's own with flush).  Returns the fpage with its status bits (R
 * referenced, W dirty) in bits 2-0.  Passes a preemption point every KPREEMPT_UNMAP_WORK
 * pages visited and mapping nodes removed (core/kpreempt.h): s must be the current thread's space, no spinlock held. */
uint64_t map_unmap_fpage(struct space *s, uint64_t fpage, bool flush, uint64_t top);

/* MemoryControl: give every mapped page of fpage in s cache type (PAT index) `type`. */
void map_set_cache(struct space *s, uint64_t fpage, unsigned type);
