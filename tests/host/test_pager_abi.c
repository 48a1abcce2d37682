/* test_pager_abi.c — host tests of the memory-server protocol header (abi/include/sigma4/pager.h,
 * loader.h): labels, range words, the error table, and the allocator numbers lib/pma shares. */
#include <sigma4/pager.h>
#include <sigma4/loader.h>
#include "../../lib/pma/pma.h"
#include "htest.h"

TEST(labels_round_trip)
{
    CHECK(PAGER_LABEL_IS(PAGER_LABEL(PAGER_OP_FREE)));
    CHECK_EQ(PAGER_LABEL_OP(PAGER_LABEL(PAGER_OP_MEM_LOW)), PAGER_OP_MEM_LOW);
    CHECK(!PAGER_LABEL_IS(LOADER_LABEL(LOADER_OP_EXIT)));
    CHECK(!PAGER_LABEL_IS(0));                              /* a reply label is not a request */
    CHECK(LOADER_LABEL_IS(LOADER_LABEL(LOADER_OP_CRASHED)));
    CHECK_EQ(LOADER_LABEL_OP(LOADER_LABEL(LOADER_OP_CRASHED)), LOADER_OP_CRASHED);
    /* labels fit the tag's 48-bit label field and are not the kernel's negative labels */
    CHECK(PAGER_LABEL(0xFF) < (1ULL << 47) && LOADER_LABEL(0xFF) < (1ULL << 47));
}

TEST(range_words)
{
    CHECK_EQ(PAGER_RANGE_PFN(PAGER_RANGE(0x12345, 1)), 0x12345);
    CHECK_EQ(PAGER_RANGE_COUNT(PAGER_RANGE(0x12345, 1)), 1);
    CHECK_EQ(PAGER_RANGE_COUNT(PAGER_RANGE(7, PAGER_RANGE_MAX_COUNT)), PAGER_RANGE_MAX_COUNT);
    CHECK_EQ(PAGER_RANGE_PFN(PAGER_RANGE(7, PAGER_RANGE_MAX_COUNT)), 7);
    /* the largest frame the window can hold still fits a range word */
    CHECK_EQ(PAGER_RANGE_PFN(PAGER_RANGE(PAGER_WINDOW_FRAMES - 1, 3)), PAGER_WINDOW_FRAMES - 1);
}

TEST(error_table)
{
    CHECK_EQ(PAGER_OK, 0);
    CHECK(strcmp(pager_strerror(PAGER_OK), "ok") == 0);
    CHECK(strcmp(pager_strerror(PAGER_E_NOT_OWNED), "the page is not committed to the client") == 0);
    CHECK(strcmp(pager_strerror(PAGER_ERR_COUNT), "unknown error") == 0);
    for (unsigned e = 0; e < PAGER_ERR_COUNT; e++)          /* codes are dense, each has text */
        CHECK(strcmp(pager_strerror(e), "unknown error") != 0);
}

TEST(algorithms_match_pma)
{
    CHECK_EQ(PAGER_ALG_AVL, PMA_AVL);
    CHECK_EQ(PAGER_ALG_BUDDY, PMA_BUDDY);
}

HTEST_MAIN("pager_abi")
