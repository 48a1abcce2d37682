/* test_fuzz.c — the fuzzer: random and mutated system calls from many threads at once, in
 * batches, from a seed; the kernel must return errors, never panic, hang or leak memory.
 *
 * A batch: two new spaces with four unprivileged workers and a scribbler each (fuzz_ops.c),
 * and a privileged worker in the root task (fuzz_priv.c), spread over the CPUs.  Worker k of
 * batch b runs operations b * per .. (b + 1) * per - 1 of its stream (fuzz.h: operation i of
 * stream k depends only on the seed, k and i).  Meanwhile the root thread is the watchdog and
 * the chaos: every few milliseconds it checks each worker's progress, now and then deletes a
 * worker in the middle of whatever it does and starts it again at the same operation, or moves
 * it to another CPU.  A worker that makes no progress for FUZZ_STALL_US is stalled: the hostile
 * operations make that happen by design (a worker halted by a sibling's ExchangeRegisters, a
 * fault nobody resolves, a far jump to compat mode); the watchdog reads its state (Schedule,
 * and ExchangeRegisters through the scribbler of its space), counts it under its operation's
 * kind and restarts it at the next operation.  A hang — no worker progressing for FUZZ_HANG_US,
 * a batch over FUZZ_BATCH_US, a worker that cannot be deleted or started — prints every
 * worker's state and the seed and fails the run.  After each batch every thread is deleted and
 * the free kernel memory and the mapping-node count must be back at their start values (and
 * root task's kernel-memory account: fuzz_check_accounts).
 *
 * The test runs late (TTEST_LATE): a kernel bug it finds may bring the system down, and the
 * root task's pages and UTCB pages it leaves allocated (the scratch area's page tables, a UTCB
 * page per slot) would change the kernel-memory picture of the tests that exhaust the pool.
 *
 * Parameters (run_tests.py --param; `make fuzz` FUZZ_SEED=... FUZZ_OPS=...): fuzz_seed (default
 * from the clock, printed), fuzz_ops (operations in all, default FUZZ_DEFAULT_OPS),
 * fuzz_batch (operations per batch), fuzz_first (the first batch: replays from there),
 * fuzz_faults (1: also the families that fault on purpose; `make fuzz` sets it),
 * fuzz_verbose (print every stall), fuzz_mask (bit k: stream k runs) and fuzz_focus (one
 * family of operations only, fuzz.h) to narrow a failure down.
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "fuzz.h"
#include "tutil.h"

#define FUZZ_SPACES         2
#define FUZZ_PER_SPACE      4
#define FUZZ_WORKERS        (FUZZ_SPACES * FUZZ_PER_SPACE)      /* unprivileged */
#define FUZZ_STREAMS        (FUZZ_WORKERS + 1)                  /* and the privileged one */
#define FUZZ_PRIV_STREAM    FUZZ_WORKERS
#define FUZZ_DEFAULT_OPS    10000UL
#define FUZZ_DEFAULT_BATCH  90000UL
#define FUZZ_TICK_US        5000UL
#define FUZZ_STALL_US       100000UL
#define FUZZ_HALT_US        10000UL                     /* after a fault made on purpose */
#define FUZZ_HANG_US        5000000UL
#define FUZZ_BATCH_US       300000000UL
#define FUZZ_PRIO           90

struct fuzz_run {
    L4_Word_t seed, ops, batch, first, verbose, mask;
    L4_Word_t per;                          /* operations per stream and batch */
    L4_Word_t stalls, deletes, migrations, total;
    L4_Word_t stalls_by_kind[FUZZ_K_COUNT];
    L4_Word_t chaos;                        /* the watchdog's own random state */
    L4_Word_t kmem, nodes;                  /* start values */
    L4_Word_t charge, bytes;                /* the root task's account at the start */
};

static struct fuzz_worker fw[FUZZ_STREAMS];
static struct fuzz_scribbler fsc[FUZZ_SPACES];
static L4_ThreadId_t fsc_tid[FUZZ_SPACES];

static const char *state_name(L4_Word_t st)
{
    static const char *const n[] = { "error", "dead", "inactive", "running", "pending-send",
                                     "sending", "waiting", "receiving" };
    return st < 8 ? n[st] : "?";
}

/* The kernel-memory account of the root task (every space the fuzzer creates is charged to
 * it, the default account): the bytes charged to it and the bytes its own space holds must be
 * back at their start values once the batch's spaces are gone; 1 if they are. */
static int fuzz_check_accounts(const struct fuzz_run *r)
{
    return L4_KDB_SpaceCharge(L4_Myself()) == r->charge &&
           L4_KDB_SpaceBytes(L4_Myself()) == r->bytes;
}

/* Print what the watchdog knows of stream k: its operation, Schedule state, registers. */
static void report_worker(unsigned k)
{
    struct fuzz_worker *w = &fw[k];
    L4_Word_t st = L4_IsNilThread(w->tid) ? 0 : tu_state(w->tid);
    printf("# fuzz:   stream %u thread %lx: op %lu (%s %lx %lx %lx), %lu done, next %lu of "
           "%lu, state %s\n", k, w->tid.raw, w->op, fuzz_kind_name[w->kind % FUZZ_K_COUNT],
           w->arg[0], w->arg[1], w->arg[2], w->done, w->next, w->end, state_name(st));
    if (k >= FUZZ_WORKERS || L4_IsNilThread(w->tid))
        return;
    struct fuzz_scribbler *sc = &fsc[k / FUZZ_PER_SPACE];
    sc->want = w->tid.raw;
    if (!TU_WAIT_US_FOR(sc->want == 0, 200000)) {
        sc->want = 0;
        printf("# fuzz:   (its space's inspector does not answer)\n");
        return;
    }
    printf("# fuzz:   registers: ok %lu control %lx ip %lx sp %lx flags %lx pager %lx\n",
           sc->got_ok, sc->got_control, sc->got_ip, sc->got_sp, sc->got_flags, sc->got_pager);
}

static void report_all(struct fuzz_run *r, L4_Word_t b, const char *why)
{
    printf("# fuzz: FAILED: %s in batch %lu; seed 0x%lx (replay: make fuzz FUZZ_SEED=0x%lx "
           "FUZZ_FIRST=%lu)\n", why, b, r->seed, r->seed, b);
    for (unsigned k = 0; k < FUZZ_STREAMS; k++)
        report_worker(k);
    printf("# fuzz: last user fault: thread %lx address %lx ip %lx; kmem free %lu, nodes %lu\n",
           L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), L4_KDB_Stat(KDB_STAT_LAST_FAULT_ADDR),
           L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), tu_kmem(), L4_KDB_Stat(KDB_STAT_MDB_NODES));
}

/* Start stream k's thread (its space: the scribbler's; the privileged one in the root task). */
static int start_stream(unsigned k)
{
    struct fuzz_worker *w = &fw[k];
    L4_ThreadId_t t;
    w->utcb = 0;
    if (k == FUZZ_PRIV_STREAM)
        t = tu_create(fuzz_priv_loop, w, FUZZ_PRIO);
    else
        t = tu_space_join(fsc_tid[k / FUZZ_PER_SPACE], fuzz_worker_loop, w, FUZZ_PRIO);
    w->tid = t;
    if (k < FUZZ_WORKERS)
        fuzz_ids[k] = t;
    if (L4_IsNilThread(t))
        return 0;
    if (tu_ncpus() > 1)
        L4_Set_ProcessorNo(t, k % tu_ncpus());
    return 1;
}

/* Delete stream k's thread; it goes on at operation `next` when started again. */
static int stop_stream(unsigned k)
{
    struct fuzz_worker *w = &fw[k];
    if (k < FUZZ_WORKERS)
        fuzz_ids[k] = L4_nilthread;
    w->utcb = 0;                            /* the scribbler leaves it alone now */
    int ok = tu_delete(w->tid);
    w->tid = L4_nilthread;
    return ok;
}

static int setup_batch(struct fuzz_run *r, L4_Word_t b)
{
    fuzz_stop = 0;
    for (unsigned k = 0; k < FUZZ_STREAMS; k++) {
        struct fuzz_worker *w = &fw[k];
        w->seed = r->seed;
        w->id = k;
        w->next = (r->mask >> k) & 1 ? b * r->per : (b + 1) * r->per;
        w->end = (b + 1) * r->per;
        w->done = 0;
        w->op = w->next;
        w->kind = 0;
        w->tid = L4_nilthread;
        w->self = L4_nilthread;
        w->peer = &fw[k / FUZZ_PER_SPACE * FUZZ_PER_SPACE + (k + 1) % FUZZ_PER_SPACE];
    }
    for (unsigned s = 0; s < FUZZ_SPACES; s++) {
        struct fuzz_scribbler *sc = &fsc[s];
        *sc = (struct fuzz_scribbler){ .seed = fuzz_op_seed(r->seed, 1000 + s, b) };
        for (unsigned i = 0; i < FUZZ_PER_SPACE; i++)
            sc->w[i] = &fw[s * FUZZ_PER_SPACE + i];
        fsc_tid[s] = tu_space_thread(fuzz_scribble_loop, sc, FUZZ_PRIO);
        if (L4_IsNilThread(fsc_tid[s]))
            return 0;
        if (tu_ncpus() > 1)
            L4_Set_ProcessorNo(fsc_tid[s], (FUZZ_WORKERS + s) % tu_ncpus());
    }
    for (unsigned k = 0; k < FUZZ_STREAMS; k++)
        if (!start_stream(k))
            return 0;
    return 1;
}

static int teardown_batch(void)
{
    int ok = 1;
    fuzz_stop = 1;
    for (unsigned k = 0; k < FUZZ_STREAMS; k++)
        ok &= stop_stream(k);
    for (unsigned s = 0; s < FUZZ_SPACES; s++) {
        ok &= (int)tu_delete(fsc_tid[s]);
        fsc_tid[s] = L4_nilthread;
    }
    fuzz_priv_cleanup();
    return ok;
}

/* A stalled stream: report (counted by kind), restart at its next operation. */
static int stall(struct fuzz_run *r, unsigned k)
{
    struct fuzz_worker *w = &fw[k];
    r->stalls++;
    r->stalls_by_kind[w->kind % FUZZ_K_COUNT]++;
    if (r->verbose || r->stalls <= 3) {
        printf("# fuzz: stall %lu:\n", r->stalls);
        report_worker(k);
    }
    L4_Word_t op = w->op;
    if (!stop_stream(k))
        return 0;
    w->next = op + 1;
    return start_stream(k);
}

/* The watchdog's chaos: delete a worker mid-operation (it restarts at the same one), or move
 * one to another CPU. */
static int chaos(struct fuzz_run *r)
{
    L4_Word_t x = fuzz_rnd(&r->chaos);
    if (x % 16)
        return 1;
    unsigned k = (unsigned)((x >> 8) % FUZZ_STREAMS);
    if (fw[k].next >= fw[k].end)
        return 1;
    if ((x >> 16) % 3 == 0) {
        r->deletes++;
        return stop_stream(k) && start_stream(k);
    }
    if (tu_ncpus() > 1) {
        r->migrations++;
        L4_Set_ProcessorNo(fw[k].tid, (x >> 24) % tu_ncpus());
    }
    return 1;
}

/* Run batch b; 1 if it completed and the kernel is as before. */
static int run_batch(struct fuzz_run *r, L4_Word_t b)
{
    L4_Word_t last_done[FUZZ_STREAMS] = { 0 }, last_t[FUZZ_STREAMS], now = L4_SystemClock().raw;
    L4_Word_t last_tick[FUZZ_STREAMS] = { 0 }, tick = 0;
    L4_Word_t start = now, progress_tick = 0, sum_before = 0;
    r->chaos = fuzz_op_seed(r->seed, 2000, b);
    if (!setup_batch(r, b)) {
        report_all(r, b, "a thread could not be created");
        return 0;
    }
    for (unsigned k = 0; k < FUZZ_STREAMS; k++)
        last_t[k] = now;
    for (;;) {
        L4_Sleep(L4_TimePeriod(FUZZ_TICK_US));
        now = L4_SystemClock().raw;
        tick++;
        int all_done = 1;
        L4_Word_t sum = 0;
        for (unsigned k = 0; k < FUZZ_STREAMS; k++) {
            struct fuzz_worker *w = &fw[k];
            sum += w->next;
            if (w->next >= w->end)
                continue;
            all_done = 0;
            /* Time and ticks: a VM the host does not run for a while sees its clock jump,
             * but its watchdog's ticks do not. */
            L4_Word_t limit = fuzz_kind_halts(w->kind) ? FUZZ_HALT_US : FUZZ_STALL_US;
            if (w->done != last_done[k]) {
                last_done[k] = w->done;
                last_t[k] = now;
                last_tick[k] = tick;
            } else if (now - last_t[k] > limit && tick - last_tick[k] >= limit / FUZZ_TICK_US) {
                if (!stall(r, k)) {
                    report_all(r, b, "a stalled worker could not be restarted");
                    return 0;
                }
                last_t[k] = L4_SystemClock().raw;
                last_tick[k] = tick;
            }
        }
        if (all_done)
            break;
        if (sum != sum_before)
            sum_before = sum, progress_tick = tick;
        if (tick - progress_tick > FUZZ_HANG_US / FUZZ_TICK_US) {
            report_all(r, b, "no worker made progress for 5 s (1000 watchdog ticks)");
            return 0;
        }
        if (now - start > FUZZ_BATCH_US) {
            report_all(r, b, "the batch took too long");
            return 0;
        }
        if (!chaos(r)) {
            report_all(r, b, "a worker could not be deleted and restarted");
            return 0;
        }
    }
    r->total += FUZZ_STREAMS * r->per;
    if (!teardown_batch()) {
        report_all(r, b, "a thread could not be deleted");
        return 0;
    }
    if (!TU_WAIT(tu_kmem() == r->kmem && L4_KDB_Stat(KDB_STAT_MDB_NODES) == r->nodes) ||
        !TU_WAIT(fuzz_check_accounts(r))) {
        report_all(r, b, "kernel memory or mapping nodes not back");
        printf("# fuzz: kmem %lu -> %lu, nodes %lu -> %lu, root charge %lu -> %lu, "
               "bytes %lu -> %lu\n", r->kmem, tu_kmem(), r->nodes,
               L4_KDB_Stat(KDB_STAT_MDB_NODES), r->charge, L4_KDB_SpaceCharge(L4_Myself()),
               r->bytes, L4_KDB_SpaceBytes(L4_Myself()));
        return 0;
    }
    return 1;
}

static void print_summary(struct fuzz_run *r, L4_Word_t b, L4_Word_t us)
{
    printf("# fuzz: %lu operations in %lu batches, %lu ms (%lu/s); %lu stalls restarted, "
           "%lu deletes and %lu migrations mid-operation; seed 0x%lx\n", r->total, b - r->first,
           us / 1000, us ? r->total * 1000000 / us : 0, r->stalls, r->deletes, r->migrations,
           r->seed);
    printf("# fuzz: stalls by kind:");
    for (unsigned k = 0; k < FUZZ_K_COUNT; k++)
        if (r->stalls_by_kind[k])
            printf(" %s %lu", fuzz_kind_name[k], r->stalls_by_kind[k]);
    printf("\n");
}

TTEST_LATE(fuzz, random_system_calls_never_hurt_the_kernel)
{
    static struct fuzz_run r;
    r = (struct fuzz_run){ 0 };
    r.seed = ktest_param_ul("fuzz_seed", 0);
    if (!r.seed)
        r.seed = fuzz_op_seed(L4_SystemClock().raw, 0, 0);
    r.ops = ktest_param_ul("fuzz_ops", FUZZ_DEFAULT_OPS);
    r.batch = ktest_param_ul("fuzz_batch", FUZZ_DEFAULT_BATCH);
    r.first = ktest_param_ul("fuzz_first", 0);
    r.verbose = ktest_param_ul("fuzz_verbose", 0);
    r.mask = ktest_param_ul("fuzz_mask", ~0UL);
    fuzz_focus = ktest_param_ul("fuzz_focus", 0);
    fuzz_faults = ktest_param_ul("fuzz_faults", 0);
    if (r.batch > r.ops)
        r.batch = r.ops;
    r.per = (r.batch + FUZZ_STREAMS - 1) / FUZZ_STREAMS;
    L4_Word_t batches = (r.ops + r.per * FUZZ_STREAMS - 1) / (r.per * FUZZ_STREAMS);
    printf("# fuzz: seed 0x%lx: %lu operations, %lu batches of %lu from batch %lu, %lu CPUs%s\n",
           r.seed, r.ops, batches, r.per * FUZZ_STREAMS, r.first, tu_ncpus(),
           fuzz_faults ? ", faults on purpose" : "");
    for (L4_Word_t i = 0; i < FUZZ_SCRATCH_SIZE; i += 4096)
        fuzz_scratch[i] = 1;                /* the root task's pages exist to be mapped */
    KCHECK(!L4_IsNilThread(tu_pager()));    /* made before we count */
    tu_touch_stacks();
    tu_warm_utcbs();                        /* the privileged worker may get any slot */
    r.kmem = tu_kmem();
    r.nodes = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    r.charge = L4_KDB_SpaceCharge(L4_Myself());
    r.bytes = L4_KDB_SpaceBytes(L4_Myself());
    KCHECK(r.charge != ~0UL && r.bytes != ~0UL);
    L4_Word_t t0 = L4_SystemClock().raw, b;
    for (b = r.first; b < r.first + batches; b++) {
        int ok = run_batch(&r, b);
        if (!ok)
            teardown_batch();
        KCHECK(ok);
        printf("# fuzz: batch %lu done: %lu operations, %lu stalls, %lu ms\n", b, r.total,
               r.stalls, (L4_Word_t)(L4_SystemClock().raw - t0) / 1000);
    }
    print_summary(&r, b, L4_SystemClock().raw - t0);
    KCHECK(r.total >= r.ops);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_MDB_NODES), r.nodes);
    KCHECK_EQ(tu_kmem(), r.kmem);
    KCHECK(fuzz_check_accounts(&r));
    /* And the kernel still works. */
    L4_ThreadId_t echo = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(echo));
}
