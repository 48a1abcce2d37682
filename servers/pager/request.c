/* request.c — the pager requests (PAGER_LABEL): argument checks, then the work.
 *
 * Every request gets an answer: label = PAGER_OK or the error, results in MR1...  A request
 * that fails changes nothing.  Client requests come from a thread of a client of this pager
 * (else PAGER_E_UNKNOWN_CLIENT), loader requests from the loader and pager requests from
 * another pager (else PAGER_E_DENIED), INFO from anyone.  RETURN is the one request without
 * an answer.  POPULATE's answer carries map items.  MOVE is not served yet (PAGER_E_NOOP).
 * Context: the pager thread that owns `p`.
 */
#include "server.h"

#define PAGES_MAX_TABLES(n)     ((n) / PAGEMAP_FANOUT + 2 * PAGEMAP_LEVELS)

/* The answer: label err, words w[0..n) in MR1... */
static void answer(L4_Word_t err, const L4_Word_t *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        L4_LoadMR(i + 1, w[i]);
    L4_Set_MsgTag(L4_MsgTagMake(err, n, 0));
}

/* Is [addr, addr + n pages) a valid range of c?  PAGER_OK, PAGER_E_ALIGN or PAGER_E_RANGE. */
static int check_range(const struct client *c, L4_Word_t addr, L4_Word_t n)
{
    if ((addr & (PAGER_PAGE_SIZE - 1)) || n == 0 || n > PAGER_FREE_MAX)
        return PAGER_E_ALIGN;
    if (addr < c->low || addr >= c->high || n > (c->high - addr) >> PAGER_PAGE_LOG2)
        return PAGER_E_RANGE;
    return PAGER_OK;
}

static int do_alloc(struct pager *p, struct client *c, L4_Word_t addr, L4_Word_t n, L4_Word_t *done)
{
    int err = check_range(c, addr, n);
    if (err != PAGER_OK)
        return err;
    uint64_t vpn = addr >> PAGER_PAGE_LOG2;
    uint64_t missing = n - pagemap_walk(&c->map, vpn, vpn + n, 0, 0);
    uint64_t need = missing + PAGES_MAX_TABLES(n);
    if (pager_free_frames(p) < need)                   /* borrow what is missing, and some */
        balance_borrow(p, need - pager_free_frames(p) + (p->mem_low + p->mem_high) / 2);
    if (pager_free_frames(p) < need)
        return PAGER_E_NOMEM;                   /* checked first: no page changes */
    *done = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pfn;
        if (pagemap_get(&c->map, vpn + i, 0, 0))
            continue;
        if (frame_alloc_zeroed(p, &pfn) != PAGER_OK ||
            pagemap_set(&c->map, vpn + i, pfn, L4_FullyAccessible) < 0)
            return PAGER_E_NOMEM;               /* cannot happen after the check above */
        (*done)++;
    }
    return PAGER_OK;
}

static int do_free(struct pager *p, struct client *c, L4_Word_t addr, L4_Word_t n, L4_Word_t *done)
{
    int err = check_range(c, addr, n);
    if (err != PAGER_OK)
        return err;
    *done = client_free_pages(p, c, addr >> PAGER_PAGE_LOG2, n);
    return PAGER_OK;
}

/* POPULATE: commit frames to pages [addr, addr + n pages) of the client of thread t with
 * `rights` (new frames zeroed; a page committed already keeps its frame and gains the
 * rights), then answer with n map items giving the loader the frames (rwx), page i with send
 * base i << 12: in the loader's receive window (16 pages, aligned) page i lands at offset
 * i * 4 KiB.  The loader copies the ELF segment in and unmaps its own mapping; the client
 * faults the pages in later (fault.c finds them committed).  Map items or an error code. */
static int do_populate(struct pager *p, L4_Word_t t, L4_Word_t addr, L4_Word_t n, L4_Word_t rights)
{
    struct client *c = client_find(p, (L4_ThreadId_t){ .raw = t });
    if (!c || n > PAGER_POPULATE_MAX || rights == 0 || (rights & ~(L4_Word_t)L4_FullyAccessible))
        return PAGER_E_BADARG;
    int err = check_range(c, addr, n);
    if (err != PAGER_OK)
        return err;
    uint64_t vpn = addr >> PAGER_PAGE_LOG2;
    uint64_t need = n + PAGES_MAX_TABLES(n);
    if (pager_free_frames(p) < need)
        balance_borrow(p, need - pager_free_frames(p) + (p->mem_low + p->mem_high) / 2);
    if (pager_free_frames(p) < need)
        return PAGER_E_NOMEM;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t pfn;
        unsigned had = 0;
        if (!pagemap_get(&c->map, vpn + i, &pfn, &had) && frame_alloc_zeroed(p, &pfn) != PAGER_OK)
            return PAGER_E_NOMEM;               /* cannot happen after the check above */
        if (pagemap_set(&c->map, vpn + i, pfn, had | (unsigned)rights) < 0)
            return PAGER_E_NOMEM;
        L4_LoadMR((int)(2 * i + 1), (i << PAGER_PAGE_LOG2) | PAGER_MAPITEM |
                                    (i + 1 < n ? 1 : 0));      /* send base; C: more follow */
        L4_LoadMR((int)(2 * i + 2), pager_frame_fpage(pfn, L4_FullyAccessible).raw);
    }
    L4_Set_MsgTag(L4_MsgTagMake(PAGER_OK, 0, 2 * n));
    return PAGER_OK;
}

static int do_query(struct client *c, L4_Word_t addr, L4_Word_t *w)
{
    uint64_t pfn;
    if (addr < c->low || addr >= c->high)
        return PAGER_E_RANGE;
    if (!pagemap_get(&c->map, addr >> PAGER_PAGE_LOG2, &pfn, 0))
        return PAGER_E_NOT_OWNED;
    w[0] = pfn;
    w[1] = part_node(&pager_server.part, pfn);
    return PAGER_OK;
}

static int do_set_alg(struct pager *p, L4_Word_t alg, L4_Word_t *prev)
{
    unsigned want = alg == PAGER_ALG_AVL ? 0 : alg == PAGER_ALG_BUDDY ? 1 : 2;
    if (want == 2)
        return PAGER_E_BADARG;
    *prev = p->active == 0 ? PAGER_ALG_AVL : PAGER_ALG_BUDDY;
    if (want != p->active) {
        if (pma_drain(&p->alloc[p->active], &p->alloc[want]) != PMA_OK)
            return PAGER_E_BADARG;              /* same span: cannot happen */
        p->active = want;
    }
    return PAGER_OK;
}

static int do_set_upcall(struct client *c, L4_Word_t ip, L4_Word_t sp)
{
    if (ip && (ip >= PAGER_WINDOW_BASE || sp >= PAGER_WINDOW_BASE || sp == 0))
        return PAGER_E_BADARG;
    c->upcall_ip = ip;
    c->upcall_sp = ip ? sp : 0;
    return PAGER_OK;
}

static unsigned info(const struct pager *p, L4_Word_t *w)
{
    unsigned clients = 0;
    for (unsigned i = 0; i < PAGER_MAX_CLIENTS; i++)
        clients += p->client[i].used;
    w[PAGER_INFO_CPU - 1] = p->cpu;
    w[PAGER_INFO_NODE - 1] = p->node;
    w[PAGER_INFO_ALG - 1] = p->active == 0 ? PAGER_ALG_AVL : PAGER_ALG_BUDDY;
    w[PAGER_INFO_FREE - 1] = pma_free_count(&p->alloc[p->active]);
    w[PAGER_INFO_HELD - 1] = p->held;
    w[PAGER_INFO_HOME - 1] = pager_server.part.home_frames[p->index];
    uint64_t borrowed = 0, lent = 0;
    for (unsigned i = 0; i < pager_server.npagers; i++) {
        borrowed += p->borrowed[i];
        lent += p->lent[i];
    }
    w[PAGER_INFO_BORROWED - 1] = borrowed;
    w[PAGER_INFO_LENT - 1] = lent;
    w[PAGER_INFO_CLIENTS - 1] = clients;
    w[PAGER_INFO_FAULTS - 1] = p->faults;
    w[PAGER_INFO_META - 1] = p->meta_frames;
    return PAGER_INFO_WORDS;
}

/* The untyped words each request takes (~0: not served yet). */
static unsigned args_of(unsigned op)
{
    switch (op) {
    case PAGER_OP_ALLOC:        return PAGER_ARGS_ALLOC;
    case PAGER_OP_FREE:         return PAGER_ARGS_FREE;
    case PAGER_OP_SET_ALG:      return PAGER_ARGS_SET_ALG;
    case PAGER_OP_INFO:         return PAGER_ARGS_INFO;
    case PAGER_OP_QUERY:        return PAGER_ARGS_QUERY;
    case PAGER_OP_SET_UPCALL:   return PAGER_ARGS_SET_UPCALL;
    case PAGER_OP_CLIENT_ADD:   return PAGER_ARGS_CLIENT_ADD;
    case PAGER_OP_THREAD_ADD:   return PAGER_ARGS_THREAD_ADD;
    case PAGER_OP_CLIENT_DEL:   return PAGER_ARGS_CLIENT_DEL;
    case PAGER_OP_SET_LIMITS:   return PAGER_ARGS_SET_LIMITS;
    case PAGER_OP_CHECK:        return PAGER_ARGS_CHECK;
    case PAGER_OP_POPULATE:     return PAGER_ARGS_POPULATE;
    case PAGER_OP_MEM_LOW:      return PAGER_ARGS_MEM_LOW;
    default:                    return ~0u;
    }
}

bool request_handle(struct pager *p, L4_ThreadId_t from, L4_MsgTag_t tag)
{
    unsigned op = PAGER_LABEL_OP(L4_Label(tag)), n = args_of(op);
    L4_Word_t a[4] = { 0 }, w[PAGER_INFO_WORDS] = { 0 };
    int err = PAGER_OK, peer = pager_index_of(from);
    unsigned nw = 0;
    if (op == PAGER_OP_RETURN && peer >= 0 && peer != (int)p->index && L4_TypedWords(tag) == 0 &&
        L4_UntypedWords(tag) >= 1 && L4_UntypedWords(tag) <= PAGER_MAX_RANGES) {
        balance_returned(p, (unsigned)peer, tag);
        return false;                           /* RETURN is not answered */
    }
    if (op == PAGER_OP_RETURN) {
        answer(peer < 0 ? PAGER_E_DENIED : PAGER_E_BADMSG, 0, 0);
        return true;
    }
    if (n == ~0u) {
        answer(PAGER_E_NOOP, 0, 0);
        return true;
    }
    if (L4_UntypedWords(tag) != n || L4_TypedWords(tag) != 0) {
        answer(PAGER_E_BADMSG, 0, 0);
        return true;
    }
    for (unsigned i = 0; i < n; i++)
        L4_StoreMR(i + 1, &a[i]);
    if (op == PAGER_OP_MEM_LOW) {
        if (peer < 0 || peer == (int)p->index)
            answer(PAGER_E_DENIED, 0, 0);
        else
            balance_donate(p, (unsigned)peer, a[0]);
        return true;
    }
    bool loader_op = op == PAGER_OP_CLIENT_ADD || op == PAGER_OP_THREAD_ADD ||
                     op == PAGER_OP_CLIENT_DEL || op == PAGER_OP_SET_LIMITS ||
                     op == PAGER_OP_CHECK || op == PAGER_OP_POPULATE;
    struct client *c = client_find(p, from);
    if (loader_op && from.raw != pager_server.loader.raw) {
        err = PAGER_E_DENIED;
    } else if (!loader_op && op != PAGER_OP_INFO && !c) {
        err = PAGER_E_UNKNOWN_CLIENT;
    } else {
        switch (op) {
        case PAGER_OP_ALLOC:
            err = do_alloc(p, c, a[0], a[1], &w[0]);
            nw = 1;
            break;
        case PAGER_OP_FREE:
            err = do_free(p, c, a[0], a[1], &w[0]);
            nw = 1;
            break;
        case PAGER_OP_SET_ALG:
            err = do_set_alg(p, a[0], &w[0]);
            nw = 1;
            break;
        case PAGER_OP_INFO:
            nw = info(p, w);
            break;
        case PAGER_OP_QUERY:
            err = do_query(c, a[0], w);
            nw = 2;
            break;
        case PAGER_OP_SET_UPCALL:
            err = do_set_upcall(c, a[0], a[1]);
            break;
        case PAGER_OP_CLIENT_ADD:
            err = client_add(p, (L4_ThreadId_t){ .raw = a[0] }, a[1], a[2]);
            break;
        case PAGER_OP_THREAD_ADD:
            err = client_thread_add(p, (L4_ThreadId_t){ .raw = a[0] }, (L4_ThreadId_t){ .raw = a[1] });
            break;
        case PAGER_OP_CLIENT_DEL:
            err = client_del(p, (L4_ThreadId_t){ .raw = a[0] }, &w[0]);
            nw = 1;
            break;
        case PAGER_OP_SET_LIMITS:
            err = balance_set_limits(p, a[0], a[1]);
            break;
        case PAGER_OP_CHECK:
            err = check_mark(p, a[0], w);
            nw = 3;
            break;
        case PAGER_OP_POPULATE:
            err = do_populate(p, a[0], a[1], a[2], a[3]);
            if (err == PAGER_OK)
                return true;                    /* the map items are loaded */
            break;
        }
    }
    answer((L4_Word_t)err, w, err == PAGER_OK ? nw : 0);
    return true;
}
