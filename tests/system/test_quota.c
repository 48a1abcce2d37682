/* test_quota.c — kernel-memory accounts and quotas (issue 11, item 1; names quota.*):
 * error 8 over quota while the root task goes on creating and deleting; the 2 MiB-stride map
 * attack stopped by a quota and by the pool reserve, its map IPCs failing with message
 * overflow; empty leaf tables reclaimed on Unmap, also while other CPUs run the space;
 * sigma0 paging the root task with the pool at its reserve; every byte back when a space is
 * deleted; the account queries refused to unprivileged callers.  docs/design/kmem-accounts.md.
 *
 * Each test is a QTEST: like hard.h's HTEST, it also proves that free kernel memory, the
 * mapping-node count and the root task's account charge are back to their values before it.
 * Attack threads run in new spaces (tutil's pager lends them the root task's pages, so the
 * statics below are shared) and send map items of one page, `bait`, to a receiver thread that
 * accepts them anywhere in a 1 TiB window.
 */
#include <l4/l4.h>
#include <l4/kdebug.h>
#include <sigma4/kip.h>
#include "hard.h"

#define KIB             1024UL
#define MIB             (1UL << 20)
#define STRIDE          (2 * MIB)                   /* one new leaf table per mapping */
#define WIN             0x10000000000UL             /* receive window: 1 TiB at 1 TiB */
#define WIN_LOG2        40
#define LEAF            (8 * KIB)                   /* a leaf table: entries + shadow words */
#define ATTACK_MAX      8000UL                      /* map items one attack round sends at most */
#define ROUNDS          2
#define IPC_OVERFLOW    4

static L4_ThreadId_t root_id(void) { return tu_root(); }

/* Compare kernel memory, mapping nodes and the root task's charge with their start values. */
static void quota_check(L4_Word_t k0, L4_Word_t n0, L4_Word_t c0)
{
    hard_check_counts(k0, n0);
    if (!ktest_failed && !TU_WAIT(L4_KDB_SpaceCharge(root_id()) == c0)) {
        printf("# quota: root task's charge %lu -> %lu bytes\n", c0,
               L4_KDB_SpaceCharge(root_id()));
        ktest_failed = 1;
    }
}

/* Once, before the first measurement: root-task threads in the first test slots, so that
 * the root task's UTCB pages for them exist (they stay while the space lives). */
static void quota_warm_up(void)
{
    static int warm;
    if (warm++)
        return;
    tu_begin();
    for (unsigned i = 0; i < 12; i++)
        (void)tu_create(tu_sleep_forever, 0, 100);
    tu_end();
}

#define QTEST(name)             QTEST_FLAGS(name, 0)
#define QTEST_FLAGS(name, fl)                                                   \
    static void qtest_body_##name(void);                                         \
    KTEST_FLAGS(quota, name, fl)                                                 \
    {                                                                            \
        quota_warm_up();                                                         \
        L4_Word_t k0_ = tu_kmem(), n0_ = L4_KDB_Stat(KDB_STAT_MDB_NODES);        \
        L4_Word_t c0_ = L4_KDB_SpaceCharge(root_id());                           \
        tu_begin();                                                              \
        qtest_body_##name();                                                     \
        tu_end();                                                                \
        if (!ktest_failed && !ktest_skipped)                                     \
            quota_check(k0_, n0_, c0_);                                          \
    }                                                                            \
    static void qtest_body_##name(void)

/* ---- the attack: one page mapped at 2 MiB strides ------------------------------------------ */

static char bait[4096] __attribute__((aligned(4096)));

static volatile L4_Word_t rcv_ok, rcv_err, rcv_last_err;
static volatile L4_Word_t atk_go, atk_mapped, atk_unmap, atk_unmapped;
static volatile L4_Word_t atk_sent[ROUNDS], atk_errcode[ROUNDS];
static volatile L4_Word_t atk_target;

static void reset_attack(void)
{
    rcv_ok = rcv_err = rcv_last_err = 0;
    atk_go = atk_mapped = atk_unmap = atk_unmapped = 0;
    for (unsigned r = 0; r < ROUNDS; r++)
        atk_sent[r] = atk_errcode[r] = 0;
    atk_target = 0;
}

/* Receive anything, forever, accepting mappings anywhere in the window; count. */
static void receiver(void *arg)
{
    (void)arg;
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(WIN, WIN_LOG2)));
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag)) {
            rcv_last_err = L4_ErrorCode();
            __atomic_fetch_add(&rcv_err, 1, __ATOMIC_RELAXED);
        } else {
            __atomic_fetch_add(&rcv_ok, 1, __ATOMIC_RELAXED);
        }
    }
}

/* Send `to` a map item of bait, placed at WIN + sbase. */
static L4_MsgTag_t send_bait(L4_ThreadId_t to, L4_Word_t sbase)
{
    L4_LoadMR(1, (sbase & ~0x3FFUL) | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)bait, 12), L4_ReadWriteOnly).raw);
    L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
    return L4_Send_Timeout(to, L4_TimePeriod(2000000));
}

/* Each round, when told: map bait to the receiver at 2 MiB strides until an IPC fails; then,
 * when told, take every mapping back with one Unmap. */
static void attacker(void *arg)
{
    (void)arg;
    (void)*(volatile char *)bait;                   /* bait is mapped here before the attack */
    for (L4_Word_t r = 0; r < ROUNDS; r++) {
        while (atk_go <= r)
            L4_Sleep(L4_TimePeriod(1000));
        L4_ThreadId_t to = { .raw = atk_target };
        L4_Word_t n = 0;
        for (; n < ATTACK_MAX; n++)
            if (L4_IpcFailed(send_bait(to, n * STRIDE))) {
                atk_errcode[r] = L4_ErrorCode();
                break;
            }
        atk_sent[r] = n;
        atk_mapped = r + 1;
        while (atk_unmap <= r)
            L4_Sleep(L4_TimePeriod(1000));
        L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)bait, 12), L4_FullyAccessible));
        atk_unmapped = r + 1;
    }
    tu_sleep_forever(0);
}

/* Start the attacker and its receiver in one new space; the attacker's id (nil on failure). */
static L4_ThreadId_t attack_space(L4_ThreadId_t *rcv)
{
    reset_attack();
    L4_ThreadId_t a = tu_space_thread(attacker, 0, 100);
    if (L4_IsNilThread(a))
        return a;
    *rcv = tu_space_join(a, receiver, 0, 100);
    if (L4_IsNilThread(*rcv))
        return L4_nilthread;
    atk_target = rcv->raw;
    L4_Sleep(L4_TimePeriod(20000));                 /* both settle: waiting, bait touched */
    return a;
}

/* ---- tests ----------------------------------------------------------------------------------- */

QTEST(over_quota_is_error_8_while_root_creates_and_deletes)
{
    /* A new space gets a quota of exactly what it holds: a second thread in it (its TCB)
     * and activating its thread (its UTCB page) fail with error 8 and change nothing; the
     * root task meanwhile creates and deletes spaces and threads.  A quota below what the
     * space holds is error 8 (nothing changed), one on a root server's space error 5.  With
     * more quota, the thread runs. */
    L4_ThreadId_t t = tu_space_create();
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t bytes = L4_KDB_SpaceBytes(t);
    KCHECK(bytes != ~0UL && bytes > 0 && bytes % 4096 == 0);
    KCHECK_EQ(L4_KDB_SpaceLimit(t), ~0UL);          /* the root task's account: unlimited */
    KCHECK(L4_KDB_SpaceCharge(t) > bytes);          /* shared with the root task */
    KCHECK_EQ(L4_SpaceQuota(t, bytes), 1);
    KCHECK_EQ(L4_KDB_SpaceLimit(t), bytes);
    KCHECK_EQ(L4_KDB_SpaceCharge(t), bytes);        /* its own account now */
    KCHECK(L4_KDB_Accounts() >= 3);                 /* sigma0, root task, t (printed) */

    L4_ThreadId_t t2 = tu_reserve();
    KCHECK(!L4_IsNilThread(t2));
    KCHECK_EQ(L4_ThreadControl(t2, t, tu_root(), L4_nilthread, (void *)-1), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    tu_release(t2);
    KCHECK_EQ(L4_ThreadControl(t, t, L4_nilthread, tu_pager(), (void *)tu_utcb_of(t)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);   /* still inactive */
    KCHECK_EQ(L4_KDB_SpaceCharge(t), bytes);        /* nothing was charged */

    L4_ThreadId_t s2 = tu_space_thread(tu_sleep_forever, 0, 100);    /* the root task can */
    L4_ThreadId_t r2 = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(s2) && !L4_IsNilThread(r2));
    KCHECK(tu_delete(s2) && tu_delete(r2));

    KCHECK_EQ(L4_SpaceQuota(t, bytes - 4096), 0);   /* below what it holds */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    KCHECK_EQ(L4_KDB_SpaceLimit(t), bytes);
    KCHECK_EQ(L4_SpaceQuota(tu_root(), 64 * MIB), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);  /* root servers keep theirs */
    KCHECK_EQ(L4_KDB_SpaceLimit(tu_root()), ~0UL);

    KCHECK_EQ(L4_SpaceQuota(t, bytes + MIB), 1);
    KCHECK(tu_space_start(t, tu_sleep_forever, 0, 100));
    KCHECK(L4_KDB_SpaceCharge(t) > bytes);          /* UTCB page, stack and code mappings */
    KCHECK(L4_KDB_SpaceCharge(t) <= bytes + MIB);
}

QTEST(thread_limit_root_is_charged)
{
    /* A thread limit needs a limited root (its own PML4, and a PDPT for a limit that is not a
     * multiple of 512 GiB): in a space at its quota, ThreadControl with a limit is error 8 and
     * changes nothing; with room, the limit is set and its tables are charged to the space;
     * lifting it gives them back. */
    L4_ThreadId_t t = tu_space_thread(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    if (ktest_failed)
        return;
    L4_Sleep(L4_TimePeriod(20000));
    L4_Word_t bytes = L4_KDB_SpaceBytes(t), full = (bytes + 4095) & ~4095UL;
    KCHECK_EQ(L4_SpaceQuota(t, full), 1);           /* less than a page of room */
    L4_Word_t lim3g = (0xC0000000UL >> 12) - 1;
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1, lim3g), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    KCHECK_EQ(L4_KDB_SpaceBytes(t), bytes);
    KCHECK_EQ(L4_SpaceQuota(t, full + 64 * KIB), 1);
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1, lim3g), 1);
    KCHECK_EQ(L4_KDB_SpaceBytes(t), bytes + 8 * KIB);   /* its PML4 and PDPT */
    KCHECK_EQ(L4_ThreadControlLimit(t, t, L4_nilthread, L4_nilthread, (void *)-1,
                                    L4_THREAD_LIMIT_NONE), 1);
    KCHECK_EQ(L4_KDB_SpaceBytes(t), bytes);
}

QTEST(attack_at_2mib_stride_stops_at_quota_with_message_overflow)
{
    /* The attack of issue 11 in a space with a quota of 512 KiB more than it holds: each
     * mapping needs a new leaf table (8 KiB) and a node.  The map IPC that cannot be placed
     * fails with message overflow for both sides (the earlier ones succeeded); the charge
     * then sits just under the limit.  One Unmap takes every mapping back and the leaf
     * tables with them; a second round stops at the same place and ends at the same charge. */
    L4_ThreadId_t rcv;
    L4_ThreadId_t a = attack_space(&rcv);
    KCHECK(!L4_IsNilThread(a));
    if (ktest_failed)
        return;
    L4_Word_t base = L4_KDB_SpaceBytes(a), limit = base + 512 * KIB;
    KCHECK_EQ(L4_SpaceQuota(a, limit), 1);
    L4_Word_t after[ROUNDS];
    for (L4_Word_t r = 0; r < ROUNDS; r++) {
        atk_go = r + 1;
        KCHECK(TU_WAIT(atk_mapped == r + 1));
        L4_Word_t peak = L4_KDB_SpaceCharge(a);
        printf("# round %lu: %lu map items placed, charge %lu of %lu bytes\n", r, atk_sent[r],
               peak, limit);
        KCHECK(atk_sent[r] > 40 && atk_sent[r] < 64);
        KCHECK_EQ(atk_errcode[r] & 0xF, IPC_OVERFLOW << 1);         /* send phase */
        KCHECK(TU_WAIT(rcv_err == r + 1));
        KCHECK_EQ(rcv_last_err & 0xF, (IPC_OVERFLOW << 1) | 1);     /* receive phase */
        KCHECK_EQ(rcv_ok, atk_sent[0] + (r ? atk_sent[1] : 0));
        KCHECK(peak <= limit && limit - peak < LEAF + 64);          /* stopped by the quota */
        atk_unmap = r + 1;
        KCHECK(TU_WAIT(atk_unmapped == r + 1));
        after[r] = L4_KDB_SpaceCharge(a);
        /* Per mapping its leaf table and its node came back (the attacker's own first
         * faults after the attack may add a node or a page table meanwhile). */
        KCHECK(peak - after[r] >= atk_sent[r] * (LEAF + 48) - LEAF - 64);
        KCHECK(peak - after[r] <= atk_sent[r] * (LEAF + 64));
        KCHECK(after[r] - base < 16 * KIB);         /* only the directories above stay */
    }
    KCHECK(atk_sent[1] >= atk_sent[0]);
    KCHECK(after[1] < after[0] + LEAF);             /* back and forth: nothing accumulates
                                                       (a fault of the attacker's may) */
}

QTEST(empty_page_tables_reclaimed_on_unmap)
{
    /* The root task maps one page 16 times into a space at 2 MiB strides: 16 leaf tables and
     * 16 nodes are charged to it.  Unmap of the root's page revokes them, and each leaf
     * table, now empty, goes back to the pool: the charge drops by exactly 16 × (8 KiB +
     * one node), and free kernel memory by as much (the nodes' slab page aside). */
    reset_attack();
    L4_ThreadId_t r = tu_space_thread(receiver, 0, 100);
    KCHECK(!L4_IsNilThread(r));
    if (ktest_failed)
        return;
    L4_Sleep(L4_TimePeriod(20000));
    bait[0] = 1;
    KCHECK(L4_IpcSucceeded(send_bait(r, 0)));       /* the directories above: stay */
    KCHECK(TU_WAIT(rcv_ok == 1));
    L4_Word_t before = L4_KDB_SpaceBytes(r), free0 = tu_kmem();
    for (L4_Word_t i = 1; i <= 16; i++)
        KCHECK(L4_IpcSucceeded(send_bait(r, i * STRIDE)));
    KCHECK(TU_WAIT(rcv_ok == 17));
    L4_Word_t peak = L4_KDB_SpaceBytes(r);
    KCHECK(peak - before > 16 * LEAF && peak - before < 16 * LEAF + 16 * 64);
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)bait, 12), L4_FullyAccessible));
    L4_Word_t after = L4_KDB_SpaceBytes(r);
    KCHECK(after < before);                         /* the first one's leaf table went too */
    KCHECK_EQ(before - after, (peak - before) / 16);    /* ... and its node: one mapping's */
    KCHECK(tu_kmem() >= free0);
}

QTEST(default_account_stops_at_the_pool_reserve)
{
    /* The same attack in a space without a quota (it shares the root task's unlimited
     * account): it stops when the pool is down to its reserve.  Then the root task still
     * creates and deletes a space and a thread, and sigma0 still pages it (a fault that needs
     * a new leaf table).  The attacker's Unmap gives everything back. */
    L4_ThreadId_t rcv;
    L4_ThreadId_t a = attack_space(&rcv);
    KCHECK(!L4_IsNilThread(a));
    if (ktest_failed)
        return;
    L4_Word_t reserve = L4_KDB_Stat(KDB_STAT_KMEM_RESERVE);
    KCHECK(reserve >= 256 * KIB && reserve <= 2 * MIB);
    atk_go = 1;
    KCHECK(TU_WAIT(atk_mapped == 1));
    L4_Word_t low = tu_kmem();
    printf("# %lu map items placed; pool %lu KiB free, reserve %lu KiB\n", atk_sent[0],
           low >> 10, reserve >> 10);
    KCHECK(atk_sent[0] > 100 && atk_sent[0] < ATTACK_MAX);
    KCHECK_EQ(atk_errcode[0] & 0xF, IPC_OVERFLOW << 1);
    KCHECK(low + 64 * KIB > reserve && low < reserve + 64 * KIB);

    L4_ThreadId_t s2 = tu_space_thread(tu_sleep_forever, 0, 100);
    L4_ThreadId_t r2 = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(s2) && !L4_IsNilThread(r2));
    KCHECK(tu_delete(s2) && tu_delete(r2));

    /* A read fault on conventional memory far above the root servers, in a 2 MiB region
     * the root task has no leaf table for: sigma0 maps it 1:1. */
    void *kip = L4_GetKernelInterface();
    L4_Word_t hi = *(L4_Word_t *)((char *)kip + KIP_OFF_ROOT_SERVER + 24);
    L4_Word_t s0hi = *(L4_Word_t *)((char *)kip + KIP_OFF_SIGMA0 + 24);
    L4_Word_t pa = (((hi > s0hi ? hi : s0hi) + STRIDE) & ~(STRIDE - 1)) + 96 * MIB;
    L4_Word_t faults0 = L4_KDB_Stat(KDB_STAT_USER_FAULTS);
    (void)*(volatile L4_Word_t *)pa;
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_USER_FAULTS), faults0);         /* nobody halted */
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(pa, 12), L4_FullyAccessible));

    atk_unmap = 1;
    KCHECK(TU_WAIT(atk_unmapped == 1));
    KCHECK(tu_kmem() > low + 2 * MIB);
}

QTEST(deleting_a_space_returns_every_byte)
{
    /* Two spaces, one sharing the root task's account and one with a quota, each with two
     * threads, mappings (faults served by the tutil pager, map items from the root task)
     * and leaf tables: after they are deleted, free kernel memory, the mapping nodes and the
     * root task's charge are exactly as before (QTEST). */
    reset_attack();
    L4_ThreadId_t a = tu_space_thread(receiver, 0, 100);
    L4_ThreadId_t b = tu_space_thread(receiver, 0, 100);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    if (ktest_failed)
        return;
    KCHECK_EQ(L4_SpaceQuota(b, L4_KDB_SpaceBytes(b) + MIB), 1);
    KCHECK(!L4_IsNilThread(tu_space_join(a, tu_sleep_forever, 0, 100)));
    KCHECK(!L4_IsNilThread(tu_space_join(b, tu_sleep_forever, 0, 100)));
    L4_Sleep(L4_TimePeriod(20000));
    bait[0] = 1;
    for (L4_Word_t i = 0; i < 4; i++) {
        KCHECK(L4_IpcSucceeded(send_bait(a, i * STRIDE)));
        KCHECK(L4_IpcSucceeded(send_bait(b, i * STRIDE + 4096)));
    }
    KCHECK(TU_WAIT(rcv_ok == 8));
    KCHECK(L4_KDB_SpaceCharge(b) > 4 * LEAF);
}

/* What an unprivileged thread got from the account interfaces. */
static volatile L4_Word_t unpriv[6];

static void ask_accounts(void *arg)
{
    (void)arg;
    L4_ThreadId_t root = tu_root();
    unpriv[0] = L4_KDB_SpaceCharge(root);
    unpriv[1] = L4_KDB_SpaceLimit(root);
    unpriv[2] = L4_KDB_SpaceBytes(L4_Myself());
    unpriv[3] = L4_KDB_Accounts();
    unpriv[4] = L4_SpaceQuota(L4_Myself(), MIB);
    unpriv[5] = L4_ErrorCode() | 0x100;
    tu_sleep_forever(0);
}

QTEST(privileged_query_refuses_unprivileged)
{
    /* The account queries are the root servers': another space gets ~0 for each, and its
     * SpaceControl quota request fails with "no privilege".  The root task gets the values;
     * a thread that does not exist gives ~0. */
    for (unsigned i = 0; i < 6; i++)
        unpriv[i] = 0;
    L4_ThreadId_t t = tu_space_thread(ask_accounts, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(unpriv[5] != 0));
    for (unsigned i = 0; i < 4; i++)
        KCHECK_EQ(unpriv[i], ~0UL);
    KCHECK_EQ(unpriv[4], 0);
    KCHECK_EQ(unpriv[5], L4_ErrNoPrivilege | 0x100);
    L4_Word_t charge = L4_KDB_SpaceCharge(t), bytes = L4_KDB_SpaceBytes(t);
    KCHECK(charge != ~0UL && bytes != ~0UL && bytes > 0 && charge >= bytes);
    KCHECK_EQ(L4_KDB_SpaceLimit(t), ~0UL);          /* the root task's: unlimited */
    KCHECK_EQ(L4_KDB_SpaceCharge(L4_GlobalId(TU_NO_BASE + TU_SLOTS + 7, 1)), ~0UL);
}

/* ---- leaf tables reclaimed while other CPUs run the space -------------------------------------- */

#define CHURNERS        2
#define CHURN_ROUNDS    150
#define CHURN_MAPS      16

static char churn_bait[CHURNERS][4096] __attribute__((aligned(4096)));
static volatile L4_Word_t churn_done[CHURNERS], churn_fail[CHURNERS], spin_count;

/* Root-task thread j: CHURN_ROUNDS times, map churn_bait[j] to the receiver at CHURN_MAPS
 * 2 MiB strides of its own (each a new leaf table), then take them back with one Unmap. */
static void churner(void *arg)
{
    L4_Word_t j = (L4_Word_t)arg;
    L4_ThreadId_t to = { .raw = atk_target };
    L4_Fpage_t fp = L4_FpageLog2((L4_Word_t)churn_bait[j], 12);
    churn_bait[j][0] = 1;
    for (L4_Word_t r = 0; r < CHURN_ROUNDS; r++) {
        for (L4_Word_t i = 0; i < CHURN_MAPS; i++) {
            L4_LoadMR(1, (((j * 64 + i) * STRIDE) & ~0x3FFUL) | 0x8);
            L4_LoadMR(2, L4_FpageAddRights(fp, L4_ReadWriteOnly).raw);
            L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
            if (L4_IpcFailed(L4_Send_Timeout(to, L4_TimePeriod(2000000))))
                churn_fail[j]++;
        }
        L4_UnmapFpage(L4_FpageAddRights(fp, L4_FullyAccessible));
    }
    churn_done[j] = 1;
    tu_sleep_forever(0);
}

QTEST(leaf_tables_reclaimed_while_other_cpus_run_the_space)
{
    /* Two root-task threads on two CPUs map pages into one space at 2 MiB strides and take
     * them back, over and over, while a thread of that space spins on a third CPU (its TLB
     * must be flushed before a table is reused) and the receiver takes the messages: every
     * map IPC succeeds, and at the end the space holds what it held before but for the
     * directories (every leaf table and node came back). */
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    reset_attack();
    for (unsigned j = 0; j < CHURNERS; j++)
        churn_done[j] = churn_fail[j] = 0;
    L4_ThreadId_t r = tu_space_thread(receiver, 0, 100);
    KCHECK(!L4_IsNilThread(r));
    if (ktest_failed)
        return;
    L4_ThreadId_t sp = tu_space_join(r, tu_spin, (void *)&spin_count, 50);
    KCHECK(!L4_IsNilThread(sp));
    KCHECK(L4_Set_ProcessorNo(sp, tu_ncpus() - 1) != L4_SCHEDRESULT_ERROR);
    atk_target = r.raw;
    spin_count = 0;
    KCHECK(TU_WAIT(spin_count > 100000));           /* it runs there, its pages mapped */
    L4_Sleep(L4_TimePeriod(20000));
    L4_Word_t before = L4_KDB_SpaceBytes(r), flushes = L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS);
    for (L4_Word_t j = 0; j < CHURNERS; j++)
        KCHECK(!L4_IsNilThread(tu_create_on(churner, (void *)j, 100, j % tu_ncpus())));
    for (unsigned j = 0; j < CHURNERS; j++)
        KCHECK(TU_WAIT(churn_done[j]));
    for (unsigned j = 0; j < CHURNERS; j++)
        KCHECK_EQ(churn_fail[j], 0);
    KCHECK(TU_WAIT(rcv_ok == CHURNERS * CHURN_ROUNDS * CHURN_MAPS));
    L4_Word_t after = L4_KDB_SpaceBytes(r);
    printf("# %u map items, space %lu -> %lu bytes, spinner at %lu, %lu flush rounds\n",
           CHURNERS * CHURN_ROUNDS * CHURN_MAPS, before, after, spin_count,
           L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS) - flushes);
    KCHECK(after >= before && after - before < 32 * KIB);    /* directories only */
    KCHECK(spin_count > 0);
    /* An Unmap that emptied leaf tables flushed the spinner's CPU before freeing them (each
     * one, but for a moment the spinner is not running: a timer tick, a fault). */
    KCHECK(L4_KDB_Stat(KDB_STAT_TLB_SHOOTDOWNS) - flushes >= CHURNERS * CHURN_ROUNDS / 2);
}
