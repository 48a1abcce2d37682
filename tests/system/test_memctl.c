/* test_memctl.c — MemoryControl: cache attributes of mapped pages through the PAT.
 * The kernel-debugger query KDB_OP_CACHE_TYPE reads back the PAT index of a mapping. */
#include <l4/l4.h>
#include <l4/sigma0.h>
#include <sigma4/kdb.h>
#include "ktest.h"
#include "tutil.h"

#define WINDOW 0x48000000UL                     /* receive window for these tests */

static L4_Word_t cache_type(L4_Word_t addr)
{
    L4_Word_t r = addr;
    __asm__ volatile("int3; cmpb %1, %%al" : "+a"(r) : "i"(KDB_OP_CACHE_TYPE) : "memory");
    return r;
}

/* A fresh page from sigma0 at WINDOW (+ 4 KiB * i). */
static int get_page(unsigned i)
{
    L4_Fpage_t w = L4_FpageLog2(WINDOW + 4096UL * i, 12);
    return !L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 12, w));
}

static L4_Word_t memctl(L4_Word_t fpage, L4_Word_t a0, L4_Word_t a1, L4_Word_t a2, L4_Word_t a3)
{
    L4_Word_t attr[4] = { a0, a1, a2, a3 };
    L4_LoadMR(0, fpage);
    return L4_MemoryControl(0, attr);
}

TTEST(memctl, set_and_reset_cache_type)
{
    KCHECK(get_page(0));
    KCHECK_EQ(cache_type(WINDOW), 0);                                   /* write-back */
    KCHECK_EQ(memctl(L4_FpageLog2(WINDOW, 12).raw | 1, 0, 5, 0, 0), 1); /* attr1 = WC */
    KCHECK_EQ(cache_type(WINDOW), 4);
    *(volatile L4_Word_t *)WINDOW = 42;                                 /* still usable */
    KCHECK_EQ(*(volatile L4_Word_t *)WINDOW, 42);
    KCHECK_EQ(memctl(L4_FpageLog2(WINDOW, 12).raw, 0, 0, 0, 0), 1);     /* default again */
    KCHECK_EQ(cache_type(WINDOW), 0);
}

TTEST(memctl, selector_picks_attribute_per_fpage)
{
    KCHECK(get_page(1));
    KCHECK(get_page(2));
    L4_Word_t attr[4] = { 0, 2, 4, 5 };        /* -> PAT 1 (WT), 3 (UC), 4 (WC) */
    L4_LoadMR(0, L4_FpageLog2(WINDOW + 4096, 12).raw | 2);
    L4_LoadMR(1, L4_FpageLog2(WINDOW + 8192, 12).raw | 3);
    KCHECK_EQ(L4_MemoryControl(1, attr), 1);
    KCHECK_EQ(cache_type(WINDOW + 4096), 3);
    KCHECK_EQ(cache_type(WINDOW + 8192), 4);
    L4_LoadMR(0, L4_FpageLog2(WINDOW, 14).raw);                         /* all four, default */
    KCHECK_EQ(L4_MemoryControl(0, attr), 1);
    KCHECK_EQ(cache_type(WINDOW + 4096), 0);
    KCHECK_EQ(cache_type(WINDOW + 8192), 0);
}

TTEST(memctl, invalid_attribute_changes_nothing)
{
    KCHECK(get_page(3));
    L4_Word_t a = WINDOW + 3 * 4096;
    KCHECK_EQ(memctl(L4_FpageLog2(a, 12).raw | 1, 0, 9, 0, 0), 0);      /* no PAT entry 8 */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(cache_type(a), 0);
    L4_Word_t attr[4] = { 0, 0, 0, 0 };
    L4_LoadMR(0, L4_FpageLog2(a, 12).raw);
    KCHECK_EQ(L4_MemoryControl(1UL << 6, attr), 0);                     /* reserved bits */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
}

TTEST(memctl, unmapped_memory_is_skipped)
{
    L4_Word_t a = 0x4C000000UL;                                         /* nothing there */
    KCHECK_EQ(cache_type(a), ~0UL);
    KCHECK_EQ(memctl(L4_FpageLog2(a, 16).raw | 1, 0, 4, 0, 0), 1);
    KCHECK_EQ(cache_type(a), ~0UL);
}

static volatile L4_Word_t seen[2];
static volatile int ran;

static void try_memctl(void *arg)
{
    (void)arg;
    L4_Word_t attr[4] = { 0, 0, 0, 0 };
    L4_LoadMR(0, L4_FpageLog2(0x1000, 12).raw);
    seen[0] = L4_MemoryControl(0, attr);
    seen[1] = L4_ErrorCode();
    ran = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(memctl, err_no_privilege)
{
    ran = 0;
    seen[0] = 99;
    L4_ThreadId_t t = tu_space_thread(try_memctl, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], 0);
    KCHECK_EQ(seen[1], L4_ErrNoPrivilege);
}
