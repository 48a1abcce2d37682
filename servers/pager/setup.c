/* setup.c — start-up of the memory server: memory from sigma0, the partition, the allocators.
 *
 * Without NUMA data in the KIP, sigma0 is asked for "any" 2 MiB page again and again until the
 * server has what it wants or sigma0 refuses; with it (docs/abi/kip.md), each node with pagers
 * is asked for its pagers' share page by page at fixed addresses, from the node's top down; each page arrives in the window (receive window: the whole window, 2^46
 * bytes at PAGER_WINDOW_BASE, so the X.2 placement puts physical page P at
 * PAGER_WINDOW_BASE + P).  The pages, sorted and merged, are the server's memory; the span is
 * their hull.  Then the partition table (partition.c), fed with the node of each pager's CPU and the
 * KIP's memory affinity ranges, gives each pager its home; each pager's
 * allocator metadata (AVL and buddy over the whole span) takes the first frames of its home,
 * and the rest of its home goes free into the AVL allocator (the default algorithm).
 * Runs once, on the thread that calls it, before any pager thread runs; prints one line per
 * pager.  Context: hosted or stand-alone alike.
 */
#include <stdio.h>
#include <string.h>
#include "server.h"

#define SETUP_MAX_PAGES         1024            /* 2 MiB pages: 2 GiB at most */
#define SETUP_MAX_RANGES        64
#define BIG_LOG2                21
#define BIG_FRAMES              (1ULL << (BIG_LOG2 - PAGER_PAGE_LOG2))
#define WINDOW_LOG2             46
#define SETUP_MAX_AFFINITY      32

struct pager_server pager_server;

static uint64_t page_pfn[SETUP_MAX_PAGES];

/* Ask sigma0 for up to `bytes` in 2 MiB pages; the number of pages received (page_pfn[]). */
static unsigned take_from_sigma0(uint64_t bytes)
{
    L4_Fpage_t window = L4_FpageLog2(PAGER_WINDOW_BASE, WINDOW_LOG2);
    unsigned n = 0;
    while (n < SETUP_MAX_PAGES && (uint64_t)(n + 1) << BIG_LOG2 <= bytes) {
        L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, BIG_LOG2, window);
        if (L4_IsNilFpage(got))
            break;
        page_pfn[n++] = L4_Address(got) >> PAGER_PAGE_LOG2;
    }
    return n;
}

/* Ask sigma0 for the 2 MiB page at physical `pa` (window placement as for "any"). */
static bool take_page_at(uint64_t pa)
{
    L4_Fpage_t window = L4_FpageLog2(PAGER_WINDOW_BASE, WINDOW_LOG2);
    L4_Fpage_t got = L4_Sigma0_GetPage_RcvWindow(L4_nilthread, L4_FpageLog2(pa, BIG_LOG2), window);
    return !L4_IsNilFpage(got) && L4_Address(got) == pa;
}

/* May [pa, pa + 2 MiB) be asked for by address: wholly conventional memory by the KIP's
 * memory descriptors (the kernel's are disjoint), outside the root servers' images?  sigma0
 * gives a page again to the thread that owns it, so pages this thread may already hold must
 * not be asked for; its own image is the one it knows of (pages it got from sigma0 earlier
 * come from "any", which takes the highest free blocks: a server that did so must not use
 * the NUMA path).  Skipping the rest also keeps sigma0's refusal log short. */
static bool page_askable(void *kip, uint64_t pa)
{
    uint64_t end = pa + (1ULL << BIG_LOG2);
    bool conv = false;
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        const L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        uint64_t lo = L4_MemoryDescLow(d), hi = (uint64_t)L4_MemoryDescHigh(d) + 1;
        if (L4_IsMemoryDescVirtual(d) || hi <= pa || lo >= end)
            continue;
        if (L4_MemoryDescType(d) != L4_ConventionalMemoryType)
            return false;
        conv |= lo <= pa && end <= hi;
    }
    static const unsigned rec[] = { KIP_OFF_SIGMA0, KIP_OFF_SIGMA1, KIP_OFF_ROOT_SERVER };
    for (unsigned i = 0; i < sizeof rec / sizeof rec[0]; i++) {
        const L4_Word_t *w = (const L4_Word_t *)(void *)((char *)kip + rec[i]);
        if (w[1] != 0 && w[2] < end && w[3] >= pa)         /* IP set; low..high inclusive */
            return false;
    }
    return conv;
}

/* With NUMA ranges in the KIP: node by node, `bytes` times the node's share of the pagers,
 * asked from sigma0 page by page at fixed addresses, from the top of the node's ranges down
 * (sigma0's "any" would hand out the highest memory, one node's).  Pages of nodes without a
 * pager are not taken.  The number of pages received (page_pfn[], unsorted). */
static unsigned take_per_node(void *kip, uint64_t bytes, const unsigned *nodes, unsigned npagers)
{
    unsigned n = 0;
    for (unsigned node = 0; node <= KIP_NUMA_NODE_MASK; node++) {
        unsigned k = 0;
        for (unsigned i = 0; i < npagers; i++)
            k += nodes[i] == node;
        if (k == 0)
            continue;
        uint64_t want = (bytes * k / npagers) >> BIG_LOG2, got = 0;
        for (L4_Word_t r = L4_NumNumaRanges(kip); r-- > 0 && got < want;) {
            const L4_NumaRange_t *nr = L4_NumaRange(kip, r);
            if (L4_NumaRangeNode(nr) != node)
                continue;
            uint64_t lo = (L4_NumaRangeBase(nr) + (1ULL << BIG_LOG2) - 1) & ~((1ULL << BIG_LOG2) - 1);
            for (uint64_t pa = L4_NumaRangeEnd(nr) & ~((1ULL << BIG_LOG2) - 1);
                 pa > lo && got < want && n < SETUP_MAX_PAGES;) {
                pa -= 1ULL << BIG_LOG2;
                if (page_askable(kip, pa) && take_page_at(pa)) {
                    page_pfn[n++] = pa >> PAGER_PAGE_LOG2;
                    got++;
                }
            }
        }
    }
    return n;
}

/* Sort page_pfn[0..n) (insertion sort: n is small). */
static void sort_pages(unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && page_pfn[j - 1] > page_pfn[j]; j--) {
            uint64_t t = page_pfn[j];
            page_pfn[j] = page_pfn[j - 1];
            page_pfn[j - 1] = t;
        }
}

/* The KIP's NUMA data: the node of each pager's CPU, and the memory affinity ranges as frame
 * ranges (aff[0..*naff)).  Without an SRAT every node is 0 and there are no ranges. */
static void numa_from_kip(void *kip, const unsigned *cpu, unsigned npagers, unsigned *nodes,
                          struct part_affinity *aff, unsigned *naff)
{
    for (unsigned i = 0; i < npagers; i++) {
        const L4_ProcDesc_t *pd = L4_ProcDesc(kip, cpu[i]);
        nodes[i] = pd ? (unsigned)L4_ProcDescNode(pd) : 0;
    }
    *naff = 0;
    for (L4_Word_t r = 0; r < L4_NumNumaRanges(kip) && *naff < SETUP_MAX_AFFINITY; r++) {
        const L4_NumaRange_t *nr = L4_NumaRange(kip, r);
        aff[(*naff)++] = (struct part_affinity){
            L4_NumaRangeBase(nr) >> PAGER_PAGE_LOG2,
            (L4_NumaRangeEnd(nr) - L4_NumaRangeBase(nr)) >> PAGER_PAGE_LOG2,
            (unsigned)L4_NumaRangeNode(nr) };
    }
}

/* Merge the sorted pages into ranges; their number (0 if more than `max`). */
static unsigned merge(unsigned npages, struct pma_range *r, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < npages; i++) {
        if (n && r[n - 1].pfn + r[n - 1].count == page_pfn[i]) {
            r[n - 1].count += BIG_FRAMES;
            continue;
        }
        if (n == max)
            return 0;
        r[n++] = (struct pma_range){ page_pfn[i], BIG_FRAMES };
    }
    return n;
}

/* Pager p's allocators over the span, their metadata (both, contiguous) from the start of its
 * first home piece large enough, the rest of its home free.  0, or -1 (a line printed). */
static int init_pager(struct pager *p)
{
    struct pager_server *s = &pager_server;
    uint64_t frames[2], need = 0;
    for (unsigned k = 0; k < 2; k++) {
        uint64_t bytes = pma_meta_bytes(k == 0 ? PMA_AVL : PMA_BUDDY, s->span_frames);
        frames[k] = (bytes + PAGER_PAGE_SIZE - 1) >> PAGER_PAGE_LOG2;
        need += frames[k];
    }
    const struct part_piece *first = 0;
    for (unsigned i = 0; i < s->part.npieces && !first; i++)
        if (s->part.piece[i].pager == p->index && s->part.piece[i].count > need)
            first = &s->part.piece[i];
    if (!first) {
        printf("pager: pager %u: no home piece has room for its allocators (%lu frames)\n",
               p->index, need);
        return -1;
    }
    for (unsigned k = 0; k < 2; k++)
        if (pma_init(&p->alloc[k], k == 0 ? PMA_AVL : PMA_BUDDY, s->span_base, s->span_frames,
                     pager_window(first->pfn + (k ? frames[0] : 0))) != PMA_OK)
            return -1;
    p->active = 0;
    p->meta_pfn = first->pfn;
    p->meta_n = need;
    p->meta_frames = need;
    p->held = s->part.home_frames[p->index];
    p->mem_low = p->held / 16;                  /* defaults (also in balance_settle); */
    p->mem_high = p->held / 4;                  /* SET_LIMITS changes them */
    for (unsigned i = 0; i < s->part.npieces; i++) {
        const struct part_piece *pc = &s->part.piece[i];
        uint64_t lo = pc->pfn + (pc == first ? need : 0), hi = pc->pfn + pc->count;
        if (pc->pager == p->index && lo < hi && pma_add(&p->alloc[0], lo, hi - lo) != PMA_OK)
            return -1;
    }
    return 0;
}

int pager_setup(unsigned npagers, const unsigned *cpu, uint64_t bytes, L4_ThreadId_t loader,
                uint64_t share_lo, uint64_t share_hi)
{
    struct pager_server *s = &pager_server;
    static struct pma_range mem[SETUP_MAX_RANGES];
    static struct part_affinity aff[SETUP_MAX_AFFINITY];
    unsigned nodes[PAGER_MAX_PAGERS], naff;
    if (npagers == 0 || npagers > PAGER_MAX_PAGERS)
        return -1;
    void *kip = L4_GetKernelInterface();
    numa_from_kip(kip, cpu, npagers, nodes, aff, &naff);
    unsigned npages = naff ? take_per_node(kip, bytes, nodes, npagers) : take_from_sigma0(bytes);
    sort_pages(npages);
    unsigned nmem = merge(npages, mem, SETUP_MAX_RANGES);
    if (nmem == 0) {
        printf("pager: sigma0 gave %u 2 MiB pages in more than %u ranges (or none)\n", npages,
               SETUP_MAX_RANGES);
        return -1;
    }
    s->npagers = npagers;
    s->loader = loader;
    s->share_lo = share_lo;
    s->share_hi = share_hi;
    s->span_base = mem[0].pfn;
    s->span_frames = mem[nmem - 1].pfn + mem[nmem - 1].count - mem[0].pfn;
    if (part_build(&s->part, mem, nmem, aff, naff, nodes, npagers) != PART_OK) {
        printf("pager: partition table full\n");
        return -1;
    }
    for (unsigned i = 0; i < npagers; i++) {
        struct pager *p = &s->pager[i];
        memset(p, 0, sizeof *p);
        p->index = i;
        p->cpu = cpu[i];
        p->node = nodes[i];
        if (init_pager(p) < 0)
            return -1;
        printf("pager: pager %u on cpu %u node %u: %lu frames (%lu KiB), %lu for metadata, "
               "%lu free\n", i, p->cpu, p->node, p->held, p->held << 2, p->meta_frames,
               pma_free_count(&p->alloc[0]));
    }
    return 0;
}
