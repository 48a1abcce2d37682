/* test_pagemap.c — host tests of a client's page map (servers/pager/pagemap.c): set/get/clear
 * against a model, ordered range walks, table accounting, table exhaustion. */
#include "../../servers/pager/pagemap.c"
#include "htest.h"

struct tables {
    long live, limit;                   /* limit < 0: no limit */
};

static void *t_alloc(void *ctx)
{
    struct tables *t = ctx;
    if (t->limit >= 0 && t->live >= t->limit)
        return NULL;
    t->live++;
    return calloc(512, 8);
}

static void t_free(void *ctx, void *p)
{
    struct tables *t = ctx;
    t->live--;
    free(p);
}

struct seen {
    uint64_t n, last, sum;
    int ordered;
};

static void note(void *ctx, uint64_t vpn, uint64_t pfn, unsigned rights)
{
    struct seen *s = ctx;
    if (s->n && vpn <= s->last)
        s->ordered = 0;
    s->last = vpn;
    s->n++;
    s->sum += pfn + rights;
}

TEST(set_get_clear)
{
    struct tables tb = { 0, -1 };
    struct pagemap m;
    uint64_t pfn;
    unsigned r;
    pagemap_init(&m, t_alloc, t_free, &tb);
    CHECK(!pagemap_get(&m, 5, &pfn, &r));
    CHECK_EQ(tb.live, 0);                                   /* a lookup allocates nothing */
    CHECK_EQ(pagemap_set(&m, 5, 0x1234, 6), 0);
    CHECK_EQ(tb.live, 4);                                   /* one table per level */
    CHECK(pagemap_get(&m, 5, &pfn, &r));
    CHECK_EQ(pfn, 0x1234);
    CHECK_EQ(r, 6);
    CHECK(!pagemap_get(&m, 4, 0, 0) && !pagemap_get(&m, 5 + 512, 0, 0));
    CHECK_EQ(pagemap_set(&m, (1ULL << 36) - 1, 0xFFFFFFFFFULL, 7), 0);   /* the last page */
    CHECK(pagemap_get(&m, (1ULL << 36) - 1, &pfn, &r));
    CHECK_EQ(pfn, 0xFFFFFFFFFULL);
    CHECK_EQ(m.entries, 2);
    CHECK_EQ(pagemap_set(&m, 5, 0x99, 4), 0);               /* replace: still 2 entries */
    CHECK_EQ(m.entries, 2);
    CHECK(pagemap_clear(&m, 5, &pfn));
    CHECK_EQ(pfn, 0x99);
    CHECK(!pagemap_clear(&m, 5, &pfn));
    CHECK_EQ(m.entries, 1);
    CHECK_EQ((long)m.tables, tb.live);
    pagemap_destroy(&m);
    CHECK_EQ(tb.live, 0);
    CHECK_EQ(m.entries, 0);
}

static void count_table(void *ctx, void *table)
{
    (void)table;
    (*(long *)ctx)++;
}

TEST(walk_in_order_within_range)
{
    struct tables tb = { 0, -1 };
    struct pagemap m;
    pagemap_init(&m, t_alloc, t_free, &tb);
    uint64_t vpns[] = { 0x200000, 3, 0x200001, 0x40000, 511, 512, 0xFFFFFFFFFULL, 0x3FFFF };
    for (unsigned i = 0; i < sizeof vpns / sizeof vpns[0]; i++)
        CHECK_EQ(pagemap_set(&m, vpns[i], i, 1), 0);
    struct seen s = { 0, 0, 0, 1 };
    CHECK_EQ(pagemap_walk(&m, 0, 1ULL << 36, note, &s), 8);
    CHECK(s.ordered);
    s = (struct seen){ 0, 0, 0, 1 };
    CHECK_EQ(pagemap_walk(&m, 4, 0x200001, note, &s), 5);   /* 511, 512, 0x3FFFF, 0x40000, 0x200000 */
    CHECK(s.ordered);
    CHECK_EQ(s.last, 0x200000);
    CHECK_EQ(pagemap_walk(&m, 512, 512, note, &s), 0);      /* empty range */
    long counted = 0;
    pagemap_foreach_table(&m, count_table, &counted);
    CHECK_EQ(counted, tb.live);                             /* every table once */
    CHECK_EQ(pagemap_walk(&m, 513, 0x3FFFF, 0, 0), 0);
    pagemap_destroy(&m);
    CHECK_EQ(tb.live, 0);
}

TEST(table_exhaustion_changes_no_entry)
{
    struct tables tb = { 0, 5 };
    struct pagemap m;
    pagemap_init(&m, t_alloc, t_free, &tb);
    CHECK_EQ(pagemap_set(&m, 0, 1, 1), 0);                  /* 4 tables */
    CHECK_EQ(pagemap_set(&m, 1ULL << 27, 2, 1), -1);        /* needs 3 more, 1 left */
    CHECK_EQ(m.entries, 1);
    CHECK(!pagemap_get(&m, 1ULL << 27, 0, 0));
    CHECK_EQ(pagemap_set(&m, 1, 3, 1), 0);                  /* same leaf table: fine */
    CHECK_EQ((long)m.tables, tb.live);
    pagemap_destroy(&m);
    CHECK_EQ(tb.live, 0);
}

TEST(random_against_model)
{
    enum { N = 4096 };
    static uint64_t model_pfn[N];
    static uint8_t present[N];
    struct tables tb = { 0, -1 };
    struct pagemap m;
    pagemap_init(&m, t_alloc, t_free, &tb);
    uint64_t x = 88172645463325252ULL, count = 0;
    /* N slots spread over clusters of the 36-bit space */
    #define VPN_OF(i) (((uint64_t)((i) % 7) << 31) + ((uint64_t)(i) * 37))
    for (int step = 0; step < 200000; step++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        unsigned i = (unsigned)(x % N), op = (unsigned)((x >> 20) % 3);
        uint64_t vpn = VPN_OF(i), pfn;
        unsigned r;
        if (op == 0) {
            CHECK_EQ(pagemap_set(&m, vpn, x >> 30, (unsigned)(x >> 40) & 7), 0);
            count += !present[i];
            present[i] = 1;
            model_pfn[i] = x >> 30;
        } else if (op == 1) {
            CHECK_EQ(pagemap_clear(&m, vpn, &pfn), present[i]);
            if (present[i])
                CHECK_EQ(pfn, model_pfn[i]);
            count -= present[i];
            present[i] = 0;
        } else {
            CHECK_EQ(pagemap_get(&m, vpn, &pfn, &r), present[i]);
            if (present[i])
                CHECK_EQ(pfn, model_pfn[i]);
        }
        CHECK_EQ(m.entries, count);
    }
    CHECK_EQ(pagemap_walk(&m, 0, 1ULL << 36, 0, 0), count);
    pagemap_destroy(&m);
    CHECK_EQ(tb.live, 0);
}

HTEST_MAIN("pagemap")
