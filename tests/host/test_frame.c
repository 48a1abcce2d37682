/* test_frame.c — host tests of the frame bitmap allocator (kernel/mm/frame.c). */
#include "mm/frame.c"
#include "htest.h"

#define BASE 0x1000000ULL              /* 16 MiB, aligned to far more than any test order */

static uint64_t bm[(1024 + 63) / 64];   /* room for the largest pool below */

/* Free bits counted from the bitmap itself, to cross-check nfree. */
static size_t count_free(const struct frame_pool *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->nframes; i++)
        n += !(p->bitmap[i / 64] & (1ULL << (i % 64)));
    return n;
}

TEST(bitmap_words)
{
    CHECK_EQ(frame_bitmap_words(0), 0);
    CHECK_EQ(frame_bitmap_words(1), 1);
    CHECK_EQ(frame_bitmap_words(64), 1);
    CHECK_EQ(frame_bitmap_words(65), 2);
    CHECK_EQ(frame_bitmap_words(4096), 64);
}

TEST(init_clears_bitmap)
{
    struct frame_pool p;
    for (size_t i = 0; i < sizeof bm / sizeof bm[0]; i++)
        bm[i] = ~0ULL;
    frame_pool_init(&p, BASE, 100, bm);
    CHECK_EQ(frame_free_count(&p), 100);
    CHECK_EQ(count_free(&p), 100);
    CHECK_EQ(frame_alloc(&p, 0), BASE);
    CHECK_EQ(frame_free_count(&p), 99);
}

TEST(exhaustion_and_refill)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 100, bm);
    uint64_t seen[100];
    for (int i = 0; i < 100; i++) {
        seen[i] = frame_alloc(&p, 0);
        CHECK(seen[i] != FRAME_NONE);
        CHECK(seen[i] >= BASE && seen[i] < BASE + 100 * FRAME_SIZE);
        CHECK_EQ(seen[i] % FRAME_SIZE, 0);
        for (int j = 0; j < i; j++)
            CHECK(seen[j] != seen[i]);
    }
    CHECK_EQ(frame_free_count(&p), 0);
    CHECK_EQ(frame_alloc(&p, 0), FRAME_NONE);
    CHECK_EQ(frame_alloc(&p, 1), FRAME_NONE);
    CHECK(frame_free(&p, seen[42], 0));
    CHECK_EQ(frame_free_count(&p), 1);
    CHECK_EQ(frame_alloc(&p, 0), seen[42]);         /* the only free frame, found by wrapping */
    for (int i = 0; i < 100; i++)
        CHECK(frame_free(&p, seen[i], 0));
    CHECK_EQ(frame_free_count(&p), 100);
    CHECK_EQ(count_free(&p), 100);
}

TEST(orders_are_naturally_aligned)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 1000, bm);
    CHECK(frame_alloc(&p, 0) != FRAME_NONE);        /* disturb the start */
    for (unsigned order = 0; order <= 7; order++) {
        uint64_t a = frame_alloc(&p, order);
        CHECK(a != FRAME_NONE);
        CHECK_EQ((a - BASE) % (FRAME_SIZE << order), 0);
        CHECK(a + (FRAME_SIZE << order) <= BASE + 1000 * FRAME_SIZE);
    }
    /* 1 + (1+2+...+128) frames allocated. */
    CHECK_EQ(frame_free_count(&p), 1000 - 1 - 255);
    CHECK_EQ(count_free(&p), frame_free_count(&p));
    /* 1000 frames hold only three aligned 256-frame blocks; one more after the above fails. */
    uint64_t big = frame_alloc(&p, 8);
    CHECK(big != FRAME_NONE);
    CHECK_EQ((big - BASE) % (FRAME_SIZE << 8), 0);
    CHECK(frame_alloc(&p, 8) != FRAME_NONE);
    CHECK_EQ(frame_alloc(&p, 8), FRAME_NONE);
    CHECK_EQ(frame_alloc(&p, 10), FRAME_NONE);       /* larger than the pool */
    CHECK_EQ(frame_alloc(&p, 200), FRAME_NONE);      /* absurd order */
    CHECK_EQ(count_free(&p), frame_free_count(&p));
}

TEST(large_block_spans_words)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 512, bm);
    CHECK_EQ(frame_alloc(&p, 0), BASE);              /* frame 0 taken: block 0..255 busy */
    uint64_t a = frame_alloc(&p, 8);
    CHECK_EQ(a, BASE + 256 * FRAME_SIZE);
    for (size_t w = 4; w < 8; w++)
        CHECK_EQ(bm[w], ~0ULL);
    CHECK_EQ(frame_alloc(&p, 8), FRAME_NONE);
    CHECK(frame_free(&p, a, 8));
    for (size_t w = 4; w < 8; w++)
        CHECK_EQ(bm[w], 0);
    CHECK_EQ(frame_free_count(&p), 511);
}

TEST(free_validates)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 100, bm);
    uint64_t a = frame_alloc(&p, 2);
    uint64_t b = frame_alloc(&p, 0);
    CHECK(a != FRAME_NONE && b != FRAME_NONE);
    size_t nfree = frame_free_count(&p);
    CHECK(!frame_free(&p, BASE - FRAME_SIZE, 0));            /* below the pool */
    CHECK(!frame_free(&p, BASE + 100 * FRAME_SIZE, 0));      /* just past it */
    CHECK(!frame_free(&p, BASE + 64 * FRAME_SIZE, 6));       /* block runs past the end */
    CHECK(!frame_free(&p, a + 8, 0));                        /* not frame aligned */
    CHECK(!frame_free(&p, a + FRAME_SIZE, 1));               /* not order aligned */
    CHECK(!frame_free(&p, a, 3));                            /* more than was allocated */
    CHECK(!frame_free(&p, BASE + 32 * FRAME_SIZE, 0));       /* never allocated */
    CHECK(!frame_free(&p, a, 70));                           /* absurd order */
    CHECK_EQ(frame_free_count(&p), nfree);
    CHECK_EQ(count_free(&p), nfree);
    CHECK(frame_free(&p, a, 2));
    CHECK(!frame_free(&p, a, 2));                            /* double free */
    CHECK(frame_free(&p, b, 0));
    CHECK(!frame_free(&p, b, 0));
    CHECK_EQ(frame_free_count(&p), 100);
}

TEST(partial_free_of_block)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 64, bm);
    uint64_t a = frame_alloc(&p, 2);
    CHECK(a != FRAME_NONE);
    /* Freeing part of a block as order 0 is allowed (bits are set); the rest then is not
     * a fully allocated order-2 block any more. */
    CHECK(frame_free(&p, a + FRAME_SIZE, 0));
    CHECK(!frame_free(&p, a, 2));
    CHECK(frame_free(&p, a, 0));
    CHECK(frame_free(&p, a + 2 * FRAME_SIZE, 1));
    CHECK_EQ(frame_free_count(&p), 64);
}

TEST(reserve_counts_exactly)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 200, bm);
    frame_reserve(&p, BASE, 3);                              /* the bitmap's own frames */
    CHECK_EQ(frame_free_count(&p), 197);
    frame_reserve(&p, BASE + FRAME_SIZE, 4);                 /* overlaps: only 2 new */
    CHECK_EQ(frame_free_count(&p), 195);
    frame_reserve(&p, BASE - 2 * FRAME_SIZE, 3);             /* clipped to frame 0 */
    CHECK_EQ(frame_free_count(&p), 195);
    frame_reserve(&p, BASE + 198 * FRAME_SIZE, 10);          /* clipped at the end */
    CHECK_EQ(frame_free_count(&p), 193);
    frame_reserve(&p, BASE + 500 * FRAME_SIZE, 1);           /* outside: nothing */
    frame_reserve(&p, BASE + 10 * FRAME_SIZE, 0);            /* empty: nothing */
    CHECK_EQ(frame_free_count(&p), 193);
    CHECK_EQ(count_free(&p), 193);
    CHECK_EQ(frame_alloc(&p, 0), BASE + 5 * FRAME_SIZE);     /* first frame not reserved */
    CHECK_EQ(frame_alloc(&p, 3), BASE + 8 * FRAME_SIZE);     /* first free aligned 8-block */
    CHECK(frame_free(&p, BASE + 4 * FRAME_SIZE, 0));         /* reserved frames can be freed */
    CHECK_EQ(count_free(&p), frame_free_count(&p));
}

TEST(hint_wraps_once)
{
    struct frame_pool p;
    frame_pool_init(&p, BASE, 128, bm);
    uint64_t a = frame_alloc(&p, 6);                         /* frames 0..63 */
    uint64_t b = frame_alloc(&p, 5);                         /* frames 64..95, hint 96 */
    CHECK_EQ(a, BASE);
    CHECK_EQ(b, BASE + 64 * FRAME_SIZE);
    CHECK(frame_free(&p, a, 6));
    /* No aligned 64-block at or after the hint; the search wraps and finds frames 0..63. */
    CHECK_EQ(frame_alloc(&p, 6), BASE);
    CHECK_EQ(frame_alloc(&p, 6), FRAME_NONE);                /* 96..127 is too small */
    CHECK_EQ(frame_alloc(&p, 5), BASE + 96 * FRAME_SIZE);
    CHECK_EQ(frame_alloc(&p, 0), FRAME_NONE);
}

/* Random alloc/free against a shadow list; nfree and the bitmap must agree throughout. */
TEST(random_consistency)
{
    enum { N = 1000, SLOTS = 200 };
    struct frame_pool p;
    frame_pool_init(&p, BASE, N, bm);
    frame_reserve(&p, BASE, 1);
    uint64_t addr[SLOTS] = { 0 };
    unsigned ord[SLOTS] = { 0 };
    size_t used = 1;
    unsigned seed = 7;
    for (int step = 0; step < 20000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned s = (seed >> 8) % SLOTS;
        if (addr[s]) {
            CHECK(frame_free(&p, addr[s], ord[s]));
            used -= 1u << ord[s];
            addr[s] = 0;
        } else {
            ord[s] = (seed >> 20) % 5;
            addr[s] = frame_alloc(&p, ord[s]);
            if (addr[s]) {
                CHECK_EQ((addr[s] - BASE) % (FRAME_SIZE << ord[s]), 0);
                used += 1u << ord[s];
            }
        }
        CHECK_EQ(frame_free_count(&p), N - used);
    }
    CHECK_EQ(count_free(&p), N - used);
}

HTEST_MAIN("frame")
