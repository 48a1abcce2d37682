/* test_partition.c — host tests of the memory server's partition table (servers/pager/partition.c):
 * by NUMA node first, then equal shares per pager with cuts on 2 MiB boundaries; exact
 * coverage of the held memory; lookups. */
#include "../../servers/pager/partition.c"
#include "htest.h"

static struct part_table t;

/* Does the table cover exactly mem[] (every frame once, nothing else), in sorted pieces? */
static int covers_exactly(const struct pma_range *mem, unsigned nmem)
{
    uint64_t total = 0, pieces = 0, home = 0;
    for (unsigned i = 0; i < nmem; i++)
        total += mem[i].count;
    for (unsigned i = 0; i < t.npieces; i++) {
        const struct part_piece *p = &t.piece[i];
        if (p->count == 0 || p->pager >= t.npagers)
            return 0;
        if (i > 0 && p->pfn < t.piece[i - 1].pfn + t.piece[i - 1].count)
            return 0;                                       /* sorted, disjoint */
        int inside = 0;
        for (unsigned j = 0; j < nmem; j++)
            inside |= p->pfn >= mem[j].pfn && p->pfn + p->count <= mem[j].pfn + mem[j].count;
        if (!inside)
            return 0;
        pieces += p->count;
    }
    for (unsigned i = 0; i < t.npagers; i++)
        home += t.home_frames[i];
    return pieces == total && home == total;
}

TEST(one_pager_takes_everything)
{
    struct pma_range mem[] = { { 0x1000, 0x5000 }, { 0x8000, 0x300 } };
    unsigned node0[] = { 0 };
    CHECK_EQ(part_build(&t, mem, 2, 0, 0, node0, 1), PART_OK);
    CHECK_EQ(t.npieces, 2);
    CHECK(covers_exactly(mem, 2));
    CHECK_EQ(t.home_frames[0], 0x5300);
    CHECK_EQ(part_home(&t, 0x1000), 0);
    CHECK_EQ(part_home(&t, 0x5FFF), 0);
    CHECK_EQ(part_home(&t, 0x6000), -1);                    /* the hole */
    CHECK_EQ(part_home(&t, 0xFFF), -1);
    CHECK_EQ(part_node(&t, 0x8000), 0);
    CHECK_EQ(part_node(&t, 0x8300), PART_NO_NODE);
}

TEST(four_pagers_one_node_equal_shares_cut_on_2mib)
{
    struct pma_range mem[] = { { 0x1000, 0x1EF37 } };     /* 16 MiB .. almost 512 MiB */
    unsigned nodes[] = { 0, 0, 0, 0 };
    CHECK_EQ(part_build(&t, mem, 1, 0, 0, nodes, 4), PART_OK);
    CHECK(covers_exactly(mem, 1));
    CHECK_EQ(t.npieces, 4);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(t.piece[i].pager, i);                      /* ascending addresses, pager order */
        CHECK_EQ(t.piece[i].pfn % PART_ALIGN_FRAMES, 0);    /* cuts on 2 MiB boundaries */
        CHECK(t.home_frames[i] + PART_ALIGN_FRAMES > 0x1EF37 / 4);
        CHECK(t.home_frames[i] < 0x1EF37 / 4 + PART_ALIGN_FRAMES);
    }
}

TEST(two_nodes_one_pager_each)
{
    /* QEMU -numa with 256 MiB per node: node 0 below 256 MiB, node 1 above */
    struct part_affinity aff[] = { { 0x10000, 0x10000, 1 }, { 0, 0x10000, 0 } };
    struct pma_range mem[] = { { 0x1000, 0x9000 }, { 0xB000, 0x14000 } };  /* a hole at 0xA000 */
    unsigned nodes[] = { 0, 1 };
    CHECK_EQ(part_build(&t, mem, 2, aff, 2, nodes, 2), PART_OK);
    CHECK(covers_exactly(mem, 2));
    CHECK_EQ(t.home_frames[0], 0x9000 + (0x10000 - 0xB000));
    CHECK_EQ(t.home_frames[1], 0x1F000 - 0x10000);
    for (unsigned i = 0; i < t.npieces; i++)
        CHECK_EQ(t.piece[i].pager, t.piece[i].node);        /* every frame stays on its node */
    CHECK_EQ(part_node(&t, 0xFFFF), 0);
    CHECK_EQ(part_node(&t, 0x10000), 1);
}

TEST(two_nodes_two_pagers_each)
{
    struct part_affinity aff[] = { { 0, 0x10000, 0 }, { 0x10000, 0x10000, 1 } };
    struct pma_range mem[] = { { 0x1000, 0x1F000 } };
    unsigned nodes[] = { 0, 1, 0, 1 };                      /* CPUs interleaved over nodes */
    CHECK_EQ(part_build(&t, mem, 1, aff, 2, nodes, 4), PART_OK);
    CHECK(covers_exactly(mem, 1));
    for (unsigned i = 0; i < t.npieces; i++)
        CHECK_EQ(nodes[t.piece[i].pager], t.piece[i].node);
    CHECK(t.home_frames[0] + t.home_frames[2] == 0xF000);
    CHECK(t.home_frames[1] + t.home_frames[3] == 0x10000);
    CHECK_EQ(t.home_frames[1], 0x8000);                     /* node 1 splits evenly, aligned */
    CHECK_EQ(part_home(&t, 0x1000), 0);
    CHECK_EQ(part_home(&t, 0x10000), 1);
    CHECK_EQ(part_home(&t, 0x1FFFF), 3);
}

TEST(memory_only_node_is_shared_by_all)
{
    struct part_affinity aff[] = { { 0, 0x10000, 0 }, { 0x10000, 0x4000, 5 } };
    struct pma_range mem[] = { { 0x1000, 0x13000 } };
    unsigned nodes[] = { 0, 0 };
    CHECK_EQ(part_build(&t, mem, 1, aff, 2, nodes, 2), PART_OK);
    CHECK(covers_exactly(mem, 1));
    CHECK_EQ(part_node(&t, 0x10000), 5);
    CHECK_EQ(part_home(&t, 0x10000), 0);                    /* node 5 split over pagers 0, 1 */
    CHECK_EQ(part_home(&t, 0x13FFF), 1);
}

TEST(pager_on_a_node_without_memory_gets_nothing)
{
    struct part_affinity aff[] = { { 0, 0x20000, 0 } };
    struct pma_range mem[] = { { 0x1000, 0x1000 } };
    unsigned nodes[] = { 0, 3 };
    CHECK_EQ(part_build(&t, mem, 1, aff, 1, nodes, 2), PART_OK);
    CHECK_EQ(t.home_frames[0], 0x1000);
    CHECK_EQ(t.home_frames[1], 0);
}

TEST(uncovered_memory_is_node_0)
{
    struct part_affinity aff[] = { { 0x4000, 0x1000, 1 } };
    struct pma_range mem[] = { { 0x1000, 0x8000 } };
    unsigned nodes[] = { 0, 1 };
    CHECK_EQ(part_build(&t, mem, 1, aff, 1, nodes, 2), PART_OK);
    CHECK(covers_exactly(mem, 1));
    CHECK_EQ(part_node(&t, 0x3FFF), 0);
    CHECK_EQ(part_node(&t, 0x4000), 1);
    CHECK_EQ(part_node(&t, 0x5000), 0);
    CHECK_EQ(t.home_frames[1], 0x1000);
}

TEST(bad_input)
{
    struct pma_range unsorted[] = { { 0x5000, 0x10 }, { 0x1000, 0x10 } };
    struct pma_range overlap[] = { { 0x1000, 0x10 }, { 0x100F, 0x10 } };
    struct pma_range empty[] = { { 0x1000, 0 } };
    unsigned nodes[] = { 0, 99 };
    CHECK_EQ(part_build(&t, unsorted, 2, 0, 0, nodes, 1), PART_E_ARG);
    CHECK_EQ(part_build(&t, overlap, 2, 0, 0, nodes, 1), PART_E_ARG);
    CHECK_EQ(part_build(&t, empty, 1, 0, 0, nodes, 1), PART_E_ARG);
    CHECK_EQ(part_build(&t, overlap, 1, 0, 0, nodes, 0), PART_E_ARG);
    CHECK_EQ(part_build(&t, overlap, 1, 0, 0, nodes, 2), PART_E_ARG);     /* node 99 */
    static struct pma_range many[PART_MAX_PIECES + 1];
    for (unsigned i = 0; i <= PART_MAX_PIECES; i++)
        many[i] = (struct pma_range){ 0x1000 + 2 * i, 1 };
    CHECK_EQ(part_build(&t, many, PART_MAX_PIECES + 1, 0, 0, nodes, 1), PART_E_FULL);
}

/* Random memory maps and node layouts against a frame-by-frame reference. */
TEST(random_layouts)
{
    static uint8_t node_of[0x8000];
    uint64_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        struct pma_range mem[8];
        struct part_affinity aff[6];
        unsigned nodes[8], nmem = 0, naff = 0, npagers;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = seed >> 11, p = 0x100 + r % 0x200;
        for (unsigned i = 0; i < 8 && p < 0x7000; i++) {    /* sorted, disjoint, with holes */
            uint64_t len = 1 + (r >> (i * 3)) % 0xC00 + (i == 0 ? 0x800 : 0);
            if (p + len > 0x8000)
                len = 0x8000 - p;
            mem[nmem++] = (struct pma_range){ p, len };
            p += len + (r >> (i * 5)) % 0x300 + 1;
        }
        for (unsigned i = 0; i < 6; i++, naff++) {           /* disjoint affinity ranges */
            aff[i] = (struct part_affinity){ i * 0x1400, 0x1000 + (r >> i) % 0x400, (unsigned)((r >> (2 * i)) % 4) };
            if (aff[i].pfn + aff[i].count > (i + 1) * 0x1400)
                aff[i].count = (i + 1) * 0x1400 - aff[i].pfn;
        }
        npagers = 1 + (unsigned)(r % 8);
        for (unsigned i = 0; i < npagers; i++)
            nodes[i] = (unsigned)((r >> (3 * i + 7)) % 3);
        for (uint64_t f = 0; f < 0x8000; f++) {
            node_of[f] = 0;
            for (unsigned i = 0; i < naff; i++)
                if (f >= aff[i].pfn && f < aff[i].pfn + aff[i].count)
                    node_of[f] = (uint8_t)aff[i].node;
        }
        CHECK_EQ(part_build(&t, mem, nmem, aff, naff, nodes, npagers), PART_OK);
        CHECK(covers_exactly(mem, nmem));
        uint64_t node_total[4] = { 0 }, per_pager_node[8][4] = { { 0 } };
        unsigned node_pagers[4] = { 0 };
        for (unsigned i = 0; i < nmem; i++)
            for (uint64_t f = mem[i].pfn; f < mem[i].pfn + mem[i].count; f++) {
                const struct part_piece *pc = part_find(&t, f);
                CHECK(pc != 0);
                CHECK_EQ(pc->node, node_of[f]);             /* frames stay on their node */
                node_total[node_of[f]]++;
                per_pager_node[pc->pager][node_of[f]]++;
            }
        for (unsigned i = 0; i < npagers; i++)
            node_pagers[nodes[i]]++;
        for (unsigned n = 0; n < 4; n++) {
            if (!node_total[n])
                continue;
            unsigned k = node_pagers[n] ? node_pagers[n] : npagers;
            for (unsigned i = 0; i < npagers; i++) {
                int mine = node_pagers[n] ? nodes[i] == n : 1;
                if (!mine) {
                    CHECK_EQ(per_pager_node[i][n], 0);      /* never a remote pager's frames */
                    continue;
                }
                uint64_t share = node_total[n] / k, got = per_pager_node[i][n];
                CHECK(got + PART_ALIGN_FRAMES + 1 >= share && got <= share + PART_ALIGN_FRAMES + 1);
            }
        }
    }
}

HTEST_MAIN("partition")
