/* pager.h — the memory-server protocol: programs, the loader and pagers talking to a pager.
 *
 * Written once here; docs/design/pagers.md explains it.  Shared by the memory server, the
 * loader, the program library and the tests; plain C constants and inline word builders, no
 * L4 calls (compiles for the host too).
 *
 * Every request is a Call to a pager thread: tag label PAGER_LABEL(op), u = the op's argument
 * count (PAGER_ARGS_*), t = 0, arguments in MR1...  Every reply: tag label = error code
 * (PAGER_OK = 0, PAGER_ERRORS below), results in MR1..; only POPULATE's reply carries typed
 * items (map items).  Page faults use the X.2 protocol (label -2) and are answered with one
 * map item, or not at all (docs/design/pagers.md: "Unresolvable fault").
 * Words are built with shifts and masks, never C bit-fields.
 */
#pragma once

#ifdef __cplusplus
#define PAGER_STATIC_ASSERT(e, msg) static_assert(e, msg)
#else
#define PAGER_STATIC_ASSERT(e, msg) _Static_assert(e, msg)
#endif

/* ---- labels and requests ----------------------------------------------------------------- */

#define PAGER_PROTO             0x50ULL                 /* 'P': bits 15-8 of the label */
#define PAGER_LABEL(op)         ((PAGER_PROTO << 8) | (unsigned long long)(op))
#define PAGER_LABEL_IS(l)       (((unsigned long long)(l) >> 8) == PAGER_PROTO)
#define PAGER_LABEL_OP(l)       ((unsigned)((unsigned long long)(l) & 0xFFULL))

/* Requests from a client (a thread of a program the pager serves). */
#define PAGER_OP_ALLOC          0x01    /* MR1 address, MR2 pages -> MR1 pages committed */
#define PAGER_OP_FREE           0x02    /* MR1 address, MR2 pages -> MR1 committed pages freed */
#define PAGER_OP_SET_ALG        0x03    /* MR1 PAGER_ALG_* -> MR1 the previous one */
#define PAGER_OP_INFO           0x04    /* (anyone) -> MR1.. PAGER_INFO_* */
#define PAGER_OP_QUERY          0x05    /* MR1 address -> MR1 pfn, MR2 node */
#define PAGER_OP_SET_UPCALL     0x06    /* MR1 handler IP (0: none), MR2 stack top */
/* Requests from the loader (refused with PAGER_E_DENIED from anyone else). */
#define PAGER_OP_CLIENT_ADD     0x10    /* MR1 thread, MR2 low, MR3 high (pageable [low, high)) */
#define PAGER_OP_THREAD_ADD     0x11    /* MR1 new thread, MR2 a thread of the client */
#define PAGER_OP_CLIENT_DEL     0x12    /* MR1 a thread of the client -> MR1 pages reclaimed */
#define PAGER_OP_POPULATE       0x13    /* MR1 client, MR2 address, MR3 pages, MR4 rights -> map items */
#define PAGER_OP_MOVE           0x14    /* MR1 client, MR2 the pager thread that takes it */
#define PAGER_OP_SET_LIMITS     0x15    /* MR1 MEM_LOW, MR2 MEM_HIGH (frames) */
#define PAGER_OP_CHECK          0x16    /* MR1 PAGER_CHECK_* -> MR1 marked, MR2 duplicates, MR3 marked by all so far */
/* Requests between pagers. */
#define PAGER_OP_MEM_LOW        0x20    /* MR1 frames wanted -> MR1.. ranges (PAGER_RANGE) */
#define PAGER_OP_RETURN         0x21    /* MR1.. ranges (u = their number) -> nothing */
#define PAGER_OP_HANDOVER       0x22    /* MR1 client record (server-internal pointer) */

/* Untyped words of each request (a different count is PAGER_E_BADMSG). */
#define PAGER_ARGS_ALLOC        2
#define PAGER_ARGS_FREE         2
#define PAGER_ARGS_SET_ALG      1
#define PAGER_ARGS_INFO         0
#define PAGER_ARGS_QUERY        1
#define PAGER_ARGS_SET_UPCALL   2
#define PAGER_ARGS_CLIENT_ADD   3
#define PAGER_ARGS_THREAD_ADD   2
#define PAGER_ARGS_CLIENT_DEL   1
#define PAGER_ARGS_POPULATE     4
#define PAGER_ARGS_MOVE         2
#define PAGER_ARGS_SET_LIMITS   2
#define PAGER_ARGS_CHECK        1
#define PAGER_ARGS_MEM_LOW      1
#define PAGER_ARGS_HANDOVER     1

/* ---- errors: one table, code and message ------------------------------------------------ */

#define PAGER_ERRORS(X)                                                                  \
    X(PAGER_OK,                0, "ok")                                                  \
    X(PAGER_E_NOMEM,           1, "no free frame, none could be borrowed")               \
    X(PAGER_E_NOT_OWNED,       2, "the page is not committed to the client")             \
    X(PAGER_E_RANGE,           3, "address outside the client's pageable range")         \
    X(PAGER_E_ALIGN,           4, "address not page aligned, or size 0 or too large")    \
    X(PAGER_E_UNKNOWN_CLIENT,  5, "the sender is not a thread this pager serves")        \
    X(PAGER_E_DENIED,          6, "only the loader (or a pager) may ask this")           \
    X(PAGER_E_BADMSG,          7, "malformed request: wrong word count or typed items")  \
    X(PAGER_E_BADARG,          8, "bad argument (unknown algorithm, thread, limits)")    \
    X(PAGER_E_NOOP,            9, "unknown request")                                     \
    X(PAGER_E_FULL,           10, "the pager's client or metadata tables are full")      \
    X(PAGER_E_EXISTS,         11, "the thread is already a client")                     \
    X(PAGER_E_IPC,            12, "the IPC to the pager failed (client side only)")     \
    X(PAGER_E_PROT,           13, "access not allowed by the page's rights")

#define PAGER_ERR_ENUM_(name, code, msg) name = code,
enum pager_err { PAGER_ERRORS(PAGER_ERR_ENUM_) PAGER_ERR_COUNT };
#undef PAGER_ERR_ENUM_

/* The message of error code e ("unknown error" outside the table). */
static inline const char *pager_strerror(unsigned long e)
{
#define PAGER_ERR_CASE_(name, code, msg) case code: return msg;
    switch (e) { PAGER_ERRORS(PAGER_ERR_CASE_) default: return "unknown error"; }
#undef PAGER_ERR_CASE_
}

/* CHECK flags: the first pager asked clears the server's check bitmap. */
#define PAGER_CHECK_FIRST       0x1

/* ---- algorithms ---------------------------------------------------------------------------- */

#define PAGER_ALG_AVL           1       /* the paper's AVL tree of free ranges */
#define PAGER_ALG_BUDDY         2       /* binary buddy */

/* ---- INFO results: MR index of each word ------------------------------------------------- */

#define PAGER_INFO_CPU          1       /* the CPU the pager runs on */
#define PAGER_INFO_NODE         2       /* its NUMA node */
#define PAGER_INFO_ALG          3       /* PAGER_ALG_* in use */
#define PAGER_INFO_FREE         4       /* frames free in its allocator */
#define PAGER_INFO_HELD         5       /* frames it holds: free + committed + metadata */
#define PAGER_INFO_HOME         6       /* frames of its home partition */
#define PAGER_INFO_BORROWED     7       /* frames it holds whose home is another pager */
#define PAGER_INFO_LENT         8       /* home frames another pager holds */
#define PAGER_INFO_CLIENTS      9       /* clients it serves */
#define PAGER_INFO_FAULTS       10      /* page faults in clients' pageable ranges answered */
#define PAGER_INFO_META         11      /* frames of metadata: allocators, page-map tables */
#define PAGER_INFO_WORDS        11

/* ---- frame ranges in messages ------------------------------------------------------------- */

/* One word per range: pfn in bits 63-16, count - 1 in bits 15-0 (1..65536 frames). */
#define PAGER_RANGE_COUNT_BITS  16
#define PAGER_RANGE_MAX_COUNT   (1ULL << PAGER_RANGE_COUNT_BITS)
#define PAGER_RANGE(pfn, count) (((unsigned long long)(pfn) << PAGER_RANGE_COUNT_BITS) | \
                                 ((unsigned long long)(count) - 1))
#define PAGER_RANGE_PFN(w)      ((unsigned long long)(w) >> PAGER_RANGE_COUNT_BITS)
#define PAGER_RANGE_COUNT(w)    (((unsigned long long)(w) & (PAGER_RANGE_MAX_COUNT - 1)) + 1)
#define PAGER_MAX_RANGES        60      /* ranges in one MEM_LOW reply or RETURN */

/* ---- limits and layout -------------------------------------------------------------------- */

#define PAGER_PAGE_LOG2         12
#define PAGER_PAGE_SIZE         (1ULL << PAGER_PAGE_LOG2)
#define PAGER_FREE_MAX          (1ULL << 20)    /* pages in one ALLOC or FREE (4 GiB) */
#define PAGER_POPULATE_MAX      16              /* pages in one POPULATE (16 map items) */
/* Where the memory server maps frame pfn in its own space: PAGER_WINDOW_BASE + (pfn << 12). */
#define PAGER_WINDOW_BASE       0x0000400000000000ULL   /* 64 TiB */
#define PAGER_WINDOW_FRAMES     (PAGER_WINDOW_BASE >> PAGER_PAGE_LOG2)
/* Memory the server leaves to sigma0 (bytes; a parameter of the server, this is the default). */
#define PAGER_SIGMA0_RESERVE    (8ULL << 20)
#define PAGER_LOW_LIMIT         (16ULL << 20)   /* the server never takes memory below this */

PAGER_STATIC_ASSERT(PAGER_MAX_RANGES + 1 <= 63, "a range message fits the message registers");
PAGER_STATIC_ASSERT(2 * PAGER_POPULATE_MAX + 1 <= 63, "POPULATE's map items fit the message registers");
PAGER_STATIC_ASSERT(PAGER_INFO_WORDS <= 63, "INFO fits the message registers");
PAGER_STATIC_ASSERT(PAGER_RANGE_PFN(PAGER_RANGE(0xFFFFFFFFFULL, 65536)) == 0xFFFFFFFFFULL &&
               PAGER_RANGE_COUNT(PAGER_RANGE(0xFFFFFFFFFULL, 65536)) == 65536, "range word round trip");
PAGER_STATIC_ASSERT(PAGER_WINDOW_BASE + (PAGER_WINDOW_FRAMES << PAGER_PAGE_LOG2) == 0x0000800000000000ULL,
               "the window ends at the top of the user half");
