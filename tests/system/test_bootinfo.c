/* test_bootinfo.c — in-system tests of the boot-info page (docs/abi/kip.md, "Boot modules"):
 * the KIP's BootInfo word names it, a memory descriptor covers it, sigma0 gives it and the
 * modules' pages to the root task (this program) and refuses them to any other thread, and
 * the page lists the modules the test boot was started with (sigma0, this program and the
 * loader's: the memory server, two programs, two broken files) with
 * their command lines, sizes and roles.
 *
 * Pages are asked for with a receive window at WIN (256 MiB above the 1:1 region of the root's
 * space, below the sigma0 tests' windows at 1 GiB and the pf tests' regions), one 4 KiB window
 * per use.
 */
#include <string.h>
#include <l4/l4.h>
#include <sigma4/bootinfo.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>
#include "ktest.h"

#define WIN             0x2C000000UL
#define OTHER_NO        192                     /* thread number, also its UTCB slot */

static L4_Word_t bootinfo_pa(void)
{
    return L4_BootInfo(L4_GetKernelInterface());
}

/* Window k, one page. */
static L4_Fpage_t win(unsigned k)
{
    return L4_FpageLog2(WIN + k * 0x1000UL, 12);
}

/* The page at physical pa in window k through sigma0; its address, or NULL if refused. */
static const void *get(L4_Word_t pa, unsigned k)
{
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(pa & ~0xFFFUL, 12), L4_Readable);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, f, win(k));
    return L4_IsNilFpage(got) ? 0 : (const void *)(WIN + k * 0x1000UL + (pa & 0xFFF));
}

/* The memory-descriptor type (with subtype) covering pa; ~0 if none does. */
static L4_Word_t desc_type(L4_Word_t pa)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t t = ~0UL;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (!L4_IsMemoryDescVirtual(d) && L4_MemoryDescLow(d) <= pa && pa <= L4_MemoryDescHigh(d))
            t = L4_MemoryDescType(d);
    }
    return t;
}

KTEST(bootinfo, page_named_by_kip)
{
    L4_Word_t pa = bootinfo_pa();
    KCHECK(pa != 0);
    KCHECK_EQ(pa & 0xFFF, 0);
    KCHECK_EQ(desc_type(pa), MDESC_BOOT_INFO << 4 | MDESC_BOOTLOADER);
    KCHECK_EQ(desc_type(pa + 0xFFF), MDESC_BOOT_INFO << 4 | MDESC_BOOTLOADER);
}

KTEST(bootinfo, lists_the_modules)
{
    const void *bi = get(bootinfo_pa(), 0);
    KCHECK(bi != 0);
    KCHECK(bootinfo_valid(bi));
    KCHECK_EQ(bootinfo_word(bi, BOOTINFO_OFF_FLAGS), 0);
    KCHECK(strstr(bootinfo_string(bi, bootinfo_word(bi, BOOTINFO_OFF_CMDLINE)), "kmem=") != 0);
    L4_Word_t n = bootinfo_word(bi, BOOTINFO_OFF_NMODS), roles = 0;
    KCHECK_EQ(n, 7);        /* the test boot: sigma0, testroot, pager, hog, crash, notelf, badelf */
    for (L4_Word_t i = 0; i < n; i++) {
        L4_Word_t base = bootinfo_mod(bi, i, BOOTINFO_MOD_BASE);
        L4_Word_t size = bootinfo_mod(bi, i, BOOTINFO_MOD_BYTES);
        L4_Word_t role = bootinfo_mod(bi, i, BOOTINFO_MOD_ROLE);
        const char *cmd = bootinfo_string(bi, bootinfo_mod(bi, i, BOOTINFO_MOD_CMDLINE));
        KCHECK(size > 0);
        KCHECK_EQ(desc_type(base), MDESC_BOOT_MODULE << 4 | MDESC_BOOTLOADER);
        KCHECK_EQ(desc_type(base + size - 1), MDESC_BOOT_MODULE << 4 | MDESC_BOOTLOADER);
        KCHECK(strstr(cmd, role == BOOTINFO_ROLE_SIGMA0 ? "role=sigma0" :
                           role == BOOTINFO_ROLE_ROOT ? "role=root" : "name=") != 0);
        roles |= 1UL << role;
        /* Its first and last pages are readable by the root; the root servers are ELF files. */
        const unsigned char *first = get(base, 1 + 2 * (unsigned)i);
        KCHECK(first != 0);
        KCHECK(role == BOOTINFO_ROLE_NONE || memcmp(first, "\177ELF", 4) == 0);
        KCHECK(get(base + size - 1, 2 + 2 * (unsigned)i) != 0);
    }
    KCHECK_EQ(roles, 1UL << BOOTINFO_ROLE_SIGMA0 | 1UL << BOOTINFO_ROLE_ROOT | 1UL << BOOTINFO_ROLE_NONE);
}

/* ---- another thread asks ------------------------------------------------------------------ */

static char other_stack[8192] __attribute__((aligned(16)));
static volatile L4_Word_t other_done, other_info, other_module;

static void other_thread(void)
{
    L4_Fpage_t f = L4_FpageLog2(other_module, 12);
    other_info = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, L4_FpageLog2(other_info, 12), win(8)).raw;
    other_module = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, f, win(9)).raw;
    other_done = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

KTEST(bootinfo, only_the_root_gets_module_memory)
{
    const void *bi = get(bootinfo_pa(), 0);
    KCHECK(bi != 0 && bootinfo_valid(bi));
    KCHECK(bootinfo_word(bi, BOOTINFO_OFF_NMODS) >= 1);
    L4_Word_t module = bootinfo_mod(bi, 0, BOOTINFO_MOD_BASE) & ~0xFFFUL;
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(OTHER_NO, 1);
    L4_ThreadId_t sigma0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    other_done = 0;
    other_info = bootinfo_pa();
    other_module = module;
    KCHECK_EQ(L4_ThreadControl(t, me, me, me, (void *)(ROOT_UTCB_AREA + OTHER_NO * UTCB_SIZE)), 1);
    L4_Set_PagerOf(t, sigma0);                          /* a thread sigma0 pages, like the root */
    L4_Start_SpIp(t, (L4_Word_t)(other_stack + sizeof(other_stack) - 8), (L4_Word_t)other_thread);
    L4_Word_t t0 = L4_SystemClock().raw;
    while (!other_done && L4_SystemClock().raw - t0 < 10000000)
        L4_Sleep(L4_TimePeriod(1000));
    L4_Word_t done = other_done;
    L4_Word_t deleted = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    KCHECK(done);
    KCHECK_EQ(deleted, 1);
    KCHECK_EQ(other_info, 0);                           /* the nil fpage: refused */
    KCHECK_EQ(other_module, 0);
    KCHECK(get(bootinfo_pa(), 10) != 0);                /* the root still gets both */
    KCHECK(get(module, 11) != 0);
}
