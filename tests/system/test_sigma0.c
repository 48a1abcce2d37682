/* test_sigma0.c — in-system tests of sigma0 (X.2 7.6) and libl4's <l4/sigma0.h>: pages asked
 * for by address and "any", mapped where the receive window says, usable, with the rights
 * asked for (a read-only page faults on a write); repeats by the owner; refusals (kernel
 * memory, non-RAM, bad fpages, attributes, memory of sigma0 or of another thread); the root
 * task's page faults mapped 1:1; the sigma4 extension; an unknown label that sigma0 ignores.
 *
 * The tests run in the root task, whose pager is sigma0.  Pages land in windows at WIN_BASE
 * (1 GiB, far above the root task's image and below its UTCB area; QEMU has 512 MiB of RAM, so
 * no 1:1 mapping reaches it).  Pages asked for by address are "candidates": free conventional
 * memory 16 MiB above the root servers' images, which nothing else asks for (sigma0 hands out
 * "any" pages from the top of memory down).  Each test asks for everything it uses, so it does
 * not depend on the others (a repeat by the owner just succeeds again).
 */
#include <l4/l4.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>
#include "ktest.h"

#define S0              L4_nilthread            /* the default sigma0 */
#define WIN_BASE        0x40000000UL
#define WIN_STRIDE      0x400000UL              /* 4 MiB: windows up to 4 MiB, aligned */
#define MIB             (1UL << 20)
#define RW              L4_ReadWriteOnly

/* ---- helpers ------------------------------------------------------------------------------ */

static L4_Word_t kipw(unsigned off)
{
    return *(volatile L4_Word_t *)((char *)L4_GetKernelInterface() + off);
}

/* Window k (2^log2 bytes at WIN_BASE + k * WIN_STRIDE). */
static L4_Fpage_t win(unsigned k, unsigned log2)
{
    return L4_FpageLog2(WIN_BASE + k * WIN_STRIDE, (int)log2);
}

static volatile L4_Word_t *at(L4_Word_t addr)
{
    return (volatile L4_Word_t *)addr;
}

/* The fpage of 2^log2 bytes at `base` with rights rwx. */
static L4_Fpage_t page(L4_Word_t base, unsigned log2, L4_Word_t rwx)
{
    return L4_FpageAddRights(L4_FpageLog2(base, (int)log2), rwx);
}

/* The type (low 4 bits) of physical address pa by the KIP's descriptors, later ones
 * overriding earlier ones; -1 if none covers it. */
static long mem_type(L4_Word_t pa)
{
    void *kip = L4_GetKernelInterface();
    long type = -1;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (!L4_IsMemoryDescVirtual(d) && L4_MemoryDescLow(d) <= pa && pa <= L4_MemoryDescHigh(d))
            type = (long)(L4_MemoryDescType(d) & 0xF);
    }
    return type;
}

/* Is [pa, pa + size) conventional memory? (checked at both ends: descriptors are large) */
static int conventional(L4_Word_t pa, L4_Word_t size)
{
    return mem_type(pa) == L4_ConventionalMemoryType &&
           mem_type(pa + size - 1) == L4_ConventionalMemoryType;
}

/* Candidate page k: free conventional memory, 2 MiB apart, above the root servers' images. */
static L4_Word_t candidate(unsigned k)
{
    L4_Word_t hi = kipw(KIP_OFF_ROOT_SERVER + 24), s0hi = kipw(KIP_OFF_SIGMA0 + 24);
    if (s0hi > hi)
        hi = s0hi;
    return ((hi + 2 * MIB) & ~(2 * MIB - 1)) + 16 * MIB + k * 2 * MIB;
}

/* First byte of the physical descriptor of `type` (and `subtype`, if >= 0); 0 if none. */
static L4_Word_t find_desc(L4_Word_t type, long subtype, L4_Word_t *high)
{
    void *kip = L4_GetKernelInterface();
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (!L4_IsMemoryDescVirtual(d) && (L4_MemoryDescType(d) & 0xF) == type &&
            (subtype < 0 || (long)((d->raw[0] >> 4) & 0xF) == subtype)) {
            *high = L4_MemoryDescHigh(d);
            return L4_MemoryDescLow(d);
        }
    }
    return 0;
}

/* Highest byte of conventional memory. */
static L4_Word_t conventional_top(void)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t top = 0;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (!L4_IsMemoryDescVirtual(d) && (L4_MemoryDescType(d) & 0xF) == L4_ConventionalMemoryType &&
            L4_MemoryDescHigh(d) > top)
            top = L4_MemoryDescHigh(d);
    }
    return top;
}

/* Does sigma0 answer within 2 s?  Every test asks this first: a sigma0 that is not serving
 * would leave the test blocked in its first request (or page fault) for good. */
static int sigma0_answers(void)
{
    L4_ThreadId_t s0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    L4_LoadMR(1, L4_SIGMA0_EXT_VERBOSE);
    L4_LoadMR(2, 1);                                    /* the default verbosity */
    L4_Set_MsgTag(L4_MsgTagMake(L4_SIGMA0_LABEL_EXT, 2, 0));
    return L4_IpcSucceeded(L4_Call_Timeouts(s0, L4_TimePeriod(2000000), L4_TimePeriod(2000000)));
}

#define NEED_SIGMA0()   KCHECK(sigma0_answers())

/* ---- pages by address --------------------------------------------------------------------- */

KTEST(sigma0, get_page_lands_in_window)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(0);
    KCHECK(conventional(pa, 4096));
    L4_Fpage_t want = page(pa, 12, RW);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(S0, want, win(0, 12));
    KCHECK_EQ(got.raw, want.raw);                       /* the physical page, the rights asked */
    volatile L4_Word_t *w = at(WIN_BASE);
    for (L4_Word_t i = 0; i < 512; i++)
        w[i] = 0x5160000000000000UL + i;
    for (L4_Word_t i = 0; i < 512; i++)
        KCHECK_EQ(w[i], 0x5160000000000000UL + i);
}

KTEST(sigma0, owner_may_ask_again)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(0);
    L4_Fpage_t want = page(pa, 12, RW);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, want, win(0, 12)).raw, want.raw);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, want, win(1, 12)).raw, want.raw);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, want, win(1, 12)).raw, want.raw);
    /* Both windows show the same physical page. */
    *at(WIN_BASE) = 0xA11A5;
    KCHECK_EQ(*at(WIN_BASE + WIN_STRIDE), 0xA11A5);
    *at(WIN_BASE + WIN_STRIDE + 4088) = 0xB0B;
    KCHECK_EQ(*at(WIN_BASE + 4088), 0xB0B);
}

/* ---- any page ----------------------------------------------------------------------------- */

/* Two "any" pages of 2^log2 bytes into windows k and k+1: aligned, distinct, conventional,
 * usable and independent. */
static void any_pair(unsigned log2, unsigned k)
{
    L4_Word_t size = 1UL << log2;
    L4_Fpage_t a = L4_Sigma0_GetAny(S0, log2, win(k, log2));
    L4_Fpage_t b = L4_Sigma0_GetAny(S0, log2, win(k + 1, log2));
    KCHECK(!L4_IsNilFpage(a) && !L4_IsNilFpage(b));
    KCHECK_EQ(L4_SizeLog2(a), log2);
    KCHECK_EQ(L4_SizeLog2(b), log2);
    KCHECK_EQ(L4_Rights(a), L4_FullyAccessible);
    KCHECK_EQ(a.raw & L4_FPAGE_BASE_MASK & (size - 1), 0);     /* size-aligned */
    KCHECK_EQ(b.raw & L4_FPAGE_BASE_MASK & (size - 1), 0);
    KCHECK(L4_Address(a) != L4_Address(b));
    KCHECK(conventional(L4_Address(a), size) && conventional(L4_Address(b), size));
    L4_Word_t wa = WIN_BASE + k * WIN_STRIDE, wb = wa + WIN_STRIDE;
    *at(wa) = 1, *at(wa + size - 8) = 2;
    *at(wb) = 3, *at(wb + size - 8) = 4;
    KCHECK_EQ(*at(wa), 1);
    KCHECK_EQ(*at(wa + size - 8), 2);
    KCHECK_EQ(*at(wb), 3);
    KCHECK_EQ(*at(wb + size - 8), 4);
    /* Another one is different again. */
    L4_Fpage_t c = L4_Sigma0_GetAny(S0, log2, win(k + 1, log2));
    KCHECK(!L4_IsNilFpage(c));
    KCHECK(L4_Address(c) != L4_Address(a) && L4_Address(c) != L4_Address(b));
}

KTEST(sigma0, any_4k_pages_distinct)
{
    NEED_SIGMA0();
    any_pair(12, 2);
    if (ktest_failed)
        return;
    /* Not one of the candidates either (those are asked for by address). */
    L4_Fpage_t a = L4_Sigma0_GetAny(S0, 12, win(2, 12));
    KCHECK(!L4_IsNilFpage(a));
    for (unsigned k = 0; k < 8; k++)
        KCHECK(L4_Address(a) != candidate(k));
}

KTEST(sigma0, any_2m_pages_distinct)
{
    NEED_SIGMA0();
    any_pair(21, 4);
}

KTEST(sigma0, any_4m_page_aligned)
{
    NEED_SIGMA0();
    L4_Fpage_t a = L4_Sigma0_GetAny(S0, 22, win(6, 22));
    KCHECK(!L4_IsNilFpage(a));
    KCHECK_EQ(L4_SizeLog2(a), 22);
    KCHECK_EQ(L4_Address(a) & (4 * MIB - 1), 0);
    KCHECK(conventional(L4_Address(a), 4 * MIB));
    *at(WIN_BASE + 6 * WIN_STRIDE + 4 * MIB - 8) = 0x4444;
    KCHECK_EQ(*at(WIN_BASE + 6 * WIN_STRIDE + 4 * MIB - 8), 0x4444);
}

/* ---- refusals ----------------------------------------------------------------------------- */

KTEST(sigma0, refuses_kernel_memory)
{
    NEED_SIGMA0();
    L4_Word_t hi = 0, lo = find_desc(L4_ReservedMemoryType, MDESC_RES_KPOOL, &hi);
    KCHECK(lo != 0 && hi > lo);                         /* the kernel pool */
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(lo, 12, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(hi & ~0xFFFUL, 12, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(lo, 21, RW), win(7, 21))));
    lo = find_desc(L4_ReservedMemoryType, MDESC_RES_KERNEL, &hi);
    KCHECK(lo != 0);                                    /* the kernel image */
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(lo, 12, RW), win(7, 12))));
}

KTEST(sigma0, refuses_non_ram)
{
    NEED_SIGMA0();
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(0, 12, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(0xA0000, 12, RW), win(7, 12))));
    L4_Word_t top = conventional_top();
    L4_Word_t beyond = ((top + 1) & ~(MIB - 1)) + 1024 * MIB;
    KCHECK(mem_type(beyond) != L4_ConventionalMemoryType);
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(beyond, 12, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(0xFEE00000UL, 12, RW), win(7, 12))));
    /* A 2 MiB page that runs past the end of conventional memory. */
    if (((top + 1) & (2 * MIB - 1)) != 0)
        KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(top & ~(2 * MIB - 1), 21, RW),
                                                         win(7, 21))));
}

KTEST(sigma0, refuses_bad_fpages)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(1);
    KCHECK(conventional(pa, 4 * MIB));
    /* Base not aligned to the size (raw word: L4_FpageLog2 would align it). */
    L4_Fpage_t misaligned = { (pa + 0x1000) | (21UL << 4) | RW };
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, misaligned, win(7, 21))));
    /* Smaller than a page, larger than sigma0 hands out, nil. */
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 10, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(0, 40, RW), win(7, 21))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetAny(S0, 40, win(7, 21))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, L4_Nilpage, win(7, 12))));
    /* None of that took the memory: a proper request for it succeeds. */
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 21, RW), win(7, 21)).raw, page(pa, 21, RW).raw);
}

KTEST(sigma0, refuses_attributes)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(2);
    KCHECK(conventional(pa, 4096));
    KCHECK(L4_IsNilFpage(L4_Sigma0_Request(S0, page(pa, 12, RW), 1, win(8, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_Request(S0, page(pa, 12, RW), ~0UL, win(8, 12))));
    KCHECK_EQ(L4_Sigma0_Request(S0, page(pa, 12, RW), 0, win(8, 12)).raw, page(pa, 12, RW).raw);
}

KTEST(sigma0, refuses_sigma0_image)
{
    NEED_SIGMA0();
    L4_Word_t lo = kipw(KIP_OFF_SIGMA0 + 16), hi = kipw(KIP_OFF_SIGMA0 + 24);
    KCHECK(hi > lo);
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(lo, 12, RW), win(7, 12))));
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(hi & ~0xFFFUL, 12, RW), win(7, 12))));
}

KTEST(sigma0, root_image_is_roots)
{
    NEED_SIGMA0();
    /* The root task's own image was pre-owned to it: asking for a page of it succeeds, and the
     * window shows the same bytes as the image. */
    extern char _start[];
    L4_Word_t pa = (L4_Word_t)_start & ~0xFFFUL;        /* the kernel loads root servers 1:1 */
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 12, L4_Readable), win(7, 12)).raw,
              page(pa, 12, L4_Readable).raw);
    KCHECK_EQ(*at(WIN_BASE + 7 * WIN_STRIDE), *at(pa));
}

/* ---- a second client ---------------------------------------------------------------------- */

#define OTHER_NO        190                     /* thread number, also its UTCB slot */
static char other_stack[8192] __attribute__((aligned(16)));
static volatile L4_Word_t other_done, other_roots_page, other_any;

/* Ask for the root's candidate(0), then for any page; report and sleep. */
static void other_thread(void)
{
    other_roots_page = L4_Sigma0_GetPage_RcvWindow(S0, page(candidate(0), 12, RW), win(9, 12)).raw;
    other_any = L4_Sigma0_GetAny(S0, 12, win(10, 12)).raw;
    other_done = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

KTEST(sigma0, refuses_memory_of_other_thread)
{
    NEED_SIGMA0();
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(OTHER_NO, 1);
    L4_ThreadId_t sigma0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(candidate(0), 12, RW), win(0, 12)).raw,
              page(candidate(0), 12, RW).raw);          /* the root's */
    other_done = 0;
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
    KCHECK_EQ(other_roots_page, 0);                     /* the root's page: refused */
    L4_Fpage_t theirs = { other_any };
    KCHECK(!L4_IsNilFpage(theirs));                     /* its own page */
    KCHECK(L4_IsNilFpage(L4_Sigma0_GetPage_RcvWindow(S0, page(L4_Address(theirs), 12, RW),
                                                     win(11, 12))));
}

/* ---- rights ------------------------------------------------------------------------------- */

#define READER_NO       191                     /* thread number, also its UTCB slot */
static char reader_stack[8192] __attribute__((aligned(16)));
static volatile L4_Word_t reader_step, reader_value;

/* Read the read-only window, then write it (which must fault to the root, its pager). */
static void reader_thread(void)
{
    reader_value = *at(WIN_BASE + 14 * WIN_STRIDE);
    reader_step = 1;
    *at(WIN_BASE + 14 * WIN_STRIDE + 16) = 0xBAD;
    reader_step = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

KTEST(sigma0, read_only_page_is_read_only)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(4);
    KCHECK(conventional(pa, 4096));
    /* Write a value through a read-write window, then map the same page read-only. */
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 12, RW), win(15, 12)).raw, page(pa, 12, RW).raw);
    *at(WIN_BASE + 15 * WIN_STRIDE) = 0x12EAD;
    *at(WIN_BASE + 15 * WIN_STRIDE + 16) = 0x600D;
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 12, L4_Readable), win(14, 12)).raw,
              page(pa, 12, L4_Readable).raw);
    /* A thread of this space, paged by the root, reads the page and then writes it: the write
     * must arrive here as a write fault at that address. */
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(READER_NO, 1), from;
    reader_step = 0;
    KCHECK_EQ(L4_ThreadControl(t, me, me, me, (void *)(ROOT_UTCB_AREA + READER_NO * UTCB_SIZE)), 1);
    L4_Start_SpIp(t, (L4_Word_t)(reader_stack + sizeof(reader_stack) - 8), (L4_Word_t)reader_thread);
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, t, L4_Timeouts(L4_Never, L4_TimePeriod(5000000)), &from);
    L4_Word_t fault_addr = 0, step = reader_step, value = reader_value;
    L4_StoreMR(1, &fault_addr);
    L4_Word_t deleted = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    KCHECK(L4_IpcSucceeded(tag));                       /* no fault: the page was writable */
    KCHECK_EQ((long)tag.raw >> 20, -2);                 /* a page fault */
    KCHECK(tag.raw & (2UL << 16));                      /* a write */
    KCHECK_EQ(fault_addr, WIN_BASE + 14 * WIN_STRIDE + 16);
    KCHECK_EQ(step, 1);
    KCHECK_EQ(value, 0x12EAD);                          /* reading worked */
    KCHECK_EQ(deleted, 1);
    KCHECK_EQ(*at(WIN_BASE + 15 * WIN_STRIDE + 16), 0x600D);  /* not written */
}

/* ---- page faults -------------------------------------------------------------------------- */

KTEST(sigma0, page_fault_maps_1to1)
{
    NEED_SIGMA0();
    L4_Word_t pa = candidate(3);
    KCHECK(conventional(pa, 2 * MIB));
    /* Nothing is mapped at pa: each access faults to sigma0, which maps the page 1:1. */
    *at(pa) = 0xFA017;
    *at(pa + 4096 + 8) = 0xFA018;                       /* the next page: a second fault */
    KCHECK_EQ(*at(pa), 0xFA017);
    KCHECK_EQ(*at(pa + 4096 + 8), 0xFA018);
    /* The fault made the root the owner, and virtual = physical: the same page through a
     * window holds what was written. */
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa, 12, RW), win(12, 12)).raw, page(pa, 12, RW).raw);
    KCHECK_EQ(*at(WIN_BASE + 12 * WIN_STRIDE), 0xFA017);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa + 4096, 12, RW), win(12, 12)).raw,
              page(pa + 4096, 12, RW).raw);
    KCHECK_EQ(*at(WIN_BASE + 12 * WIN_STRIDE + 8), 0xFA018);
    /* A read fault on a fresh page maps it too (zero or not: physical memory is not cleared). */
    (void)*at(pa + 3 * 4096);
    KCHECK_EQ(L4_Sigma0_GetPage_RcvWindow(S0, page(pa + 3 * 4096, 12, RW), win(12, 12)).raw,
              page(pa + 3 * 4096, 12, RW).raw);
}

/* ---- extension and unknown labels --------------------------------------------------------- */

KTEST(sigma0, extension_verbosity_and_dump)
{
    NEED_SIGMA0();
    KCHECK(L4_Sigma0_SetVerbosity(S0, 2));
    KCHECK_EQ(L4_Label(L4_MsgTag()), 0);                /* the empty answer */
    KCHECK_EQ(L4_UntypedWords(L4_MsgTag()), 0);
    KCHECK(!L4_IsNilFpage(L4_Sigma0_GetAny(S0, 12, win(13, 12))));     /* printed by sigma0 */
    KCHECK(L4_Sigma0_SetVerbosity(S0, 1));
    KCHECK(L4_Sigma0_DumpPools(S0));
}

KTEST(sigma0, ignores_unknown_label)
{
    NEED_SIGMA0();
    L4_ThreadId_t sigma0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    L4_LoadMR(1, 1);
    L4_LoadMR(2, 2);
    L4_Set_MsgTag(L4_MsgTagMake(0x1234, 2, 0));
    L4_MsgTag_t tag = L4_Call_Timeouts(sigma0, L4_Never, L4_TimePeriod(50000));
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ(L4_ErrorCode(), (1 << 1) | 1);            /* delivered, but no answer: timeout */
    /* sigma0 goes on serving. */
    KCHECK(!L4_IsNilFpage(L4_Sigma0_GetAny(S0, 12, win(13, 12))));
}
