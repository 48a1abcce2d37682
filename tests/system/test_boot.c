/* test_boot.c — in-system tests of what issue 2 gives user mode: the KIP, KernelInterface,
 * the UTCB, SystemClock and timeouts, the kernel-debugger interface, system-call error paths,
 * and a user fault that must not take the kernel down. */
#include <string.h>
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>
#include <sigma4/syscall.h>
#include "ktest.h"

static L4_Word_t kipw(void *kip, unsigned off) { return *(L4_Word_t *)((char *)kip + off); }

static L4_Word_t raw_syscall(L4_Word_t nr, L4_Word_t a0)
{
    L4_Word_t rax = nr;
    __asm__ volatile("syscall" : "+a"(rax), "+D"(a0)
                     :: "rcx", "r11", "rsi", "rdx", "r8", "r9", "r10", "memory");
    return rax;
}

KTEST(kip, magic)
{
    void *kip = L4_GetKernelInterface();
    KCHECK_EQ(kipw(kip, KIP_OFF_MAGIC) & 0xFFFFFFFF, KIP_MAGIC_WORD);
    KCHECK_EQ(kipw(kip, KIP_OFF_MAGIC) >> 32, 0);          /* 64-bit KIP */
    KCHECK(L4_KipIsValid(kip));
}

KTEST(kip, kernel_interface_registers)
{
    L4_Word_t ver, flags, id;
    void *kip = L4_KernelInterface(&ver, &flags, &id);
    KCHECK_EQ((L4_Word_t)kip, ROOT_KIP_AREA);
    KCHECK_EQ(ver, kipw(kip, KIP_OFF_API_VERSION));
    KCHECK_EQ((ver >> 24) & 0xFF, 0x84);
    KCHECK_EQ(flags, 0x4);                                  /* little endian, 64-bit */
    KCHECK_EQ(id, KDESC_KERNEL_ID_SIGMA4);
}

KTEST(kip, thread_info)
{
    void *kip = L4_GetKernelInterface();
    KCHECK_EQ(L4_ThreadIdSystemBase(kip), THREAD_SYSTEM_BASE);
    KCHECK_EQ(L4_ThreadIdUserBase(kip), THREAD_USER_BASE);
    KCHECK_EQ(L4_ThreadIdBits(kip), THREAD_ID_BITS);
    KCHECK_EQ(L4_UtcbSize(kip), 1024);
    KCHECK_EQ(L4_KipAreaSizeLog2(kip), 12);
    KCHECK(L4_PageSizeMask(kip) & (1UL << 12));
    KCHECK(L4_PageSizeMask(kip) & (1UL << 21));
}

KTEST(kip, memory_descriptors)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t n = L4_NumMemoryDescriptors(kip), conv = 0, kpool = 0, modules = 0;
    KCHECK(n > 0);
    for (L4_Word_t i = 0; i < n; i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        L4_Word_t size = L4_MemoryDescHigh(d) - L4_MemoryDescLow(d) + 1;
        KCHECK(L4_MemoryDescHigh(d) > L4_MemoryDescLow(d));
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType) conv += size;
        if (L4_MemoryDescType(d) == L4_ReservedMemoryType && (d->raw[0] >> 4 & 0xF) == MDESC_RES_KPOOL)
            kpool += size;
        if ((L4_MemoryDescType(d) & 0xF) == L4_BootLoaderSpecificMemoryType) modules++;
    }
    KCHECK(conv >= 64UL << 20);                             /* QEMU has 512 MiB */
    KCHECK_EQ(kpool, L4_KDB_Stat(KDB_STAT_KMEM_TOTAL));
    KCHECK(modules >= 1);                   /* the boot modules (adjacent ones merge) */
    /* This program's own memory (KIP root-server record) is conventional memory. */
    L4_Word_t lo = kipw(kip, KIP_OFF_ROOT_SERVER + 16), hi = kipw(kip, KIP_OFF_ROOT_SERVER + 24);
    int inside = 0;
    for (L4_Word_t i = 0; i < n; i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) == L4_ConventionalMemoryType &&
            L4_MemoryDescLow(d) <= lo && hi <= L4_MemoryDescHigh(d))
            inside = 1;
    }
    KCHECK(inside);
}

KTEST(kip, processors)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t n = L4_NumProcessors(kip);
    KCHECK(n >= 1);
    KCHECK_EQ(n, L4_KDB_Stat(KDB_STAT_NCPUS));
    for (L4_Word_t i = 0; i < n; i++)
        KCHECK(L4_ProcDescInternalFreq(L4_ProcDesc(kip, i)) > 0);
}

/* NUMA extension (docs/abi/kip.md).  The boot's parameter numa_nodes (default 1) says what
 * QEMU was given: 1 = no -numa (no SRAT: NumaInfo 0, every CPU on node 0); 2 = the numa2 boot
 * of mk/qemu.mk (-smp 4, CPUs 0-1 and 256 MiB on node 0, CPUs 2-3 and 256 MiB on node 1). */
KTEST(kip, numa_processor_nodes)
{
    void *kip = L4_GetKernelInterface();
    unsigned long nodes = ktest_param_ul("numa_nodes", 1);
    L4_Word_t n = L4_NumProcessors(kip);
    for (L4_Word_t i = 0; i < n; i++) {
        L4_ProcDesc_t *pd = L4_ProcDesc(kip, i);
        KCHECK(L4_ProcDescNode(pd) < nodes);
        KCHECK_EQ(pd->raw[3] >> 16, 0);                     /* the rest of the word is 0 */
        if (nodes == 2)
            KCHECK_EQ(L4_ProcDescNode(pd), i < 2 ? 0 : 1);
    }
}

KTEST(kip, numa_memory_ranges)
{
    void *kip = L4_GetKernelInterface();
    unsigned long nodes = ktest_param_ul("numa_nodes", 1);
    L4_Word_t nr = L4_NumNumaRanges(kip);
    if (nodes == 1) {
        KCHECK_EQ(L4_NumaInfo(kip), 0);
        KCHECK(L4_NumaRange(kip, 0) == 0);
        KCHECK_EQ(L4_NumaNodeOf(kip, 0x100000), 0);
        return;
    }
    KCHECK(nr >= 2);
    KCHECK(L4_NumaRange(kip, nr) == 0);
    L4_Word_t off = L4_NumaInfo(kip) >> 32;
    KCHECK(off >= KIP_OFF_END && off + nr * KIP_NUMA_ENTRY_SIZE <= KIP_STUB_AREA);
    L4_Word_t seen = 0, prev_end = 0;
    for (L4_Word_t i = 0; i < nr; i++) {
        L4_NumaRange_t *r = L4_NumaRange(kip, i);
        KCHECK(L4_NumaRangeBase(r) < L4_NumaRangeEnd(r));
        KCHECK((L4_NumaRangeEnd(r) & 0xFFF) == 0);
        KCHECK(L4_NumaRangeBase(r) >= prev_end);            /* sorted, disjoint */
        KCHECK(L4_NumaRangeNode(r) < nodes);
        seen |= 1UL << L4_NumaRangeNode(r);
        prev_end = L4_NumaRangeEnd(r);
    }
    KCHECK_EQ(seen, (1UL << nodes) - 1);
    /* QEMU's split: the first 256 MiB on node 0, the next 256 MiB on node 1. */
    KCHECK_EQ(L4_NumaNodeOf(kip, 0x100000), 0);
    KCHECK_EQ(L4_NumaNodeOf(kip, (256UL << 20) - 4096), 0);
    KCHECK_EQ(L4_NumaNodeOf(kip, 256UL << 20), 1);
    KCHECK_EQ(L4_NumaNodeOf(kip, (512UL << 20) - 4096), 1);
    /* Every conventional memory descriptor lies in affinity ranges. */
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *d = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(d) != L4_ConventionalMemoryType || L4_MemoryDescLow(d) < 0x100000)
            continue;
        for (L4_Word_t a = L4_MemoryDescLow(d); a < L4_MemoryDescHigh(d); a += 1UL << 20) {
            int in = 0;
            for (L4_Word_t k = 0; k < nr; k++) {
                L4_NumaRange_t *r = L4_NumaRange(kip, k);
                in |= a >= L4_NumaRangeBase(r) && a < L4_NumaRangeEnd(r);
            }
            KCHECK(in);
        }
    }
}

KTEST(kip, features_and_version)
{
    void *kip = L4_GetKernelInterface();
    KCHECK(L4_HasFeature("sigma4"));
    KCHECK(!L4_HasFeature("no-such-feature"));
    KCHECK(strncmp(L4_KernelVersionString(kip), "sigma4", 6) == 0);
    L4_Word_t y, m, d;
    L4_KernelGenDate(kip, &y, &m, &d);
    KCHECK(y >= 2026 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
}

extern char _start[];
extern int main(void);

KTEST(kip, root_server_record)
{
    void *kip = L4_GetKernelInterface();
    KCHECK_EQ(kipw(kip, KIP_OFF_ROOT_SERVER + 8), (L4_Word_t)_start);    /* IP */
    KCHECK(kipw(kip, KIP_OFF_ROOT_SERVER + 16) <= (L4_Word_t)main);      /* mem low */
    KCHECK(kipw(kip, KIP_OFF_ROOT_SERVER + 24) >= (L4_Word_t)main);      /* mem high */
    KCHECK(kipw(kip, KIP_OFF_SIGMA0 + 8) != 0);                          /* sigma0 present */
    KCHECK_EQ(kipw(kip, KIP_OFF_SIGMA1 + 8), 0);                          /* no sigma1 */
}

KTEST(kip, syscall_link_stubs)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t off = kipw(kip, KIP_OFF_SYSTEM_CLOCK);
    KCHECK(off >= KIP_STUB_AREA && off < KIP_SIZE);
    L4_Word_t (*clock_stub)(void) = (L4_Word_t (*)(void))((char *)kip + off);
    L4_Word_t a = L4_SystemClock().raw, b = clock_stub(), c = L4_SystemClock().raw;
    KCHECK(a <= b && b <= c);
}

KTEST(utcb, identity)
{
    KCHECK_EQ(L4_MyLocalId().raw, ROOT_UTCB_AREA + 512);
    KCHECK_EQ(L4_MyGlobalId().raw, ((L4_Word_t)(THREAD_USER_BASE + 2) << 32) | 1);
    KCHECK_EQ((L4_Word_t)L4_GetUtcb(), L4_MyLocalId().raw);
    KCHECK_EQ(L4_Pager().raw, ((L4_Word_t)THREAD_USER_BASE << 32) | 1);   /* sigma0 */
    L4_LoadMR(63, 0x1234567890ABCDEFUL);                    /* the UTCB is writable */
    L4_Word_t w;
    L4_StoreMR(63, &w);
    KCHECK_EQ(w, 0x1234567890ABCDEFUL);
}

KTEST(clock, monotonic)
{
    L4_Word_t prev = L4_SystemClock().raw;
    for (int i = 0; i < 1000; i++) {
        L4_Word_t now = L4_SystemClock().raw;
        KCHECK(now >= prev);
        prev = now;
    }
}

KTEST(clock, sleep_times_out)
{
    L4_Word_t t0 = L4_SystemClock().raw;
    L4_Word_t ticks0 = L4_KDB_Stat(KDB_STAT_TICKS);
    L4_Sleep(L4_TimePeriod(20000));
    L4_Word_t t1 = L4_SystemClock().raw;
    KCHECK(t1 - t0 >= 20000);
    KCHECK(t1 - t0 < 10000000);                             /* generous: TCG is slow */
    KCHECK_EQ(L4_ErrorCode(), (1 << 1) | 1);                /* receive phase, timeout */
    KCHECK(L4_KDB_Stat(KDB_STAT_TICKS) > ticks0);           /* the timer interrupts */
}

KTEST(clock, zero_timeout_returns_at_once)
{
    L4_Word_t ticks0 = L4_KDB_Stat(KDB_STAT_TICKS);
    L4_Sleep(L4_ZeroTime);
    KCHECK_EQ(L4_ErrorCode(), (1 << 1) | 1);
    KCHECK(L4_KDB_Stat(KDB_STAT_TICKS) - ticks0 < 5);
}

KTEST(sched, yield_returns)
{
    for (int i = 0; i < 100; i++)
        L4_Yield();
    KCHECK(1);
}

KTEST(kdb, print_and_stat)
{
    L4_KDB_PrintString("# kdb.print_and_stat: a line through KDB_OP_PUTS\n");
    L4_KDB_PrintChar('#');
    L4_KDB_PrintChar('\n');
    KCHECK(L4_KDB_Stat(KDB_STAT_KMEM_FREE) > 0);
    KCHECK(L4_KDB_Stat(KDB_STAT_KMEM_FREE) <= L4_KDB_Stat(KDB_STAT_KMEM_TOTAL));
    KCHECK_EQ(L4_KDB_Stat(9999), ~0UL);                     /* unknown selector */
}

KTEST(kdb, bad_string_pointer)
{
    /* An unmapped and a kernel address: the kernel must refuse quietly, not fault. */
    L4_KDB_PrintString((const char *)0xDEADBEEF000UL);
    L4_KDB_PrintString((const char *)0xFFFFFFFF80100000UL);
    KCHECK(L4_KDB_Stat(KDB_STAT_KMEM_FREE) > 0);
}

KTEST(kdb, unknown_operation)
{
    L4_Word_t r = 0x77;
    __asm__ volatile("int3; cmpb $0x7E, %%al" : "+a"(r) :: "memory");
    KCHECK_EQ(r, ~0UL);
}

KTEST(syscall, unknown_number)
{
    KCHECK_EQ(raw_syscall(999, 0), ~0UL);
    KCHECK_EQ(raw_syscall(SYS_COUNT, 0), ~0UL);
    KCHECK(L4_SystemClock().raw > 0);                       /* still alive */
}

/* A thread without a pager reads a bad address: the kernel must report the fault (thread and
 * address), halt that thread and keep running everything else. */
#define BAD_ADDRESS 0xDEAD0000UL
static char fault_stack[4096] __attribute__((aligned(16)));

static void faulting_thread(void)
{
    (void)*(volatile unsigned long *)BAD_ADDRESS;
    for (;;)
        L4_Sleep(L4_Never);
}

KTEST(fault, user_bad_pointer)
{
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(150, 1);
    L4_Word_t faults0 = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    KCHECK_EQ(L4_ThreadControl(t, me, me, me, (void *)(ROOT_UTCB_AREA + 200 * 1024)), 1);
    L4_Set_PagerOf(t, L4_nilthread);
    L4_Start_SpIp(t, (L4_Word_t)(fault_stack + sizeof(fault_stack) - 8), (L4_Word_t)faulting_thread);
    L4_Word_t t0 = L4_SystemClock().raw;
    while (L4_KDB_Stat(KDB_STAT_USER_FAULTS) == faults0 && L4_SystemClock().raw - t0 < 30000000)
        L4_Sleep(L4_TimePeriod(1000));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults0 + 1);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_ADDR), BAD_ADDRESS);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), (L4_Word_t)faulting_thread + 0);
    /* The kernel still schedules, and the halted thread can be deleted. */
    L4_Word_t t1 = L4_SystemClock().raw;
    L4_Sleep(L4_TimePeriod(2000));
    KCHECK(L4_SystemClock().raw > t1);
    KCHECK_EQ(L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
}
