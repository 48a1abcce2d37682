/* root — the default root task: prints what the kernel tells user mode about the system
 * (KIP, processors, memory, modules); then, if the boot modules include the memory server
 * (`pager`), starts the loader, and through it every module whose command line says `cpu=`
 * (a CPU number, or `all`: one instance per CPU), waits for them all, prints each pager's
 * balance, and shuts the machine down (`make run`). */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <l4/l4.h>
#include <sigma4/pager.h>
#include "../../lib/pager/pager_client.h"
#include "../loader/loader.h"

static const char *type_name(L4_Word_t t)
{
    switch (t) {
    case L4_ConventionalMemoryType: return "conventional";
    case L4_ReservedMemoryType: return "reserved";
    case L4_DedicatedMemoryType: return "dedicated";
    case L4_SharedMemoryType: return "shared";
    case L4_BootLoaderSpecificMemoryType: return "boot loader";
    case L4_ArchitectureSpecificMemoryType: return "architecture";
    default: return "undefined";
    }
}

static void print_memory(void *kip)
{
    L4_Word_t n = L4_NumMemoryDescriptors(kip);
    unsigned long long conv = 0, modules = 0;
    printf("root: %lu memory descriptors:\n", n);
    for (L4_Word_t i = 0; i < n; i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        L4_Word_t lo = L4_MemoryDescLow(d), hi = L4_MemoryDescHigh(d);
        L4_Word_t t = L4_MemoryDescType(d) & 0xF;   /* E and F carry a subtype in bits 7-4 */

        printf("root:   %016lx-%016lx %s\n", lo, hi, type_name(t));
        if (t == L4_ConventionalMemoryType)
            conv += hi - lo + 1;
        if (t == L4_BootLoaderSpecificMemoryType)
            modules++;
    }
    printf("root: memory: %llu MiB conventional; %llu boot module(s)\n", conv >> 20, modules);
}

#define MAX_RUNS        64

/* The loader, the memory server and the programs of the boot modules (see the top). */
static void run_programs(L4_Word_t ncpu)
{
    static char cmd[LOADER_CMD_MAX], server[LOADER_CMD_MAX];
    L4_ThreadId_t prog[MAX_RUNS];
    unsigned nprog = 0;
    if (loader_modules_init() <= 0 || !loader_module("pager"))
        return;
    loader_module_cmd(loader_module("pager"), server);
    L4_ThreadId_t loader = loader_start(server, 30000000);
    if (L4_IsNilThread(loader))
        return;
    for (unsigned i = 0; i < loader_module_count(); i++) {
        const struct ld_module *m = loader_module_at(i);
        char cpus[8];
        if (!loader_cmd_value(m->cmdline, "cpu", cpus, sizeof cpus))
            continue;
        loader_module_cmd(m, cmd);
        bool all = strcmp(cpus, "all") == 0;
        for (L4_Word_t c = all ? 0 : strtoul(cpus, 0, 10); c < ncpu && nprog < MAX_RUNS; c++) {
            L4_Word_t e = loader_req_run(loader, c, cmd, &prog[nprog]);
            if (e != LOADER_OK)
                printf("root: running \"%s\" on cpu %lu: %s\n", cmd, c, loader_strerror(e));
            else
                nprog++;
            if (!all)
                break;
        }
    }
    for (unsigned i = 0; i < nprog; i++) {
        L4_Word_t status, reclaimed;
        loader_req_wait(loader, prog[i], &status, &reclaimed);
    }
    L4_ThreadId_t pager[LOADER_MAX_PAGERS];
    unsigned np = loader_pagers(pager, LOADER_MAX_PAGERS);
    for (unsigned i = 0; i < np; i++) {
        L4_Word_t w[PAGER_INFO_WORDS] = { 0 };
        pager_call(pager[i], PAGER_OP_INFO, 0, 0, w, PAGER_INFO_WORDS);
        printf("root: pager %u on cpu %lu (node %lu): %lu of %lu frames free, %lu borrowed, "
               "%lu lent, %lu faults served\n", i, w[PAGER_INFO_CPU - 1], w[PAGER_INFO_NODE - 1],
               w[PAGER_INFO_FREE - 1], w[PAGER_INFO_HELD - 1], w[PAGER_INFO_BORROWED - 1],
               w[PAGER_INFO_LENT - 1], w[PAGER_INFO_FAULTS - 1]);
    }
}

int main(void)
{
    L4_Word_t version, flags, id;
    void *kip = L4_KernelInterface(&version, &flags, &id);
    L4_Word_t y, m, d;
    L4_KernelGenDate(kip, &y, &m, &d);
    printf("root: hello from user mode: thread %lx (local id %lx), SystemClock %llu us\n",
           L4_Myself().raw, L4_MyLocalId().raw, (unsigned long long)L4_SystemClock().raw);
    printf("root: KIP at %p: API version 0x%lx (X.2 = 0x84, revision %lu), flags 0x%lx, "
           "kernel id 0x%lx, built %lu-%02lu-%02lu\n", kip, (version >> 24) & 0xFF,
           (version >> 16) & 0xFF, flags, id, y, m, d);
    printf("root: kernel: %s\n", L4_KernelVersionString(kip));
    printf("root: features:");
    for (L4_Word_t i = 0; L4_Feature(kip, i); i++)
        printf(" %s", L4_Feature(kip, i));
    printf("\n");
    L4_Word_t ncpu = L4_NumProcessors(kip);
    printf("root: %lu processor(s) online:", ncpu);
    for (L4_Word_t i = 0; i < ncpu; i++)
        printf(" cpu%lu %lu MHz", i, L4_ProcDescInternalFreq(L4_ProcDesc(kip, i)) / 1000);
    printf("\n");
    printf("root: thread ids: %lu bits, system base %lu, user base %lu; UTCB %lu bytes\n",
           L4_ThreadIdBits(kip), L4_ThreadIdSystemBase(kip), L4_ThreadIdUserBase(kip),
           L4_UtcbSize(kip));
    print_memory(kip);
    /* Memory comes from sigma0: ask for any 2 MiB page, mapped at a window of our choice. */
    L4_Fpage_t window = L4_FpageLog2(0x40000000UL, 21);
    L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, 21, window);
    if (L4_IsNilFpage(got)) {
        printf("root: sigma0 refused a 2 MiB page\n");
    } else {
        volatile unsigned long *p = (volatile unsigned long *)L4_Address(window);
        p[0] = 0x5167a4;
        printf("root: sigma0 gave physical 2 MiB page 0x%lx, mapped at 0x%lx, %s\n",
               L4_Address(got), L4_Address(window), p[0] == 0x5167a4 ? "writable" : "BROKEN");
    }
    run_programs(ncpu);
    printf("root: system summary done; shutting down\n");
    L4_KDB_Shutdown(0);
    for (;;)
        L4_Sleep(L4_Never);
}
