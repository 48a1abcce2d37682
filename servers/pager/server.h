/* server.h — the memory server: one pager thread per CPU, each with its own partition,
 * allocator and clients (docs/design/pagers.md; protocol: abi/include/sigma4/pager.h).
 *
 * State: `pager_server` is written by pager_setup before any pager thread runs and is
 * read-only afterwards (the partition table, the pagers' ids, the configuration).  Each
 * `struct pager` is touched only by its own thread once that thread runs (its allocators,
 * its clients, its counters); pagers share nothing else and talk only by IPC.  Frames the
 * server holds are mapped in the window of the server's space (pager_window); the frames of
 * a pager's allocator metadata come off the front of its home partition.
 *
 * Status (first skeleton): faults, ALLOC, FREE, QUERY, INFO, SET_ALG, CLIENT_ADD,
 * THREAD_ADD, CLIENT_DEL.  Not yet: balancing (MEM_LOW/RETURN), POPULATE, MOVE, SET_LIMITS,
 * CHECK, the upcall and the CRASHED report (an unresolvable fault is printed and left
 * unanswered), the KIP NUMA extension (every pager is on node 0).
 * The server can run *hosted* in another program's space (the in-system tests run it in the
 * test root task): then `share_lo..share_hi` names the host's image, and a client's fault there
 * is answered with the server's own page at the same address (how the tests' threads in new
 * spaces run the test program's code).  A stand-alone server has an empty share range.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <l4/l4.h>
#include <sigma4/pager.h>
#include "../../lib/pma/pma.h"
#include "partition.h"
#include "pagemap.h"

#define PAGER_MAX_PAGERS        16
#define PAGER_MAX_CLIENTS       32      /* per pager */
#define PAGER_CLIENT_THREADS    4       /* threads per client */

struct client {
    bool used;
    unsigned nthreads;
    L4_ThreadId_t thread[PAGER_CLIENT_THREADS];
    uint64_t low, high;                 /* pageable range [low, high), page aligned */
    struct pagemap map;                 /* committed pages */
};

struct pager {
    unsigned index;                     /* 0 .. npagers-1 */
    unsigned cpu, node;
    L4_ThreadId_t self;
    struct pma alloc[2];                /* [0] AVL, [1] buddy, over the server's span */
    unsigned active;                    /* which of alloc[] hands out frames */
    uint64_t held;                      /* frames held: free + committed + metadata */
    uint64_t meta_frames;               /* allocator metadata + page-map tables */
    uint64_t faults;                    /* page faults answered */
    struct client client[PAGER_MAX_CLIENTS];
};

struct pager_server {
    unsigned npagers;
    L4_ThreadId_t loader;               /* may send the loader-only requests */
    uint64_t span_base, span_frames;    /* every frame the server holds is in this span */
    uint64_t share_lo, share_hi;        /* hosted mode: the host's image (see above) */
    struct part_table part;
    struct pager pager[PAGER_MAX_PAGERS];
};

extern struct pager_server pager_server;

/* The address of frame pfn in the server's window. */
static inline void *pager_window(uint64_t pfn)
{
    return (void *)(uintptr_t)(PAGER_WINDOW_BASE + (pfn << PAGER_PAGE_LOG2));
}

/* The fpage of frame pfn's window page with rights rwx. */
static inline L4_Fpage_t pager_frame_fpage(uint64_t pfn, L4_Word_t rwx)
{
    return L4_FpageAddRights(L4_FpageLog2(PAGER_WINDOW_BASE + (pfn << PAGER_PAGE_LOG2),
                                          PAGER_PAGE_LOG2), rwx);
}

/* setup.c — run once by the thread that becomes sigma0's owner of the memory, before any
 * pager thread runs.  Take `bytes` (rounded down to 2 MiB) of memory from sigma0 into the
 * window, build the partition for `npagers` pagers on CPUs cpu[0..npagers), give each pager
 * its allocators (metadata carved from its home) and free frames.  0, or -1 with a line
 * printed (sigma0 gave nothing, a table is full). */
int pager_setup(unsigned npagers, const unsigned *cpu, uint64_t bytes, L4_ThreadId_t loader,
                uint64_t share_lo, uint64_t share_hi);

/* loop.c — the thread body of pager p (pager_setup done, p->self set): serve forever. */
void pager_loop(struct pager *p);

/* frames.c — a zeroed frame from p's allocator (*pfn), or PAGER_E_NOMEM. */
int frame_alloc_zeroed(struct pager *p, uint64_t *pfn);
/* Give frame pfn back to p's allocator (it must be held by p and not free). */
void frame_free(struct pager *p, uint64_t pfn);
/* Take frame pfn's mappings away from every client (Unmap of its window page, no flush);
 * batched: frames are collected and unmapped when the batch is full or on frame_unmap_flush. */
void frame_unmap(uint64_t pfn);
void frame_unmap_flush(void);
/* Page-map table callbacks (ctx: the pager): a zeroed frame through the window, or NULL. */
void *frame_table_alloc(void *ctx);
void frame_table_free(void *ctx, void *table);

/* client.c — the client of thread t at pager p, or NULL. */
struct client *client_find(struct pager *p, L4_ThreadId_t t);
/* CLIENT_ADD, THREAD_ADD, CLIENT_DEL: PAGER_OK or PAGER_E_*; *reclaimed := pages freed. */
int client_add(struct pager *p, L4_ThreadId_t t, uint64_t low, uint64_t high);
int client_thread_add(struct pager *p, L4_ThreadId_t t, L4_ThreadId_t existing);
int client_del(struct pager *p, L4_ThreadId_t t, uint64_t *reclaimed);
/* Unmap and free pages [vpn, vpn + n) of c, all of which are committed; returns n. */
uint64_t client_free_pages(struct pager *p, struct client *c, uint64_t vpn, uint64_t n);

/* fault.c — a page fault of `from` (label -2): true if the reply (a map item) is in the MRs. */
bool fault_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag);

/* request.c — a PAGER_LABEL request: the reply (label = error, results) is always loaded. */
void request_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag);
