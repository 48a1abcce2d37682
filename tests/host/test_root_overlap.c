/* test_root_overlap.c — host tests of the root-server overlap check (kernel/core/root_overlap.c),
 * which boot uses to refuse root servers linked to overlapping physical memory. */
#include "core/root_overlap.c"
#include "htest.h"

static struct root_server rs_at(const char *name, uint64_t low, uint64_t high)
{
    return (struct root_server){ .name = name, .low = low, .high = high };
}

/* root_overlap_find on three servers; -1 if none overlap, else first * 10 + second. */
static int clash(const struct root_server *a, const struct root_server *b,
                 const struct root_server *c)
{
    const struct root_server *rs[3] = { a, b, c };
    unsigned i = 99, j = 99;
    return root_overlap_find(rs, 3, &i, &j) ? (int)(i * 10 + j) : -1;
}

TEST(disjoint_servers_pass)
{
    struct root_server s0 = rs_at("sigma0", 0x100000, 0x120000),
                       s1 = rs_at("sigma1", 0x200000, 0x210000),
                       root = rs_at("root", 0x400000, 0x480000);
    CHECK_EQ(clash(&s0, &s1, &root), -1);
    CHECK_EQ(clash(&s0, NULL, &root), -1);              /* no sigma1 */
}

TEST(touching_ranges_do_not_overlap)
{
    /* [low, high) is half open: one ending where the next begins is fine. */
    struct root_server s0 = rs_at("sigma0", 0x100000, 0x200000),
                       root = rs_at("root", 0x200000, 0x300000);
    CHECK_EQ(clash(&s0, NULL, &root), -1);
    CHECK_EQ(clash(&root, NULL, &s0), -1);
}

TEST(overlaps_are_found)
{
    struct root_server s0 = rs_at("sigma0", 0x100000, 0x200000),
                       s1 = rs_at("sigma1", 0x300000, 0x400000),
                       part = rs_at("root", 0x1FF000, 0x280000),       /* sigma0's last page */
                       inside = rs_at("root", 0x120000, 0x130000),     /* wholly inside */
                       around = rs_at("root", 0x000000, 0x500000),     /* around both */
                       same = rs_at("root", 0x300000, 0x400000);       /* the same range */
    CHECK_EQ(clash(&s0, &s1, &part), 2);                /* sigma0 (0) and root (2) */
    CHECK_EQ(clash(&s0, &s1, &inside), 2);
    CHECK_EQ(clash(&s0, &s1, &around), 2);              /* the first pair found */
    CHECK_EQ(clash(&s0, &s1, &same), 12);               /* sigma1 (1) and root (2) */
    CHECK_EQ(clash(&s0, &part, NULL), 1);               /* sigma0 and sigma1 */
    CHECK_EQ(clash(&s0, NULL, &s0), 2);                 /* one image given twice */
}

TEST(empty_ranges_never_overlap)
{
    struct root_server s0 = rs_at("sigma0", 0x100000, 0x200000),
                       empty = rs_at("sigma1", 0x180000, 0x180000);
    CHECK_EQ(clash(&s0, &empty, NULL), -1);
}

TEST(absent_servers_are_skipped)
{
    struct root_server s0 = rs_at("sigma0", 0x100000, 0x200000);
    CHECK_EQ(clash(NULL, &s0, NULL), -1);
    CHECK_EQ(clash(NULL, NULL, NULL), -1);
}

HTEST_MAIN("root_overlap")
