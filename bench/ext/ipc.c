/* ipc.c — IPC round trips with the virtualization extensions off and on, and between limited
 * and unlimited threads of one space (ext.h).
 *
 * A round trip is the client's L4_Call plus the echo server's L4_ReplyWait with the same
 * number of untyped words; the client (thread n + 4) times 100 warm-up round trips, then 5
 * batches of 1,000 with rdtsc, and the median batch is reported.  Servers: one in the root
 * task's space (n + 1), one in a new space (n + 3, paged by partners.c).  Both run ext_serve,
 * which also takes a "set your acceptor" message from the root thread.
 *
 * Operations: ipc.<intra|inter>.<0|8> (the fast path takes them all), and the same with
 * .slow: the client's receive timeout is 1 s instead of never, which the fast path does not
 * take (nor, then, the server's reply).  Configurations, per operation <op>:
 *   <op>.off   nothing switched on (on the noext kernel: nothing there to switch on)
 *   <op>.on    only on a kernel with the extensions: client and both servers with preemption
 *              messages carrying the registers (Schedule bits 24, 25; the root thread is their
 *              scheduler) and extended page faults (bit 26), and control transfer items
 *              accepted (BR0 bit 1) by the client and both servers, which each receive.  Zero
 *              time slices are left off: an echo server on donated time only would be stranded
 *              when a timer tick ends its donation while its client waits for the reply.
 * Thread limits (only where the kernel has them; extensions otherwise off, 0 words):
 *   limit.mixed.0   client unlimited, local server limited to 3 GiB: a CR3 load per switch
 *   limit.same.0    both limited to 3 GiB: they share one limited root, no CR3 load
 * (ipc.intra.0.off and ipc.inter.0.off are the unlimited comparisons.)
 *
 * Lines per operation: <op> (median), .min, .max (instructions/roundtrip), .cr3 (CR3 loads
 * per round trip), .fastpath (% of the IPCs on the fast path).  An IPC error, a corrupted echo
 * or a failed configuration call is a `bench: error` line.
 */
#include <stdio.h>
#include "partners.h"
#include "report.h"
#include "ext.h"

#define LABEL_ACCEPT    0xACC               /* ext_serve: MR1 = the new BR0 */
#define MR_PATTERN(i)   (0x5157000000000000UL | (L4_Word_t)(i))
#define LIMIT_3G        ((0xC0000000UL >> 12) - 1)  /* above code, stacks, UTCBs, KIP */

struct op {
    const char *name;
    L4_ThreadId_t server;
    L4_Word_t words;
    int slow;                               /* a receive timeout: the slow path */
};

/* The client's job: written by the root thread before the job, read back after it. */
static struct {
    const struct op *op;
    L4_Word_t br0;                          /* the client's acceptor */
    L4_Word64_t t[EXT_BATCHES];             /* batch times, instructions */
    L4_Word_t cr3, fast, err, intact;
} job;

static L4_ThreadId_t client, local, remote;

/* The echo server: replies with the untyped words it got (MR1..MRu untouched) and waits for
 * the next message; a LABEL_ACCEPT message sets its BR0 from MR1 first. */
static __attribute__((noreturn)) void ext_serve(void)
{
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        if (L4_Label(tag) == LABEL_ACCEPT) {
            L4_Word_t br0 = 0;
            L4_StoreMR(1, &br0);
            L4_LoadBR(0, br0);
        }
        L4_Set_MsgTag(L4_MsgTagMake(0, L4_UntypedWords(tag), 0));
        tag = L4_ReplyWait(from, &from);
    }
}

/* n round trips with server, `words` untyped words, the client's receive timeout rcv; the OR
 * of the replies' E bits. */
static __attribute__((noinline)) L4_Word_t roundtrips(L4_ThreadId_t server, L4_Word_t words,
                                                      L4_Time_t rcv, unsigned n)
{
    L4_MsgTag_t tag = L4_MsgTagMake(0, words, 0);
    L4_Word_t acc = 0;
    for (unsigned i = 0; i < n; i++) {
        L4_Set_MsgTag(tag);
        acc |= L4_Call_Timeouts(server, L4_Never, rcv).raw;
    }
    return acc & L4_MSGTAG_ERROR;
}

/* Runs on the client thread (ext_run_client_job). */
static void client_measure(void)
{
    const struct op *op = job.op;
    L4_LoadBR(0, job.br0);
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, MR_PATTERN(i));
    L4_Time_t rcv = op->slow ? L4_TimePeriod(1000000) : L4_Never;
    L4_Word_t err = roundtrips(op->server, op->words, rcv, EXT_WARMUP);
    L4_Word_t cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS), fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    for (unsigned i = 0; i < EXT_BATCHES; i++) {
        L4_Word64_t t0 = bench_rdtsc();
        err |= roundtrips(op->server, op->words, rcv, EXT_ROUNDS);
        job.t[i] = bench_rdtsc() - t0;
    }
    job.cr3 = L4_KDB_Stat(KDB_STAT_CR3_LOADS) - cr3;
    job.fast = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC) - fast;
    job.err = err ? L4_ErrorCode() | 0x100 : 0;
    job.intact = 1;
    for (L4_Word_t i = 1; i <= op->words; i++) {
        L4_Word_t w;
        L4_StoreMR((int)i, &w);
        if (w != MR_PATTERN(i))
            job.intact = 0;
    }
}

static void measure(const struct op *op, const char *mode)
{
    char name[48];
    snprintf(name, sizeof name, "%s%s", op->name, mode);
    job.op = op;
    if (!ext_run_client_job(client, client_measure))
        return;
    if (job.err || !job.intact) {
        printf("bench: error: %s: %s (ErrorCode %lu)\n", name,
               job.err ? "an IPC failed" : "the echoed message words differ", job.err & 0xFF);
        ext_errors++;
        return;
    }
    L4_Word64_t ops = (L4_Word64_t)EXT_BATCHES * EXT_ROUNDS;
    bench_sort(job.t, EXT_BATCHES);
    bench_figure(name, "", job.t[EXT_BATCHES / 2], EXT_ROUNDS, 1, "instructions/roundtrip");
    bench_figure(name, ".min", job.t[0], EXT_ROUNDS, 1, "instructions/roundtrip");
    bench_figure(name, ".max", job.t[EXT_BATCHES - 1], EXT_ROUNDS, 1, "instructions/roundtrip");
    bench_figure(name, ".cr3", job.cr3, ops, 2, "loads/roundtrip");
    bench_figure(name, ".fastpath", job.fast * 100, 2 * ops, 1, "%");
}

/* Set a server's BR0 (LABEL_ACCEPT message); 1 or 0 after an error line. */
static int server_accept(L4_ThreadId_t server, L4_Word_t br0, const char *who)
{
    L4_Set_MsgTag(L4_MsgTagMake(LABEL_ACCEPT, 1, 0));
    L4_LoadMR(1, br0);
    L4_MsgTag_t tag = L4_Call_Timeouts(server, L4_TimePeriod(2000000), L4_TimePeriod(2000000));
    if (L4_IpcSucceeded(tag))
        return 1;
    printf("bench: error: %s does not answer (ErrorCode %lu)\n", who, L4_ErrorCode());
    if (server.raw == remote.raw)
        partner_describe();
    ext_errors++;
    return 0;
}

/* Switch the extensions on (1) or off (0) for the client and both servers; 1 if all went. */
static int configure(int on)
{
    L4_Word_t pc = on ? EXT_PC_PREEMPT_MSG | EXT_PC_PREEMPT_REGS | EXT_PC_EXT_PAGEFAULT : 0;
    L4_Word_t br0 = on && ext_has.ctrlxfer ? EXT_BR0_CTRLXFER : 0;
    int ok = ext_schedule_bits(client, pc, "the client") &
             ext_schedule_bits(local, pc, "the local server") &
             ext_schedule_bits(remote, pc, "the remote server");
    if (ext_has.ctrlxfer)
        ok &= server_accept(local, br0, "the local server") &
              server_accept(remote, br0, "the remote server");
    job.br0 = br0;
    return ok;
}

static int set_limit(L4_ThreadId_t t, L4_Word_t limit, const char *who)
{
    if (L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1, limit))
        return 1;
    printf("bench: error: ThreadControl (limit %lx) of %s failed: ErrorCode %lu\n", limit, who,
           L4_ErrorCode());
    ext_errors++;
    return 0;
}

static void limits(void)
{
    const struct op m = { "limit.mixed.0", local, 0, 0 }, s = { "limit.same.0", local, 0, 0 };
    if (set_limit(local, LIMIT_3G, "the local server")) {
        measure(&m, "");
        if (set_limit(client, LIMIT_3G, "the client")) {
            measure(&s, "");
            set_limit(client, L4_THREAD_LIMIT_NONE, "the client");
        }
        set_limit(local, L4_THREAD_LIMIT_NONE, "the local server");
    }
}

void ext_ipc(void)
{
    local = partner_thread(1, ext_serve);
    remote = partner_remote_run(ext_serve);
    client = partner_thread(4, ext_client_main);
    if (L4_IsNilThread(local) || L4_IsNilThread(remote) || L4_IsNilThread(client)) {
        ext_errors++;
        return;
    }
    /* First contact: the remote server may still be faulting itself in. */
    if (!server_accept(remote, 0, "the server in the new space") ||
        !server_accept(local, 0, "the local server"))
        return;
    const struct op ops[] = {
        { "ipc.intra.0", local, 0, 0 },
        { "ipc.intra.8", local, 8, 0 },
        { "ipc.inter.0", remote, 0, 0 },
        { "ipc.inter.8", remote, 8, 0 },
        { "ipc.intra.0.slow", local, 0, 1 },
        { "ipc.intra.8.slow", local, 8, 1 },
        { "ipc.inter.0.slow", remote, 0, 1 },
        { "ipc.inter.8.slow", remote, 8, 1 },
    };
    const unsigned n = sizeof ops / sizeof ops[0];
    for (unsigned i = 0; i < n; i++)
        measure(&ops[i], ".off");
    if (ext_has.threadlimits)
        limits();
    if (ext_has.ctrlxfer || ext_has.preemptmsg || ext_has.extpagefault) {
        if (configure(1))
            for (unsigned i = 0; i < n; i++)
                measure(&ops[i], ".on");
        configure(0);
    }
    partner_describe();
}
