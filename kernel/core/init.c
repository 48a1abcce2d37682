/* init.c — kmain: the boot sequence from the first C instruction to the first user thread.
 *
 * Boot CPU only, interrupts off throughout; ends in the scheduler.  Order matters:
 * CPU/console -> Multiboot -> memory map -> kernel pool -> direct map -> ACPI/APIC/timer ->
 * root servers placed -> KIP -> root servers started -> scheduler.  docs/design/boot.md.
 */
#include "arch.h"
#include "platform.h"
#include "multiboot.h"
#include "core/kip.h"
#include "core/bootinfo.h"
#include "core/percpu.h"
#include "config.h"
#include "core/root_servers.h"
#include "core/sched.h"
#include "core/space.h"
#include "core/thread.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include "mm/memmap.h"
#include "lib/string.h"
#include "debug/console.h"
#include "debug/panic.h"
#include "debug/kdb.h"
#include <sigma4/bootinfo.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>

#define KMEM_DEFAULT_MIB 32

static struct memmap memmap;

/* Memory sigma0 owns (space.h): conventional, boot modules, the boot-info page. */
static bool sigma0_region(const struct mem_region *r)
{
    return r->type == MDESC_CONVENTIONAL ||
           (r->type == MDESC_BOOTLOADER &&
            (r->subtype == MDESC_BOOT_MODULE || r->subtype == MDESC_BOOT_INFO));
}

bool phys_is_sigma0(uint64_t pa)
{
    for (unsigned i = 0; i < memmap.n; i++)
        if (pa >= memmap.r[i].base && pa < memmap.r[i].end)
            return sigma0_region(&memmap.r[i]);
    return false;
}

bool phys_range_sigma0(uint64_t pa, uint64_t len)
{
    for (uint64_t p = pa; p < pa + len; ) {         /* region by region, not page by page */
        unsigned i = 0;
        while (i < memmap.n && !(p >= memmap.r[i].base && p < memmap.r[i].end))
            i++;
        if (i == memmap.n || !sigma0_region(&memmap.r[i]))
            return false;
        p = memmap.r[i].end;
    }
    return true;
}

uint64_t phys_conventional_top(void)
{
    return memmap_top(&memmap, MDESC_CONVENTIONAL);
}

static const char *const features[] = {
    "sigma4", "xapic",
    CONFIG_CTRLXFER ? "ctrlxfer" : "",
    CONFIG_PREEMPT_MSG ? "preemptmsg" : "",
    CONFIG_ZERO_TIMESLICE ? "zerotimeslice" : "",
    CONFIG_EXT_PAGEFAULT ? "extpagefault" : "",
    CONFIG_THREAD_LIMITS ? "threadlimits" : "",
    NULL,
};

static uint64_t parse_mib(const char *s)
{
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (uint64_t)(*s - '0');
    return v;
}

static void setup_kernel_pool(void)
{
    char arg[16];
    uint64_t mib = KMEM_DEFAULT_MIB;
    if (cmdline_get("kmem", arg, sizeof(arg)) == 0 && parse_mib(arg) >= 4)
        mib = parse_mib(arg);
    uint64_t size = mib << 20;
    uint64_t base = memmap_find_top(&memmap, MDESC_CONVENTIONAL, size, SUPERPAGE_SIZE, 4ULL << 30);
    if (!base)
        panic("no room for a %lu MiB kernel pool below 4 GiB", mib);
    memmap_set(&memmap, base, base + size, MDESC_RESERVED, MDESC_RES_KPOOL);
    kmem_init(base, size);
    account_init();
    kprintf("sigma4: kernel pool %lu MiB at 0x%lx\n", mib, base);
}

static void log_memory(void)
{
    uint64_t conv = memmap_total(&memmap, MDESC_CONVENTIONAL);
    kprintf("sigma4: memory: %lu MiB conventional (for sigma0), top 0x%lx\n", conv >> 20,
            memmap_top(&memmap, MDESC_CONVENTIONAL));
    for (unsigned i = 0; i < boot_info.nmods; i++)
        kprintf("sigma4: module %u: 0x%lx-0x%lx %s\n", i, boot_info.mods[i].start,
                boot_info.mods[i].end, boot_info.mods[i].cmdline);
}

/* Module roles: [0] sigma0, [1] root task; a module whose command line contains
 * "role=sigma1" is sigma1. */
static int find_module(const char *role, int fallback)
{
    for (unsigned i = 0; i < boot_info.nmods; i++)
        if (strstr(boot_info.mods[i].cmdline, role))
            return (int)i;
    return fallback < (int)boot_info.nmods ? fallback : -1;
}

static bool place(struct root_server *rs, int mod)
{
    if (mod < 0)
        return false;
    const struct mb_module *m = &boot_info.mods[mod];
    return root_server_place(rs, phys_to_virt(m->start), m->end - m->start, &memmap) == 0;
}

/* The boot-info page (docs/abi/kip.md, "Boot modules"): one page of low conventional memory
 * (below 640 KiB, where it splits no large page sigma0 could hand out), marked boot-loader
 * memory so that sigma0 gives it to the root task only; its physical address goes into the
 * KIP's BootInfo word.  `role[i]` is module i's BOOTINFO_ROLE_*. */
static uint64_t build_bootinfo(const unsigned *role)
{
    static struct bootinfo_module mods[MB_MAX_MODS];
    uint64_t pa = memmap_find_top(&memmap, MDESC_CONVENTIONAL, PAGE_SIZE, PAGE_SIZE, 0xA0000);
    if (!pa)
        pa = memmap_find_top(&memmap, MDESC_CONVENTIONAL, PAGE_SIZE, PAGE_SIZE, 4ULL << 30);
    if (!pa || memmap_set(&memmap, pa, pa + PAGE_SIZE, MDESC_BOOTLOADER, MDESC_BOOT_INFO) < 0)
        panic("no page for the boot-info page");
    for (unsigned i = 0; i < boot_info.nmods; i++)
        mods[i] = (struct bootinfo_module){ boot_info.mods[i].start, boot_info.mods[i].end,
                                            boot_info.mods[i].cmdline, role[i] };
    bootinfo_build(phys_to_virt(pa), boot_info.cmdline, mods, boot_info.nmods);
    kprintf("sigma4: boot-info page at 0x%lx: %u module(s)\n", pa, boot_info.nmods);
    return pa;
}

static void build_kip(const struct root_server *rs[3], uint64_t bootinfo)
{
    static struct kip_params p;
    unsigned n_node;
    p.gen_date = KDESC_GEN_DATE(2026, 11, 22);
    p.version = 0x00010000;
    p.version_string = "sigma4 0.1 (x86-64, " __DATE__ ")";
    p.features = features;
    p.memmap = &memmap;
    p.ncpus = ncpus_online;
    for (unsigned i = 0; i < p.ncpus; i++)
        p.cpu_khz[i] = (uint32_t)tsc_khz_value();
    p.bus_khz = (uint32_t)timer_khz_value();
    for (unsigned i = 0; i < p.ncpus; i++)
        p.cpu_node[i] = (uint16_t)platform_cpu_node(i);
    unsigned n = platform_mem_affinity_count();
    for (unsigned i = 0; i < n && p.nnuma < KIP_MAX_NUMA; i++)
        if (platform_mem_affinity(i, &p.numa[p.nnuma].base, &p.numa[p.nnuma].end, &n_node))
            p.numa[p.nnuma++].node = n_node;
    p.nnuma = kip_numa_normalize(p.numa, p.nnuma);
    p.boot_info = bootinfo;
    struct kip_root_server *dst[3] = { &p.sigma0, &p.sigma1, &p.root };
    for (int i = 0; i < 3; i++)
        if (rs[i])
            *dst[i] = (struct kip_root_server){ 0, rs[i]->elf.entry, rs[i]->low, rs[i]->high - 1 };
    kip_page = kmem_alloc(0);
    if (!kip_page || kip_build(kip_page, &p) < 0)
        panic("cannot build the KIP");
}

_Noreturn void kmain(uint32_t magic, uint64_t mbi)
{
    arch_early_init();
    kprintf("\nsigma4 microkernel 0.1 -- L4 X.2 for x86-64\n");
    if (multiboot_parse(magic, mbi) < 0)
        panic("not booted by a Multiboot loader with a memory map (magic 0x%x)", magic);
    kprintf("sigma4: command line: %s\n", boot_info.cmdline);
    kdb_stay = cmdline_has("stay");
    platform_memmap(&memmap);
    setup_kernel_pool();
    mmu_init(memmap_top(&memmap, MDESC_CONVENTIONAL));
    log_memory();
    platform_init();
    sched_init_cpu();
    smp_start_aps();
    kprintf("sigma4: %u CPU(s) present, %u online; %u NUMA node(s)\n", platform_cpu_count(),
            ncpus_online, platform_node_count());

    static struct root_server s0 = { .name = "sigma0" }, s1 = { .name = "sigma1" },
                              root = { .name = "root" };
    int m1 = find_module("role=sigma1", -1);
    int m0 = find_module("role=sigma0", 0), mr = find_module("role=root", m1 == 1 ? 2 : 1);
    static unsigned role[MB_MAX_MODS];
    if (m0 >= 0) role[m0] = BOOTINFO_ROLE_SIGMA0;
    if (m1 >= 0) role[m1] = BOOTINFO_ROLE_SIGMA1;
    if (mr >= 0) role[mr] = BOOTINFO_ROLE_ROOT;
    uint64_t bootinfo = build_bootinfo(role);
    const struct root_server *rs[3] = {
        place(&s0, m0) ? &s0 : NULL,
        place(&s1, m1) ? &s1 : NULL,
        place(&root, mr) ? &root : NULL,
    };
    if (!rs[0] || !rs[2])
        panic("need boot modules for sigma0 and the root task");
    unsigned a, b;
    if (root_overlap_find(rs, 3, &a, &b))
        panic("root servers %s (0x%lx-0x%lx) and %s (0x%lx-0x%lx) overlap in physical memory: "
              "link them to disjoint addresses", rs[a]->name, rs[a]->low, rs[a]->high - 1,
              rs[b]->name, rs[b]->low, rs[b]->high - 1);
    for (int i = 0; i < 3; i++)
        if (rs[i])
            root_server_load(rs[i]);
    build_kip(rs, bootinfo);
    mmu_drop_identity();

    uint64_t sigma0_tid = tid_make(THREAD_SIGMA0_NO, 1);
    root_server_start(&s0, THREAD_SIGMA0_NO, 0)->space->sigma0 = true;
    if (rs[1])
        root_server_start(&s1, THREAD_SIGMA1_NO, sigma0_tid);
    root_server_start(&root, THREAD_ROOT_NO, sigma0_tid);
    kprintf("sigma4: kernel pool: %lu KiB free of %lu KiB\n", kmem_free_bytes() >> 10,
            kmem_total_bytes() >> 10);
    platform_start_timer();
    sched_start();
}
