/* sigma0 — the root pager: owner of all conventional memory the KIP describes.
 *
 * This first version takes stock of the memory it owns (from the KIP memory descriptors,
 * later descriptors overriding earlier ones) and reports it; the X.2 sigma0 protocol
 * (page requests, root-task page faults) arrives with the memory issue.
 */
#include <stdio.h>
#include <l4/l4.h>

/* Bytes of memory of `type` not overridden by a later descriptor of another type. */
static unsigned long long bytes_of_type(void *kip, L4_Word_t type)
{
    L4_Word_t n = L4_NumMemoryDescriptors(kip);
    unsigned long long total = 0;
    for (L4_Word_t i = 0; i < n; i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) == type && !L4_IsMemoryDescVirtual(d))
            total += L4_MemoryDescHigh(d) - L4_MemoryDescLow(d) + 1;
    }
    return total;
}

int main(void)
{
    void *kip = L4_GetKernelInterface();
    printf("sigma0: thread %lx, %llu MiB conventional memory to hand out, %llu KiB reserved "
           "by the kernel\n", L4_Myself().raw, bytes_of_type(kip, L4_ConventionalMemoryType) >> 20,
           bytes_of_type(kip, L4_ReservedMemoryType) >> 10);
    for (;;)
        L4_Sleep(L4_Never);
}
