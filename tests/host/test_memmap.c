/* test_memmap.c — host tests of the physical memory map (kernel/mm/memmap.c). */
#include "mm/memmap.c"
#include "htest.h"
#include <sigma4/kip.h>

#define MiB (1ULL << 20)

/* The map's invariants: sorted, non-empty, non-overlapping, touching neighbours differ. */
static int well_formed(const struct memmap *m)
{
    if (m->n > MEMMAP_MAX)
        return 0;
    for (unsigned i = 0; i < m->n; i++) {
        if (m->r[i].base >= m->r[i].end)
            return 0;
        if (i > 0 && m->r[i - 1].end > m->r[i].base)
            return 0;
        if (i > 0 && m->r[i - 1].end == m->r[i].base && m->r[i - 1].type == m->r[i].type &&
            m->r[i - 1].subtype == m->r[i].subtype)
            return 0;
    }
    return 1;
}

static int region_is(const struct memmap *m, unsigned i, uint64_t base, uint64_t end,
                     uint8_t type, uint8_t subtype)
{
    return i < m->n && m->r[i].base == base && m->r[i].end == end && m->r[i].type == type &&
           m->r[i].subtype == subtype;
}

static int same_map(const struct memmap *a, const struct memmap *b)
{
    if (a->n != b->n)
        return 0;
    for (unsigned i = 0; i < a->n; i++)
        if (!region_is(a, i, b->r[i].base, b->r[i].end, b->r[i].type, b->r[i].subtype))
            return 0;
    return 1;
}

TEST(insert_sorted)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(m.n, 0);
    CHECK_EQ(memmap_set(&m, 0x100000, 0x200000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x0, 0x9F000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x400000, 0x500000, MDESC_RESERVED, 0), 0);
    CHECK_EQ(m.n, 3);
    CHECK(well_formed(&m));
    CHECK(region_is(&m, 0, 0x0, 0x9F000, MDESC_CONVENTIONAL, 0));
    CHECK(region_is(&m, 1, 0x100000, 0x200000, MDESC_CONVENTIONAL, 0));
    CHECK(region_is(&m, 2, 0x400000, 0x500000, MDESC_RESERVED, 0));
}

TEST(override_splits_middle)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0x100000, 0x1000000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x200000, 0x300000, MDESC_RESERVED, MDESC_RES_KERNEL), 0);
    CHECK_EQ(m.n, 3);
    CHECK(well_formed(&m));
    CHECK(region_is(&m, 0, 0x100000, 0x200000, MDESC_CONVENTIONAL, 0));
    CHECK(region_is(&m, 1, 0x200000, 0x300000, MDESC_RESERVED, MDESC_RES_KERNEL));
    CHECK(region_is(&m, 2, 0x300000, 0x1000000, MDESC_CONVENTIONAL, 0));
    CHECK_EQ(memmap_total(&m, MDESC_CONVENTIONAL), 0xF00000 - 0x100000);
}

TEST(override_spans_several)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0x1000, 0x5000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x5000, 0x8000, MDESC_RESERVED, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x9000, 0xA000, MDESC_SHARED, 0), 0);
    CHECK_EQ(memmap_set(&m, 0xB000, 0xF000, MDESC_CONVENTIONAL, 0), 0);
    /* Cover the tail of the first, all of the middle two, the head of the last. */
    CHECK_EQ(memmap_set(&m, 0x3000, 0xC000, MDESC_DEDICATED, 0), 0);
    CHECK(well_formed(&m));
    CHECK_EQ(m.n, 3);
    CHECK(region_is(&m, 0, 0x1000, 0x3000, MDESC_CONVENTIONAL, 0));
    CHECK(region_is(&m, 1, 0x3000, 0xC000, MDESC_DEDICATED, 0));
    CHECK(region_is(&m, 2, 0xC000, 0xF000, MDESC_CONVENTIONAL, 0));
    /* Exactly covering an existing region replaces it. */
    CHECK_EQ(memmap_set(&m, 0x3000, 0xC000, MDESC_SHARED, 2), 0);
    CHECK_EQ(m.n, 3);
    CHECK(region_is(&m, 1, 0x3000, 0xC000, MDESC_SHARED, 2));
}

TEST(merges_equal_neighbours)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0x1000, 0x2000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x3000, 0x4000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(m.n, 2);
    /* Filling the gap joins all three into one. */
    CHECK_EQ(memmap_set(&m, 0x2000, 0x3000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(m.n, 1);
    CHECK(region_is(&m, 0, 0x1000, 0x4000, MDESC_CONVENTIONAL, 0));
    /* A different subtype next door does not merge. */
    CHECK_EQ(memmap_set(&m, 0x4000, 0x5000, MDESC_CONVENTIONAL, 1), 0);
    CHECK_EQ(m.n, 2);
    /* Punch a hole, then set it back: merges again. */
    CHECK_EQ(memmap_set(&m, 0x2000, 0x3000, MDESC_RESERVED, 0), 0);
    CHECK_EQ(m.n, 4);
    CHECK_EQ(memmap_set(&m, 0x2000, 0x3000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(m.n, 2);
    CHECK(region_is(&m, 0, 0x1000, 0x4000, MDESC_CONVENTIONAL, 0));
    CHECK(region_is(&m, 1, 0x4000, 0x5000, MDESC_CONVENTIONAL, 1));
    /* Overlapping extension of the same type grows the region. */
    CHECK_EQ(memmap_set(&m, 0x800, 0x1800, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(m.n, 2);
    CHECK(region_is(&m, 0, 0x800, 0x4000, MDESC_CONVENTIONAL, 0));
    CHECK(well_formed(&m));
}

TEST(rejects_empty_range)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0x1000, 0x2000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x5000, 0x5000, MDESC_RESERVED, 0), -1);
    CHECK_EQ(memmap_set(&m, 0x6000, 0x5000, MDESC_RESERVED, 0), -1);
    CHECK_EQ(m.n, 1);
    CHECK(region_is(&m, 0, 0x1000, 0x2000, MDESC_CONVENTIONAL, 0));
}

TEST(full_map_fails_unchanged)
{
    struct memmap m;
    memmap_init(&m);
    for (unsigned i = 0; i < MEMMAP_MAX; i++)
        CHECK_EQ(memmap_set(&m, 0x10000ULL * (i + 1), 0x10000ULL * (i + 1) + 0x1000,
                            MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(m.n, MEMMAP_MAX);
    struct memmap before = m;
    /* A new separate region, and a split of one region: both need more room. */
    CHECK_EQ(memmap_set(&m, 0x10000ULL * (MEMMAP_MAX + 2), 0x10000ULL * (MEMMAP_MAX + 3),
                        MDESC_RESERVED, 0), -1);
    CHECK_EQ(memmap_set(&m, 0x20400, 0x20800, MDESC_RESERVED, 0), -1);
    CHECK(same_map(&m, &before));
    /* Changes that do not add regions still work when full. */
    CHECK_EQ(memmap_set(&m, 0x20000, 0x21000, MDESC_RESERVED, 0), 0);       /* retype */
    CHECK_EQ(memmap_set(&m, 0x30000, 0x30800, MDESC_CONVENTIONAL, 0), 0);   /* no-op */
    CHECK_EQ(memmap_set(&m, 0x41000, 0x50000, MDESC_CONVENTIONAL, 0), 0);   /* merge 2 */
    CHECK_EQ(m.n, MEMMAP_MAX - 1);
    CHECK(region_is(&m, 1, 0x20000, 0x21000, MDESC_RESERVED, 0));
    CHECK(region_is(&m, 3, 0x40000, 0x51000, MDESC_CONVENTIONAL, 0));
    CHECK(well_formed(&m));
    /* The freed slot allows exactly one more region. */
    CHECK_EQ(memmap_set(&m, 0x10000000, 0x10001000, MDESC_SHARED, 0), 0);
    CHECK_EQ(memmap_set(&m, 0x20000000, 0x20001000, MDESC_SHARED, 0), -1);
}

TEST(find_top)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0x1000, 0x9F000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 1 * MiB, 64 * MiB, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 64 * MiB, 65 * MiB, MDESC_RESERVED, 0), 0);
    CHECK_EQ(memmap_set(&m, 4096 * MiB, 4096 * MiB + 0x3000, MDESC_CONVENTIONAL, 0), 0);
    /* Highest fit overall is in the region above 4 GiB. */
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x1000, 0x1000, ~0ULL),
             4096 * MiB + 0x2000);
    /* A limit pushes it into the big region, aligned down. */
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 16 * MiB, 2 * MiB, 4096 * MiB),
             48 * MiB);
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x1000, 0x1000, 40 * MiB + 0x123),
             40 * MiB - 0x1000);
    /* Too big for any one region, though the total would do. */
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 64 * MiB, 0x1000, ~0ULL), 0);
    /* Only below 1 MiB: the low region. */
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x2000, 0x1000, 1 * MiB), 0x9D000);
    /* Alignment that no address in the region satisfies. */
    CHECK_EQ(memmap_find_top(&m, MDESC_RESERVED, 0x1000, 128 * MiB, ~0ULL), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_RESERVED, 0x1000, 0x1000, ~0ULL), 65 * MiB - 0x1000);
    /* Aligning down must not leave the region (0x8000 would start below 0x9000). */
    CHECK_EQ(memmap_set(&m, 0x9000, 0xB000, MDESC_SHARED, 0), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_SHARED, 0x1000, 0x4000, ~0ULL), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_SHARED, 0x1000, 0x2000, ~0ULL), 0xA000);
    /* Bad arguments. */
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0, 0x1000, ~0ULL), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x1000, 0x1800, ~0ULL), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_DEDICATED, 0x1000, 0x1000, ~0ULL), 0);
}

TEST(find_top_never_returns_zero)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_set(&m, 0, 0x2000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x1000, 0x1000, ~0ULL), 0x1000);
    CHECK_EQ(memmap_find_top(&m, MDESC_CONVENTIONAL, 0x2000, 0x1000, ~0ULL), 0);
}

TEST(total_and_top)
{
    struct memmap m;
    memmap_init(&m);
    CHECK_EQ(memmap_total(&m, MDESC_CONVENTIONAL), 0);
    CHECK_EQ(memmap_top(&m, MDESC_CONVENTIONAL), 0);
    CHECK_EQ(memmap_set(&m, 0x0, 0xA0000, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 1 * MiB, 128 * MiB, MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(memmap_set(&m, 0xFEC00000, 0xFEC01000, MDESC_RESERVED, 0), 0);
    CHECK_EQ(memmap_set(&m, 2 * MiB, 3 * MiB, MDESC_RESERVED, MDESC_RES_KERNEL), 0);
    CHECK_EQ(memmap_total(&m, MDESC_CONVENTIONAL), 0xA0000 + 126 * MiB);
    CHECK_EQ(memmap_total(&m, MDESC_RESERVED), 1 * MiB + 0x1000);
    CHECK_EQ(memmap_top(&m, MDESC_CONVENTIONAL), 128 * MiB);
    CHECK_EQ(memmap_top(&m, MDESC_RESERVED), 0xFEC01000);
    CHECK_EQ(memmap_top(&m, MDESC_SHARED), 0);
}

/* Random overrides checked against a byte-granular model of a small address range. */
TEST(random_against_model)
{
    enum { UNITS = 256 };
    unsigned char model[UNITS];
    struct memmap m;
    memmap_init(&m);
    for (unsigned i = 0; i < UNITS; i++)
        model[i] = 0xFF;                        /* 0xFF = not in the map */
    unsigned seed = 12345;
    for (int step = 0; step < 4000; step++) {
        seed = seed * 1103515245u + 12345u;
        unsigned a = (seed >> 8) % UNITS, len = 1 + (seed >> 20) % 24;
        unsigned b = a + len > UNITS ? UNITS : a + len;
        uint8_t type = (uint8_t)(1 + (seed >> 4) % 3);
        struct memmap before = m;
        int rc = memmap_set(&m, a * 0x1000ULL, b * 0x1000ULL, type, 0);
        if (rc != 0) {
            CHECK(same_map(&m, &before));
            continue;
        }
        for (unsigned u = a; u < b; u++)
            model[u] = type;
        CHECK(well_formed(&m));
        unsigned ri = 0;
        for (unsigned u = 0; u < UNITS; u++) {
            uint64_t addr = u * 0x1000ULL;
            while (ri < m.n && m.r[ri].end <= addr)
                ri++;
            int in = ri < m.n && m.r[ri].base <= addr;
            CHECK_EQ(in ? m.r[ri].type : 0xFF, model[u]);
        }
    }
}

HTEST_MAIN("memmap")
