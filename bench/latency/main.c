/* main.c — the interrupt-latency benchmark (issue 11): a root task that measures, under QEMU's
 * `-icount shift=0,sleep=off` (the guest TSC counts executed instructions), how long the
 * highest-priority thread waits between a timer interrupt becoming pending and running,
 * while hostile loads run below it.  It prints `BENCH latency.<load>.<figure>` lines and shuts
 * the machine down; tools/run_bench.py turns them into docs/results/latency.md.
 *
 * The handler is the root thread (priority 255; sigma0 is moved to 254 so that its work is a
 * load like any other).  It sleeps 1 ms at a time: the LAPIC timer interrupt that expires its
 * timeout wakes it.  When it runs it reads the TSC and the kernel's record of when that timer
 * interrupt became pending (KDB_STAT_TICK_FIRED: taken in the interrupt from the LAPIC timer's
 * current count, so it includes the time the interrupt waited while interrupts were off).  The
 * difference is one sample: interrupt pending -> kernel entry -> timeout expiry -> switch ->
 * back in user mode, all of it.  A sample whose wake-up came more than a whole tick late (the
 * interrupt waited longer than a period, so the timer fired again meanwhile) is counted as
 * `missed`; a kernel that keeps the bound never has one.
 *
 * Loads (threads of the root task's space at priorities 100/101, sigma0's own work at 254):
 *   idle               nothing (the baseline)
 *   string_copy        IPC with one string of 31 substrings x 1 MiB (31 MiB per message), again
 *                      and again
 *   unmap_whole_space  map 8 MiB (2,048 pages) to another thread, Unmap the complete address
 *                      space (no flush: revokes them all), again and again
 *   sigma0_big_fpage   ask sigma0 for a 128 MiB fpage into a window, flush it, again
 *   many_timeouts      64 threads sleeping for different periods: long sorted timeout lists
 *   map_storm          map one page at 256 addresses 2 MiB apart (a page table each), Unmap
 */
#include <stdio.h>
#include <string.h>
#include <l4/l4.h>
#include <l4/kdebug.h>
#include <l4/sigma0.h>
#include "report.h"

#define SAMPLES         200
#define LOAD_PRIO       100
#define STACK_SIZE      8192
#define MAX_THREADS     72
#define FIRST_THREAD    10                  /* thread numbers root + 10.. and UTCB slots 10.. */
#define UTCB_AREA       0xBF000000UL
#define MIB             (1UL << 20)
#define SUBS            31
#define MAP_LOG2        22                  /* unmap load: two 4 MiB fpages */
#define MAP_WIN         0x40000000UL
#define S0_LOG2         27                  /* sigma0 load: 128 MiB */
#define S0_WIN          0x48000000UL
#define STORM_WIN       0x80000000UL        /* map storm: 256 x 2 MiB = 512 MiB of windows */
#define STORM_LOG2      29
#define TIMEOUT_THREADS 64

static char stacks[MAX_THREADS][STACK_SIZE] __attribute__((aligned(16)));
static L4_ThreadId_t threads[MAX_THREADS];
static unsigned nthreads, generation;
static unsigned errors;

static unsigned char src_buf[MIB] __attribute__((aligned(4096)));
static unsigned char dst_buf[MIB] __attribute__((aligned(4096)));
static unsigned char map_buf[2UL << MAP_LOG2] __attribute__((aligned(1UL << MAP_LOG2)));

static L4_ThreadId_t partner;               /* the receiving thread of the current load */
static volatile L4_Word_t load_rounds;      /* operations the load completed */

/* Create a thread of the root task's space running fn at prio (its pager sigma0: every page it
 * touches was touched by the root thread first). */
static L4_ThreadId_t spawn(void (*fn)(void), L4_Word_t prio)
{
    unsigned k = nthreads;
    L4_ThreadId_t me = L4_Myself();
    L4_ThreadId_t t = L4_GlobalId(L4_ThreadNo(me) + FIRST_THREAD + k, 1 + generation % 60);
    if (k >= MAX_THREADS ||
        !L4_ThreadControl(t, me, me, L4_Pager(), (void *)(UTCB_AREA + 1024UL * (FIRST_THREAD + k))) ||
        L4_Set_Priority(t, prio) == L4_SCHEDRESULT_ERROR) {
        printf("bench: error: creating load thread %u: ErrorCode %lu\n", k, L4_ErrorCode());
        errors++;
        return L4_nilthread;
    }
    threads[nthreads++] = t;
    L4_Start_SpIp(t, (L4_Word_t)(stacks[k] + STACK_SIZE) - 8, (L4_Word_t)fn);
    return t;
}

static void stop_load(void)
{
    for (unsigned i = 0; i < nthreads; i++)
        L4_ThreadControl(threads[i], L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    nthreads = 0;
    generation++;
}

/* ---- the loads ------------------------------------------------------------------------------ */

static L4_StringItem_t long_string(void *buf)
{
    L4_StringItem_t s = L4_StringItem((int)MIB, buf);
    for (int i = 1; i < SUBS; i++)
        L4_AddSubstringAddressTo(&s, buf);
    return s;
}

static void copy_receiver(void)
{
    L4_StringItem_t s = long_string(dst_buf);
    L4_MsgBuffer_t b;
    L4_ThreadId_t from;
    for (;;) {
        L4_MsgBufferClear(&b);
        L4_MsgBufferAppendRcvString(&b, &s);
        L4_AcceptStrings(L4_StringItemsAcceptor, &b);
        L4_Wait(&from);
    }
}

static void copy_sender(void)
{
    L4_StringItem_t s = long_string(src_buf);
    L4_Msg_t m;
    for (;;) {
        L4_MsgClear(&m);
        L4_MsgAppendStringItem(&m, &s);
        L4_MsgLoad(&m);
        L4_Send(partner);
        load_rounds++;
    }
}

/* Receives map items into the window set in `window` (raw fpage), forever. */
static volatile L4_Word_t window;
static void map_receiver(void)
{
    L4_ThreadId_t from;
    for (;;) {
        L4_Accept(L4_MapGrantItems((L4_Fpage_t){ .raw = window }));
        L4_Wait(&from);
    }
}

static void unmap_loader(void)
{
    L4_Msg_t m;
    for (;;) {
        L4_MsgClear(&m);
        for (L4_Word_t k = 0; k < 2; k++)
            L4_MsgAppendMapItem(&m, L4_MapItem(L4_FpageAddRights(
                L4_FpageLog2((L4_Word_t)map_buf + (k << MAP_LOG2), MAP_LOG2), L4_ReadWriteOnly),
                k << MAP_LOG2));
        L4_MsgLoad(&m);
        L4_Send(partner);
        L4_UnmapFpage(L4_FpageAddRights(L4_CompleteAddressSpace, L4_FullyAccessible));
        load_rounds++;
    }
}

static void sigma0_loader(void)
{
    L4_Fpage_t win = L4_FpageLog2(S0_WIN, S0_LOG2);
    L4_Fpage_t got = L4_Sigma0_GetAny(L4_nilthread, S0_LOG2, win);
    if (L4_IsNilFpage(got)) {
        printf("bench: error: sigma0 gives no 2^%d bytes\n", S0_LOG2);
        errors++;
        for (;;)
            L4_Sleep(L4_Never);
    }
    L4_Fpage_t phys = L4_FpageLog2(L4_Address(got), S0_LOG2);
    for (;;) {
        L4_Flush(L4_FpageAddRights(win, L4_FullyAccessible));
        L4_Sigma0_GetPage_RcvWindow(L4_nilthread, phys, win);
        load_rounds++;
    }
}

static void sleeper(void)
{
    L4_Word_t k = L4_ThreadNo(L4_Myself()) % TIMEOUT_THREADS;
    for (;;) {
        L4_Sleep(L4_TimePeriod(500 + 97 * k));
        load_rounds++;
    }
}

static void storm_loader(void)
{
    L4_Msg_t m;
    for (;;) {
        for (L4_Word_t i = 0; i < 256; i++) {
            L4_MsgClear(&m);
            L4_MsgAppendMapItem(&m, L4_MapItem(L4_FpageAddRights(
                L4_FpageLog2((L4_Word_t)map_buf, 12), L4_ReadWriteOnly), i << 21));
            L4_MsgLoad(&m);
            L4_Send(partner);
        }
        L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)map_buf, 12), L4_FullyAccessible));
        load_rounds++;
    }
}

/* ---- measuring ------------------------------------------------------------------------------ */

/* SAMPLES wake-ups of the root thread; prints latency.<name>.{max,median,min,missed,rounds}. */
static void measure(const char *name)
{
    static L4_Word64_t v[SAMPLES];
    unsigned missed = 0;
    L4_Word_t r0 = load_rounds;
    L4_Sleep(L4_TimePeriod(5000));                  /* the load gets going */
    for (unsigned i = 0; i < SAMPLES; i++) {
        L4_Word64_t c0 = L4_SystemClock().raw;
        L4_Sleep(L4_TimePeriod(1000));
        L4_Word64_t t = bench_rdtsc();
        L4_Word64_t f = L4_KDB_Stat(KDB_STAT_TICK_FIRED);
        L4_Word64_t c1 = L4_SystemClock().raw;
        v[i] = t - f;
        if (c1 - c0 >= 2100)                        /* woken more than a tick late */
            missed++;
    }
    bench_sort(v, SAMPLES);
    char n[64];
    snprintf(n, sizeof n, "latency.%s", name);
    bench_figure(n, ".max", v[SAMPLES - 1], 1, 0, "instructions");
    bench_figure(n, ".median", v[SAMPLES / 2], 1, 0, "instructions");
    bench_figure(n, ".min", v[0], 1, 0, "instructions");
    bench_figure(n, ".missed", missed, 1, 0, "samples");
    bench_figure(n, ".rounds", load_rounds - r0, 1, 0, "operations");
}

int main(void)
{
    printf("bench: interrupt latency under hostile loads (issue 11)\n");
    bench_calibrate(100, 5, 1000);
    L4_ThreadId_t s0 = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
    if (L4_Set_Priority(s0, 254) == L4_SCHEDRESULT_ERROR) {
        printf("bench: error: cannot lower sigma0's priority\n");
        errors++;
    }
    for (L4_Word_t i = 0; i < sizeof stacks; i += 4096)
        ((volatile char *)stacks)[i] = 0;           /* the root thread owns every page */
    for (L4_Word_t i = 0; i < MIB; i += 4096)
        src_buf[i] = dst_buf[i] = 1;
    for (L4_Word_t i = 0; i < sizeof map_buf; i += 4096)
        map_buf[i] = 1;

    measure("idle");

    partner = spawn(copy_receiver, LOAD_PRIO + 1);
    spawn(copy_sender, LOAD_PRIO);
    measure("string_copy");
    stop_load();

    window = L4_FpageLog2(MAP_WIN, MAP_LOG2 + 1).raw;
    partner = spawn(map_receiver, LOAD_PRIO + 1);
    spawn(unmap_loader, LOAD_PRIO);
    measure("unmap_whole_space");
    stop_load();

    spawn(sigma0_loader, LOAD_PRIO);
    measure("sigma0_big_fpage");
    stop_load();

    for (unsigned k = 0; k < TIMEOUT_THREADS; k++)
        spawn(sleeper, LOAD_PRIO);
    measure("many_timeouts");
    stop_load();

    window = L4_FpageLog2(STORM_WIN, STORM_LOG2).raw;
    partner = spawn(map_receiver, LOAD_PRIO + 1);
    spawn(storm_loader, LOAD_PRIO);
    measure("map_storm");
    stop_load();

    printf("bench: done, %u error(s)\n", errors);
    L4_KDB_Shutdown(errors ? 1 : 0);
    return errors != 0;
}
