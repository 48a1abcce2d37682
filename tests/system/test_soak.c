/* test_soak.c — the SMP soak: sequenced traffic on every CPU for a while; nothing may be lost,
 * duplicated or reordered, nothing may stop, and the kernel must be as before afterwards.
 *
 * For soak_seconds (a test parameter: `make soak` runs 600 s at -smp 4; `make test` the
 * default SOAK_DEFAULT_S) these run at once:
 *  - ping-pong: one pair per CPU, a client in the root task's space on CPU k calling a server
 *    in a new space on CPU k + 1 with MR1 = its next sequence number; the server checks it is
 *    one more than the last it saw (lost, duplicated or reordered otherwise) and answers it
 *    back, the client checks the answer;
 *  - a map/grant storm: a root-task thread writes sequence number s into one of its pages and
 *    maps the page to thread A (a new space), which reads s through its window and grants the
 *    page on to thread B (another space), which reads s through its own window; the mapper
 *    then unmaps the page (revoking B's mapping too) and goes on with s + 1;
 *  - thread churn: a root-task thread creates and deletes spaces with one or two threads,
 *    moving them between CPUs;
 *  - migrations: the root thread moves the ping-pong threads to random CPUs.
 * The root thread checks every SOAK_TICK_US that each of them makes progress; one that makes
 * none for SOAK_STUCK_US fails the test with its state.  Counts are printed at the end (and
 * every 10 s of a long run): `# soak: ...` lines.  Runs late, like the fuzzer (test_fuzz.c).
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "hard.h"

#define SOAK_DEFAULT_S      3
#define SOAK_MAX_PAIRS      4
#define SOAK_TICK_US        20000UL
#define SOAK_STUCK_US       5000000UL
#define SOAK_PRIO           100
#define SOAK_STORM_PRIO     110                 /* A and B answer at once */
#define SOAK_WIN_A          0x50000000UL        /* A's and B's receive windows */
#define SOAK_WIN_B          0x60000000UL
#define SOAK_CHURN_BASE     950                 /* thread numbers the churn thread uses */
#define SOAK_CHURN_COUNT    8

struct soak_pair {
    volatile L4_Word_t calls;                   /* answered calls (client side) */
    volatile L4_Word_t seen;                    /* last sequence number the server saw */
    volatile L4_Word_t lost, dup, bad_reply, ipc_errors;
    volatile L4_ThreadId_t server;
};

struct soak_storm {
    volatile L4_Word_t rounds;                  /* complete map-grant-unmap rounds */
    volatile L4_Word_t a_seen, b_seen;          /* what A and B read in their windows */
    volatile L4_Word_t mismatches, ipc_errors;
    volatile L4_ThreadId_t a, b;
};

static struct soak_pair pairs[SOAK_MAX_PAIRS];
static struct soak_storm storm;
static volatile L4_Word_t churn_rounds, churn_errors, migrations;
static unsigned char storm_pages[4][4096] __attribute__((aligned(4096)));

static void pong_server(void *arg)
{
    struct soak_pair *p = arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        L4_Word_t seq;
        L4_StoreMR(1, &seq);
        if (seq == p->seen + 1)
            ;
        else if (seq <= p->seen)
            p->dup++;
        else
            p->lost++;
        p->seen = seq;
        L4_LoadMR(1, seq);
        L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
        tag = L4_ReplyWait(from, &from);
    }
}

static void ping_client(void *arg)
{
    struct soak_pair *p = arg;
    for (L4_Word_t seq = 1;; ) {
        L4_LoadMR(1, seq);
        L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
        L4_MsgTag_t tag = L4_Call(p->server);
        if (L4_IpcFailed(tag)) {
            p->ipc_errors++;                    /* not sent (or no answer): try it again */
            continue;
        }
        L4_Word_t back;
        L4_StoreMR(1, &back);
        if (back != seq)
            p->bad_reply++;
        p->calls++;
        seq++;
    }
}

/* B: receive a granted page in its window, read the sequence number there, answer it. */
static void storm_b(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_Accept(L4_MapGrantItems(L4_FpageLog2(SOAK_WIN_B, 12)));
        L4_MsgTag_t tag = L4_Wait(&from);
        L4_Word_t v = ~0UL;
        if (L4_IpcSucceeded(tag) && L4_TypedWords(tag) == 2)
            v = *(volatile L4_Word_t *)SOAK_WIN_B;
        storm.b_seen = v;
        L4_LoadMR(1, v);
        L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
        L4_Send(from);
    }
}

/* A: receive the mapper's page, read it, grant it to B, answer the mapper. */
static void storm_a(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_Accept(L4_MapGrantItems(L4_FpageLog2(SOAK_WIN_A, 12)));
        L4_MsgTag_t tag = L4_Wait(&from);
        L4_Word_t v = ~0UL, vb = ~0UL;
        if (L4_IpcSucceeded(tag) && L4_TypedWords(tag) == 2) {
            v = *(volatile L4_Word_t *)SOAK_WIN_A;
            storm.a_seen = v;
            L4_GrantItem_t g = L4_GrantItem(L4_FpageAddRights(L4_FpageLog2(SOAK_WIN_A, 12),
                                                               L4_Readable), 0);
            L4_LoadMR(1, g.raw[0]);
            L4_LoadMR(2, g.raw[1]);
            L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
            L4_Accept(L4_UntypedWordsAcceptor);
            if (L4_IpcSucceeded(L4_Call(storm.b)))
                L4_StoreMR(1, &vb);
        }
        L4_LoadMR(1, v);
        L4_LoadMR(2, vb);
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_Send(from);
    }
}

static void storm_mapper(void *arg)
{
    (void)arg;
    for (L4_Word_t seq = 1;; seq++) {
        unsigned char *page = storm_pages[seq % 4];
        *(volatile L4_Word_t *)page = seq;
        L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2((L4_Word_t)page, 12), L4_ReadWriteOnly);
        L4_MapItem_t m = L4_MapItem(f, 0);
        L4_LoadMR(1, m.raw[0]);
        L4_LoadMR(2, m.raw[1]);
        L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
        L4_MsgTag_t tag = L4_Call(storm.a);
        L4_Word_t va = 0, vb = 0;
        L4_StoreMR(1, &va);
        L4_StoreMR(2, &vb);
        if (L4_IpcFailed(tag))
            storm.ipc_errors++;
        else if (va != seq || vb != seq)
            storm.mismatches++;
        L4_UnmapFpage(f);                       /* revokes A's (granted: B's) mapping */
        storm.rounds++;
    }
}

/* Create and delete small spaces on thread numbers SOAK_CHURN_BASE.., moving them around. */
static void churn(void *arg)
{
    (void)arg;
    L4_Word_t ncpu = tu_ncpus();
    for (L4_Word_t k = 0;; k++) {
        L4_ThreadId_t t = L4_GlobalId(SOAK_CHURN_BASE + k % SOAK_CHURN_COUNT, 1 + k % 60);
        L4_ThreadId_t t2 = L4_GlobalId(SOAK_CHURN_BASE + (k + 1) % SOAK_CHURN_COUNT, 1);
        L4_Word_t old, ok = L4_ThreadControl(t, t, L4_Myself(), L4_nilthread, (void *)-1);
        ok = ok && L4_SpaceControl(t, 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                                   L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2),
                                   L4_nilthread, &old);
        if (ok && k % 2)
            ok = L4_ThreadControl(t2, t, L4_Myself(), L4_nilthread,
                                  (void *)(TU_SPACE_UTCB + 1024)) &&
                 L4_Set_ProcessorNo(t2, k % ncpu) != L4_SCHEDRESULT_ERROR;
        ok = ok && L4_Set_ProcessorNo(t, (k + 1) % ncpu) != L4_SCHEDRESULT_ERROR;
        if (k % 2)
            ok &= L4_ThreadControl(t2, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        ok &= L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        if (!ok)
            churn_errors++;
        churn_rounds++;
    }
}

static L4_Word_t progress(unsigned i, unsigned npairs)
{
    if (i < npairs)
        return pairs[i].calls;
    return i == npairs ? storm.rounds : churn_rounds;
}

static void print_counts(unsigned npairs, L4_Word_t ms)
{
    L4_Word_t calls = 0, lost = 0, dup = 0, bad = 0, err = 0;
    for (unsigned i = 0; i < npairs; i++) {
        calls += pairs[i].calls, lost += pairs[i].lost, dup += pairs[i].dup;
        bad += pairs[i].bad_reply, err += pairs[i].ipc_errors;
    }
    printf("# soak: %lu s: %lu calls on %u pairs (lost %lu, duplicated %lu, bad replies %lu, "
           "failed IPCs %lu); %lu map-grant-unmap rounds (mismatches %lu, failed IPCs %lu); "
           "%lu spaces created and deleted (errors %lu); %lu migrations\n", ms / 1000, calls,
           npairs, lost, dup, bad, err, storm.rounds, storm.mismatches, storm.ipc_errors,
           churn_rounds, churn_errors, migrations);
}

TTEST_LATE(soak, sequenced_traffic_on_every_cpu)
{
    L4_Word_t secs = ktest_param_ul("soak_seconds", SOAK_DEFAULT_S), ncpu = tu_ncpus();
    unsigned npairs = ncpu < SOAK_MAX_PAIRS ? (unsigned)ncpu : SOAK_MAX_PAIRS;
    tu_touch_stacks();
    tu_warm_utcbs();
    for (unsigned i = 0; i < 4; i++)
        storm_pages[i][0] = 1;
    L4_Word_t kmem = tu_kmem(), nodes = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(!L4_IsNilThread(tu_pager()));        /* counted: tu_end deletes it */
    for (unsigned i = 0; i < SOAK_MAX_PAIRS; i++)
        pairs[i] = (struct soak_pair){ 0 };
    storm = (struct soak_storm){ 0 };
    churn_rounds = churn_errors = migrations = 0;

    L4_ThreadId_t cl[SOAK_MAX_PAIRS], sv[SOAK_MAX_PAIRS];
    for (unsigned i = 0; i < npairs; i++) {
        sv[i] = i == 0 ? tu_space_thread(pong_server, &pairs[i], SOAK_PRIO)
                       : tu_space_join(sv[0], pong_server, &pairs[i], SOAK_PRIO);
        KCHECK(!L4_IsNilThread(sv[i]));
        L4_Set_ProcessorNo(sv[i], (i + 1) % ncpu);
        pairs[i].server = sv[i];
        cl[i] = tu_create_on(ping_client, &pairs[i], SOAK_PRIO, i % ncpu);
        KCHECK(!L4_IsNilThread(cl[i]));
    }
    storm.b = tu_space_thread(storm_b, 0, SOAK_STORM_PRIO);
    storm.a = tu_space_thread(storm_a, 0, SOAK_STORM_PRIO);
    KCHECK(!L4_IsNilThread(storm.a) && !L4_IsNilThread(storm.b));
    L4_Set_ProcessorNo(storm.a, 1 % ncpu);
    L4_Set_ProcessorNo(storm.b, 2 % ncpu);
    KCHECK(!L4_IsNilThread(tu_create_on(storm_mapper, 0, SOAK_PRIO, 3 % ncpu)));
    KCHECK(!L4_IsNilThread(tu_create_on(churn, 0, SOAK_PRIO, 0)));

    unsigned parts = npairs + 2;
    L4_Word_t last[SOAK_MAX_PAIRS + 2] = { 0 }, last_t[SOAK_MAX_PAIRS + 2];
    L4_Word_t t0 = L4_SystemClock().raw, now = t0, report = t0, rng = 0x5EED5EED ^ t0;
    for (unsigned i = 0; i < parts; i++)
        last_t[i] = t0;
    while (now - t0 < secs * 1000000UL) {
        L4_Sleep(L4_TimePeriod(SOAK_TICK_US));
        now = L4_SystemClock().raw;
        for (unsigned i = 0; i < parts; i++) {
            L4_Word_t v = progress(i, npairs);
            if (v != last[i])
                last[i] = v, last_t[i] = now;
            if (now - last_t[i] > SOAK_STUCK_US) {
                printf("# soak: part %u (%s) made no progress for 5 s at %lu; states: "
                       "client %s server %s, A %lu B %lu\n", i,
                       i < npairs ? "ping-pong" : i == npairs ? "map storm" : "churn", v,
                       i < npairs ? (tu_state(cl[i]) == L4_SCHEDRESULT_RUNNING ? "running" : "blocked") : "-",
                       i < npairs ? (tu_state(sv[i]) == L4_SCHEDRESULT_RUNNING ? "running" : "blocked") : "-",
                       tu_state(storm.a), tu_state(storm.b));
                print_counts(npairs, (now - t0) / 1000);
                KCHECK(0);
            }
        }
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        if (ncpu > 1 && rng % 4 == 0) {
            unsigned k = (unsigned)((rng >> 8) % npairs);
            L4_Set_ProcessorNo((rng >> 16) % 2 ? cl[k] : sv[k], (rng >> 24) % ncpu);
            migrations++;
        }
        if (secs > 30 && now - report >= 10000000UL) {
            print_counts(npairs, (now - t0) / 1000);
            report = now;
        }
    }
    print_counts(npairs, (now - t0) / 1000);
    L4_Word_t bad = storm.mismatches + churn_errors;
    for (unsigned i = 0; i < npairs; i++) {
        bad += pairs[i].lost + pairs[i].dup + pairs[i].bad_reply;
        KCHECK(pairs[i].calls > 0);
    }
    KCHECK_EQ(bad, 0);
    KCHECK(storm.rounds > 0 && churn_rounds > 0);
    tu_end();                                   /* everything goes; the kernel is as before */
    for (L4_Word_t n = SOAK_CHURN_BASE; n < SOAK_CHURN_BASE + SOAK_CHURN_COUNT; n++)
        for (L4_Word_t v = 1; v < 64; v++)
            L4_ThreadControl(L4_GlobalId(n, v), L4_nilthread, L4_nilthread, L4_nilthread,
                             (void *)-1);
    hard_check_counts(kmem, nodes);
}
