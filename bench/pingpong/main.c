/* main.c — the IPC pingpong benchmark (issue 3): a root task that measures IPC round trips
 * and the trivial system call, prints one `BENCH <name> <value> <unit>` line per figure and
 * shuts the machine down (tools/run_bench.py boots it and turns the lines into a table).
 *
 * A round trip is the client's L4_Call(server) plus the server's L4_ReplyWait(client); the
 * client is the root thread, the servers come from partners.c.  Each operation runs WARMUP
 * times, then BATCHES batches of ROUNDS; each batch is timed with rdtsc in user mode and the
 * median batch is reported.  Under QEMU's `-icount shift=0,sleep=off` the guest TSC advances
 * exactly one tick per executed instruction, so the figures are instructions per operation
 * (user and kernel, both sides, the loop included), not cycles.  Around all batches of an
 * operation the kernel statistics give the CR3 loads (per CPU; the benchmark runs on one) and
 * the IPCs that took the fast path.  A first "operation", a loop of exactly ten instructions
 * per iteration, checks that claim: it must measure 10.0 (tools/run_bench.py insists).
 *
 * Lines printed, per operation <op>:
 *     BENCH <op> <instructions, median batch, one decimal> instructions/<unit>
 *     BENCH <op>.min / <op>.max   the fastest and slowest batch, same unit
 *     BENCH <op>.cr3 <CR3 loads per operation, two decimals> loads/<unit>
 *     BENCH <op>.fastpath <share of the IPCs on the fast path, one decimal> %   (IPC only)
 * (<unit>: roundtrip, call or iteration), and finally `bench: done, <n> error(s)`.  Any error
 * (a failed IPC, a corrupted echo, a partner that does not answer) is printed as
 * `bench: error: ...` and makes the exit status 1.
 */
#include <stdio.h>
#include <l4/l4.h>
#include "partners.h"
#include "report.h"

#define WARMUP          100
#define ROUNDS          1000
#define BATCHES         5

/* MR pattern loaded before an IPC measurement and checked after it. */
#define MR_PATTERN(i)   (0x5157000000000000UL | (L4_Word_t)(i))

enum kind { IPC, SYSTEM_CLOCK, CALIBRATION };

struct op {
    const char *name;           /* BENCH name */
    const char *unit;           /* "roundtrip", "call", "iteration" */
    enum kind kind;
    L4_ThreadId_t server;       /* IPC: the partner */
    L4_Word_t words;            /* untyped words each way */
    L4_Time_t rcv_timeout;      /* the client's receive timeout: not L4_Never forces the
                                   slow path (the server's reply then finds a timeout) */
};

static unsigned errors;

/* n round trips with server of `words` untyped words; the OR of the E bits of the replies. */
static __attribute__((noinline)) L4_Word_t pingpong(L4_ThreadId_t server, L4_Word_t words,
                                                    L4_Time_t rcv_timeout, unsigned n)
{
    L4_MsgTag_t tag = L4_MsgTagMake(0, words, 0);
    L4_Word_t acc = 0;
    for (unsigned i = 0; i < n; i++) {
        L4_Set_MsgTag(tag);
        acc |= L4_Call_Timeouts(server, L4_Never, rcv_timeout).raw;
    }
    return acc & L4_MSGTAG_ERROR;
}

/* n SystemClock calls (the stub's asm is volatile: none is optimised away). */
static __attribute__((noinline)) void system_clocks(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        (void)L4_SystemClock();
}

static L4_Word_t run(const struct op *op, unsigned n)
{
    switch (op->kind) {
    case IPC:
        return pingpong(op->server, op->words, op->rcv_timeout, n);
    case SYSTEM_CLOCK:
        system_clocks(n);
        return 0;
    case CALIBRATION:
        bench_ten_instructions(n);
        return 0;
    }
    return 0;
}

static void load_pattern(void)
{
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, MR_PATTERN(i));
}

static int pattern_intact(L4_Word_t words)
{
    for (L4_Word_t i = 1; i <= words; i++) {
        L4_Word_t w;
        L4_StoreMR((int)i, &w);
        if (w != MR_PATTERN(i))
            return 0;
    }
    return 1;
}

static void measure(const struct op *op)
{
    L4_Word64_t t[BATCHES];
    L4_Word_t err = 0;
    char instructions[32], loads[32];

    load_pattern();
    err |= run(op, WARMUP);
    L4_Word_t cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS), fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    for (unsigned i = 0; i < BATCHES; i++) {
        L4_Word64_t t0 = bench_rdtsc();
        err |= run(op, ROUNDS);
        t[i] = bench_rdtsc() - t0;
    }
    cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS) - cr3;
    fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC) - fast;

    if (err || !pattern_intact(op->kind == IPC ? op->words : 0)) {
        printf("bench: error: %s: %s (ErrorCode %lu)\n", op->name,
               err ? "an IPC failed" : "the echoed message words differ", L4_ErrorCode());
        errors++;
    }
    bench_sort(t, BATCHES);
    L4_Word64_t ops = (L4_Word64_t)BATCHES * ROUNDS;
    snprintf(instructions, sizeof instructions, "instructions/%s", op->unit);
    snprintf(loads, sizeof loads, "loads/%s", op->unit);
    bench_figure(op->name, "", t[BATCHES / 2], ROUNDS, 1, instructions);
    bench_figure(op->name, ".min", t[0], ROUNDS, 1, instructions);
    bench_figure(op->name, ".max", t[BATCHES - 1], ROUNDS, 1, instructions);
    bench_figure(op->name, ".cr3", cr3, ops, 2, loads);
    if (op->kind == IPC)                    /* two IPCs per round trip */
        bench_figure(op->name, ".fastpath", fast * 100, 2 * ops, 1, "%");
}


int main(void)
{
    const L4_Time_t never = L4_Never, slow = L4_TimePeriod(1000000);
    printf("bench: IPC pingpong: %d warm-up, %d batches of %d, median batch; "
           "figures are instructions (rdtsc under -icount shift=0), not cycles\n",
           WARMUP, BATCHES, ROUNDS);
    L4_Set_Priority(L4_Myself(), PARTNER_PRIO);

    const struct op calibration = { "calibration.ten", "iteration", CALIBRATION, L4_nilthread,
                                    0, never };
    const struct op clock = { "syscall.SystemClock", "call", SYSTEM_CLOCK, L4_nilthread, 0, never };
    measure(&calibration);
    measure(&clock);

    L4_ThreadId_t local = partner_local();
    if (L4_IsNilThread(local)) {
        errors++;
    } else {
        const struct op ops[] = {
            { "ipc.intra.0", "roundtrip", IPC, local, 0, never },
            { "ipc.intra.8", "roundtrip", IPC, local, 8, never },
            { "ipc.intra.63", "roundtrip", IPC, local, 63, never },
            { "ipc.intra.0.slow", "roundtrip", IPC, local, 0, slow },
        };
        for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
            measure(&ops[i]);
    }

    L4_ThreadId_t remote = partner_remote();
    if (L4_IsNilThread(remote)) {
        errors++;
    } else if (!partner_first_contact(remote)) {
        errors++;
    } else {
        const struct op ops[] = {
            { "ipc.inter.0", "roundtrip", IPC, remote, 0, never },
            { "ipc.inter.8", "roundtrip", IPC, remote, 8, never },
            { "ipc.inter.63", "roundtrip", IPC, remote, 63, never },
            { "ipc.inter.0.slow", "roundtrip", IPC, remote, 0, slow },
        };
        for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
            measure(&ops[i]);
        partner_describe();
    }

    printf("bench: done, %u error(s)\n", errors);
    fflush(stdout);
    L4_KDB_Shutdown(errors ? 1 : 0);
    for (;;)
        L4_Sleep(L4_Never);
}
