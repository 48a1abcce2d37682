/* test_pma.c — host tests of the physical memory allocators (lib/pma: AVL tree and buddy).
 *
 * Most tests run once per algorithm (the _avl / _buddy pairs).  The random tests drive a PMA
 * and a model side by side: every frame of the span is OUT (not held by this PMA), FREE or
 * USED; each operation's result is checked against the model, and every so often the whole
 * state is compared (foreach_free against the model's free runs, the free count) and the
 * algorithm's own structure is checked (AVL: order, heights, balance, ranges that never touch;
 * buddy: aligned heads inside the span, lists that match the heads, no two free buddies).
 */
#include "../../lib/pma/pma.c"
#include "../../lib/pma/pma_avl.c"
#include "../../lib/pma/pma_buddy.c"
#include "htest.h"

/* ---- helpers ------------------------------------------------------------------------------ */

/* A failed CHECK returns early and leaks its test's buffers; LeakSanitizer then ends the
 * program with _exit, which would lose a fully buffered stdout and with it the "not ok" line. */
__attribute__((constructor)) static void line_buffered(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint64_t below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

static void *meta_for(enum pma_kind kind, uint64_t n)
{
    void *m = malloc(pma_meta_bytes(kind, n));
    memset(m, 0xA5, pma_meta_bytes(kind, n));      /* init must not rely on zeroed memory */
    return m;
}

enum { OUT = 0, FREE = 1, USED = 2 };

struct model {
    uint64_t base, n;
    uint8_t *st;
};

/* foreach_free's ranges collected, for comparison with the model. */
struct collect {
    struct pma_range r[4096];
    unsigned n;
    int overflow;
};

static void collect_one(void *c, uint64_t pfn, uint64_t count)
{
    struct collect *k = c;
    if (k->n == sizeof k->r / sizeof k->r[0]) {
        k->overflow = 1;
        return;
    }
    k->r[k->n++] = (struct pma_range){ pfn, count };
}

static int avl_check_node(const struct pma_avl *t, uint32_t i, uint64_t lo, uint64_t hi,
                          unsigned *count)
{
    if (i == PMA_AVL_NIL)
        return 0;
    const struct pma_avl_node *n = &t->node[i];
    if (n->len == 0 || n->start < lo || (uint64_t)n->start + n->len > hi)
        return -1000;
    (*count)++;
    /* strict gaps: a range never touches its neighbours (lo/hi exclude the touching frame) */
    int l = avl_check_node(t, n->left, lo, n->start ? n->start - 1u : 0, count);
    int r = avl_check_node(t, n->right, (uint64_t)n->start + n->len + 1, hi, count);
    if (l < 0 || r < 0 || (uint32_t)(1 + (l > r ? l : r)) != n->height || l - r > 1 || r - l > 1)
        return -1000;
    return 1 + (l > r ? l : r);
}

/* The AVL tree's own invariants; 1 if they hold. */
static int avl_ok(const struct pma *a)
{
    unsigned count = 0;
    int h = avl_check_node(&a->u.avl, a->u.avl.root, 0, a->n, &count);
    return h >= 0 && count == a->u.avl.nranges;
}

/* The buddy allocator's own invariants; 1 if they hold. */
static int buddy_ok(const struct pma *a)
{
    const struct pma_buddy *b = &a->u.buddy;
    uint64_t heads = 0, listed = 0;
    for (uint64_t off = 0; off < b->n; off++) {
        uint8_t s = b->state[off];
        if (!s)
            continue;
        unsigned k = s & PMA_BUDDY_ORDER_MASK;
        uint64_t p = b->base + off;
        if (!(s & PMA_BUDDY_HEAD) || k > PMA_BUDDY_MAX_ORDER || (p & ((1ULL << k) - 1)) ||
            off + (1ULL << k) > b->n)
            return 0;
        uint64_t bud = p ^ (1ULL << k);
        if (k < PMA_BUDDY_MAX_ORDER && bud >= b->base && bud + (1ULL << k) <= b->base + b->n &&
            b->state[bud - b->base] == (PMA_BUDDY_HEAD | k))
            return 0;                           /* two free buddies: should have merged */
        heads++;
    }
    for (unsigned k = 0; k < PMA_BUDDY_ORDERS; k++) {
        uint32_t prev = PMA_BUDDY_NIL;
        for (uint32_t o = b->head[k]; o != PMA_BUDDY_NIL; o = b->next[o]) {
            if (b->state[o] != (PMA_BUDDY_HEAD | k) || b->prev[o] != prev || ++listed > heads)
                return 0;
            prev = o;
        }
    }
    return listed == heads;
}

/* The PMA agrees with the model: free count, every free run, the structure.  1 if so. */
static int agrees(const struct pma *a, const struct model *m)
{
    static struct collect c;
    uint64_t nfree = 0;
    c.n = 0;
    c.overflow = 0;
    pma_foreach_free(a, collect_one, &c);
    if (c.overflow)
        return 0;
    unsigned ri = 0;
    for (uint64_t i = 0; i < m->n;) {
        if (m->st[i] != FREE) {
            i++;
            continue;
        }
        uint64_t j = i;
        while (j < m->n && m->st[j] == FREE)
            j++;
        if (ri >= c.n || c.r[ri].pfn != m->base + i || c.r[ri].count != j - i)
            return 0;                           /* runs are maximal: coalesced */
        ri++;
        nfree += j - i;
        i = j;
    }
    if (ri != c.n || nfree != pma_free_count(a))
        return 0;
    return a->kind == PMA_AVL ? avl_ok(a) : buddy_ok(a);
}

/* ---- basic behaviour, both kinds ------------------------------------------------------------ */

static void basic(enum pma_kind kind)
{
    struct pma a;
    const uint64_t base = 0x40000, n = 1000;
    void *meta = meta_for(kind, n);
    CHECK_EQ(pma_init(&a, kind, base, n, meta), PMA_OK);
    uint64_t pfn;
    CHECK_EQ(pma_alloc(&a, &pfn), PMA_E_EMPTY);
    CHECK_EQ(pma_add(&a, base + 10, 20), PMA_OK);
    CHECK_EQ(pma_free_count(&a), 20);
    CHECK(pma_is_free(&a, base + 10) && pma_is_free(&a, base + 29));
    CHECK(!pma_is_free(&a, base + 9) && !pma_is_free(&a, base + 30) && !pma_is_free(&a, 5));
    uint64_t seen[20];
    for (int i = 0; i < 20; i++) {
        CHECK_EQ(pma_alloc(&a, &pfn), PMA_OK);
        CHECK(pfn >= base + 10 && pfn < base + 30 && !pma_is_free(&a, pfn));
        for (int j = 0; j < i; j++)
            CHECK(seen[j] != pfn);
        seen[i] = pfn;
    }
    CHECK_EQ(pma_alloc(&a, &pfn), PMA_E_EMPTY);             /* exhaustion */
    CHECK_EQ(pma_free_count(&a), 0);
    CHECK_EQ(pma_free(&a, seen[7]), PMA_OK);                 /* refill: the same frame back */
    CHECK_EQ(pma_alloc(&a, &pfn), PMA_OK);
    CHECK_EQ(pfn, seen[7]);
    for (int i = 0; i < 20; i++)
        CHECK_EQ(pma_free(&a, seen[i]), PMA_OK);
    struct model m = { base, n, calloc(n, 1) };
    memset(m.st + 10, FREE, 20);
    CHECK(agrees(&a, &m));                                   /* one coalesced range again */
    free(m.st);
    free(meta);
}

TEST(basic_avl) { basic(PMA_AVL); }
TEST(basic_buddy) { basic(PMA_BUDDY); }

static void errors(enum pma_kind kind)
{
    struct pma a;
    const uint64_t base = 1000, n = 100;
    void *meta = meta_for(kind, n);
    CHECK_EQ(pma_init(&a, kind, base, 0, meta), PMA_E_ARG);
    CHECK_EQ(pma_init(&a, kind, ~0ULL - 5, 10, meta), PMA_E_ARG);
    CHECK_EQ(pma_init(&a, kind, 0, PMA_MAX_FRAMES + 1, meta), PMA_E_ARG);
    CHECK_EQ(pma_init(&a, (enum pma_kind)7, base, n, meta), PMA_E_ARG);
    CHECK_EQ(pma_meta_bytes((enum pma_kind)7, n), 0);
    CHECK_EQ(pma_init(&a, kind, base, n, meta), PMA_OK);
    CHECK_EQ(pma_add(&a, base, 0), PMA_E_RANGE);
    CHECK_EQ(pma_add(&a, base - 1, 2), PMA_E_RANGE);
    CHECK_EQ(pma_add(&a, base + 99, 2), PMA_E_RANGE);
    CHECK_EQ(pma_add(&a, base + 50, ~0ULL), PMA_E_RANGE);
    CHECK_EQ(pma_free(&a, base - 1), PMA_E_RANGE);
    CHECK_EQ(pma_free(&a, base + 100), PMA_E_RANGE);
    CHECK_EQ(pma_add(&a, base + 20, 10), PMA_OK);
    CHECK_EQ(pma_free(&a, base + 25), PMA_E_DOUBLE);         /* double free */
    CHECK_EQ(pma_add(&a, base + 10, 11), PMA_E_DOUBLE);      /* overlaps by one frame */
    CHECK_EQ(pma_add(&a, base + 29, 5), PMA_E_DOUBLE);
    CHECK_EQ(pma_add(&a, base + 22, 2), PMA_E_DOUBLE);       /* inside */
    CHECK_EQ(pma_add(&a, base, 100), PMA_E_DOUBLE);          /* covers */
    struct model m = { base, n, calloc(n, 1) };
    memset(m.st + 20, FREE, 10);
    CHECK(agrees(&a, &m));                                   /* errors changed nothing */
    CHECK_EQ(pma_add(&a, base + 10, 10), PMA_OK);            /* touching is fine: merges */
    CHECK_EQ(pma_add(&a, base + 30, 70), PMA_OK);
    memset(m.st + 10, FREE, 90);
    CHECK(agrees(&a, &m));
    CHECK_EQ(pma_free_count(&a), 90);
    free(m.st);
    free(meta);
}

TEST(errors_avl) { errors(PMA_AVL); }
TEST(errors_buddy) { errors(PMA_BUDDY); }

/* ---- coalescing: everything allocated, freed in random order, is one range again ------- */

static void coalesce(enum pma_kind kind, uint64_t base, uint64_t n)
{
    struct pma a;
    void *meta = meta_for(kind, n);
    uint64_t *got = malloc(n * sizeof *got), pfn;
    CHECK_EQ(pma_init(&a, kind, base, n, meta), PMA_OK);
    CHECK_EQ(pma_add(&a, base, n), PMA_OK);
    for (uint64_t i = 0; i < n; i++)
        CHECK_EQ(pma_alloc(&a, &got[i]), PMA_OK);
    CHECK_EQ(pma_alloc(&a, &pfn), PMA_E_EMPTY);
    rng_state = 0x9e3779b97f4a7c15ULL ^ n;
    for (uint64_t i = n; i > 1; i--) {                      /* shuffle */
        uint64_t j = below(i), t = got[i - 1];
        got[i - 1] = got[j];
        got[j] = t;
    }
    for (uint64_t i = 0; i < n; i++)
        CHECK_EQ(pma_free(&a, got[i]), PMA_OK);
    struct model m = { base, n, malloc(n) };
    memset(m.st, FREE, n);
    CHECK(agrees(&a, &m));
    if (kind == PMA_AVL)
        CHECK_EQ(a.u.avl.nranges, 1);
    free(m.st);
    free(got);
    free(meta);
}

TEST(coalesce_avl) { coalesce(PMA_AVL, 0x12345, 5000); }
TEST(coalesce_buddy) { coalesce(PMA_BUDDY, 0x12345, 5000); }
TEST(coalesce_buddy_aligned_span_is_maximal_blocks)
{
    coalesce(PMA_BUDDY, 0x80000, 4096);
    /* 4096 aligned frames: after the frees, one block of order 12 and nothing else */
    struct pma a;
    void *meta = meta_for(PMA_BUDDY, 4096);
    CHECK_EQ(pma_init(&a, PMA_BUDDY, 0x80000, 4096, meta), PMA_OK);
    CHECK_EQ(pma_add(&a, 0x80000, 4096), PMA_OK);
    CHECK_EQ(a.u.buddy.head[12], 0);
    for (unsigned k = 0; k < PMA_BUDDY_ORDERS; k++)
        if (k != 12)
            CHECK_EQ(a.u.buddy.head[k], PMA_BUDDY_NIL);
    uint64_t pfn;
    CHECK_EQ(pma_alloc(&a, &pfn), PMA_OK);                  /* one split per order below */
    for (unsigned k = 0; k < 12; k++)
        CHECK(a.u.buddy.head[k] != PMA_BUDDY_NIL);
    CHECK_EQ(pma_free(&a, pfn), PMA_OK);
    CHECK_EQ(a.u.buddy.head[12], 0);
    free(meta);
}

/* ---- donation: take frames out, add them to another PMA, take_within, drain ---------------- */

static void donation(enum pma_kind kind)
{
    struct pma p, q;
    const uint64_t base = 0x100000, n = 4096;
    void *mp = meta_for(kind, n), *mq = meta_for(kind, n);
    CHECK_EQ(pma_init(&p, kind, base, n, mp), PMA_OK);
    CHECK_EQ(pma_init(&q, kind, base, n, mq), PMA_OK);
    CHECK_EQ(pma_add(&p, base, 2048), PMA_OK);              /* p's home */
    CHECK_EQ(pma_add(&q, base + 2048, 2048), PMA_OK);       /* q's home */
    uint64_t pfn;
    for (int i = 0; i < 2000; i++)                          /* p nearly exhausted */
        CHECK_EQ(pma_alloc(&p, &pfn), PMA_OK);
    struct pma_range out[8];
    unsigned used;
    uint64_t got = pma_take(&q, 700, out, 8, &used);        /* q donates 700 frames */
    CHECK_EQ(got, 700);
    CHECK_EQ(pma_free_count(&q), 2048 - 700);
    uint64_t sum = 0;
    for (unsigned i = 0; i < used; i++) {
        CHECK(out[i].pfn >= base + 2048 && out[i].pfn + out[i].count <= base + n);
        for (uint64_t f = out[i].pfn; f < out[i].pfn + out[i].count; f++)
            CHECK(!pma_is_free(&q, f));
        CHECK_EQ(pma_add(&p, out[i].pfn, out[i].count), PMA_OK);
        sum += out[i].count;
    }
    CHECK_EQ(sum, 700);
    CHECK_EQ(pma_free_count(&p), 48 + 700);
    /* p returns the free frames whose home is q */
    uint64_t back = 0;
    do {
        got = pma_take_within(&p, base + 2048, base + n, ~0ULL, out, 8, &used);
        for (unsigned i = 0; i < used; i++) {
            CHECK(out[i].pfn >= base + 2048 && out[i].pfn + out[i].count <= base + n);
            CHECK_EQ(pma_add(&q, out[i].pfn, out[i].count), PMA_OK);
        }
        back += got;
    } while (got);
    CHECK_EQ(back, 700);
    CHECK_EQ(pma_free_count(&p), 48);
    CHECK_EQ(pma_free_count(&q), 2048);
    struct model m = { base, n, calloc(n, 1) };
    memset(m.st + 2048, FREE, 2048);
    CHECK(agrees(&q, &m));                                   /* q whole again, coalesced */
    /* out too small: take stops, nothing is lost */
    got = pma_take(&q, 2048, out, 1, &used);
    CHECK_EQ(used, 1);
    CHECK_EQ(got, out[0].count);
    CHECK_EQ(pma_free_count(&q), 2048 - got);
    CHECK_EQ(pma_add(&q, out[0].pfn, out[0].count), PMA_OK);
    CHECK(agrees(&q, &m));
    free(m.st);
    free(mp);
    free(mq);
}

TEST(donation_avl) { donation(PMA_AVL); }
TEST(donation_buddy) { donation(PMA_BUDDY); }

/* take_within in the middle of one free range leaves both ends free */
static void take_within_middle(enum pma_kind kind)
{
    struct pma a;
    void *meta = meta_for(kind, 1000);
    CHECK_EQ(pma_init(&a, kind, 5000, 1000, meta), PMA_OK);
    CHECK_EQ(pma_add(&a, 5000, 1000), PMA_OK);
    struct pma_range out[4];
    unsigned used;
    CHECK_EQ(pma_take_within(&a, 5300, 5377, ~0ULL, out, 4, &used), 77);
    CHECK_EQ(used, 1);
    CHECK_EQ(out[0].pfn, 5300);
    CHECK_EQ(out[0].count, 77);
    struct model m = { 5000, 1000, malloc(1000) };
    memset(m.st, FREE, 1000);
    memset(m.st + 300, OUT, 77);
    CHECK(agrees(&a, &m));
    CHECK_EQ(pma_take_within(&a, 5300, 5377, ~0ULL, out, 4, &used), 0);   /* nothing left there */
    CHECK_EQ(pma_take_within(&a, 0, 100, ~0ULL, out, 4, &used), 0);       /* outside the span */
    CHECK_EQ(pma_take_within(&a, 4000, 5010, ~0ULL, out, 4, &used), 10);  /* clipped to the span */
    CHECK_EQ(out[0].pfn, 5000);
    memset(m.st, OUT, 10);
    CHECK(agrees(&a, &m));
    /* max: only the top 5 of [5600, 5700), and nothing with max 0 */
    CHECK_EQ(pma_take_within(&a, 5600, 5700, 5, out, 4, &used), 5);
    CHECK_EQ(used, 1);
    CHECK_EQ(out[0].pfn, 5695);
    CHECK_EQ(out[0].count, 5);
    memset(m.st + 695, OUT, 5);
    CHECK(agrees(&a, &m));
    CHECK_EQ(pma_take_within(&a, 5600, 5700, 0, out, 4, &used), 0);
    /* max across several ranges: 80 frames of [5250, 5450) = the top 73 of [5377, 5450) and 7 more */
    CHECK_EQ(pma_take_within(&a, 5250, 5450, 80, out, 4, &used), 80);
    memset(m.st + 377, OUT, 73);
    memset(m.st + 293, OUT, 7);
    CHECK(agrees(&a, &m));
    free(m.st);
    free(meta);
}

TEST(take_within_middle_avl) { take_within_middle(PMA_AVL); }
TEST(take_within_middle_buddy) { take_within_middle(PMA_BUDDY); }

/* the algorithm switch: every free frame moves, nothing else changes */
TEST(drain_both_ways)
{
    struct pma a, b;
    const uint64_t base = 0x7000, n = 3000;
    void *ma = meta_for(PMA_AVL, n), *mb = meta_for(PMA_BUDDY, n);
    CHECK_EQ(pma_init(&a, PMA_AVL, base, n, ma), PMA_OK);
    CHECK_EQ(pma_init(&b, PMA_BUDDY, base, n, mb), PMA_OK);
    struct model m = { base, n, calloc(n, 1) };
    rng_state = 77;
    for (uint64_t i = 0; i < n; i++)                        /* a fragmented free set */
        if (below(3) == 0) {
            CHECK_EQ(pma_add(&a, base + i, 1), PMA_OK);
            m.st[i] = FREE;
        }
    CHECK(agrees(&a, &m));
    CHECK_EQ(pma_drain(&a, &b), PMA_OK);
    CHECK_EQ(pma_free_count(&a), 0);
    CHECK(agrees(&b, &m));
    CHECK_EQ(pma_drain(&b, &a), PMA_OK);
    CHECK_EQ(pma_free_count(&b), 0);
    CHECK(agrees(&a, &m));
    struct pma small;                                       /* a span that does not cover */
    void *ms = meta_for(PMA_BUDDY, 10);
    CHECK_EQ(pma_init(&small, PMA_BUDDY, base, 10, ms), PMA_OK);
    CHECK_EQ(pma_drain(&a, &small), PMA_E_RANGE);
    CHECK(agrees(&a, &m));
    free(ms);
    free(m.st);
    free(ma);
    free(mb);
}

/* ---- random sequences against the model ------------------------------------------------ */

static void random_ops(enum pma_kind kind, uint64_t seed, uint64_t base, uint64_t n, int steps)
{
    struct pma a;
    void *meta = meta_for(kind, n);
    struct model m = { base, n, calloc(n, 1) };
    uint64_t *used_list = malloc(n * sizeof *used_list), nused = 0, pfn;
    CHECK_EQ(pma_init(&a, kind, base, n, meta), PMA_OK);
    rng_state = seed;
    for (int step = 0; step < steps; step++) {
        uint64_t op = below(100);
        if (op < 40) {                                      /* alloc */
            int err = pma_alloc(&a, &pfn);
            if (pma_free_count(&a) == 0 && err == PMA_E_EMPTY)
                continue;
            CHECK_EQ(err, PMA_OK);
            CHECK(pfn >= base && pfn < base + n);
            CHECK_EQ(m.st[pfn - base], FREE);               /* no overlap with a used frame */
            m.st[pfn - base] = USED;
            used_list[nused++] = pfn;
        } else if (op < 80) {                               /* free a used frame */
            if (!nused)
                continue;
            uint64_t i = below(nused);
            pfn = used_list[i];
            used_list[i] = used_list[--nused];
            CHECK_EQ(pma_free(&a, pfn), PMA_OK);
            m.st[pfn - base] = FREE;
        } else if (op < 85) {                               /* double free of a free frame */
            uint64_t i = below(n);
            if (m.st[i] == FREE)
                CHECK_EQ(pma_free(&a, base + i), PMA_E_DOUBLE);
        } else if (op < 92) {                               /* add a run of OUT frames */
            uint64_t i = below(n), len = 1 + below(64), j = i;
            while (j < n && j < i + len && m.st[j] == OUT)
                j++;
            if (j == i)
                continue;
            CHECK_EQ(pma_add(&a, base + i, j - i), PMA_OK);
            memset(m.st + i, FREE, j - i);
            if (j < n && m.st[j] == FREE)                   /* overlapping add is refused */
                CHECK_EQ(pma_add(&a, base + i, j - i + 1), PMA_E_DOUBLE);
        } else if (op < 96) {                               /* donate some frames away */
            struct pma_range out[4];
            unsigned used;
            uint64_t want = below(40), before = pma_free_count(&a);
            uint64_t got = pma_take(&a, want, out, 4, &used), sum = 0;
            CHECK(got <= want && got <= before);
            CHECK(got == want || got == before || used == 4);
            for (unsigned r = 0; r < used; r++)
                for (uint64_t f = out[r].pfn; f < out[r].pfn + out[r].count; f++, sum++) {
                    CHECK(f >= base && f < base + n);
                    CHECK_EQ(m.st[f - base], FREE);
                    m.st[f - base] = OUT;
                }
            CHECK_EQ(sum, got);
        } else {                                            /* return the free frames of a window */
            struct pma_range out[64];
            unsigned used;
            uint64_t lo = below(n), hi = lo + below(200), expect = 0, sum = 0;
            uint64_t max = below(2) ? ~0ULL : below(100);
            for (uint64_t f = lo; f < hi && f < n; f++)
                expect += m.st[f] == FREE;
            if (expect > max)
                expect = max;
            uint64_t got = pma_take_within(&a, base + lo, base + hi, max, out, 64, &used);
            for (unsigned r = 0; r < used; r++)
                for (uint64_t f = out[r].pfn; f < out[r].pfn + out[r].count; f++, sum++) {
                    CHECK(f >= base + lo && f < base + hi);
                    CHECK_EQ(m.st[f - base], FREE);
                    m.st[f - base] = OUT;
                }
            CHECK_EQ(sum, got);
            CHECK(got == expect || used == 64);
        }
        if (step % 97 == 0)
            CHECK(agrees(&a, &m));
    }
    CHECK(agrees(&a, &m));
    while (nused) {                                          /* free everything: still agrees */
        pfn = used_list[--nused];
        CHECK_EQ(pma_free(&a, pfn), PMA_OK);
        m.st[pfn - base] = FREE;
    }
    CHECK(agrees(&a, &m));
    free(used_list);
    free(m.st);
    free(meta);
}

TEST(random_avl_small)   { random_ops(PMA_AVL, 1, 0x1000, 257, 20000); }
TEST(random_buddy_small) { random_ops(PMA_BUDDY, 1, 0x1000, 257, 20000); }
TEST(random_avl)         { for (uint64_t s = 2; s < 6; s++) random_ops(PMA_AVL, s, 0x3ffff, 5000, 20000); }
TEST(random_buddy)       { for (uint64_t s = 2; s < 6; s++) random_ops(PMA_BUDDY, s, 0x3ffff, 5000, 20000); }
TEST(random_buddy_aligned) { random_ops(PMA_BUDDY, 9, 0x200000, 8192, 40000); }

/* ---- a pager-sized span: 512 MiB, many outstanding frames --------------------------------- */

static void large(enum pma_kind kind)
{
    struct pma a;
    const uint64_t base = 0x4000, n = 131072 - 0x4000;      /* 16 MiB .. 512 MiB */
    void *meta = meta_for(kind, n);
    uint64_t *got = malloc(20000 * sizeof *got);
    CHECK_EQ(pma_init(&a, kind, base, n, meta), PMA_OK);
    CHECK_EQ(pma_add(&a, base, n), PMA_OK);
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 20000; i++)
            CHECK_EQ(pma_alloc(&a, &got[i]), PMA_OK);
        CHECK_EQ(pma_free_count(&a), n - 20000);
        for (int i = 0; i < 20000; i += 2)                   /* every other one: fragmentation */
            CHECK_EQ(pma_free(&a, got[i]), PMA_OK);
        for (int i = 1; i < 20000; i += 2)
            CHECK_EQ(pma_free(&a, got[i]), PMA_OK);
    }
    struct model m = { base, n, malloc(n) };
    memset(m.st, FREE, n);
    CHECK(agrees(&a, &m));
    free(m.st);
    free(got);
    free(meta);
}

TEST(large_avl) { large(PMA_AVL); }
TEST(large_buddy) { large(PMA_BUDDY); }

HTEST_MAIN("pma")
