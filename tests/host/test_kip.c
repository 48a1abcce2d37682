/* test_kip.c — host tests of building the kernel interface page (kernel/core/kip.c).
 *
 * Each field is decoded back with the ABI constants (sigma4/kip.h) and compared with what
 * the X.2 reference says it must hold.  The memory map comes from the real memmap module.
 */
#include "core/kip.c"
#include "mm/memmap.c"
#include "htest.h"

/* The page plus a guard tail that kip_build must never touch. */
static uint8_t buf[KIP_SIZE + 64] __attribute__((aligned(KIP_SIZE)));
static struct memmap map;

static uint64_t rd(size_t off)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)buf[off + i] << (8 * i);
    return v;
}

static const char *const default_features[] = { "smallspaces", "", "ctrlxfer", NULL };

static void default_params(struct kip_params *p)
{
    memset(p, 0, sizeof *p);
    p->gen_date = KDESC_GEN_DATE(2025, 3, 14);
    p->version = 0x00010002;
    p->version_string = "sigma4 0.1 (test)";
    p->features = default_features;
    memmap_init(&map);
    memmap_set(&map, 0x0, 0x9FC00, MDESC_CONVENTIONAL, 0);
    memmap_set(&map, 0x100000, 0x8000000, MDESC_CONVENTIONAL, 0);
    memmap_set(&map, 0x200000, 0x400000, MDESC_RESERVED, MDESC_RES_KERNEL);
    memmap_set(&map, 0x7F00123, 0x7F00C57, MDESC_BOOTLOADER, MDESC_BOOT_MODULE);
    p->memmap = &map;
    p->ncpus = 2;
    p->cpu_khz[0] = 2400000;
    p->cpu_khz[1] = 2500000;
    p->bus_khz = 1000000;
    p->boot_info = 0x9500;
    p->sigma0 = (struct kip_root_server){ 0x1000, 0x200000, 0x1000000, 0x1100000 };
    p->sigma1 = (struct kip_root_server){ 0, 0, 0, 0 };
    p->root = (struct kip_root_server){ 0x2000, 0x400000, 0x2000000, 0x2200000 };
}

static int build(const struct kip_params *p)
{
    memset(buf, 0xAA, sizeof buf);
    return kip_build(buf, p);
}

static int guard_intact(void)
{
    for (size_t i = KIP_SIZE; i < sizeof buf; i++)
        if (buf[i] != 0xAA)
            return 0;
    return 1;
}

TEST(fixed_fields)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    CHECK(buf[0] == 'L' && buf[1] == '4' && buf[2] == 0xE6 && buf[3] == 'K');
    CHECK_EQ(rd(KIP_OFF_MAGIC) >> 32, 0);                        /* 64-bit KIP */
    CHECK_EQ(rd(KIP_OFF_API_VERSION), 0x84070000ULL);            /* no sign extension */
    CHECK_EQ(rd(KIP_OFF_API_FLAGS), 0x4);
    uint64_t utcb = rd(KIP_OFF_UTCB_INFO);
    CHECK_EQ(utcb & 0x3FF, 1);                                   /* m */
    CHECK_EQ((utcb >> 10) & 0x3F, 10);                           /* a: 1 KiB UTCBs */
    CHECK_EQ((utcb >> 16) & 0x3F, 12);                           /* s: one page minimum */
    CHECK_EQ(utcb >> 22, 0);
    CHECK_EQ(rd(KIP_OFF_KIP_AREA_INFO), 12);
    CHECK_EQ(rd(KIP_OFF_BOOT_INFO), 0x9500);
    CHECK_EQ(rd(KIP_OFF_CLOCK_INFO), 0);
    uint64_t ti = rd(KIP_OFF_THREAD_INFO);
    CHECK_EQ(ti & 0xFF, 18);
    CHECK_EQ((ti >> 8) & 0xFFF, 64);
    CHECK_EQ((ti >> 20) & 0xFFF, 96);
    uint64_t pi = rd(KIP_OFF_PAGE_INFO);
    CHECK_EQ(pi & 7, 7);
    CHECK_EQ(pi & ~0x3FFULL, (1ULL << 12) | (1ULL << 21));      /* 4 KiB and 2 MiB pages */
    uint64_t proc = rd(KIP_OFF_PROCESSOR_INFO);
    CHECK_EQ(proc & 0xFFFF, 1);                                  /* 2 CPUs */
    CHECK_EQ(proc >> 60, 5);                                     /* 32-byte descriptors */
    for (size_t off = KIP_OFF_KDEBUG_INIT; off <= KIP_OFF_KDEBUG_HIGH; off += 8)
        CHECK_EQ(rd(off), 0);
    for (size_t off = 0x1F8; off < KIP_OFF_END; off += 8)       /* reserved + ArchSyscall */
        CHECK_EQ(rd(off), 0);
    CHECK_EQ(rd(0xA0), 0);
    CHECK(guard_intact());
}

TEST(root_servers)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_SIGMA0 + 0x00), 0x1000);
    CHECK_EQ(rd(KIP_OFF_SIGMA0 + 0x08), 0x200000);
    CHECK_EQ(rd(KIP_OFF_SIGMA0 + 0x10), 0x1000000);
    CHECK_EQ(rd(KIP_OFF_SIGMA0 + 0x18), 0x1100000);
    for (size_t i = 0; i < 4; i++)
        CHECK_EQ(rd(KIP_OFF_SIGMA1 + 8 * i), 0);
    CHECK_EQ(rd(KIP_OFF_ROOT_SERVER + 0x00), 0x2000);
    CHECK_EQ(rd(KIP_OFF_ROOT_SERVER + 0x08), 0x400000);
    CHECK_EQ(rd(KIP_OFF_ROOT_SERVER + 0x10), 0x2000000);
    CHECK_EQ(rd(KIP_OFF_ROOT_SERVER + 0x18), 0x2200000);
}

TEST(processor_descriptors)
{
    struct kip_params p;
    default_params(&p);
    p.ncpus = 4;
    for (unsigned i = 0; i < 4; i++)
        p.cpu_khz[i] = 3000000 + i;
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_PROC_DESC_PTR), KIP_OFF_END);
    CHECK_EQ(rd(KIP_OFF_PROCESSOR_INFO) & 0xFFFF, 3);
    for (unsigned i = 0; i < 4; i++) {
        size_t d = KIP_OFF_END + (size_t)KIP_PROC_DESC_SIZE * i;
        CHECK_EQ(rd(d + 0x00), 1000000);                         /* external (bus) */
        CHECK_EQ(rd(d + 0x08), 3000000 + i);                     /* internal */
        CHECK_EQ(rd(d + 0x10), 0);
        CHECK_EQ(rd(d + 0x18), 0);
    }
    /* Out-of-range CPU counts are refused. */
    p.ncpus = 0;
    CHECK_EQ(build(&p), -1);
    p.ncpus = KIP_MAX_CPUS + 1;
    CHECK_EQ(build(&p), -1);
    p.ncpus = KIP_MAX_CPUS;
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_PROCESSOR_INFO) & 0xFFFF, KIP_MAX_CPUS - 1);
    CHECK(guard_intact());
}

TEST(kernel_descriptor_and_strings)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    uint64_t kd = rd(KIP_OFF_KERNEL_DESC);
    CHECK_EQ(kd % 8, 0);
    CHECK(kd >= KIP_OFF_END + (uint64_t)KIP_PROC_DESC_SIZE * p.ncpus);   /* after the CPUs */
    CHECK(kd < KIP_STUB_AREA);
    uint64_t id = rd(kd + KDESC_OFF_KERNEL_ID);
    CHECK_EQ((id >> 24) & 0xFF, 4);
    CHECK_EQ((id >> 16) & 0xFF, 0x80);
    uint64_t date = rd(kd + KDESC_OFF_GEN_DATE);
    CHECK_EQ(date & 0x1F, 14);
    CHECK_EQ((date >> 5) & 0xF, 3);
    CHECK_EQ((date >> 9) & 0x7F, 25);
    CHECK_EQ(rd(kd + KDESC_OFF_VERSION), 0x00010002);
    CHECK(memcmp(&buf[kd + KDESC_OFF_SUPPLIER], "sgm4", 4) == 0);
    CHECK_EQ(rd(kd + KDESC_OFF_SUPPLIER) >> 32, 0);
    /* Version string, features (the empty one dropped), then the empty terminator. */
    const char *s = (const char *)&buf[kd + KDESC_OFF_STRINGS];
    CHECK(strcmp(s, "sigma4 0.1 (test)") == 0);
    s += strlen(s) + 1;
    CHECK(strcmp(s, "smallspaces") == 0);
    s += strlen(s) + 1;
    CHECK(strcmp(s, "ctrlxfer") == 0);
    s += strlen(s) + 1;
    CHECK_EQ(s[0], '\0');
    /* The memory descriptors start after the strings. */
    CHECK(rd(KIP_OFF_MEMORY_INFO) >> 32 > (uint64_t)(s - (const char *)buf));
}

TEST(no_strings_given)
{
    struct kip_params p;
    default_params(&p);
    p.version_string = NULL;
    p.features = NULL;
    CHECK_EQ(build(&p), 0);
    uint64_t kd = rd(KIP_OFF_KERNEL_DESC);
    CHECK_EQ(buf[kd + KDESC_OFF_STRINGS], 0);                   /* empty version string */
    CHECK_EQ(buf[kd + KDESC_OFF_STRINGS + 1], 0);               /* end of the feature list */
}

TEST(memory_descriptors)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    uint64_t mi = rd(KIP_OFF_MEMORY_INFO);
    uint64_t n = mi & 0xFFFFFFFF, off = mi >> 32;
    CHECK_EQ(n, map.n);
    CHECK_EQ(n, 6);
    CHECK_EQ(off % 16, 0);
    CHECK(off + 16 * n <= KIP_STUB_AREA);
    for (unsigned i = 0; i < n; i++) {
        uint64_t w0 = rd(off + 16 * i), w1 = rd(off + 16 * i + 8);
        const struct mem_region *r = &map.r[i];
        CHECK_EQ(w0 & 0xF, r->type);
        CHECK_EQ((w0 >> 4) & 0xF, r->subtype);
        CHECK_EQ(w0 & MDESC_VIRTUAL, 0);
        CHECK_EQ(w0 & (1ULL << 8), 0);
        CHECK_EQ(w0 & ~0x3FFULL, r->base & ~0x3FFULL);
        CHECK_EQ(w1 & 0x3FF, 0);
        CHECK_EQ(w1 | 0x3FF, (r->end - 1) | 0x3FF);             /* high, inclusive */
    }
    /* Spot-check the exact words of two descriptors. */
    CHECK_EQ(rd(off + 16 * 2), 0x200000 | MDESC_RES_KERNEL << 4 | MDESC_RESERVED);
    CHECK_EQ(rd(off + 16 * 2 + 8), 0x3FFC00);
    CHECK_EQ(rd(off + 16 * 4), 0x7F00000 | MDESC_BOOT_MODULE << 4 | MDESC_BOOTLOADER);
    CHECK_EQ(rd(off + 16 * 4 + 8), 0x7F00C00);
    /* Everything from the last descriptor up to the stubs is zero. */
    for (size_t i = off + 16 * n; i < KIP_STUB_AREA; i++)
        CHECK_EQ(buf[i], 0);
}

TEST(empty_memory_map)
{
    struct kip_params p;
    default_params(&p);
    p.memmap = NULL;
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_MEMORY_INFO) & 0xFFFFFFFF, 0);
}

TEST(syscall_stubs)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    static const struct { size_t link; unsigned nr; } links[] = {
        { KIP_OFF_SPACE_CONTROL, SYS_SPACE_CONTROL },
        { KIP_OFF_THREAD_CONTROL, SYS_THREAD_CONTROL },
        { KIP_OFF_PROCESSOR_CONTROL, SYS_PROCESSOR_CONTROL },
        { KIP_OFF_MEMORY_CONTROL, SYS_MEMORY_CONTROL },
        { KIP_OFF_IPC, SYS_IPC },
        { KIP_OFF_LIPC, SYS_LIPC },
        { KIP_OFF_UNMAP, SYS_UNMAP },
        { KIP_OFF_EXCHANGE_REGISTERS, SYS_EXCHANGE_REGISTERS },
        { KIP_OFF_SYSTEM_CLOCK, SYS_SYSTEM_CLOCK },
        { KIP_OFF_THREAD_SWITCH, SYS_THREAD_SWITCH },
        { KIP_OFF_SCHEDULE, SYS_SCHEDULE },
    };
    CHECK_EQ(sizeof links / sizeof links[0], SYS_COUNT);
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        uint64_t stub = rd(links[i].link);
        CHECK_EQ(stub, KIP_STUB_AREA + KIP_STUB_SIZE * links[i].nr);
        const uint8_t want[KIP_STUB_SIZE] = {
            0xB8, (uint8_t)links[i].nr, 0, 0, 0,             /* mov $nr, %eax */
            0x0F, 0x05,                                      /* syscall */
            0xC3,                                            /* ret */
            0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC,  /* int3 */
        };
        CHECK(memcmp(&buf[stub], want, KIP_STUB_SIZE) == 0);
    }
    /* Slots beyond the last call trap too. */
    for (size_t i = KIP_STUB_AREA + KIP_STUB_SIZE * SYS_COUNT; i < KIP_SIZE; i++)
        CHECK_EQ(buf[i], 0xCC);
    CHECK(guard_intact());
}

TEST(page_is_zeroed_first)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    /* Legacy and reserved words the builder never writes must come out zero, not 0xAA. */
    for (size_t off = 0xB0; off < KIP_OFF_UTCB_INFO; off += 8)
        CHECK_EQ(rd(off), 0);
    CHECK_EQ(rd(0x160), 0);
    CHECK_EQ(rd(0x168), 0);
}

/* Long strings push the descriptors into the stub area: refused, without writing past it. */
TEST(overflow_refused)
{
    static char longver[KIP_SIZE];
    struct kip_params p;
    default_params(&p);
    memset(longver, 'v', sizeof longver - 1);
    longver[sizeof longver - 1] = '\0';
    p.version_string = longver;
    CHECK_EQ(build(&p), -1);
    CHECK(guard_intact());
    /* A feature string that runs into the stub area, too. */
    const char *feats[] = { "a", longver + 1000, NULL };          /* 3095 chars */
    default_params(&p);
    p.features = feats;
    CHECK_EQ(build(&p), -1);
    CHECK(guard_intact());
}

/* With 64 CPUs and 64 regions there is room for 158 bytes of version string and no more:
 * strings start at 0x240 + 64*32 + 0x20 = 0xA60; 64 descriptors need [0xB00, 0xF00). */
TEST(descriptor_overflow_boundary)
{
    static char ver[200];
    struct kip_params p;
    default_params(&p);
    p.ncpus = KIP_MAX_CPUS;
    p.features = NULL;
    memmap_init(&map);
    for (unsigned i = 0; i < MEMMAP_MAX; i++)
        CHECK_EQ(memmap_set(&map, 0x100000ULL * (i + 1), 0x100000ULL * (i + 1) + 0x1000,
                            MDESC_CONVENTIONAL, 0), 0);
    CHECK_EQ(map.n, MEMMAP_MAX);
    memset(ver, 'x', 158);
    ver[158] = '\0';
    p.version_string = ver;
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_MEMORY_INFO), (0xB00ULL << 32) | MEMMAP_MAX);
    CHECK_EQ(rd(0xEF0), (0x100000ULL * MEMMAP_MAX) | MDESC_CONVENTIONAL);
    CHECK_EQ(buf[KIP_STUB_AREA], 0xB8);
    ver[158] = 'x';
    ver[159] = '\0';
    CHECK_EQ(build(&p), -1);
    CHECK(guard_intact());
}

/* NUMA extension: each processor descriptor's arch word holds the node; NumaInfo points at
 * the affinity entries, which follow the memory descriptors. */
TEST(numa_nodes_and_ranges)
{
    struct kip_params p;
    default_params(&p);
    p.cpu_node[0] = 1;
    p.cpu_node[1] = 0;
    p.nnuma = 2;
    p.numa[0] = (struct kip_numa_range){ 0x0, 0x4000000, 0 };
    p.numa[1] = (struct kip_numa_range){ 0x4000000, 0x8000000, 3 };
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_END + KIP_PDESC_OFF_ARCH), 1);
    CHECK_EQ(rd(KIP_OFF_END + KIP_PROC_DESC_SIZE + KIP_PDESC_OFF_ARCH), 0);
    uint64_t info = rd(KIP_OFF_NUMA_INFO), mem = rd(KIP_OFF_MEMORY_INFO);
    CHECK_EQ(info & KIP_NUMA_COUNT_MASK, 2);
    size_t off = (size_t)(info >> KIP_NUMA_OFF_SHIFT);
    CHECK_EQ(off, (mem >> 32) + (mem & 0xFFFFFFFF) * 16);        /* right after the memdescs */
    CHECK_EQ(off % 16, 0);
    CHECK_EQ(rd(off), 0x0 | 0);
    CHECK_EQ(rd(off + 8), 0x4000000);
    CHECK_EQ(rd(off + 16), 0x4000000 | 3);
    CHECK_EQ(rd(off + 24), 0x8000000);
    CHECK_EQ(buf[KIP_STUB_AREA], 0xB8);
    CHECK(guard_intact());
}

/* Without an SRAT NumaInfo is 0 and every CPU's arch word is 0. */
TEST(numa_absent)
{
    struct kip_params p;
    default_params(&p);
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_NUMA_INFO), 0);
    CHECK_EQ(rd(KIP_OFF_END + KIP_PDESC_OFF_ARCH), 0);
}

/* Malformed ranges and ranges that do not fit are refused, never written past the page. */
TEST(numa_refused)
{
    struct kip_params p;
    default_params(&p);
    p.nnuma = 2;
    p.numa[0] = (struct kip_numa_range){ 0x4000000, 0x8000000, 1 };
    p.numa[1] = (struct kip_numa_range){ 0x0, 0x4000000, 0 };       /* unsorted */
    CHECK_EQ(build(&p), -1);
    p.numa[1] = (struct kip_numa_range){ 0x7000000, 0x9000000, 0 };  /* overlaps */
    CHECK_EQ(build(&p), -1);
    p.nnuma = 1;
    p.numa[0] = (struct kip_numa_range){ 0x1800, 0x8000000, 0 };     /* unaligned */
    CHECK_EQ(build(&p), -1);
    p.numa[0] = (struct kip_numa_range){ 0x1000, 0x1000, 0 };        /* empty */
    CHECK_EQ(build(&p), -1);
    p.numa[0] = (struct kip_numa_range){ 0x1000, 0x2000, 4096 };     /* node too large */
    CHECK_EQ(build(&p), -1);
    p.nnuma = KIP_MAX_NUMA + 1;
    CHECK_EQ(build(&p), -1);
    /* The largest memory map leaves no room for the entries: refused at the boundary. */
    default_params(&p);
    p.ncpus = KIP_MAX_CPUS;
    p.features = NULL;
    memmap_init(&map);
    for (unsigned i = 0; i < MEMMAP_MAX; i++)
        CHECK_EQ(memmap_set(&map, 0x100000ULL * (i + 1), 0x100000ULL * (i + 1) + 0x1000,
                            MDESC_CONVENTIONAL, 0), 0);
    static char ver[159];                       /* memdescs end at 0xF00 (see below) */
    memset(ver, 'x', 158);
    p.version_string = ver;
    p.nnuma = 1;
    p.numa[0] = (struct kip_numa_range){ 0x0, 0x1000, 0 };
    CHECK_EQ(build(&p), -1);
    CHECK(guard_intact());
    ver[150] = '\0';                            /* 8 bytes less: still no room for 16 */
    CHECK_EQ(build(&p), -1);
    p.version_string = "";                      /* room for it */
    CHECK_EQ(build(&p), 0);
    CHECK_EQ(rd(KIP_OFF_NUMA_INFO) & KIP_NUMA_COUNT_MASK, 1);
}

/* kip_numa_normalize: rounds inward, drops empty ranges and bad nodes, sorts, clips overlaps. */
TEST(numa_normalize)
{
    struct kip_numa_range r[6] = {
        { 0x100000, 0x10000000, 0 },
        { 0x10000000, 0x20000000, 1 },
        { 0x0, 0xA0000, 0 },
        { 0x800, 0xC00, 0 },                    /* inside one page: empty after rounding */
        { 0x1FFFF000, 0x20800000, 2 },          /* overlaps the node 1 range: clipped */
        { 0x30000000, 0x30001000, 5000 },       /* node does not fit 12 bits: dropped */
    };
    unsigned n = kip_numa_normalize(r, 6);
    CHECK_EQ(n, 4);
    CHECK_EQ(r[0].base, 0x0);
    CHECK_EQ(r[0].end, 0xA0000);
    CHECK_EQ(r[1].base, 0x100000);
    CHECK_EQ(r[2].base, 0x10000000);
    CHECK_EQ(r[2].node, 1);
    CHECK_EQ(r[3].base, 0x20000000);
    CHECK_EQ(r[3].end, 0x20800000);
    CHECK_EQ(r[3].node, 2);
    struct kip_params p;
    default_params(&p);
    p.nnuma = n;
    for (unsigned i = 0; i < n; i++)
        p.numa[i] = r[i];
    CHECK_EQ(build(&p), 0);
    struct kip_numa_range one = { 0x1234, 0x5678, 0 };
    CHECK_EQ(kip_numa_normalize(&one, 1), 1);
    CHECK_EQ(one.base, 0x2000);
    CHECK_EQ(one.end, 0x5000);
}

HTEST_MAIN("kip")
