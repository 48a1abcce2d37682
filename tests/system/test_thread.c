/* test_thread.c — in-system tests of ThreadControl: creation, activation and the start-up
 * protocol, modification (pager, version), deletion, every error a privileged caller can
 * reach, the no-privilege error of an unprivileged one, and kernel memory over 500 threads. */
#include <l4/l4.h>
#include "tutil.h"

static volatile L4_Word_t ran;
static volatile L4_Word_t seen[8];

static void set_ran(void *arg) { ran = (L4_Word_t)arg; }

static void record_utcb(void *arg)
{
    (void)arg;
    seen[0] = L4_MyGlobalId().raw;
    seen[1] = L4_MyLocalId().raw;
    seen[2] = L4_Pager().raw;
    seen[3] = L4_ProcessorNo();
    seen[4] = L4_UserDefinedHandle();
    seen[5] = L4_ExceptionHandler().raw;
    ran = 1;
}

/* Receive from anyone, record own global id and pager, forever. */
static void record_on_message(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcSucceeded(tag)) {
            seen[0] = L4_MyGlobalId().raw;
            seen[1] = L4_Pager().raw;
            ran++;
        }
    }
}

static L4_Word_t tc_create(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t sched,
                           L4_ThreadId_t pager, L4_Word_t utcb)
{
    return L4_ThreadControl(dest, space, sched, pager, (void *)utcb);
}

static L4_Word_t tc_delete(L4_ThreadId_t t)
{
    return L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

TTEST(thread, create_start_runs)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(set_ran, (void *)42, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran == 42));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));    /* then sleeps forever */
}

TTEST(thread, utcb_initialised)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(record_utcb, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], t.raw);
    KCHECK_EQ(seen[1], tu_utcb_of(t) + 512);
    KCHECK_EQ(seen[2], L4_Pager().raw);                 /* tu_create: the root's pager */
    KCHECK_EQ(seen[3], 0);
    KCHECK_EQ(seen[4], 0);
    KCHECK_EQ(seen[5], 0);
}

TTEST(thread, startup_message_starts)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)7, 100, TU_NOSTART | TU_PAGER_ME);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    L4_Sleep(L4_TimePeriod(2000));
    KCHECK_EQ(ran, 0);
    L4_MsgTag_t tag = tu_startup_message(t, 2, L4_ZeroTime);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(TU_WAIT(ran == 7));
}

TTEST(thread, startup_message_needs_two_words)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)8, 100, TU_NOSTART | TU_PAGER_ME);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcSucceeded(tu_startup_message(t, 1, L4_ZeroTime)));    /* consumed */
    KCHECK(L4_IpcSucceeded(tu_startup_message(t, 3, L4_ZeroTime)));    /* consumed */
    L4_Sleep(L4_TimePeriod(2000));
    KCHECK_EQ(ran, 0);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    KCHECK(L4_IpcSucceeded(tu_startup_message(t, 2, L4_ZeroTime)));
    KCHECK(TU_WAIT(ran == 8));
}

TTEST(thread, startup_message_only_from_pager)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)9, 100, TU_NOSTART);  /* pager: sigma0 */
    KCHECK(!L4_IsNilThread(t));
    L4_MsgTag_t tag = tu_startup_message(t, 2, L4_ZeroTime);
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrTimeout << 1) | L4_ErrSendPhase);
    L4_Sleep(L4_TimePeriod(2000));
    KCHECK_EQ(ran, 0);
    tu_start(t);                                        /* same space: ExchangeRegisters */
    KCHECK(TU_WAIT(ran == 9));
}

TTEST(thread, inactive_until_activated)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)10, 100, TU_INACTIVE);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrNonExist << 1) | L4_ErrSendPhase);
    KCHECK(L4_IsNilThread(L4_LocalIdOf(t)));            /* ExchangeRegisters refuses */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    /* Activate the existing thread: pager and UTCB location. */
    KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, L4_Pager(), tu_utcb_of(t)), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    tu_start(t);
    KCHECK(TU_WAIT(ran == 10));
}

TTEST(thread, delete_makes_id_invalid)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tu_delete(t), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    KCHECK_EQ(tc_delete(t), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrNonExist << 1) | L4_ErrSendPhase);
}

TTEST(thread, delete_running_thread_stops_it)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t t = tu_create(tu_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(count > 0));
    KCHECK_EQ(tu_delete(t), 1);
    L4_Word_t c = count;
    L4_Sleep(L4_TimePeriod(20000));
    KCHECK_EQ(count, c);
}

TTEST(thread, number_reusable_after_delete)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t utcb = tu_utcb_of(t);
    KCHECK_EQ(tc_delete(t), 1);                         /* the slot stays reserved */
    /* Same number, another version, the same UTCB location (freed by the deletion). */
    L4_ThreadId_t again = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1);
    KCHECK_EQ(tc_create(again, tu_root(), tu_root(), L4_Pager(), utcb), 1);
    KCHECK_EQ(tu_state(again), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(tc_delete(again), 1);
}

TTEST(thread, err_invalid_dest)
{
    L4_ThreadId_t me = tu_root();
    L4_ThreadId_t bad[] = {
        L4_nilthread, L4_anythread, L4_anylocalthread, L4_MyLocalId(),
        L4_GlobalId(64, 1),                             /* kernel thread numbers */
        L4_GlobalId(95, 1),
        L4_GlobalId(1UL << 18, 1),                      /* beyond ThreadIdBits */
        L4_GlobalId(300, 64),                           /* low 6 bits 0: a local id */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(tc_create(bad[i], bad[i], me, L4_nilthread, ~0UL), 0);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    }
    KCHECK_EQ(tc_create(L4_GlobalId(70, 1), me, me, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
}

TTEST(thread, err_delete_self_or_missing)
{
    KCHECK_EQ(tc_delete(tu_root()), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    L4_ThreadId_t none = tu_reserve();                  /* a number nobody uses */
    KCHECK_EQ(tc_delete(none), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    KCHECK_EQ(tu_state(tu_root()), L4_SCHEDRESULT_RUNNING);
}

TTEST(thread, err_delete_wrong_version)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tc_delete(L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_RUNNING);     /* untouched: not yet run */
}

TTEST(thread, err_unknown_space)
{
    L4_ThreadId_t t = tu_reserve(), nobody = tu_reserve();
    KCHECK_EQ(tc_create(t, nobody, tu_root(), L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);       /* nothing created */
}

TTEST(thread, err_scheduler)
{
    L4_ThreadId_t t = tu_reserve(), nobody = tu_reserve();
    KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidScheduler);
    KCHECK_EQ(tc_create(t, tu_root(), nobody, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidScheduler);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);
    /* On an existing thread too, and nothing changes. */
    KCHECK_EQ(tc_create(t, tu_root(), tu_root(), L4_nilthread, ~0UL), 1);
    KCHECK_EQ(tc_create(t, tu_root(), nobody, L4_Pager(), tu_utcb_of(t)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidScheduler);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);    /* not activated */
}

TTEST(thread, err_utcb_location)
{
    L4_ThreadId_t t = tu_create_ex(0, 0, 100, TU_INACTIVE), p = L4_Pager();
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t area_end = TU_ROOT_UTCB + (1UL << 18);
    L4_Word_t bad[] = {
        area_end,                                       /* just past the area */
        TU_ROOT_UTCB - 1024,                            /* just before it */
        tu_utcb_of(t) + 512,                            /* not 1 KiB aligned */
        TU_ROOT_UTCB,                                   /* the root thread's */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, p, bad[i]), 0);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
        KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    }
    /* Activation needs a location. */
    KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, p, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
}

TTEST(thread, err_utcb_in_use)
{
    L4_ThreadId_t a = tu_create(tu_sleep_forever, 0, 100);
    L4_ThreadId_t b = tu_create_ex(0, 0, 100, TU_INACTIVE);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK_EQ(tc_create(b, tu_root(), L4_nilthread, L4_Pager(), tu_utcb_of(a)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tu_state(b), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(tc_create(b, tu_root(), L4_nilthread, L4_Pager(), tu_utcb_of(b)), 1);
}

TTEST(thread, err_utcb_change_when_active)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    L4_ThreadId_t spare = tu_reserve();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, L4_nilthread, tu_utcb_of(spare)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(L4_LocalIdOf(t).raw, tu_utcb_of(t) + 512);   /* unchanged */
}

TTEST(thread, failed_create_leaves_nothing)
{
    L4_ThreadId_t t = tu_reserve();
    L4_Word_t before = tu_kmem();
    KCHECK_EQ(tc_create(t, tu_root(), tu_root(), L4_Pager(), TU_ROOT_UTCB + 100), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tc_create(t, t, tu_root(), L4_Pager(), TU_SPACE_UTCB), 0);    /* no areas yet */
    KCHECK(L4_ErrorCode() == L4_ErrUtcbArea || L4_ErrorCode() == L4_ErrInvalidSpace);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(tu_kmem(), before);
}

TTEST(thread, modify_pager)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(record_on_message, 0, 100);
    L4_ThreadId_t other = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t) && !L4_IsNilThread(other));
    KCHECK_EQ(tc_create(t, tu_root(), L4_nilthread, other, ~0UL), 1);
    KCHECK_EQ(L4_PagerOf(t).raw, other.raw);
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(1000000))));
    KCHECK(TU_WAIT(ran == 1));
    KCHECK_EQ(seen[1], other.raw);                      /* its own UTCB shows it */
}

TTEST(thread, version_change)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(record_on_message, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_ThreadId_t t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1);
    KCHECK_EQ(tc_create(t2, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    KCHECK(TU_WAIT(tu_state(t2) == L4_SCHEDRESULT_WAITING));
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrNonExist << 1) | L4_ErrSendPhase);
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t2, L4_TimePeriod(1000000))));
    KCHECK(TU_WAIT(ran == 1));
    KCHECK_EQ(seen[0], t2.raw);                         /* MyGlobalId follows */
    KCHECK_EQ(L4_GlobalIdOf(L4_LocalIdOf(t2)).raw, t2.raw);
    KCHECK_EQ(tc_delete(t2), 1);
}

static volatile L4_Word_t partner_result, partner_error;
static void receive_from_arg(void *arg)
{
    L4_ThreadId_t from = { .raw = (L4_Word_t)arg };
    L4_MsgTag_t tag = L4_Receive(from);
    partner_error = L4_ErrorCode();
    partner_result = L4_IpcFailed(tag) ? 2 : 1;
}

TTEST(thread, version_change_fails_waiting_partner)
{
    partner_result = 0;
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_ThreadId_t w = tu_create(receive_from_arg, (void *)t.raw, 100);
    KCHECK(!L4_IsNilThread(w));
    KCHECK(TU_WAIT(tu_state(w) == L4_SCHEDRESULT_WAITING));
    L4_ThreadId_t t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1);
    KCHECK_EQ(tc_create(t2, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 1);
    KCHECK(TU_WAIT(partner_result != 0));
    KCHECK_EQ(partner_result, 2);
    KCHECK_EQ(partner_error, (L4_ErrNonExist << 1) | L4_ErrRecvPhase);
    KCHECK_EQ(tc_delete(t2), 1);
}

static void send_to_arg(void *arg)
{
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Send((L4_ThreadId_t){ .raw = (L4_Word_t)arg });
    partner_error = L4_ErrorCode();
    partner_result = L4_IpcFailed(tag) ? 2 : 1;
}

TTEST(thread, version_change_fails_blocked_sender)
{
    partner_result = 0;
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_ThreadId_t s = tu_create(send_to_arg, (void *)t.raw, 100);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(TU_WAIT(tu_state(s) == L4_SCHEDRESULT_PENDING_SEND));
    L4_ThreadId_t t2 = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1);
    KCHECK_EQ(tc_create(t2, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 1);
    KCHECK(TU_WAIT(partner_result != 0));
    KCHECK_EQ(partner_result, 2);
    KCHECK_EQ(partner_error, (L4_ErrNonExist << 1) | L4_ErrSendPhase);
    KCHECK_EQ(tc_delete(t2), 1);
}

TTEST(thread, err_move_between_spaces)
{
    L4_ThreadId_t s = tu_space_create();
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(s) && !L4_IsNilThread(t));
    KCHECK_EQ(tc_create(t, s, L4_nilthread, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(tc_create(s, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(L4_LocalIdOf(t).raw, tu_utcb_of(t) + 512);    /* still ours */
}

/* Run by an unprivileged thread in a new space. */
static void try_thread_control(void *arg)
{
    L4_ThreadId_t victim = { .raw = (L4_Word_t)arg };
    seen[0] = L4_ThreadControl(victim, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    seen[1] = L4_ErrorCode();
    seen[2] = L4_ThreadControl(L4_GlobalId(L4_ThreadNo(victim) + 1000, 1), L4_Myself(),
                               L4_Myself(), L4_nilthread, (void *)-1);
    seen[3] = L4_ErrorCode();
    ran = 1;
}

TTEST(thread, err_no_privilege)
{
    ran = 0;
    seen[0] = seen[2] = 99;
    L4_ThreadId_t victim = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(victim));
    L4_ThreadId_t u = tu_space_thread(try_thread_control, (void *)victim.raw, 100);
    KCHECK(!L4_IsNilThread(u));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], 0);
    KCHECK_EQ(seen[1], L4_ErrNoPrivilege);
    KCHECK_EQ(seen[2], 0);
    KCHECK_EQ(seen[3], L4_ErrNoPrivilege);
    KCHECK_EQ(tu_state(victim), L4_SCHEDRESULT_WAITING);
}

/* Each thread of the batch sends one message to the root thread and sleeps. */
static void send_once(void *arg)
{
    L4_LoadMR(1, (L4_Word_t)arg);
    L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
    L4_Send(tu_root());
}

/* Create `n` threads that each send once, receive all n messages, delete them all. */
static int batch(unsigned n)
{
    L4_ThreadId_t ts[50];
    for (unsigned i = 0; i < n; i++)
        if (L4_IsNilThread(ts[i] = tu_create(send_once, (void *)(L4_Word_t)(i + 1), 100)))
            return 0;
    L4_Word_t sum = 0;
    for (unsigned i = 0; i < n; i++) {
        L4_ThreadId_t from;
        if (L4_IpcFailed(L4_Wait_Timeout(L4_TimePeriod(5000000), &from)))
            return 0;
        L4_Word_t w;
        L4_StoreMR(1, &w);
        sum += w;
    }
    for (unsigned i = 0; i < n; i++)
        if (!tu_delete(ts[i]))
            return 0;
    return sum == n * (n + 1) / 2;
}

TTEST(thread, create_delete_500)
{
    KCHECK(batch(50));                  /* warm-up: the root's UTCB pages get allocated */
    L4_Word_t before = tu_kmem();
    for (int round = 0; round < 10; round++)
        KCHECK(batch(50));
    KCHECK_EQ(tu_kmem(), before);
}
