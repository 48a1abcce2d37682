/* loader.h — the loader protocol: what programs, pagers and the root task send to the loader,
 * the start block a loaded program finds at its initial stack pointer, and the layout of a
 * loaded program's address space.
 *
 * Written once here; docs/design/pagers.md ("The loader and the exit protocol") explains it.
 * Tag label LOADER_LABEL(op), u = LOADER_ARGS_*, t = 0.  Answers: label = LOADER_OK or a
 * LOADER_E_* code, results in MR1...  EXIT is never answered (the loader deletes the sender);
 * CRASHED is a send-only notification from a pager (send timeout 0).  Crashes of other kinds
 * reach the loader as X.2 exception messages (label -5): the loader is every loaded
 * program's exception handler (crt0 sets it from the start block).
 * Plain constants and inline word helpers, no L4 calls: compiles for the host too.
 */
#pragma once
#include <stdint.h>

#define LOADER_PROTO            0x4CULL                 /* 'L': bits 15-8 of the label */
#define LOADER_LABEL(op)        ((LOADER_PROTO << 8) | (unsigned long long)(op))
#define LOADER_LABEL_IS(l)      (((unsigned long long)(l) >> 8) == LOADER_PROTO)
#define LOADER_LABEL_OP(l)      ((unsigned)((unsigned long long)(l) & 0xFFULL))

/* From a loaded program (any of its threads). */
#define LOADER_OP_EXIT          0x01    /* MR1 exit code (low 32 bits kept); never answered */
#define LOADER_OP_THREAD_NEW    0x05    /* MR1 IP, MR2 SP, MR3 CPU -> MR1 the new thread's id */
/* From a pager of the memory server. */
#define LOADER_OP_CRASHED       0x02    /* MR1 client thread, MR2 fault address, MR3 IP, MR4 PAGER_E_* */
#define LOADER_OP_READY         0x06    /* (the server's first thread) MR1 pagers n, MR2.. their ids */
/* From a controller: a thread of the loader's own task (the root task, the tests). */
#define LOADER_OP_RUN           0x03    /* MR1 CPU, MR2.. command line -> MR1 program id (its first thread) */
#define LOADER_OP_WAIT          0x04    /* MR1 program id -> MR1 status, MR2 pages reclaimed */
#define LOADER_OP_KILL          0x07    /* MR1 program id -> MR1 status, MR2 pages reclaimed */
#define LOADER_OP_INFO          0x08    /* -> MR1 programs alive, MR2 started, MR3 ended, MR4 pagers */

#define LOADER_ARGS_EXIT        1
#define LOADER_ARGS_CRASHED     4
#define LOADER_ARGS_THREAD_NEW  3
#define LOADER_ARGS_WAIT        1
#define LOADER_ARGS_KILL        1
#define LOADER_ARGS_INFO        0
/* RUN: MR1 the CPU, then the command line ("<module name> [args...]", NUL-terminated, packed
 * 8 bytes per word little-endian, at most LOADER_CMD_WORDS words): u = 1 + words used. */
#define LOADER_CMD_WORDS        16
#define LOADER_CMD_MAX          (LOADER_CMD_WORDS * 8)   /* bytes, with the NUL */
/* READY: 1 + n words, n <= LOADER_MAX_PAGERS. */
#define LOADER_MAX_PAGERS       16

/* ---- errors ------------------------------------------------------------------------------- */

#define LOADER_ERRORS(X)                                                                 \
    X(LOADER_OK,               0, "ok")                                                  \
    X(LOADER_E_NOMODULE,       1, "no boot module of that name")                         \
    X(LOADER_E_BADELF,         2, "not a static x86-64 ELF program the loader can place")\
    X(LOADER_E_NOMEM,          3, "out of memory (pager, sigma0 or kernel)")             \
    X(LOADER_E_BADARG,         4, "bad argument (CPU, command line, thread)")            \
    X(LOADER_E_DENIED,         5, "not allowed for this sender")                         \
    X(LOADER_E_FULL,           6, "the loader's program or thread table is full")        \
    X(LOADER_E_UNKNOWN,        7, "no such program")                                     \
    X(LOADER_E_BADMSG,         8, "malformed request: wrong word count or typed items")  \
    X(LOADER_E_NOOP,           9, "unknown request")                                     \
    X(LOADER_E_NOPAGER,       10, "the memory server is not running")                    \
    X(LOADER_E_BUSY,          11, "someone already waits for that program")

#define LOADER_ERR_ENUM_(name, code, msg) name = code,
enum loader_err { LOADER_ERRORS(LOADER_ERR_ENUM_) LOADER_ERR_COUNT };
#undef LOADER_ERR_ENUM_

static inline const char *loader_strerror(unsigned long e)
{
#define LOADER_ERR_CASE_(name, code, msg) case code: return msg;
    switch (e) { LOADER_ERRORS(LOADER_ERR_CASE_) default: return "unknown error"; }
#undef LOADER_ERR_CASE_
}

/* ---- a program's end: the status word of WAIT and KILL ----------------------------------- */

/* Bits 63-56 how it ended, bits 31-0 the detail. */
#define LOADER_END_EXITED       1ULL    /* detail: exit code */
#define LOADER_END_FAULT        2ULL    /* an unresolvable page fault: detail the PAGER_E_* code */
#define LOADER_END_EXCEPTION    3ULL    /* a CPU exception: detail the vector */
#define LOADER_END_KILLED       4ULL    /* KILL */
#define LOADER_STATUS(how, detail)  (((unsigned long long)(how) << 56) | ((detail) & 0xFFFFFFFFULL))
#define LOADER_STATUS_HOW(s)        ((unsigned long long)(s) >> 56)
#define LOADER_STATUS_DETAIL(s)     ((unsigned long long)(s) & 0xFFFFFFFFULL)

/* ---- a loaded program's address space ------------------------------------------------------ */

/* Programs are linked at LOADER_PROG_BASE (any address inside the pageable range works).
 * The pager serves [LOADER_PAGEABLE_LOW, LOADER_PAGEABLE_HIGH); the loader puts the start
 * block on the last page of it; libpager's heap is [LOADER_HEAP_LOW, LOADER_HEAP_HIGH). */
#define LOADER_KIP_AREA         0x00100000ULL           /* 4 KiB */
#define LOADER_UTCB_AREA        0x00200000ULL
#define LOADER_UTCB_AREA_LOG2   16                      /* 64 UTCBs: threads per program */
#define LOADER_PAGEABLE_LOW     0x01000000ULL
#define LOADER_PROG_BASE        0x04000000ULL
#define LOADER_HEAP_LOW         0x0000000100000000ULL   /* 4 GiB */
#define LOADER_HEAP_HIGH        0x0000000800000000ULL   /* 32 GiB */
#define LOADER_PAGEABLE_HIGH    0x0000001000000000ULL   /* 64 GiB */
#define LOADER_START_PAGE       (LOADER_PAGEABLE_HIGH - 0x1000ULL)

/* ---- the start block ------------------------------------------------------------------------ */

/* A loaded program's first thread starts at the ELF entry with RSP = the start block: words at
 * these indexes, then the argv array (argc + 1 pointers), then the strings, all in one page.
 * Threads started by the kernel (root servers) get RSP = 0: crt0 tells them apart by that. */
#define LOADER_START_MAGIC      0x54524154534c3453ULL   /* the bytes "S4LSTART" */
#define LOADER_START_W_MAGIC    0
#define LOADER_START_W_ARGC     1
#define LOADER_START_W_ARGV     2       /* address of argv[0] */
#define LOADER_START_W_PAGER    3       /* the program's pager thread */
#define LOADER_START_W_LOADER   4       /* the loader thread (EXIT, THREAD_NEW, exceptions) */
#define LOADER_START_W_CPU      5       /* the CPU the program was started on */
#define LOADER_START_W_HEAP_LOW 6       /* libpager's heap range */
#define LOADER_START_W_HEAP_HIGH 7
#define LOADER_START_WORDS      8
#define LOADER_MAX_ARGS         32

/* Pack s (NUL-terminated, < LOADER_CMD_MAX bytes with the NUL) into w[]; words used, 0 if too
 * long. */
static inline unsigned loader_pack(const char *s, uint64_t *w)
{
    unsigned n = 0;
    while (s[n] && n < LOADER_CMD_MAX)
        n++;
    if (n >= LOADER_CMD_MAX)
        return 0;
    unsigned words = n / 8 + 1;
    for (unsigned i = 0; i < words; i++) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 8 && i * 8 + b < n; b++)
            v |= (uint64_t)(unsigned char)s[i * 8 + b] << (8 * b);
        w[i] = v;
    }
    return words;
}

/* Unpack `words` words into s (LOADER_CMD_MAX bytes); 0, or -1 if no NUL ends it in time. */
static inline int loader_unpack(const uint64_t *w, unsigned words, char *s)
{
    for (unsigned i = 0; i < words && i < LOADER_CMD_WORDS; i++)
        for (unsigned b = 0; b < 8; b++) {
            s[i * 8 + b] = (char)(w[i] >> (8 * b));
            if (s[i * 8 + b] == 0)
                return 0;
        }
    return -1;
}
