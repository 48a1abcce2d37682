/* wall.c — IPC messages per second in wall-clock time, same CPU against cross CPU, and two
 * same-CPU pairs at once (the wall-clock image of the SMP benchmark, smp.h).
 *
 * Run without -icount, under MTTCG (one host thread per virtual CPU), timed with SystemClock
 * (µs).  A round trip is two messages (call and reply, 0 untyped words).  Every measurement is
 * a fixed number of round trips, repeated REPEATS times; the median run is reported with the
 * fastest and the slowest.  The figures depend on the host (its cores, their speed, its load):
 * they compare configurations measured in the same run, nothing more.
 *
 *   wall.same       root thread <-> S0, both on CPU 0 (CPU 1 idle)
 *   wall.cross      root thread on CPU 0 <-> S0 on CPU 1
 *   wall.parallel   root thread <-> S0 on CPU 0 and, at the same time, C1 <-> S1 on CPU 1:
 *                   the messages of both pairs over the time from the start of the first to
 *                   the end of the last; .cpu0/.cpu1 each pair over its own time.  With
 *                   same-CPU IPC running in parallel each pair keeps the wall.same rate; with a
 *                   kernel lock that serializes them the two share it.
 *
 * Lines: BENCH <op> <messages/s> messages/s, <op>.min/.max (slowest/fastest run),
 *        <op>.us <median run, µs> us, <op>.messages <messages per run> messages,
 *        and for wall.parallel <op>.cpu0 / <op>.cpu1 (messages/s, median runs).
 */
#include <stdio.h>
#include "report.h"
#include "smp.h"

#define WARMUP          2000
#define REPEATS         3
/* Round trips per run (each pair): about 1-2 s of wall time on the host this was written on
 * (2 cores, QEMU 7.2 MTTCG; docs/results/smp-ipc.md).  Cross-CPU round trips measured about
 * 1 ms each there under MTTCG (30 times what a single-threaded TCG gives), hence the small count. */
#define N_SAME          800000
#define N_CROSS         2000

static L4_Word64_t rate(L4_Word64_t messages, L4_Word64_t us)
{
    return us ? messages * 1000000 / us : 0;
}

/* Print <name><suffix> as messages/s from sorted rates r[REPEATS]: median, min, max. */
static void rates(const char *name, const char *suffix, L4_Word64_t *r)
{
    char s[32];
    bench_sort(r, REPEATS);
    bench_figure(name, suffix, r[REPEATS / 2], 1, 0, "messages/s");
    if (*suffix)
        return;
    snprintf(s, sizeof s, "%s.min", suffix);
    bench_figure(name, s, r[0], 1, 0, "messages/s");
    snprintf(s, sizeof s, "%s.max", suffix);
    bench_figure(name, s, r[REPEATS - 1], 1, 0, "messages/s");
}

static void totals(const char *name, L4_Word64_t *us, L4_Word64_t messages)
{
    bench_sort(us, REPEATS);
    bench_figure(name, ".us", us[REPEATS / 2], 1, 0, "us");
    bench_figure(name, ".messages", messages, 1, 0, "messages");
}

/* One pair: the root thread on CPU 0, s0 on cpu. */
static void pair(const char *name, L4_ThreadId_t s0, L4_Word_t cpu, unsigned n)
{
    L4_Word64_t r[REPEATS], us[REPEATS];
    L4_Word_t any, all;
    if (!smp_place(s0, cpu, "S0"))
        return;
    smp_roundtrips(s0, WARMUP, &any, &all);
    if (!smp_check_tags(name, any, all, cpu != 0))
        return;
    for (unsigned i = 0; i < REPEATS; i++) {
        L4_Clock_t t0 = L4_SystemClock();
        smp_roundtrips(s0, n, &any, &all);
        L4_Clock_t t1 = L4_SystemClock();
        if (!smp_check_tags(name, any, all, cpu != 0))
            return;
        us[i] = t1.raw - t0.raw;
        r[i] = rate(2ULL * n, us[i]);
        printf("bench: %s run %u: %u round trips in %llu us\n", name, i + 1, n,
               (unsigned long long)us[i]);
    }
    rates(name, "", r);
    totals(name, us, 2ULL * n);
}

/* Ask C1 (CPU 1) to start n round trips with s1. */
static int c1_start(L4_ThreadId_t c1, L4_ThreadId_t s1, unsigned n)
{
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
    L4_LoadMR(1, s1.raw);
    L4_LoadMR(2, n);
    if (L4_IpcSucceeded(L4_Send_Timeout(c1, L4_TimePeriod(10000000))))
        return 1;
    printf("bench: error: C1 does not take its request (ErrorCode %lu)\n", L4_ErrorCode());
    smp_errors++;
    return 0;
}

/* C1's answer: *t0, *t1 its SystemClock before and after; 0 after an error. */
static int c1_finish(L4_ThreadId_t c1, const char *name, L4_Word64_t *t0, L4_Word64_t *t1)
{
    L4_Word_t any, all, cpu;
    L4_MsgTag_t tag = L4_Receive_Timeout(c1, L4_TimePeriod(60000000));
    if (L4_IpcFailed(tag) || L4_UntypedWords(tag) != 5) {
        printf("bench: error: %s: no answer from C1 (ErrorCode %lu)\n", name, L4_ErrorCode());
        smp_errors++;
        return 0;
    }
    L4_StoreMR(1, (L4_Word_t *)t0);
    L4_StoreMR(2, (L4_Word_t *)t1);
    L4_StoreMR(3, &any);
    L4_StoreMR(4, &all);
    L4_StoreMR(5, &cpu);
    if (cpu != 1) {
        printf("bench: error: %s: C1 ran on CPU %lu, not 1\n", name, cpu);
        smp_errors++;
        return 0;
    }
    return smp_check_tags(name, any, all, 0);
}

/* Two pairs at once: root <-> s0 on CPU 0, C1 <-> s1 on CPU 1. */
static void parallel(const char *name, L4_ThreadId_t s0, L4_ThreadId_t s1, L4_ThreadId_t c1,
                     unsigned n)
{
    L4_Word64_t r[REPEATS], r0[REPEATS], r1[REPEATS], us[REPEATS], c0, c1t;
    L4_Word_t any, all;
    if (!smp_place(s0, 0, "S0"))
        return;
    smp_roundtrips(s0, WARMUP, &any, &all);
    if (!smp_check_tags(name, any, all, 0) || !c1_start(c1, s1, WARMUP) ||
        !c1_finish(c1, name, &c0, &c1t))
        return;
    for (unsigned i = 0; i < REPEATS; i++) {
        L4_Clock_t t0 = L4_SystemClock();
        if (!c1_start(c1, s1, n))
            return;
        L4_Clock_t a0 = L4_SystemClock();
        smp_roundtrips(s0, n, &any, &all);
        L4_Clock_t a1 = L4_SystemClock();
        if (!smp_check_tags(name, any, all, 0) || !c1_finish(c1, name, &c0, &c1t))
            return;
        L4_Word64_t end = a1.raw > c1t ? a1.raw : c1t;
        us[i] = end - t0.raw;
        r[i] = rate(4ULL * n, us[i]);
        r0[i] = rate(2ULL * n, a1.raw - a0.raw);
        r1[i] = rate(2ULL * n, c1t - c0);
        printf("bench: %s run %u: CPU 0 pair %u round trips in %llu us (start +%llu us), "
               "CPU 1 pair %u in %llu us (start +%llu us), %llu us in all\n", name, i + 1, n,
               (unsigned long long)(a1.raw - a0.raw), (unsigned long long)(a0.raw - t0.raw), n,
               (unsigned long long)(c1t - c0), (unsigned long long)(c0 - t0.raw),
               (unsigned long long)us[i]);
    }
    rates(name, "", r);
    rates(name, ".cpu0", r0);
    rates(name, ".cpu1", r1);
    totals(name, us, 4ULL * n);
}

void smp_wall(L4_ThreadId_t s0, L4_ThreadId_t s1, L4_ThreadId_t c1)
{
    printf("bench: wall clock: %d warm-up, %d runs of a fixed count, median run; SystemClock "
           "microseconds, no -icount; host-dependent\n", WARMUP, REPEATS);
    pair("wall.same", s0, 0, N_SAME);
    pair("wall.cross", s0, 1, N_CROSS);
    parallel("wall.parallel", s0, s1, c1, N_SAME);
    smp_place(s0, 0, "S0");
}
