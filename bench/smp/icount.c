/* icount.c — instructions per IPC round trip, client on CPU 0, server on CPU 0 or CPU 1 (the
 * icount image of the SMP benchmark, smp.h).
 *
 * Under `-icount shift=0,sleep=off` QEMU runs the virtual CPUs one after another in a single
 * host thread, and the guest TSC advances one tick per instruction executed by *any* of them.
 * A batch timed with rdtsc on CPU 0 therefore counts the instructions of both CPUs: for a
 * cross-CPU round trip the client's and the server's kernel paths, the kick IPIs and the idle
 * loops in between (a CPU waiting for a message halts, and a halted CPU executes nothing).  It
 * does not show how the two CPUs would overlap in real time; the wall-clock image does that.
 *
 * Lines, per operation <op> (plus calibration.ten, which must measure 10.0):
 *     BENCH <op> <median batch, instructions per round trip> instructions/roundtrip
 *     BENCH <op>.min / <op>.max   the fastest and slowest batch
 *     BENCH <op>.fastpath <share of the IPCs on the fast path (all CPUs)> %
 */
#include <stdio.h>
#include "report.h"
#include "smp.h"

#define WARMUP          100
#define ROUNDS          1000
#define BATCHES         5

struct op {
    const char *name;
    L4_ThreadId_t server;
    L4_Word_t cpu;              /* the server's CPU; the client is on CPU 0 */
};

static void calibrate(void)
{
    L4_Word64_t t[BATCHES];
    bench_ten_instructions(WARMUP);
    for (unsigned i = 0; i < BATCHES; i++) {
        L4_Word64_t t0 = bench_rdtsc();
        bench_ten_instructions(ROUNDS);
        t[i] = bench_rdtsc() - t0;
    }
    bench_sort(t, BATCHES);
    bench_figure("calibration.ten", "", t[BATCHES / 2], ROUNDS, 1, "instructions/iteration");
    bench_figure("calibration.ten", ".min", t[0], ROUNDS, 1, "instructions/iteration");
    bench_figure("calibration.ten", ".max", t[BATCHES - 1], ROUNDS, 1, "instructions/iteration");
}

static void measure(const struct op *op)
{
    L4_Word64_t t[BATCHES];
    L4_Word_t any, all, or_tags = 0, and_tags = ~0UL;

    if (!smp_place(op->server, op->cpu, op->name))
        return;
    smp_roundtrips(op->server, WARMUP, &any, &all);
    if (!smp_check_tags(op->name, any, all, op->cpu != 0))
        return;
    L4_Word_t fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    for (unsigned i = 0; i < BATCHES; i++) {
        L4_Word64_t t0 = bench_rdtsc();
        smp_roundtrips(op->server, ROUNDS, &any, &all);
        t[i] = bench_rdtsc() - t0;
        or_tags |= any;
        and_tags &= all;
    }
    fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC) - fast;
    if (!smp_check_tags(op->name, or_tags, and_tags, op->cpu != 0))
        return;
    bench_sort(t, BATCHES);
    bench_figure(op->name, "", t[BATCHES / 2], ROUNDS, 1, "instructions/roundtrip");
    bench_figure(op->name, ".min", t[0], ROUNDS, 1, "instructions/roundtrip");
    bench_figure(op->name, ".max", t[BATCHES - 1], ROUNDS, 1, "instructions/roundtrip");
    bench_figure(op->name, ".fastpath", fast * 100, 2 * (L4_Word64_t)BATCHES * ROUNDS, 1, "%");
}

void smp_icount(L4_ThreadId_t s0, L4_ThreadId_t r)
{
    printf("bench: icount: %d warm-up, %d batches of %d, median batch; figures are instructions "
           "of both CPUs (rdtsc under -icount shift=0, CPUs run one after another), not cycles\n",
           WARMUP, BATCHES, ROUNDS);
    calibrate();
    const struct op ops[] = {
        { "smp.intra.same", s0, 0 },
        { "smp.intra.cross", s0, 1 },
        { "smp.inter.same", r, 0 },
        { "smp.inter.cross", r, 1 },
    };
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!L4_IsNilThread(ops[i].server))
            measure(&ops[i]);
    smp_place(s0, 0, "S0");
    if (!L4_IsNilThread(r))
        smp_place(r, 0, "R");
}
