/* test_pager.c — in-system tests of the memory server (servers/pager), hosted in the test root.
 *
 * The server's code is linked into this program.  The first pager test takes PG_MEM from
 * sigma0 and builds the partition (pager_setup, once per boot: sigma0 memory is not given
 * back); every test then starts one pager thread per CPU (tutil slots, pinned, deleted by
 * tu_end) and clients: threads in new spaces that run this program (their faults in the
 * program's image are answered from the root task's pages: the server's share range) and
 * whose pageable range is PG_HEAP.  The root thread plays the loader (CLIENT_ADD/DEL) and
 * drives each client through a command block in shared memory (struct pg_client).  Between
 * tests the server's books are checked: per pager, free + metadata + committed = held.
 */
#include <stdio.h>
#include <string.h>
#include "tutil.h"
#include <sigma4/loader.h>
#include "../../servers/pager/server.h"
#include "../../lib/pager/pager_client.h"
#include "../../lib/pager/pmalloc.h"

#define PG_MEM          (16UL << 20)            /* what the server takes from sigma0 */
#define PG_PRIO         200
#define PG_CLIENT_PRIO  100
#define PG_HEAP         0x100000000UL           /* clients' pageable range: 4 GiB .. +64 MiB */
#define PG_HEAP_PAGES   16384UL
#define PG_PAGE         4096UL

extern char USER_BASE[], _end[];                /* the program image (lib/c/user.ld) */

static int setup_state;                         /* 0 not tried, 1 done, -1 failed */
static L4_ThreadId_t pg_tid[PAGER_MAX_PAGERS];

/* ---- the server's threads ------------------------------------------------------------------ */

static void pager_thread(void *arg)
{
    struct pager *p = arg;
    p->self = L4_Myself();
    pager_loop(p);
}

/* Everything a test needs: the server set up (once), no clients left from an earlier test,
 * one pager thread per CPU running.  0 if that failed. */
static int pg_begin(void)
{
    unsigned n = (unsigned)tu_ncpus();
    if (n > PAGER_MAX_PAGERS)
        n = PAGER_MAX_PAGERS;
    if (setup_state == 0) {
        unsigned cpu[PAGER_MAX_PAGERS];
        for (unsigned i = 0; i < n; i++)
            cpu[i] = i;
        setup_state = pager_setup(n, cpu, PG_MEM, tu_root(), (uint64_t)USER_BASE,
                                  ((uint64_t)_end + PG_PAGE - 1) & ~(PG_PAGE - 1)) == 0 ? 1 : -1;
    }
    if (setup_state < 0)
        return 0;
    for (unsigned i = 0; i < pager_server.npagers; i++) {      /* no pager runs: safe */
        struct pager *p = &pager_server.pager[i];
        for (unsigned k = 0; k < PAGER_MAX_CLIENTS; k++) {
            uint64_t r;
            if (p->client[k].used)
                client_del(p, p->client[k].thread[0], &r);
        }
    }
    balance_settle();                           /* borrowed frames home, default limits */
    for (unsigned i = 0; i < pager_server.npagers; i++)
        pager_server.pager[i].crash.pending = false;    /* a report nobody fetched */
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        struct pager *p = &pager_server.pager[i];
        p->self = L4_nilthread;
        pg_tid[i] = tu_create_on(pager_thread, p, PG_PRIO, p->cpu);
        if (L4_IsNilThread(pg_tid[i]))
            return 0;
    }
    for (unsigned i = 0; i < pager_server.npagers; i++)
        if (!TU_WAIT(pager_server.pager[i].self.raw == pg_tid[i].raw))
            return 0;
    return 1;
}

/* A request to pager thread `to` through the programs' stub (lib/pager/pager_client.h): the
 * answer's error code (PAGER_E_IPC if the IPC failed), its words in r[] (up to rn). */
static L4_Word_t pg_call(L4_ThreadId_t to, unsigned op, unsigned u, const L4_Word_t *a,
                         L4_Word_t *r, unsigned rn)
{
    return pager_call(to, op, u, a, r, rn);
}

/* INFO word `which` (PAGER_INFO_*) of pager i, asked by the root; ~0 on failure. */
static L4_Word_t pg_info(unsigned i, unsigned which)
{
    L4_Word_t w[PAGER_INFO_WORDS];
    if (pg_call(pg_tid[i], PAGER_OP_INFO, 0, 0, w, PAGER_INFO_WORDS) != PAGER_OK)
        return ~0UL;
    return w[which - 1];
}

/* The server's books balance: per pager, free + metadata + committed pages = held. */
static int pg_books_ok(void)
{
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        const struct pager *p = &pager_server.pager[i];
        uint64_t committed = 0;
        for (unsigned k = 0; k < PAGER_MAX_CLIENTS; k++)
            if (p->client[k].used)
                committed += p->client[k].map.entries;
        if (pg_info(i, PAGER_INFO_FREE) + pg_info(i, PAGER_INFO_META) + committed !=
            pg_info(i, PAGER_INFO_HELD)) {
            printf("# pager %u: books do not balance\n", i);
            return 0;
        }
    }
    return 1;
}

/* ---- clients ----------------------------------------------------------------------------- */

enum { C_IDLE, C_TOUCH, C_VERIFY, C_NONZERO, C_CALL, C_MALLOC };

/* A client's command block: the root writes the arguments and then `cmd`; the client does
 * the work, writes the results and sets cmd back to C_IDLE. */
struct pg_client {
    volatile int cmd;
    L4_ThreadId_t self, pager;
    L4_Word_t addr, n, pattern;                 /* C_TOUCH, C_VERIFY: pages from addr */
    unsigned op, u;                             /* C_CALL: request op with words a[0..u) */
    L4_Word_t a[4];
    volatile L4_Word_t err, r[4], bad;          /* results */
    struct pmalloc *heap;                       /* C_MALLOC: n pages, `pattern` rounds */
};

static inline L4_Word64_t pg_rdtsc(void)
{
    L4_Word32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((L4_Word64_t)hi << 32) | lo;
}

/* The paper's workload (§5.1) with pmalloc: `rounds` times, allocate n pages one by one,
 * touch the first byte of each, free them all.  The number of failed allocations. */
static L4_Word_t malloc_rounds(struct pmalloc *m, L4_Word_t n, L4_Word_t rounds)
{
    static char *page[PG_HEAP_PAGES];
    L4_Word_t bad = 0;
    for (L4_Word_t r = 0; r < rounds; r++) {
        for (L4_Word_t i = 0; i < n; i++) {
            page[i] = pmalloc_alloc(m, PG_PAGE);
            if (page[i])
                *(volatile char *)page[i] = (char)i;
            else
                bad++;
        }
        for (L4_Word_t i = 0; i < n; i++)
            pmalloc_free(m, page[i]);
    }
    return bad;
}

static void client_main(void *arg)
{
    struct pg_client *c = arg;
    for (;;) {
        while (c->cmd == C_IDLE)
            L4_Sleep(L4_TimePeriod(200));
        if (c->cmd == C_TOUCH) {                /* write the first word of each page */
            for (L4_Word_t i = 0; i < c->n; i++)
                *(volatile L4_Word_t *)(c->addr + i * PG_PAGE) = c->pattern + i;
        } else if (c->cmd == C_VERIFY) {        /* count pages whose first word differs */
            L4_Word_t bad = 0;
            for (L4_Word_t i = 0; i < c->n; i++)
                bad += *(volatile L4_Word_t *)(c->addr + i * PG_PAGE) != c->pattern + i;
            c->bad = bad;
        } else if (c->cmd == C_NONZERO) {       /* count pages whose first word is not 0 */
            L4_Word_t bad = 0;
            for (L4_Word_t i = 0; i < c->n; i++)
                bad += *(volatile L4_Word_t *)(c->addr + i * PG_PAGE) != 0;
            c->bad = bad;
        } else if (c->cmd == C_MALLOC) {
            L4_Word64_t t0 = pg_rdtsc();
            c->bad = malloc_rounds(c->heap, c->n, c->pattern);
            c->r[0] = pg_rdtsc() - t0;              /* TSC ticks the rounds took */
        } else if (c->cmd == C_CALL) {
            L4_Word_t r[4] = { 0 };
            c->err = pg_call(c->pager, c->op, c->u, c->a, r, 4);
            for (unsigned i = 0; i < 4; i++)
                c->r[i] = r[i];
        }
        c->cmd = C_IDLE;
    }
}

/* Run command cmd in client c; 1 if it finished in time. */
static int pg_run(struct pg_client *c, int cmd)
{
    c->cmd = cmd;
    return TU_WAIT(c->cmd == C_IDLE);
}

static int pg_touch(struct pg_client *c, L4_Word_t addr, L4_Word_t n, L4_Word_t pattern)
{
    c->addr = addr;
    c->n = n;
    c->pattern = pattern;
    return pg_run(c, C_TOUCH);
}

/* The number of pages of [addr, +n) whose first word is not pattern + i (~0: timed out). */
static L4_Word_t pg_verify(struct pg_client *c, L4_Word_t addr, L4_Word_t n, L4_Word_t pattern)
{
    c->addr = addr;
    c->n = n;
    c->pattern = pattern;
    return pg_run(c, C_VERIFY) ? c->bad : ~0UL;
}

/* The number of pages of [addr, +n) whose first word is not 0 (~0: timed out). */
static L4_Word_t pg_nonzero(struct pg_client *c, L4_Word_t addr, L4_Word_t n)
{
    c->addr = addr;
    c->n = n;
    return pg_run(c, C_NONZERO) ? c->bad : ~0UL;
}

/* Request op with words a0, a1 sent by client c to its pager; the error code (~0: timed out). */
static L4_Word_t pg_req(struct pg_client *c, unsigned op, unsigned u, L4_Word_t a0, L4_Word_t a1)
{
    c->op = op;
    c->u = u;
    c->a[0] = a0;
    c->a[1] = a1;
    return pg_run(c, C_CALL) ? c->err : ~0UL;
}

/* A client on CPU cpu, paged by that CPU's pager, registered by the root as its loader.
 * 1 or 0. */
static int pg_client_new(struct pg_client *c, unsigned cpu)
{
    memset(c, 0, sizeof *c);
    c->pager = pg_tid[cpu];
    c->self = tu_space_thread(client_main, c, PG_CLIENT_PRIO);
    if (L4_IsNilThread(c->self))
        return 0;
    if (L4_Set_ProcessorNo(c->self, cpu) == L4_SCHEDRESULT_ERROR) {
        printf("# pager: moving client %lx to cpu %u failed, ErrorCode %lu\n", c->self.raw, cpu,
               L4_ErrorCode());
        return 0;
    }
    L4_Word_t a[3] = { c->self.raw, PG_HEAP, PG_HEAP + PG_HEAP_PAGES * PG_PAGE };
    L4_Word_t err = pg_call(pg_tid[cpu], PAGER_OP_CLIENT_ADD, 3, a, 0, 0);
    if (err != PAGER_OK) {
        printf("# pager: CLIENT_ADD of %lx: %lx (%s)\n", c->self.raw, err, pager_strerror(err));
        return 0;
    }
    if (!L4_ThreadControl(c->self, c->self, L4_nilthread, pg_tid[cpu], (void *)~0UL)) {
        printf("# pager: ThreadControl (pager of %lx) failed, ErrorCode %lu\n", c->self.raw,
               L4_ErrorCode());
        return 0;
    }
    return 1;
}

/* Delete client c's thread (and space), then the client at its pager; pages reclaimed. */
static L4_Word_t pg_client_del(struct pg_client *c, unsigned cpu)
{
    L4_Word_t a[1] = { c->self.raw }, r[1] = { ~0UL };
    tu_delete(c->self);
    if (pg_call(pg_tid[cpu], PAGER_OP_CLIENT_DEL, 1, a, r, 1) != PAGER_OK)
        return ~0UL;
    return r[0];
}

#define PG_BEGIN() KCHECK(pg_begin())

/* ---- tests ------------------------------------------------------------------------------- */

TTEST(pager, setup_partition_covers_memory)
{
    PG_BEGIN();
    uint64_t held = 0, home = 0;
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        KCHECK_EQ(pg_info(i, PAGER_INFO_CPU), i);
        KCHECK_EQ(pg_info(i, PAGER_INFO_ALG), PAGER_ALG_AVL);
        KCHECK_EQ(pg_info(i, PAGER_INFO_CLIENTS), 0);
        KCHECK_EQ(pg_info(i, PAGER_INFO_HELD), pg_info(i, PAGER_INFO_HOME));
        held += pg_info(i, PAGER_INFO_HELD);
        home += pager_server.part.home_frames[i];
    }
    KCHECK_EQ(held, PG_MEM / PG_PAGE);                  /* exactly what sigma0 gave */
    KCHECK_EQ(home, held);
    for (unsigned i = 0; i < pager_server.part.npieces; i++) {    /* every frame is in the span */
        const struct part_piece *pc = &pager_server.part.piece[i];
        KCHECK(pc->pfn >= pager_server.span_base &&
               pc->pfn + pc->count <= pager_server.span_base + pager_server.span_frames);
    }
    KCHECK(pg_books_ok());
}

/* The partition follows the KIP's NUMA data (docs/abi/kip.md): each pager's node is its
 * CPU's, every piece's node is the node of its frames, every pager's home is on its own node
 * and the pagers of a node get equal shares (sigma0's memory is taken per node when the KIP
 * has affinity ranges).  Without an SRAT (the default boots) all of it is node 0; the numa2
 * boot (two nodes, CPUs 0-1 and 2-3) checks the split for real. */
TTEST(pager, partition_follows_numa)
{
    PG_BEGIN();
    void *kip = L4_GetKernelInterface();
    const struct part_table *t = &pager_server.part;
    unsigned nodes_seen = 0;
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        unsigned node = (unsigned)L4_ProcDescNode(L4_ProcDesc(kip, pager_server.pager[i].cpu));
        KCHECK_EQ(pager_server.pager[i].node, node);
        KCHECK_EQ(pg_info(i, PAGER_INFO_NODE), node);
        nodes_seen |= 1u << node;
        for (unsigned j = 0; j < pager_server.npagers; j++)
            if (pager_server.pager[j].node == node)
                KCHECK(t->home_frames[i] - t->home_frames[j] + 512 <= 1024);   /* |diff| <= 512 */
    }
    KCHECK_EQ(nodes_seen, (1u << ktest_param_ul("numa_nodes", 1)) - 1);
    for (unsigned k = 0; k < t->npieces; k++) {
        const struct part_piece *pc = &t->piece[k];
        KCHECK_EQ(pc->node, L4_NumaNodeOf(kip, pc->pfn * PG_PAGE));
        KCHECK_EQ(pc->node, L4_NumaNodeOf(kip, (pc->pfn + pc->count - 1) * PG_PAGE));
        KCHECK_EQ(pc->node, pager_server.pager[pc->pager].node);
    }
    KCHECK(pg_books_ok());
}

TTEST(pager, fault_answered_by_same_cpu_pager)
{
    PG_BEGIN();
    static struct pg_client c;
    for (unsigned cpu = 0; cpu < pager_server.npagers; cpu++) {
        L4_Word_t before[PAGER_MAX_PAGERS];
        for (unsigned i = 0; i < pager_server.npagers; i++)
            before[i] = pg_info(i, PAGER_INFO_FAULTS);
        KCHECK(pg_client_new(&c, cpu));
        KCHECK(pg_touch(&c, PG_HEAP, 8, 0x1000 * cpu));
        KCHECK_EQ(pg_verify(&c, PG_HEAP, 8, 0x1000 * cpu), 0);
        for (unsigned i = 0; i < pager_server.npagers; i++)
            KCHECK_EQ(pg_info(i, PAGER_INFO_FAULTS) - before[i], i == cpu ? 8 : 0);
        KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP + 3 * PG_PAGE, 0), PAGER_OK);
        KCHECK_EQ(part_home(&pager_server.part, c.r[0]), (int)cpu);    /* a frame of its home */
        KCHECK_EQ(c.r[1], L4_NumaNodeOf(L4_GetKernelInterface(), c.r[0] * PG_PAGE));
        KCHECK_EQ(c.r[1], pager_server.pager[cpu].node);               /* a local frame */
        KCHECK_EQ(pg_client_del(&c, cpu), 8);
    }
    KCHECK(pg_books_ok());
}

TTEST(pager, free_returns_frames_and_unmaps)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE), meta0 = pg_info(0, PAGER_INFO_META);
    KCHECK(pg_touch(&c, PG_HEAP, 100, 7));
    L4_Word_t tables = pg_info(0, PAGER_INFO_META) - meta0;
    KCHECK(tables >= 4);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0 - 100 - tables);
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 100), PAGER_OK);
    KCHECK_EQ(c.r[0], 100);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0 - tables);        /* tables stay */
    KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP, 0), PAGER_E_NOT_OWNED);
    /* the pages are gone from the client: reading faults again and finds new zeroed frames */
    L4_Word_t faults = pg_info(0, PAGER_INFO_FAULTS);
    KCHECK_EQ(pg_nonzero(&c, PG_HEAP, 100), 0);                    /* all read 0 */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FAULTS) - faults, 100);
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_client_del(&c, 0), 100);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0);                 /* the tables too */
    KCHECK_EQ(pg_info(0, PAGER_INFO_META), meta0);
    KCHECK(pg_books_ok());
}

TTEST(pager, bad_requests_change_nothing)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP, 4, 100));
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE);
    /* the frame of a page that is not committed */
    KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP + 10 * PG_PAGE, 0), PAGER_E_NOT_OWNED);
    /* unaligned address, no pages, too many pages */
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP + 1, 1), PAGER_E_ALIGN);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 0), PAGER_E_ALIGN);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, PAGER_FREE_MAX + 1), PAGER_E_ALIGN);
    /* foreign addresses: below the range, across its end, the server's window */
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP - PG_PAGE, 1), PAGER_E_RANGE);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP + (PG_HEAP_PAGES - 1) * PG_PAGE, 2), PAGER_E_RANGE);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PAGER_WINDOW_BASE, 1), PAGER_E_RANGE);
    KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, (L4_Word_t)USER_BASE, 0), PAGER_E_RANGE);
    /* wrong word count, unknown request, a loader request from a client, a bad algorithm */
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 1, PG_HEAP, 0), PAGER_E_BADMSG);
    KCHECK_EQ(pg_req(&c, 0x7F, 0, 0, 0), PAGER_E_NOOP);
    KCHECK_EQ(pg_req(&c, PAGER_OP_CLIENT_DEL, 1, c.self.raw, 0), PAGER_E_DENIED);
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_ALG, 1, 99, 0), PAGER_E_BADARG);
    /* a request from a thread that is not a client (the root task) */
    L4_Word_t a[2] = { PG_HEAP, 1 };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_FREE, 2, a, 0, 0), PAGER_E_UNKNOWN_CLIENT);
    /* nothing changed: same free count, the pages still hold their values */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0);
    KCHECK_EQ(pg_verify(&c, PG_HEAP, 4, 100), 0);
    KCHECK_EQ(pg_client_del(&c, 0), 4);
    KCHECK(pg_books_ok());
}

TTEST(pager, client_add_errors)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    L4_Word_t dup[3] = { c.self.raw, PG_HEAP, PG_HEAP + PG_PAGE };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_ADD, 3, dup, 0, 0), PAGER_E_EXISTS);
    L4_Word_t other = L4_GlobalId(5000, 1).raw;
    L4_Word_t bad1[3] = { other, PG_HEAP + PG_PAGE, PG_HEAP };              /* low > high */
    L4_Word_t bad2[3] = { other, PG_HEAP + 8, PG_HEAP + PG_PAGE };          /* unaligned */
    L4_Word_t bad3[3] = { other, PG_HEAP, PAGER_WINDOW_BASE + PG_PAGE };    /* the window */
    L4_Word_t bad4[3] = { L4_nilthread.raw, PG_HEAP, PG_HEAP + PG_PAGE };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_ADD, 3, bad1, 0, 0), PAGER_E_BADARG);
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_ADD, 3, bad2, 0, 0), PAGER_E_BADARG);
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_ADD, 3, bad3, 0, 0), PAGER_E_BADARG);
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_ADD, 3, bad4, 0, 0), PAGER_E_BADARG);
    L4_Word_t del[1] = { other };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_CLIENT_DEL, 1, del, 0, 0), PAGER_E_BADARG);
    KCHECK_EQ(pg_info(0, PAGER_INFO_CLIENTS), 1);
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK_EQ(pg_info(0, PAGER_INFO_CLIENTS), 0);
}

TTEST(pager, alloc_commits_and_exhaustion_is_an_error)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    /* more than the whole server holds: refused even after borrowing from every pager */
    KCHECK_EQ(pg_req(&c, PAGER_OP_ALLOC, 2, PG_HEAP, PG_MEM / PG_PAGE + 1), PAGER_E_NOMEM);
    KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP, 0), PAGER_E_NOT_OWNED);   /* none committed */
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_req(&c, PAGER_OP_ALLOC, 2, PG_HEAP, 10), PAGER_OK);
    KCHECK_EQ(c.r[0], 10);
    KCHECK_EQ(pg_req(&c, PAGER_OP_ALLOC, 2, PG_HEAP, 12), PAGER_OK);   /* 2 more */
    KCHECK_EQ(c.r[0], 2);
    L4_Word_t free1 = pg_info(0, PAGER_INFO_FREE);
    KCHECK(pg_touch(&c, PG_HEAP, 12, 5));                           /* faults map, no new frames */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free1);
    /* all of this pager's own frames, then everything is refused; free them and go on */
    L4_Word_t rest = free1 - PAGEMAP_LEVELS * 2 - (free1 / PAGEMAP_FANOUT);
    KCHECK_EQ(pg_req(&c, PAGER_OP_ALLOC, 2, PG_HEAP + 12 * PG_PAGE, rest), PAGER_OK);
    KCHECK_EQ(pg_req(&c, PAGER_OP_ALLOC, 2, PG_HEAP + (12 + rest) * PG_PAGE, PG_MEM / PG_PAGE),
              PAGER_E_NOMEM);
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP + 12 * PG_PAGE, rest), PAGER_OK);
    KCHECK_EQ(pg_verify(&c, PG_HEAP, 12, 5), 0);
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_client_del(&c, 0), 12);
    KCHECK(pg_books_ok());
}

TTEST(pager, switch_algorithm_keeps_pages)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP, 50, 0x5150));
    L4_Word_t pfn[50], free0 = pg_info(0, PAGER_INFO_FREE);
    for (unsigned i = 0; i < 50; i++) {
        KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP + i * PG_PAGE, 0), PAGER_OK);
        pfn[i] = c.r[0];
    }
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_ALG, 1, PAGER_ALG_BUDDY, 0), PAGER_OK);
    KCHECK_EQ(c.r[0], PAGER_ALG_AVL);
    KCHECK_EQ(pg_info(0, PAGER_INFO_ALG), PAGER_ALG_BUDDY);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0);                 /* every free frame moved */
    KCHECK_EQ(pg_verify(&c, PG_HEAP, 50, 0x5150), 0);
    for (unsigned i = 0; i < 50; i++) {
        KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP + i * PG_PAGE, 0), PAGER_OK);
        KCHECK_EQ(c.r[0], pfn[i]);
    }
    KCHECK(pg_touch(&c, PG_HEAP + 50 * PG_PAGE, 30, 9));           /* from the buddy now */
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 50), PAGER_OK);
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_ALG, 1, PAGER_ALG_AVL, 0), PAGER_OK);
    KCHECK_EQ(c.r[0], PAGER_ALG_BUDDY);
    KCHECK_EQ(pg_verify(&c, PG_HEAP + 50 * PG_PAGE, 30, 9), 0);
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_client_del(&c, 0), 30);
    KCHECK(pg_books_ok());
}

TTEST(pager, client_del_reclaims_everything)
{
    PG_BEGIN();
    static struct pg_client c;
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE), meta0 = pg_info(0, PAGER_INFO_META);
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP, 200, 1));
    KCHECK(pg_touch(&c, PG_HEAP + 3000 * PG_PAGE, 20, 1));          /* another leaf table */
    KCHECK(pg_books_ok());
    KCHECK_EQ(pg_client_del(&c, 0), 220);                           /* exits with pages out */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0);                  /* tables back too */
    KCHECK_EQ(pg_info(0, PAGER_INFO_META), meta0);
    KCHECK(pg_books_ok());
}

/* One client per CPU, all touching at once: each pager answers only its own CPU's faults. */
TTEST(pager, all_cpus_at_once)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    PG_BEGIN();
    static struct pg_client c[PAGER_MAX_PAGERS];
    unsigned n = pager_server.npagers;
    L4_Word_t before[PAGER_MAX_PAGERS];
    for (unsigned i = 0; i < n; i++) {
        KCHECK(pg_client_new(&c[i], i));
        before[i] = pg_info(i, PAGER_INFO_FAULTS);
    }
    for (unsigned i = 0; i < n; i++) {                              /* start them together */
        c[i].addr = PG_HEAP;
        c[i].n = 256;
        c[i].pattern = i << 16;
    }
    for (unsigned i = 0; i < n; i++)
        c[i].cmd = C_TOUCH;
    for (unsigned i = 0; i < n; i++)
        KCHECK(TU_WAIT(c[i].cmd == C_IDLE));
    for (unsigned i = 0; i < n; i++) {
        KCHECK_EQ(pg_verify(&c[i], PG_HEAP, 256, i << 16), 0);
        KCHECK_EQ(pg_info(i, PAGER_INFO_FAULTS) - before[i], 256);
        KCHECK_EQ(pg_req(&c[i], PAGER_OP_QUERY, 1, PG_HEAP + 255 * PG_PAGE, 0), PAGER_OK);
        KCHECK_EQ(part_home(&pager_server.part, c[i].r[0]), (int)i);
    }
    for (unsigned i = 0; i < n; i++)
        KCHECK_EQ(pg_client_del(&c[i], i), 256);
    KCHECK(pg_books_ok());
}

/* ---- balancing and the checker --------------------------------------------------------- */

/* Ask every pager in turn to mark its frames; 1 if each frame the server got from sigma0 is
 * marked exactly once (no duplicate, none lost). */
static int pg_check_all(void)
{
    L4_Word_t w[3] = { 0, 0, 0 }, dups = 0, held = 0;
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        L4_Word_t a[1] = { i == 0 ? PAGER_CHECK_FIRST : 0 };
        if (pg_call(pg_tid[i], PAGER_OP_CHECK, 1, a, w, 3) != PAGER_OK)
            return 0;
        if (w[0] != pg_info(i, PAGER_INFO_HELD)) {
            printf("# pager %u: marked %lu frames, holds %lu\n", i, w[0], pg_info(i, PAGER_INFO_HELD));
            return 0;
        }
        dups += w[1];
        held += pg_info(i, PAGER_INFO_HELD);
    }
    if (dups || w[2] != PG_MEM / PG_PAGE || held != PG_MEM / PG_PAGE) {
        printf("# checker: %lu duplicates, %lu of %lu frames marked, %lu held\n", dups, w[2],
               PG_MEM / PG_PAGE, held);
        return 0;
    }
    return 1;
}

/* The borrowed/lent books agree: what pager i borrowed from j is what j lent to i.  A round
 * trip to every pager first: a RETURN one pager sent another is handled before our INFO. */
static int pg_loans_agree(void)
{
    for (unsigned i = 0; i < pager_server.npagers; i++)
        pg_info(i, PAGER_INFO_FREE);
    for (unsigned i = 0; i < pager_server.npagers; i++)
        for (unsigned j = 0; j < pager_server.npagers; j++)
            if (pager_server.pager[i].borrowed[j] != pager_server.pager[j].lent[i])
                return 0;
    return 1;
}

TTEST(pager, checker_finds_every_frame_once)
{
    PG_BEGIN();
    KCHECK(pg_check_all());
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP, 64, 3));
    KCHECK(pg_check_all());                                         /* committed pages, tables */
    KCHECK_EQ(pg_client_del(&c, 0), 64);
    KCHECK(pg_check_all());
}

/* Skewed load: one CPU's program takes more than its pager's partition; the pager borrows
 * from the others, and when the program frees, the frames go home. */
TTEST(pager, skewed_load_borrows_and_returns)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    L4_Word_t home0 = pg_info(0, PAGER_INFO_HOME), pages = home0 + home0 / 2;
    KCHECK(pg_touch(&c, PG_HEAP, pages, 11));                       /* 1.5 partitions */
    KCHECK_EQ(pg_verify(&c, PG_HEAP, pages, 11), 0);
    L4_Word_t borrowed = pg_info(0, PAGER_INFO_BORROWED), lent = 0;
    for (unsigned i = 1; i < pager_server.npagers; i++)
        lent += pg_info(i, PAGER_INFO_LENT);
    KCHECK(borrowed >= home0 / 2);
    KCHECK_EQ(lent, borrowed);
    KCHECK(pg_loans_agree());
    KCHECK_EQ(pg_info(0, PAGER_INFO_HELD), home0 + borrowed);
    KCHECK_EQ(pg_req(&c, PAGER_OP_QUERY, 1, PG_HEAP + (pages - 1) * PG_PAGE, 0), PAGER_OK);
    KCHECK(part_home(&pager_server.part, c.r[0]) != 0);             /* a borrowed frame */
    KCHECK(pg_books_ok());
    KCHECK(pg_check_all());
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, pages), PAGER_OK);
    /* everything went home but frames still in use: page-map tables the pager took while
     * it was low (they stay until the client goes) */
    KCHECK(pg_info(0, PAGER_INFO_BORROWED) <= pg_info(0, PAGER_INFO_META) - pager_server.pager[0].meta_n);
    KCHECK(pg_loans_agree());
    KCHECK(pg_check_all());
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK(TU_WAIT(pg_info(0, PAGER_INFO_BORROWED) == 0));          /* now all of it */
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        KCHECK_EQ(pg_info(i, PAGER_INFO_LENT), 0);
        KCHECK_EQ(pg_info(i, PAGER_INFO_HELD), pg_info(i, PAGER_INFO_HOME));
    }
    KCHECK(pg_loans_agree());
    KCHECK(pg_check_all());
    KCHECK(pg_books_ok());
}

/* Thresholds are the pager's parameters: a higher MEM_LOW makes it borrow earlier. */
TTEST(pager, limits_decide_when_to_borrow)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 1));
    L4_Word_t free0 = pg_info(1, PAGER_INFO_FREE);
    L4_Word_t a[2] = { free0 - 20, free0 + 400 };                   /* low: 20 frames from now */
    KCHECK_EQ(pg_call(pg_tid[1], PAGER_OP_SET_LIMITS, 2, a, 0, 0), PAGER_OK);
    KCHECK(pg_touch(&c, PG_HEAP, 10, 1));
    KCHECK_EQ(pg_info(1, PAGER_INFO_BORROWED), 0);                  /* not yet */
    KCHECK(pg_touch(&c, PG_HEAP + 10 * PG_PAGE, 20, 1));
    KCHECK(pg_info(1, PAGER_INFO_BORROWED) > 0);                    /* crossed MEM_LOW */
    KCHECK(pg_loans_agree());
    KCHECK(pg_check_all());
    L4_Word_t bad[2] = { 100, 100 };
    KCHECK_EQ(pg_call(pg_tid[1], PAGER_OP_SET_LIMITS, 2, bad, 0, 0), PAGER_E_BADARG);
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_LIMITS, 2, 1, 2), PAGER_E_DENIED);   /* not the loader */
    KCHECK_EQ(pg_client_del(&c, 1), 30);
    KCHECK(pg_books_ok());
}

/* Pager-to-pager requests from anyone else are refused and move nothing. */
TTEST(pager, balancing_requests_only_from_pagers)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE);
    KCHECK_EQ(pg_req(&c, PAGER_OP_MEM_LOW, 1, 100, 0), PAGER_E_DENIED);
    KCHECK_EQ(pg_req(&c, PAGER_OP_RETURN, 1, PAGER_RANGE(pager_server.span_base, 1), 0),
              PAGER_E_DENIED);
    L4_Word_t a[1] = { 100 };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_MEM_LOW, 1, a, 0, 0), PAGER_E_DENIED);  /* the loader */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0);
    KCHECK_EQ(pg_info(0, PAGER_INFO_LENT), 0);
    KCHECK(pg_check_all());
    KCHECK_EQ(pg_client_del(&c, 0), 0);
}

/* ---- TLB (the paper's §3.2 "TLB issue") and migration -------------------------------------- */

/* A free from a single-threaded client costs no shootdown: while it waits for its same-CPU
 * pager its space is loaded on no CPU (docs/design/pagers.md, "TLB").  One page stays in the
 * 2 MiB region: a free that empties a leaf table makes the kernel reclaim the table, and that
 * shoots down every other CPU inside the kernel at that moment (kernel/core/mdb.c, unlock) —
 * counted and printed below, not asserted (it depends on what the other CPUs are doing). */
TTEST(pager, free_needs_no_shootdown)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 1));
    KCHECK(pg_touch(&c, PG_HEAP, 65, 2));
    L4_Word_t s0 = L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 64), PAGER_OK);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS) - s0, 0);
    KCHECK_EQ(pg_nonzero(&c, PG_HEAP, 64), 0);                      /* really unmapped */
    KCHECK_EQ(pg_verify(&c, PG_HEAP + 64 * PG_PAGE, 1, 2 + 64), 0);
    L4_Word_t s1 = L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 65), PAGER_OK);  /* the leaf table empties */
    printf("# pager: a free that empties a leaf table: %lu shootdown round(s)\n",
           L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS) - s1);
    KCHECK_EQ(pg_client_del(&c, 1), 0);
}

/* ... but when another thread of the client's space runs on another CPU, the free shoots
 * that CPU down, as correctness needs (and shows the count above can move). */
TTEST(pager, free_shoots_down_where_the_space_runs)
{
    if (tu_ncpus() < 3)
        KSKIP("needs 3 CPUs");
    PG_BEGIN();
    static struct pg_client c;
    static volatile L4_Word_t spins;
    KCHECK(pg_client_new(&c, 1));
    KCHECK(pg_touch(&c, PG_HEAP, 64, 2));
    spins = 0;
    L4_ThreadId_t spinner = tu_space_join(c.self, tu_spin, (void *)&spins, PG_CLIENT_PRIO);
    KCHECK(!L4_IsNilThread(spinner));
    KCHECK(L4_Set_ProcessorNo(spinner, 2) != L4_SCHEDRESULT_ERROR);
    L4_Word_t n0 = spins;
    KCHECK(TU_WAIT(spins > n0 + 1000));                             /* it runs on CPU 2 */
    L4_Word_t s0 = L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 64), PAGER_OK);
    KCHECK(L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS) - s0 >= 1);
    tu_delete(spinner);
    KCHECK_EQ(pg_client_del(&c, 1), 0);
}

/* The decision for migration: a thread that moves keeps its pager.  Its faults then cross
 * CPUs — correct, slower — until the loader hands the client to the new CPU's pager (MOVE,
 * not there yet). */
TTEST(pager, migrated_thread_keeps_its_pager)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP, 16, 4));
    KCHECK(L4_Set_ProcessorNo(c.self, 1) != L4_SCHEDRESULT_ERROR);
    L4_Word_t f0 = pg_info(0, PAGER_INFO_FAULTS), f1 = pg_info(1, PAGER_INFO_FAULTS);
    KCHECK(pg_touch(&c, PG_HEAP + 16 * PG_PAGE, 16, 20));
    KCHECK_EQ(pg_info(0, PAGER_INFO_FAULTS) - f0, 16);             /* still pager 0 */
    KCHECK_EQ(pg_info(1, PAGER_INFO_FAULTS) - f1, 0);
    KCHECK_EQ(pg_verify(&c, PG_HEAP, 16, 4), 0);
    KCHECK_EQ(pg_verify(&c, PG_HEAP + 16 * PG_PAGE, 16, 20), 0);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 32), PAGER_OK);  /* cross-CPU too */
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK(pg_books_ok());
}

/* ---- faults the pager cannot resolve ------------------------------------------------------ */

/* Receive the CRASHED report pager i sends the loader (the root); its label, words in r[4]
 * (~0 if none came).  The report is retried after every answer, so ask INFO between tries. */
static L4_Word_t pg_crash_report(unsigned i, L4_Word_t *r)
{
    for (int tries = 0; tries < 50; tries++) {
        L4_MsgTag_t tag = L4_Receive_Timeout(pg_tid[i], L4_TimePeriod(100000));
        if (L4_IpcSucceeded(tag)) {
            for (unsigned k = 0; k < 4; k++)
                L4_StoreMR((int)k + 1, &r[k]);
            return L4_Label(tag);
        }
        pg_info(i, PAGER_INFO_FREE);
    }
    return ~0UL;
}

TTEST(pager, unresolvable_fault_is_reported_to_the_loader)
{
    PG_BEGIN();
    static struct pg_client c;
    unsigned cpu = tu_ncpus() > 1 ? 1 : 0;
    KCHECK(pg_client_new(&c, cpu));
    KCHECK(pg_touch(&c, PG_HEAP, 2, 1));
    c.addr = PG_HEAP - PG_PAGE;                                     /* outside its range */
    c.n = 1;
    c.pattern = 0;
    c.cmd = C_TOUCH;
    L4_Word_t r[4];
    KCHECK_EQ(pg_crash_report(cpu, r), LOADER_LABEL(LOADER_OP_CRASHED));
    KCHECK_EQ(r[0], c.self.raw);
    KCHECK_EQ(r[1], PG_HEAP - PG_PAGE);
    KCHECK_EQ(r[3], PAGER_E_RANGE);
    KCHECK(c.cmd == C_TOUCH);                                       /* it stays blocked */
    KCHECK_EQ(pg_client_del(&c, cpu), 2);                           /* the loader cleans up */
    KCHECK(pg_books_ok());
}

/* The upcall: where a client's unresolvable faults go instead of a report. */
static struct pg_client *upcall_client;
static volatile L4_Word_t upcall_addr, upcall_err, upcall_ip, upcalls;
static char upcall_stack[8192] __attribute__((aligned(16)));

/* Runs on upcall_stack in the client's space, entered by the pager's control transfer item
 * (RDI, RSI, RDX as arguments); never returns: the client goes back to its command loop. */
static void pg_upcall(L4_Word_t addr, L4_Word_t err, L4_Word_t ip)
{
    upcall_addr = addr;
    upcall_err = err;
    upcall_ip = ip;
    upcalls++;
    upcall_client->cmd = C_IDLE;                                    /* the touch ended here */
    client_main(upcall_client);
}

TTEST(pager, exhaustion_goes_to_the_upcall_and_the_program_goes_on)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    upcall_client = &c;
    upcalls = 0;
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_UPCALL, 2, (L4_Word_t)pg_upcall,
                     (L4_Word_t)&upcall_stack[sizeof upcall_stack] - 8), PAGER_OK);
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_UPCALL, 2, 0x1000, 0), PAGER_E_BADARG);   /* no stack */
    /* more pages than the whole server holds: some fault finds no frame anywhere */
    KCHECK(pg_touch(&c, PG_HEAP, PG_MEM / PG_PAGE + 100, 3));
    KCHECK_EQ(upcalls, 1);
    KCHECK_EQ(upcall_err, PAGER_E_NOMEM);
    KCHECK(upcall_addr > PG_HEAP && upcall_addr < PG_HEAP + PG_MEM);
    L4_Word_t got = (upcall_addr - PG_HEAP) / PG_PAGE;             /* pages it did get */
    KCHECK(got > PG_MEM / PG_PAGE / 2);
    KCHECK_EQ(pg_verify(&c, PG_HEAP, got, 3), 0);
    KCHECK(pg_books_ok());
    KCHECK(pg_check_all());
    /* it frees half and goes on */
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, got / 2), PAGER_OK);
    KCHECK(pg_touch(&c, PG_HEAP, 10, 77));
    KCHECK_EQ(pg_verify(&c, PG_HEAP, 10, 77), 0);
    KCHECK_EQ(upcalls, 1);
    KCHECK_EQ(pg_client_del(&c, 0), got - got / 2 + 10);
    KCHECK(pg_books_ok());
    KCHECK(pg_check_all());
}

/* A second thread of a client's space, registered with THREAD_ADD, is served like the first;
 * the table of threads per client is bounded. */
static struct pg_client second;

TTEST(pager, thread_add_serves_another_thread_of_the_space)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    memset(&second, 0, sizeof second);
    second.pager = pg_tid[0];
    second.self = tu_space_join(c.self, client_main, &second, PG_CLIENT_PRIO);
    KCHECK(!L4_IsNilThread(second.self));
    L4_Word_t a[2] = { second.self.raw, c.self.raw };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_THREAD_ADD, 2, a, 0, 0), PAGER_OK);
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_THREAD_ADD, 2, a, 0, 0), PAGER_E_EXISTS);
    L4_Word_t unknown[2] = { L4_GlobalId(5001, 1).raw, L4_GlobalId(5002, 1).raw };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_THREAD_ADD, 2, unknown, 0, 0), PAGER_E_BADARG);
    KCHECK(L4_ThreadControl(second.self, c.self, L4_nilthread, pg_tid[0], (void *)~0UL));
    KCHECK(pg_touch(&c, PG_HEAP, 4, 1));
    KCHECK(pg_touch(&second, PG_HEAP + 4 * PG_PAGE, 4, 5));        /* the second thread */
    KCHECK_EQ(pg_verify(&second, PG_HEAP, 4, 1), 0);                /* one space: same pages */
    KCHECK_EQ(pg_verify(&c, PG_HEAP + 4 * PG_PAGE, 4, 5), 0);
    KCHECK_EQ(pg_req(&second, PAGER_OP_FREE, 2, PG_HEAP, 2), PAGER_OK);  /* its requests too */
    for (L4_Word_t i = 0; i < PAGER_CLIENT_THREADS - 2; i++) {      /* fill the table */
        L4_Word_t more[2] = { L4_GlobalId(5003 + i, 1).raw, c.self.raw };
        KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_THREAD_ADD, 2, more, 0, 0), PAGER_OK);
    }
    L4_Word_t full[2] = { L4_GlobalId(5100, 1).raw, c.self.raw };
    KCHECK_EQ(pg_call(pg_tid[0], PAGER_OP_THREAD_ADD, 2, full, 0, 0), PAGER_E_FULL);
    tu_delete(second.self);
    KCHECK_EQ(pg_client_del(&c, 0), 6);                             /* by its first thread */
    KCHECK(pg_books_ok());
}

/* FREE skips pages of the range that were never committed (a malloc'd page never touched). */
TTEST(pager, free_skips_pages_not_committed)
{
    PG_BEGIN();
    static struct pg_client c;
    KCHECK(pg_client_new(&c, 0));
    KCHECK(pg_touch(&c, PG_HEAP + 2 * PG_PAGE, 3, 1));              /* pages 2, 3, 4 of 0..9 */
    KCHECK(pg_touch(&c, PG_HEAP + 9 * PG_PAGE, 1, 1));
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 10), PAGER_OK);
    KCHECK_EQ(c.r[0], 4);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0 + 4);
    KCHECK_EQ(pg_req(&c, PAGER_OP_FREE, 2, PG_HEAP, 10), PAGER_OK);  /* again: nothing */
    KCHECK_EQ(c.r[0], 0);
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK(pg_books_ok());
}

/* pmalloc: the pages a program frees really go back to its pager (the paper's malloc). */
TTEST(pager, pmalloc_gives_freed_pages_back)
{
    PG_BEGIN();
    static struct pg_client c;
    static struct pmalloc heap;
    static uint64_t meta[2 * PG_HEAP_PAGES / 64];
    KCHECK(sizeof meta >= vrange_meta_bytes(PG_HEAP_PAGES));
    KCHECK(pg_client_new(&c, 0));
    pmalloc_init(&heap, PG_HEAP, PG_HEAP_PAGES, meta, pg_tid[0]);
    c.heap = &heap;
    L4_Word_t free0 = pg_info(0, PAGER_INFO_FREE), meta0 = pg_info(0, PAGER_INFO_META);
    L4_Word_t f0 = pg_info(0, PAGER_INFO_FAULTS);
    c.n = 200;
    c.pattern = 5;                                                  /* rounds */
    KCHECK(pg_run(&c, C_MALLOC));
    KCHECK_EQ(c.bad, 0);
    KCHECK_EQ(heap.frees_failed, 0);
    KCHECK_EQ(heap.pages.nused, 0);
    KCHECK_EQ(pg_info(0, PAGER_INFO_FAULTS) - f0, 5 * 200);         /* every round faults anew */
    L4_Word_t tables = pg_info(0, PAGER_INFO_META) - meta0;
    KCHECK(tables <= 5);                                            /* the same addresses reused */
    KCHECK_EQ(pg_info(0, PAGER_INFO_FREE), free0 - tables);         /* every frame back */
    /* the range is the program's: a run too long for it is NULL, not a fault */
    KCHECK(pmalloc_alloc(&heap, (PG_HEAP_PAGES + 1) * PG_PAGE) == NULL);
    pmalloc_free(&heap, (void *)(PG_HEAP + 3));                    /* not an allocation: ignored */
    KCHECK_EQ(heap.frees_failed, 0);
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK(pg_books_ok());
}

/* ---- cost per page (printed, not asserted) ------------------------------------------------- */

/* The paper's Figure 11 in miniature, for each algorithm: TSC ticks per page (allocate with
 * pmalloc, touch, free) with 50 and with 1000 pages outstanding, 4 rounds after a warm-up
 * round.  Under `-icount shift=0` a tick is an instruction (of every CPU QEMU runs); in the
 * normal test boots the figures mean little, and nothing is asserted about them. */
TTEST(pager, cost_per_page_is_printed)
{
    PG_BEGIN();
    static struct pg_client c;
    static struct pmalloc heap;
    static uint64_t meta[2 * PG_HEAP_PAGES / 64];
    KCHECK(pg_client_new(&c, 0));
    pmalloc_init(&heap, PG_HEAP, PG_HEAP_PAGES, meta, pg_tid[0]);
    c.heap = &heap;
    static const L4_Word_t outstanding[2] = { 50, 1000 };
    for (unsigned alg = PAGER_ALG_AVL; alg <= PAGER_ALG_BUDDY; alg++) {
        KCHECK_EQ(pg_req(&c, PAGER_OP_SET_ALG, 1, alg, 0), PAGER_OK);
        for (unsigned k = 0; k < 2; k++) {
            c.n = outstanding[k];
            c.pattern = 1;
            KCHECK(pg_run(&c, C_MALLOC));                           /* warm-up */
            c.pattern = 4;
            KCHECK(pg_run(&c, C_MALLOC));                           /* timed by the client */
            KCHECK_EQ(c.bad, 0);
            printf("# pager: %s, %lu pages outstanding: %lu ticks per page\n",
                   alg == PAGER_ALG_AVL ? "avl" : "buddy", outstanding[k],
                   (unsigned long)(c.r[0] / (4 * outstanding[k])));
        }
    }
    KCHECK_EQ(pg_req(&c, PAGER_OP_SET_ALG, 1, PAGER_ALG_AVL, 0), PAGER_OK);
    KCHECK_EQ(pg_client_del(&c, 0), 0);
    KCHECK(pg_books_ok());
}
