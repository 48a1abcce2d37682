/* root — the default root task: prints what the kernel tells user mode about the system
 * (KIP, processors, memory, modules), then shuts the machine down (`make run`). */
#include <stdio.h>
#include <l4/l4.h>

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
    printf("root: system summary done; shutting down\n");
    L4_KDB_Shutdown(0);
    for (;;)
        L4_Sleep(L4_Never);
}
