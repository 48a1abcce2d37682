/* test_bootinfo.c — host tests of building the boot-info page (kernel/core/bootinfo.c).
 *
 * The page is read back with the ABI's own readers (sigma4/bootinfo.h), as the root task
 * reads it; a guard tail after the page catches any write past it.
 */
#include "core/bootinfo.c"
#include "htest.h"

static uint8_t buf[BOOTINFO_SIZE + 64] __attribute__((aligned(4096)));

static void build(const char *cmd, const struct bootinfo_module *m, unsigned n)
{
    memset(buf, 0xAA, sizeof buf);
    bootinfo_build(buf, cmd, m, n);
}

static int guard_intact(void)
{
    for (size_t i = BOOTINFO_SIZE; i < sizeof buf; i++)
        if (buf[i] != 0xAA)
            return 0;
    return 1;
}

TEST(header_and_modules)
{
    struct bootinfo_module m[3] = {
        { 0x1000000, 0x1012345, "build/sigma0 role=sigma0", BOOTINFO_ROLE_SIGMA0 },
        { 0x1013000, 0x1100000, "build/root role=root", BOOTINFO_ROLE_ROOT },
        { 0x1100000, 0x1100001, "prog name=hello cpu=all", BOOTINFO_ROLE_NONE },
    };
    build("kmem=32", m, 3);
    CHECK(bootinfo_valid(buf));
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_MAGIC), BOOTINFO_MAGIC);
    CHECK(memcmp(buf, "S4BINFO1", 8) == 0);
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_NMODS), 3);
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_FLAGS), 0);
    CHECK(strcmp(bootinfo_string(buf, bootinfo_word(buf, BOOTINFO_OFF_CMDLINE)), "kmem=32") == 0);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ(bootinfo_mod(buf, i, BOOTINFO_MOD_BASE), m[i].start);
        CHECK_EQ(bootinfo_mod(buf, i, BOOTINFO_MOD_BYTES), m[i].end - m[i].start);
        CHECK_EQ(bootinfo_mod(buf, i, BOOTINFO_MOD_ROLE), m[i].role);
        uint64_t s = bootinfo_mod(buf, i, BOOTINFO_MOD_CMDLINE);
        CHECK(s >= BOOTINFO_OFF_MODS + 3 * BOOTINFO_MOD_SIZE);      /* after the table */
        CHECK(strcmp(bootinfo_string(buf, s), m[i].cmdline) == 0);
    }
    uint64_t used = bootinfo_word(buf, BOOTINFO_OFF_USED);
    CHECK_EQ(used, BOOTINFO_OFF_MODS + 3 * 32 + 25 + 21 + 24 + 8);
    for (size_t i = used; i < BOOTINFO_SIZE; i++)                  /* the rest is zero */
        CHECK_EQ(buf[i], 0);
    CHECK(guard_intact());
}

TEST(no_modules_null_strings)
{
    struct bootinfo_module m[1] = { { 0x2000, 0x3000, NULL, 0 } };
    build(NULL, m, 0);
    CHECK(bootinfo_valid(buf));
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_NMODS), 0);
    CHECK(strcmp(bootinfo_string(buf, bootinfo_word(buf, BOOTINFO_OFF_CMDLINE)), "") == 0);
    build(NULL, m, 1);                              /* a module without a command line: "" */
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_NMODS), 1);
    CHECK(strcmp(bootinfo_string(buf, bootinfo_mod(buf, 0, BOOTINFO_MOD_CMDLINE)), "") == 0);
    CHECK(strcmp(bootinfo_string(buf, 5000), "") == 0);             /* outside the page */
    CHECK(guard_intact());
}

/* Command lines that do not fit: the table ends before the first module whose string does
 * not fit, the flag says so, and nothing is written past the page. */
TEST(truncated_strings)
{
    static char longcmd[1500];
    memset(longcmd, 'c', sizeof longcmd - 1);
    struct bootinfo_module m[4];
    for (unsigned i = 0; i < 4; i++)
        m[i] = (struct bootinfo_module){ 0x100000 * (i + 1), 0x100000 * (i + 1) + 10, longcmd, 0 };
    build("cmd", m, 4);                             /* 2 fit: 0x30 + 128 + 2 * 1500 < 4096 */
    CHECK(bootinfo_valid(buf));
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_NMODS), 2);
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_FLAGS), BOOTINFO_F_TRUNCATED);
    CHECK(strcmp(bootinfo_string(buf, bootinfo_word(buf, BOOTINFO_OFF_CMDLINE)), "cmd") == 0);
    CHECK(guard_intact());
    build(longcmd, m, 2);                           /* modules fit, the command line does not */
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_NMODS), 2);
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_FLAGS), BOOTINFO_F_TRUNCATED);
    CHECK(strcmp(bootinfo_string(buf, bootinfo_word(buf, BOOTINFO_OFF_CMDLINE)), "") == 0);
    CHECK(bootinfo_word(buf, BOOTINFO_OFF_USED) <= BOOTINFO_SIZE);
    CHECK(guard_intact());
}

/* More modules than table entries fit in the page. */
TEST(truncated_table)
{
    static struct bootinfo_module m[200];
    for (unsigned i = 0; i < 200; i++)
        m[i] = (struct bootinfo_module){ 0x1000 * i, 0x1000 * i + 1, "", 0 };
    build("", m, 200);
    uint64_t n = bootinfo_word(buf, BOOTINFO_OFF_NMODS);
    CHECK(n > 0 && n < 200);
    CHECK_EQ(bootinfo_word(buf, BOOTINFO_OFF_FLAGS), BOOTINFO_F_TRUNCATED);
    CHECK(BOOTINFO_OFF_MODS + n * BOOTINFO_MOD_SIZE + n <= BOOTINFO_SIZE);
    for (uint64_t i = 0; i < n; i++)
        CHECK_EQ(bootinfo_mod(buf, i, BOOTINFO_MOD_BASE), 0x1000 * i);
    CHECK(guard_intact());
}

HTEST_MAIN("bootinfo")
