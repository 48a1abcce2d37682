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
 * Status: faults, ALLOC, FREE, QUERY, INFO, SET_ALG, SET_UPCALL, CLIENT_ADD, THREAD_ADD,
 * CLIENT_DEL, balancing (MEM_LOW, RETURN, SET_LIMITS), CHECK, unresolvable faults (upcall or
 * CRASHED report).  Not yet: POPULATE, MOVE, the KIP NUMA extension (every pager is on
 * node 0).
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
    uint64_t upcall_ip, upcall_sp;      /* SET_UPCALL: where unresolvable faults go (0: none) */
    struct pagemap map;                 /* committed pages */
};

/* An unresolvable fault to report to the loader (LOADER_OP_CRASHED). */
struct crash_report {
    bool pending;
    L4_Word_t thread, addr, ip, err;
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
    uint64_t meta_pfn, meta_n;          /* the allocators' metadata frames */
    uint64_t mem_low, mem_high;         /* balancing thresholds, frames free */
    uint64_t borrowed[PAGER_MAX_PAGERS];    /* frames held here whose home is pager i */
    uint64_t lent[PAGER_MAX_PAGERS];        /* home frames pager i holds */
    uint64_t borrowed_free;             /* borrowed frames that are free in the allocator */
    struct pma_range given[PAGER_MAX_RANGES];   /* frames in the MEM_LOW answer being sent */
    unsigned ngiven, given_to;
    struct crash_report crash;          /* one report waiting for the loader (newest wins) */
    uint64_t crashes_dropped;           /* reports overwritten before they were delivered */
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

#define PAGER_MAPITEM           0x8UL   /* the first word of a map item: bits 3-1 = 100b */

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

/* The index of the pager thread t, or -1. */
static inline int pager_index_of(L4_ThreadId_t t)
{
    for (unsigned i = 0; i < pager_server.npagers; i++)
        if (pager_server.pager[i].self.raw == t.raw)
            return (int)i;
    return -1;
}

/* Frames free in p's active allocator. */
static inline uint64_t pager_free_frames(const struct pager *p)
{
    return pma_free_count(&p->alloc[p->active]);
}

/* balance.c — memory between pagers (docs/design/pagers.md, "Load balancing").
 * Ask the other pagers (same node first) for `want` frames; the frames received. */
uint64_t balance_borrow(struct pager *p, uint64_t want);
/* Has p crossed a threshold: below MEM_LOW, or above MEM_HIGH with free borrowed frames it
 * could send home?  (Borrowed frames in use — committed pages, page-map tables — wait.) */
static inline bool balance_needed(const struct pager *p)
{
    uint64_t free = pager_free_frames(p);
    return free < p->mem_low || (free > p->mem_high && p->borrowed_free > 0);
}
/* After a message p served, if balance_needed: borrow below MEM_LOW, return borrowed frames
 * above MEM_HIGH. */
void balance_after(struct pager *p);
/* MEM_LOW from pager q: the answer (label OK, ranges of home frames) is loaded; the frames
 * are out of p's allocator and recorded in p->given until the answer is known delivered. */
void balance_donate(struct pager *p, unsigned q, L4_Word_t want);
/* The answer carrying p->given could not be sent (nobody waits for it): take them back. */
void balance_donation_failed(struct pager *p);
/* The answer was sent: forget p->given. */
void balance_donation_done(struct pager *p);
/* RETURN from pager q (u ranges in MR1..): p's home frames come back.  No answer. */
void balance_returned(struct pager *p, unsigned q, L4_MsgTag_t tag);
/* For a host with no pager thread running (the tests, between cases): every free borrowed
 * frame goes straight home, the books with it, and the thresholds back to their defaults. */
void balance_settle(void);
/* SET_LIMITS: PAGER_OK or PAGER_E_BADARG (low must be below high). */
int balance_set_limits(struct pager *p, L4_Word_t low, L4_Word_t high);

/* check.c — CHECK: mark every frame p holds in the server's check bitmap (cleared first
 * with PAGER_CHECK_FIRST); w[0] := frames marked, w[1] := frames already marked (held twice)
 * or outside the span, w[2] := frames marked in the bitmap by all pagers so far.  PAGER_OK, or
 * PAGER_E_FULL if the span is larger than the bitmap. */
int check_mark(struct pager *p, L4_Word_t flags, L4_Word_t *w);

/* client.c — the client of thread t at pager p, or NULL. */
struct client *client_find(struct pager *p, L4_ThreadId_t t);
/* CLIENT_ADD, THREAD_ADD, CLIENT_DEL: PAGER_OK or PAGER_E_*; *reclaimed := pages freed. */
int client_add(struct pager *p, L4_ThreadId_t t, uint64_t low, uint64_t high);
int client_thread_add(struct pager *p, L4_ThreadId_t t, L4_ThreadId_t existing);
int client_del(struct pager *p, L4_ThreadId_t t, uint64_t *reclaimed);
/* Unmap and free the committed pages of [vpn, vpn + n) of c (the others are skipped);
 * returns how many there were. */
uint64_t client_free_pages(struct pager *p, struct client *c, uint64_t vpn, uint64_t n);

/* fault.c — a page fault of `from` (label -2): true if the reply (a map item, or the upcall's
 * control transfer item) is in the MRs; false if the fault stays unanswered (reported to
 * the loader: crash_report_send). */
bool fault_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag);
/* Send p's pending crash report to the loader (send timeout 0); it stays pending if the
 * loader is not waiting.  Clobbers the MRs. */
void crash_report_send(struct pager *p);

/* request.c — a PAGER_LABEL request: true if the reply (label = error, results) is loaded;
 * false for a RETURN, which is not answered. */
bool request_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag);
