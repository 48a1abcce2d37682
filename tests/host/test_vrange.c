/* test_vrange.c — host tests of pmalloc's page-run bookkeeping (lib/pager/vrange.c): first fit,
 * reuse of the lowest freed pages, runs that end where the next begins, exhaustion, and
 * random sequences against a model. */
#include "../../lib/pager/vrange.c"
#include "htest.h"

static uint64_t meta[2 * ((1000 + 63) / 64)];

TEST(first_fit_and_reuse)
{
    struct vrange v;
    vrange_init(&v, 1000, meta);
    CHECK_EQ(vrange_alloc(&v, 1), 0);
    CHECK_EQ(vrange_alloc(&v, 3), 1);
    CHECK_EQ(vrange_alloc(&v, 1), 4);
    CHECK_EQ(v.nused, 5);
    CHECK_EQ(vrange_free(&v, 1), 3);                /* the run ends where the next begins */
    CHECK_EQ(vrange_free(&v, 1), 0);                /* twice: nothing */
    CHECK_EQ(vrange_free(&v, 2), 0);                /* not a start */
    CHECK_EQ(vrange_alloc(&v, 2), 1);               /* lowest free first */
    CHECK_EQ(vrange_alloc(&v, 2), 5);               /* 3 is too small a hole */
    CHECK_EQ(vrange_alloc(&v, 1), 3);
    CHECK_EQ(vrange_free(&v, 0), 1);
    CHECK_EQ(vrange_free(&v, 4), 1);
    CHECK_EQ(v.nused, 5);
}

TEST(runs_across_words_and_exhaustion)
{
    struct vrange v;
    vrange_init(&v, 1000, meta);
    CHECK_EQ(vrange_alloc(&v, 60), 0);
    CHECK_EQ(vrange_alloc(&v, 130), 60);            /* spans three bitmap words */
    CHECK_EQ(vrange_free(&v, 60), 130);
    CHECK_EQ(vrange_alloc(&v, 1000), -1);
    CHECK_EQ(vrange_alloc(&v, 940), 60);            /* exactly the rest */
    CHECK_EQ(vrange_alloc(&v, 1), -1);
    CHECK_EQ(vrange_alloc(&v, 0), -1);
    CHECK_EQ(vrange_free(&v, 0), 60);
    CHECK_EQ(vrange_free(&v, 60), 940);
    CHECK_EQ(vrange_free(&v, 1000), 0);             /* outside */
    CHECK_EQ(v.nused, 0);
    CHECK_EQ(vrange_alloc(&v, 1000), 0);
}

TEST(random_against_model)
{
    enum { N = 1000 };
    static int owner[N];                            /* 0 free, else the allocation's id */
    static uint64_t first[4096], len[4096];
    unsigned live = 0, id = 0;
    struct vrange v;
    vrange_init(&v, N, meta);
    for (int i = 0; i < N; i++)
        owner[i] = 0;
    uint64_t x = 2463534242ULL;
    for (int step = 0; step < 50000; step++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        if (x % 3 && live < 4096) {
            uint64_t n = 1 + (x >> 8) % 40;
            int64_t f = vrange_alloc(&v, n);
            int64_t expect = -1;                    /* first fit by brute force */
            for (uint64_t s = 0; s + n <= N && expect < 0; s++) {
                uint64_t k = 0;
                while (k < n && !owner[s + k])
                    k++;
                if (k == n)
                    expect = (int64_t)s;
            }
            CHECK_EQ(f, expect);
            if (f < 0)
                continue;
            id++;
            for (uint64_t k = 0; k < n; k++)
                owner[f + (int64_t)k] = (int)id;
            first[live] = (uint64_t)f;
            len[live++] = n;
        } else if (live) {
            unsigned i = (unsigned)((x >> 20) % live);
            CHECK_EQ(vrange_free(&v, first[i]), len[i]);
            for (uint64_t k = 0; k < len[i]; k++)
                owner[first[i] + k] = 0;
            first[i] = first[--live];
            len[i] = len[live];
        }
        uint64_t used = 0;
        for (int i = 0; i < N; i++)
            used += owner[i] != 0;
        CHECK_EQ(v.nused, used);
    }
}

HTEST_MAIN("vrange")
