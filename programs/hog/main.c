/* hog — a memory-hungry program: the paper's benchmark client (§5.1) and `make run`'s demo.
 *
 *   hog [pages=N] [rounds=R] [keep=1] [sync=<thread id, hex>] [alg=avl|buddy]
 *
 * Each round allocates N pages one page at a time with pmalloc (its heap range from the start
 * block), touches the first byte of each (the page fault that commits a frame at the
 * program's pager), then frees them all (FREE to the pager: the frames go back).  It prints
 * the node its first page came from and the pager's balance, and exits 0 — or with keep=1
 * leaves the last round's pages allocated and exits with them outstanding (the loader must
 * reclaim them).  sync=: before the rounds it Calls that thread and waits for the answer (a
 * coordinator starts every CPU's hog together); after them it Sends it the instruction count.
 * alg=: asks its pager to switch allocator first.  Exit code 1: a page could not be had.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <prog.h>
#include <sigma4/pager.h>
#include "../../lib/pager/pager_client.h"
#include "../../lib/pager/pmalloc.h"

#define HEAP_PAGES      65536UL                 /* 256 MiB of virtual memory */

static uint64_t meta[HEAP_PAGES / 32 + 64];
static char *page[HEAP_PAGES];

static const char *arg(int argc, char **argv, const char *key, const char *dflt)
{
    size_t k = strlen(key);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], key, k) == 0 && argv[i][k] == '=')
            return argv[i] + k + 1;
    return dflt;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

int main(int argc, char **argv)
{
    unsigned long n = strtoul(arg(argc, argv, "pages", "256"), 0, 10);
    unsigned long rounds = strtoul(arg(argc, argv, "rounds", "1"), 0, 10);
    bool keep = strcmp(arg(argc, argv, "keep", "0"), "1") == 0;
    L4_ThreadId_t sync = { .raw = strtoul(arg(argc, argv, "sync", "0"), 0, 16) };
    const char *alg = arg(argc, argv, "alg", 0);
    L4_ThreadId_t pager = prog_pager();
    L4_Word_t lo, hi;
    if (!prog_heap(&lo, &hi) || n == 0 || n > HEAP_PAGES || vrange_meta_bytes(HEAP_PAGES) > sizeof meta) {
        printf("hog: bad arguments or not started by the loader\n");
        return 2;
    }
    struct pmalloc m;
    pmalloc_init(&m, lo, HEAP_PAGES, meta, pager);
    if (alg) {
        L4_Word_t a[1] = { strcmp(alg, "buddy") == 0 ? PAGER_ALG_BUDDY : PAGER_ALG_AVL };
        pager_call(pager, PAGER_OP_SET_ALG, 1, a, 0, 0);
    }
    if (!L4_IsNilThread(sync)) {
        L4_Set_MsgTag(L4_MsgTagMake(0, 0, 0));
        L4_Call(sync);
    }
    uint64_t t0 = rdtsc();
    unsigned long missing = 0;
    for (unsigned long r = 0; r < rounds; r++) {
        for (unsigned long i = 0; i < n; i++) {
            page[i] = pmalloc_alloc(&m, 4096);
            if (page[i])
                *(volatile char *)page[i] = (char)i;
            else
                missing++;
        }
        if (keep && r + 1 == rounds)
            break;
        for (unsigned long i = 0; i < n; i++)
            pmalloc_free(&m, page[i]);
    }
    uint64_t t1 = rdtsc();
    if (!L4_IsNilThread(sync)) {
        L4_LoadMR(1, t1 - t0);
        L4_LoadMR(2, missing);
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_Send(sync);
    }
    L4_Word_t q[2] = { 0, 0 }, info[PAGER_INFO_WORDS] = { 0 };
    char *first = pmalloc_alloc(&m, 4096);
    if (first)
        *first = 1;
    pager_call(pager, PAGER_OP_QUERY, 1, (L4_Word_t[]){ (L4_Word_t)first }, q, 2);
    pager_call(pager, PAGER_OP_INFO, 0, 0, info, PAGER_INFO_WORDS);
    printf("hog on cpu %lu: %lu rounds of %lu pages%s, %lu missing; frame 0x%lx from node %lu; "
           "pager %lx on cpu %lu: %lu frames free, %lu borrowed, %lu lent\n", prog_cpu(), rounds, n,
           keep ? " (last kept)" : "", missing, q[0], q[1], pager.raw, info[PAGER_INFO_CPU - 1],
           info[PAGER_INFO_FREE - 1], info[PAGER_INFO_BORROWED - 1], info[PAGER_INFO_LENT - 1]);
    return missing ? 1 : 0;
}
