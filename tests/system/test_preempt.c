/* test_preempt.c — preemption points in long kernel operations (preempt.*,
 * docs/design/preemption.md): a long string copy and an Unmap of the whole address space let
 * a higher-priority thread run in between and still complete correctly; a waiter for the
 * exclusive kernel lock on another CPU is served during a long copy; deleting either partner
 * in the middle of a preempted copy ends the IPC with "aborted" and leaks nothing.
 *
 * Nothing here measures time.  Progress is counted: the root thread (priority 255) sleeps 1 ms
 * at a time and, each time it runs, writes a new stamp into the first word of the source
 * buffer.  The copy reads that word again on each of its 31 passes over the source, so a
 * stamp newer than the one the sender saw just before its IPC, found in the receiver's buffer
 * afterwards, proves that the root thread ran while the copy was in progress and the copy
 * went on after it.  For Unmap the root thread reads the mapping-node count: a value strictly
 * between "all mapped" and "all revoked" proves it ran in the middle of the Unmap.
 */
#include <string.h>
#include <l4/l4.h>
#include <l4/kdebug.h>
#include "tutil.h"
#include "hard.h"

#define MIB             (1UL << 20)
#define SUBS            31                      /* substrings of 1 MiB: a 31 MiB copy */
#define COPY_TOTAL      (SUBS * MIB)
#define POINT_BYTES     (16 * 1024)             /* KPREEMPT_COPY_BYTES (core/kpreempt.h) */
#define PRIO_RCV        30
#define PRIO_SND        20
#define SCHED_TICK      1000                    /* SCHED_TICK_US (core/sched.h) */
#define ERR_ABORTED     7
#define MAP_LOG2        22                      /* two 4 MiB fpages mapped to a new space */
#define MAP_SIZE        (2UL << MAP_LOG2)
#define MAP_WIN         0x50000000UL            /* their window there (8 MiB aligned) */

static unsigned char src_buf[MIB] __attribute__((aligned(4096)));
static unsigned char dst_buf[MIB] __attribute__((aligned(4096)));
static unsigned char map_buf[MAP_SIZE] __attribute__((aligned(1UL << MAP_LOG2)));

#define STAMP_SRC       (*(volatile L4_Word_t *)src_buf)
#define STAMP_DST       (*(volatile L4_Word_t *)dst_buf)

static inline unsigned char pattern(L4_Word_t i) { return (unsigned char)(i * 7 + 3); }

/* A TTEST that also checks that kernel memory and mapping nodes are back afterwards (as
 * HTEST in hard.h, in the preempt area). */
#define PTEST(name)                                                             \
    static void ptest_body_##name(void);                                         \
    KTEST(preempt, name)                                                         \
    {                                                                            \
        L4_Sleep(L4_TimePeriod(2000));      /* earlier tests' threads reaped */  \
        L4_Word_t k0_ = tu_kmem(), n0_ = L4_KDB_Stat(KDB_STAT_MDB_NODES);        \
        tu_begin();                                                              \
        ptest_body_##name();                                                     \
        tu_end();                                                                \
        if (!ktest_failed && !ktest_skipped)                                     \
            hard_check_counts(k0_, n0_);                                         \
    }                                                                            \
    static void ptest_body_##name(void)

/* ---- the long copy: receiver and sender threads --------------------------------------------- */

static struct {
    L4_ThreadId_t rcv, snd;
    volatile L4_Word_t rcv_ready, rcv_done, snd_started, snd_done;
    volatile L4_Word_t start_stamp;             /* STAMP_SRC the sender saw before its IPC */
    volatile L4_Word_t rcv_err, snd_err, rcv_len, rcv_words;
} run;

/* A string of SUBS substrings of 1 MiB, all at buf. */
static L4_StringItem_t long_string(void *buf)
{
    L4_StringItem_t s = L4_StringItem((int)MIB, buf);
    for (int i = 1; i < SUBS; i++)
        L4_AddSubstringAddressTo(&s, buf);
    return s;
}

static void receiver(void *arg)
{
    (void)arg;
    L4_StringItem_t s = long_string(dst_buf);
    L4_MsgBuffer_t b;
    L4_MsgBufferClear(&b);
    L4_MsgBufferAppendRcvString(&b, &s);
    L4_AcceptStrings(L4_StringItemsAcceptor, &b);
    run.rcv_ready = 1;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    run.rcv_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    L4_StoreMR(0, (L4_Word_t *)&run.rcv_words);
    L4_Word_t w1;
    L4_StoreMR(1, &w1);
    run.rcv_len = w1 >> 10;
    run.rcv_done = 1;
}

static void sender(void *arg)
{
    (void)arg;
    L4_StringItem_t s = long_string(src_buf);
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendStringItem(&m, &s);
    L4_MsgLoad(&m);
    run.start_stamp = STAMP_SRC;
    run.snd_started = 1;
    L4_MsgTag_t tag = L4_Send(run.rcv);
    run.snd_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    run.snd_done = 1;
}

/* Fill the buffers, start the receiver (it waits) and the sender snd_fn (it copies; on CPU
 * snd_cpu). */
static int start_copy_fn(void (*snd_fn)(void *), L4_Word_t snd_cpu)
{
    memset(&run, 0, sizeof run);
    for (L4_Word_t i = 0; i < MIB; i++)
        src_buf[i] = pattern(i);
    memset(dst_buf, 0, MIB);                        /* mapped writable in the root task */
    STAMP_SRC = 1;
    run.rcv = tu_create(receiver, 0, PRIO_RCV);
    if (L4_IsNilThread(run.rcv) || !TU_WAIT(run.rcv_ready))
        return 0;
    run.snd = snd_cpu ? tu_create_on(snd_fn, 0, PRIO_SND, snd_cpu) : tu_create(snd_fn, 0, PRIO_SND);
    return !L4_IsNilThread(run.snd);
}

static int start_copy_on(L4_Word_t snd_cpu)
{
    return start_copy_fn(sender, snd_cpu);
}

static int start_copy(void)
{
    return start_copy_on(0);
}

/* Is dst_buf past its first word the source pattern? */
static int dst_complete(void)
{
    for (L4_Word_t i = sizeof(L4_Word_t); i < MIB; i++)
        if (dst_buf[i] != pattern(i))
            return 0;
    return 1;
}

TTEST(preempt, string_copy_lets_higher_priority_run)
{
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
    KCHECK(start_copy());
    L4_Word_t during = 0, stamp = 1;
    L4_Word64_t until = L4_SystemClock().raw + TU_WAIT_US;
    while (!run.snd_done && L4_SystemClock().raw < until) {
        if (run.snd_started)
            during++;                               /* ran while the sender was in its IPC */
        STAMP_SRC = ++stamp;
        L4_Sleep(L4_TimePeriod(1000));
    }
    KCHECK(TU_WAIT(run.snd_done && run.rcv_done));
    KCHECK_EQ(run.snd_err, 0);
    KCHECK_EQ(run.rcv_err, 0);
    KCHECK_EQ(run.rcv_len, COPY_TOTAL);
    KCHECK(dst_complete());
    /* The copy read a stamp written after its IPC had begun: it was in progress then. */
    KCHECK(STAMP_DST > run.start_stamp);
    KCHECK(during >= 1);
    KCHECK(L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0 >= COPY_TOTAL / POINT_BYTES);
}

/* ---- an exclusive-lock waiter on another CPU ------------------------------------------------ */

static struct {
    L4_ThreadId_t id;                           /* the thread number it creates and deletes */
    volatile L4_Word_t stop, stopped, rounds, during, failed;
} tc;

/* ThreadControl (always under the exclusive kernel lock) in a loop on another CPU, one pair
 * per millisecond; rounds begun and ended while the copy was in progress are counted in
 * `during`.  Without preemption points each waits until the whole copy is over. */
static void thread_controller(void *arg)
{
    (void)arg;
    L4_ThreadId_t me = tu_root();
    while (!tc.stop) {
        int before = run.snd_started && !run.snd_done;
        if (!L4_ThreadControl(tc.id, me, me, L4_nilthread, (void *)-1) ||
            !L4_ThreadControl(tc.id, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
            tc.failed++;
        if (before && run.snd_started && !run.snd_done)
            tc.during++;
        tc.rounds++;
        L4_Sleep(L4_TimePeriod(1000));              /* the copy is not starved either */
    }
    tc.stopped = 1;                                 /* between rounds: tc.id does not exist */
}

TTEST(preempt, exclusive_waiter_not_starved)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    memset(&tc, 0, sizeof tc);
    tc.id = tu_reserve();
    KCHECK(!L4_IsNilThread(tc.id));
    L4_ThreadId_t w = tu_create_on(thread_controller, 0, 100, 1);
    KCHECK(!L4_IsNilThread(w));
    KCHECK(TU_WAIT(tc.rounds > 0));
    /* Without preemption points a pair issued during a copy ends after it: at most one per
     * copy can look "inside" (ended before the sender noted it was done).  Two or more in one
     * copy need the copy to have let the lock go.  Up to three copies, one must show it. */
    L4_Word_t best = 0;
    for (int attempt = 0; attempt < 3 && best < 2; attempt++) {
        L4_Word_t r0 = tc.rounds;
        tc.during = 0;
        KCHECK(start_copy());
        KCHECK(TU_WAIT(run.snd_done && run.rcv_done));
        printf("# preempt: %lu ThreadControl pairs on CPU 1 meanwhile, %lu inside the copy's IPC\n",
               tc.rounds - r0, tc.during);
        KCHECK_EQ(run.snd_err, 0);
        KCHECK(dst_complete());
        best = tc.during > best ? tc.during : best;
    }
    tc.stop = 1;
    KCHECK(TU_WAIT(tc.stopped));
    KCHECK_EQ(tc.failed, 0);
    KCHECK(best >= 2);
    tu_release(tc.id);
}

/* ---- halted, resumed and moved in the middle ---------------------------------------------- */

static void halt(L4_ThreadId_t t, int on)
{
    L4_Word_t w;
    L4_ThreadId_t p;
    L4_ExchangeRegisters(t, L4_EXREGS_APPLY_HALT | (on ? L4_EXREGS_HALT : 0), 0, 0, 0, 0,
                         L4_nilthread, &w, &w, &w, &w, &w, &p);
}

/* The copier, with a time slice of one timer tick (every tick ends it), is halted, resumed
 * and moved between CPUs while it copies.  A tick taken at a preemption point finds it halted
 * or already moved: the end of its time slice must not put it on a ready queue (the fuzzer
 * found sched_yield doing so).  The copy completes, unaware. */
PTEST(copier_halted_and_moved_mid_copy)
{
    if (tu_ncpus() < 3)
        KSKIP("needs 3 CPUs");
    KCHECK(start_copy_on(1));
    KCHECK(TU_WAIT(run.snd_started));
    KCHECK(L4_Set_Timeslice(run.snd, L4_TimePeriod(SCHED_TICK), L4_Never) != 0);
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS), rounds = 0, during = 0;
    while (!run.snd_done && rounds < 400) {
        halt(run.snd, 1);
        L4_Word_t p = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
        for (int spin = 0; spin < 2000 && L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) == p &&
                           !run.snd_done; spin++)
            ;                                       /* let its CPU reach a point halted */
        KCHECK(L4_Set_ProcessorNo(run.snd, 1 + rounds % 2) != 0);
        halt(run.snd, 0);
        if (!run.snd_done)
            during++;
        rounds++;
    }
    printf("# preempt: %lu halt/move/resume rounds during the copy, %lu points\n", during,
           L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0);
    KCHECK(TU_WAIT(run.snd_done && run.rcv_done));
    KCHECK_EQ(run.snd_err, 0);
    KCHECK_EQ(run.rcv_err, 0);
    KCHECK_EQ(run.rcv_len, COPY_TOTAL);
    KCHECK(dst_complete());
    KCHECK(during >= 10);
}

/* ---- a sender of another CPU queued while the send phase copies ---------------------------- */

static struct {
    volatile L4_Word_t label, sent, err;
} rq;

/* The copier sends the long string and then receives from anyone in the same IPC. */
static void sender_then_open_wait(void *arg)
{
    (void)arg;
    L4_StringItem_t s = long_string(src_buf);
    L4_Msg_t m;
    L4_MsgClear(&m);
    L4_MsgAppendStringItem(&m, &s);
    L4_MsgLoad(&m);
    run.snd_started = 1;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Ipc(run.rcv, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
    run.snd_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    rq.label = L4_Label(tag);
    run.snd_done = 1;
}

static void remote_sender(void *arg)
{
    (void)arg;
    L4_LoadMR(0, L4_MsgTagMake(0x77, 0, 0).raw);
    L4_MsgTag_t tag = L4_Send(run.snd);
    rq.err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    rq.sent = 1;
}

/* The copier's IPC found no sender queued for it when it began; while its send phase copies
 * (and lets the lock go at its preemption points) a thread of another CPU queues a message for
 * it.  Its receive phase takes that message, under the exclusive lock (the fuzzer found it
 * touching the remote sender under the shared one). */
PTEST(remote_sender_queued_during_copy)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    memset(&rq, 0, sizeof rq);
    KCHECK(start_copy_fn(sender_then_open_wait, 0));
    KCHECK(TU_WAIT(run.snd_started));
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0 >= 16 || run.snd_done));
    L4_ThreadId_t s = tu_create_on(remote_sender, 0, 100, 1);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(TU_WAIT(tu_state(s) == L4_SCHEDRESULT_PENDING_SEND || rq.sent));
    KCHECK_EQ(rq.sent, 0);                          /* queued while the copy went on */
    KCHECK_EQ(run.snd_done, 0);
    KCHECK(TU_WAIT(run.snd_done && run.rcv_done && rq.sent));
    KCHECK_EQ(run.snd_err, 0);
    KCHECK_EQ(run.rcv_err, 0);
    KCHECK_EQ(run.rcv_len, COPY_TOTAL);
    KCHECK(dst_complete());
    KCHECK_EQ(rq.label, 0x77);
    KCHECK_EQ(rq.err, 0);
}

/* ---- a partner deleted in the middle ------------------------------------------------------- */

/* Run the copy until it has passed `points` preemption points, then delete `victim`. */
static int delete_mid_copy(int victim_is_receiver)
{
    if (!start_copy())
        return 0;
    if (!TU_WAIT(run.snd_started))
        return 0;
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
    if (!TU_WAIT(L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0 >= 64 || run.snd_done))
        return 0;
    if (run.snd_done)
        return 0;                                   /* finished before: nothing to test */
    return tu_delete(victim_is_receiver ? run.rcv : run.snd) != 0;
}

PTEST(receiver_deleted_mid_copy)
{
    KCHECK(delete_mid_copy(1));
    KCHECK(TU_WAIT(run.snd_done));
    KCHECK_EQ(run.rcv_done, 0);
    L4_Word_t e = run.snd_err, bytes = e >> 4;
    KCHECK_EQ(e & 0xF, ERR_ABORTED << 1);           /* aborted, in the send phase */
    KCHECK(bytes >= 64 * POINT_BYTES && bytes < COPY_TOTAL);
}

PTEST(sender_deleted_mid_copy)
{
    KCHECK(delete_mid_copy(0));
    KCHECK(TU_WAIT(run.rcv_done));
    KCHECK_EQ(run.snd_done, 0);
    L4_Word_t e = run.rcv_err, bytes = e >> 4;
    KCHECK_EQ(e & 0xF, (ERR_ABORTED << 1) | 1);     /* aborted, in the receive phase */
    KCHECK(bytes >= 64 * POINT_BYTES && bytes < COPY_TOTAL);
}

/* ---- Unmap of the whole address space ------------------------------------------------------ */

static struct {
    volatile L4_Word_t got, phase;              /* phase: 1 in Unmap, 2 back */
    volatile L4_Word_t err;
} um;

/* In a new space: receive the map items once, then wait forever. */
static void map_receiver(void *arg)
{
    (void)arg;
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(MAP_WIN, MAP_LOG2 + 1)));
    L4_MsgTag_t tag = L4_Receive(tu_root());
    um.err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    um.got = 1;
    tu_sleep_forever(0);
}

/* In the root task's space: revoke everything derived from the root task's mappings. */
static void unmapper(void *arg)
{
    (void)arg;
    um.phase = 1;
    L4_UnmapFpage(L4_FpageAddRights(L4_CompleteAddressSpace, L4_FullyAccessible));
    um.phase = 2;
}

TTEST(preempt, unmap_whole_space)
{
    memset(&um, 0, sizeof um);
    for (L4_Word_t i = 0; i < MAP_SIZE; i += 4096)
        map_buf[i] = 1;                             /* the root task has every page */
    tu_touch_stacks();
    (void)tu_pager();
    L4_Word_t n0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    L4_ThreadId_t a = tu_space_thread(map_receiver, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    L4_Msg_t m;
    L4_MsgClear(&m);
    for (L4_Word_t k = 0; k < 2; k++) {
        L4_Word_t base = (L4_Word_t)map_buf + (k << MAP_LOG2);
        L4_MsgAppendMapItem(&m, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(base, MAP_LOG2),
                                                             L4_ReadWriteOnly), k << MAP_LOG2));
    }
    L4_MsgLoad(&m);
    KCHECK(!L4_IpcFailed(L4_Send_Timeout(a, L4_TimePeriod(5000000))));
    KCHECK(TU_WAIT(um.got));
    KCHECK_EQ(um.err, 0);
    L4_Word_t full = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(full >= n0 + MAP_SIZE / 4096);
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
    L4_Word_t middle = 0, runs = 0;
    L4_ThreadId_t u = tu_create(unmapper, 0, 50);
    KCHECK(!L4_IsNilThread(u));
    L4_Word64_t until = L4_SystemClock().raw + TU_WAIT_US;
    while (um.phase != 2 && L4_SystemClock().raw < until) {
        L4_Word_t n = L4_KDB_Stat(KDB_STAT_MDB_NODES);
        if (um.phase == 1) {
            runs++;
            if (n > n0 && n < full)
                middle++;                           /* part revoked, part not yet */
        }
        L4_Sleep(L4_TimePeriod(1000));
    }
    KCHECK_EQ(um.phase, 2);
    KCHECK(middle >= 1);
    KCHECK(L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0 >= MAP_SIZE / 4096 / 8);
    /* Complete: the 2,048 mappings are gone, with everything else derived from the root
     * task (earlier tests may have left some: the count may drop below n0), and a second
     * Unmap of the whole space finds nothing left to remove. */
    L4_Word_t after = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(after <= n0);
    KCHECK(full - after >= MAP_SIZE / 4096);
    L4_UnmapFpage(L4_FpageAddRights(L4_CompleteAddressSpace, L4_FullyAccessible));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_MDB_NODES), after);
    (void)runs;
}

/* ---- Unmap of one page with many derived mappings ------------------------------------------ */

#define WIDE            300                     /* mappings of one page */
#define WIDE_WIN        0x60000000UL            /* a 2 MiB window in the new space */

static volatile L4_Word_t wide_got;

/* In a new space: receive map items into WIDE_WIN, forever. */
static void wide_receiver(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_Accept(L4_MapGrantItems(L4_FpageLog2(WIDE_WIN, 21)));
        if (!L4_IpcFailed(L4_Wait(&from)))
            wide_got++;
    }
}

/* The derived mappings of one page are removed in bounded steps (mdb_unmap_some), each
 * followed by a preemption point, until none is left. */
PTEST(unmap_wide_subtree)
{
    wide_got = 0;
    L4_Word_t page = (L4_Word_t)map_buf;
    *(volatile unsigned char *)page = 1;
    L4_ThreadId_t a = tu_space_thread(wide_receiver, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    L4_Word_t n0 = L4_KDB_Stat(KDB_STAT_MDB_NODES), sent = 0;
    for (L4_Word_t i = 0; i < WIDE; sent++) {
        L4_Msg_t m;
        L4_MsgClear(&m);
        for (unsigned k = 0; k < 30 && i < WIDE; k++, i++)
            L4_MsgAppendMapItem(&m, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
                                                                 L4_Readable), i << 12));
        L4_MsgLoad(&m);
        KCHECK(!L4_IpcFailed(L4_Send_Timeout(a, L4_TimePeriod(5000000))));
    }
    KCHECK(TU_WAIT(wide_got == sent));
    L4_Word_t full = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(full >= n0 + WIDE);
    L4_Word_t p0 = L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS);
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible));
    KCHECK(L4_KDB_Stat(KDB_STAT_KPREEMPT_POINTS) - p0 >= WIDE / 16);
    /* All WIDE gone (and, for a page the kernel mapped, the root task's image, the implicit
     * root node the first map made for it); nothing else changed meanwhile. */
    L4_Word_t gone = full - L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(gone == WIDE || gone == WIDE + 1);
}
