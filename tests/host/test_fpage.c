/* test_fpage.c — host tests of the user-range helpers and the fpage placement arithmetic
 * (kernel/core/urange.h, kernel/core/fpage.h): boundaries at 0, at the top of the user half
 * and at 2^64, sizes 2^12..2^64, against a 128-bit reference model of X.2 placement. */
#include "core/fpage.h"
#include "htest.h"

#define UTOP    USER_ADDR_END
typedef unsigned __int128 u128;

/* An fpage word of 2^lg bytes at base with all rights (lg 64: the complete space). */
static uint64_t fpw(uint64_t base, unsigned lg)
{
    return lg >= 64 ? (1ULL << 4) | 7 : (base & ~0x3FFULL) | ((uint64_t)lg << 4) | 7;
}

TEST(urange_ok_boundaries)
{
    CHECK(urange_ok(0, 0, UTOP));
    CHECK(urange_ok(0, UTOP, UTOP));
    CHECK(!urange_ok(0, UTOP + 1, UTOP));
    CHECK(urange_ok(UTOP - 4096, 4096, UTOP));
    CHECK(!urange_ok(UTOP - 4096, 8192, UTOP));
    CHECK(urange_ok(UTOP, 0, UTOP));
    CHECK(!urange_ok(UTOP, 1, UTOP));
    CHECK(!urange_ok(0xFFFFFFFFFFE00000ULL, 2ULL << 20, UTOP));    /* base + size wraps to 0 */
    CHECK(!urange_ok(0xFFFFFFFFFFFFF000ULL, 4096, ~0ULL));          /* top clipped to the user half */
    CHECK(!urange_ok(1, ~0ULL, ~0ULL));
    CHECK(!urange_ok(~0ULL, 1, ~0ULL));
    CHECK(urange_ok(0x1000, 0x1000, 0x2000));
    CHECK(!urange_ok(0x1000, 0x1001, 0x2000));
}

TEST(urange_clip_boundaries)
{
    CHECK_EQ(urange_clip(0, ~0ULL, ~0ULL), UTOP);
    CHECK_EQ(urange_clip(UTOP - 4096, 1ULL << 40, UTOP), 4096);
    CHECK_EQ(urange_clip(UTOP, 4096, UTOP), 0);
    CHECK_EQ(urange_clip(0xFFFFFFFFFFE00000ULL, 2ULL << 20, ~0ULL), 0);
    CHECK_EQ(urange_clip(0x1000, 0x1000, 0x1800), 0x800);
    CHECK_EQ(urange_clip(0x1000, 0, 0x1800), 0);
    CHECK_EQ(urange_clip(0x2000, 0x1000, 0x1800), 0);
}

TEST(urange_overlap_boundaries)
{
    CHECK(urange_overlap(0, 1, 0, 1));
    CHECK(!urange_overlap(0, 0, 0, 1));
    CHECK(!urange_overlap(0, 4096, 4096, 4096));
    CHECK(urange_overlap(4095, 2, 4096, 4096));
    CHECK(urange_overlap(0xFFFFFFFFFFFFF000ULL, 4096, 0xFFFFFFFFFFFFFFFFULL, 1));
    CHECK(!urange_overlap(0xFFFFFFFFFFFFF000ULL, 4096, 0, 4096));   /* no wrap to 0 */
    CHECK(!urange_overlap(0, 4096, 0xFFFFFFFFFFFFF000ULL, 4096));
    CHECK(urange_overlap(0, ~0ULL, 0xFFFFFFFFFFFFFFFEULL, 1));
}

TEST(fpage_decoding)
{
    CHECK_EQ(fpage_order(fpw(0, 64)), 64);
    CHECK_EQ(fpage_start(fpw(0, 64)), 0);
    CHECK_EQ(fpage_mask(64), ~0ULL);
    CHECK_EQ(fpage_mask(12), 0xFFF);
    CHECK_EQ(fpage_start(fpw(0x12345000, 16)), 0x12340000);
    CHECK_EQ(fpage_order(fpw(0x8000000000000000ULL, 63)), 63);
    CHECK_EQ(fpage_start(fpw(0xC000000000000000ULL, 63)), 0x8000000000000000ULL);
    CHECK_EQ(fpage_user_len(12), 4096);
    CHECK_EQ(fpage_user_len(47), UTOP);
    CHECK_EQ(fpage_user_len(64), UTOP);
}

TEST(fpage_user_range_boundaries)
{
    uint64_t b, l;
    CHECK(!fpage_user_range(fpw(0, 11), UTOP, &b, &l));              /* smaller than a page */
    CHECK(fpage_user_range(fpw(0, 64), UTOP, &b, &l));
    CHECK_EQ(b, 0);
    CHECK_EQ(l, UTOP);
    CHECK(fpage_user_range(fpw(0, 63), UTOP, &b, &l));
    CHECK_EQ(l, UTOP);
    CHECK(!fpage_user_range(fpw(0x8000000000000000ULL, 63), ~0ULL, &b, &l));
    CHECK(!fpage_user_range(fpw(0xFFFFFFFFFFE00000ULL, 21), ~0ULL, &b, &l));
    CHECK(!fpage_user_range(fpw(0xFFFFFFFFFFFFF000ULL, 12), ~0ULL, &b, &l));
    CHECK(fpage_user_range(fpw(UTOP - 4096, 12), UTOP, &b, &l));
    CHECK_EQ(b, UTOP - 4096);
    CHECK_EQ(l, 4096);
    CHECK(fpage_user_range(fpw(0x40000000, 30), 0x40200000, &b, &l));   /* a thread limit */
    CHECK_EQ(l, 0x200000);
    for (unsigned lg = 12; lg <= 64; lg++)
        for (unsigned k = 0; k < 4; k++) {
            uint64_t base = k == 0 ? 0 : k == 1 ? UTOP - (lg >= 64 ? 0 : fpage_mask(lg) + 1)
                          : k == 2 ? ~0ULL : UTOP;
            if (!fpage_user_range(fpw(base, lg), UTOP, &b, &l))
                continue;
            CHECK(l != 0);
            CHECK(urange_ok(b, l, UTOP));
        }
}

/* X.2 placement with 128-bit arithmetic (no wrap possible), clipped to the tops. */
static bool ref_place(uint64_t snd, uint64_t sbase, uint64_t win, uint64_t stop, uint64_t dtop,
                      struct fpage_placement *p)
{
    unsigned s = fpage_order(snd), w = fpage_order(win);
    if (s < 12 || w < 12)
        return false;
    u128 S = (u128)1 << s, W = (u128)1 << w;
    u128 sb = fpage_start(snd), wb = fpage_start(win), src, dst, len;
    if (s <= w) {
        src = sb;
        dst = wb + ((u128)sbase % W) / S * S;
        len = S;
    } else {
        src = sb + ((u128)sbase % S) / W * W;
        dst = wb;
        len = W;
    }
    u128 st = stop < UTOP ? stop : UTOP, dt = dtop < UTOP ? dtop : UTOP;
    u128 la = src >= st ? 0 : (len < st - src ? len : st - src);
    u128 lb = dst >= dt ? 0 : (len < dt - dst ? len : dt - dst);
    p->src = (uint64_t)src;
    p->dst = (uint64_t)dst;
    p->len = (uint64_t)(la < lb ? la : lb);
    return p->len != 0;
}

TEST(fpage_place_known_cases)
{
    struct fpage_placement p;
    /* 2 MiB into the last 2 MiB of the address space: base + size wraps; nothing placed. */
    CHECK(!fpage_place(fpw(0x3E000000, 21), 0, fpw(0xFFFFFFFFFFE00000ULL, 21), UTOP, UTOP, &p));
    CHECK(!fpage_place(fpw(0x3E000000, 12), 0, fpw(0xFFFFFFFFFFFFF000ULL, 12), UTOP, UTOP, &p));
    /* into the last 2 MiB of the user half: placed there. */
    CHECK(fpage_place(fpw(0x3E000000, 21), 0, fpw(UTOP - (2 << 20), 21), UTOP, UTOP, &p));
    CHECK_EQ(p.src, 0x3E000000);
    CHECK_EQ(p.dst, UTOP - (2 << 20));
    CHECK_EQ(p.len, 2 << 20);
    /* the complete space as send fpage: SendBase picks the window-sized part. */
    CHECK(fpage_place(fpw(0, 64), 0x3E005000, fpw(UTOP - 4096, 12), UTOP, UTOP, &p));
    CHECK_EQ(p.src, 0x3E005000);
    CHECK_EQ(p.dst, UTOP - 4096);
    CHECK_EQ(p.len, 4096);
    CHECK(!fpage_place(fpw(0, 64), UTOP, fpw(0, 12), UTOP, UTOP, &p));   /* source beyond */
    /* complete window: the destination is SendBase itself, beyond the user half nothing. */
    CHECK(!fpage_place(fpw(0x3E000000, 21), 0xFFFFFFFFFFE00000ULL, fpw(0, 64), UTOP, UTOP, &p));
    CHECK(fpage_place(fpw(0x3E000000, 21), 0x1E00000, fpw(0, 64), UTOP, UTOP, &p));
    CHECK_EQ(p.dst, 0x1E00000);
    /* window in the upper half (2^63 bytes at 2^63): nothing. */
    CHECK(!fpage_place(fpw(0x3E000000, 21), 0, fpw(0x8000000000000000ULL, 63), ~0ULL, ~0ULL, &p));
    /* limits: the receiver's ends inside the placement. */
    CHECK(fpage_place(fpw(0x40000000, 30), 0, fpw(0x40000000, 30), UTOP, 0x40003000, &p));
    CHECK_EQ(p.len, 0x3000);
}

TEST(fpage_place_against_reference)
{
    static const uint64_t bases[] = {
        0, 0x1000, 0x3E000000, 0x7FFFFFE00000ULL, UTOP - 0x1000, UTOP, UTOP + 0x1000,
        0x8000000000000000ULL, 0xFFFFFFFFC0000000ULL, 0xFFFFFFFFFFE00000ULL,
        0xFFFFFFFFFFFFF000ULL, ~0ULL, 0x5555555555555000ULL,
    };
    static const uint64_t tops[] = { UTOP, ~0ULL, 0x40000000, 0x1000, 0 };
    static const unsigned lgs[] = { 12, 13, 20, 21, 22, 30, 39, 46, 47, 48, 62, 63, 64 };
    const unsigned nb = sizeof bases / sizeof bases[0], nl = sizeof lgs / sizeof lgs[0];
    unsigned long placed = 0;
    for (unsigned a = 0; a < nb; a++)
        for (unsigned b = 0; b < nb; b++)
            for (unsigned c = 0; c < nb; c++)
                for (unsigned s = 0; s < nl; s++)
                    for (unsigned w = 0; w < nl; w++)
                        for (unsigned t = 0; t < 5; t++) {
                            uint64_t snd = fpw(bases[a], lgs[s]), win = fpw(bases[c], lgs[w]);
                            uint64_t stop = tops[t], dtop = tops[(t + 1) % 5];
                            struct fpage_placement p, r;
                            bool got = fpage_place(snd, bases[b], win, stop, dtop, &p);
                            bool want = ref_place(snd, bases[b], win, stop, dtop, &r);
                            CHECK_EQ(got, want);
                            if (!got)
                                continue;
                            placed++;
                            CHECK_EQ(p.src, r.src);
                            CHECK_EQ(p.dst, r.dst);
                            CHECK_EQ(p.len, r.len);
                            CHECK(urange_ok(p.src, p.len, stop));
                            CHECK(urange_ok(p.dst, p.len, dtop));
                            CHECK(p.dst + p.len <= UTOP && p.src + p.len <= UTOP);
                        }
    CHECK(placed > 1000);                           /* the grid does reach real placements */
}

HTEST_MAIN("fpage")
