/* test_sched.c — in-system tests of the scheduler, Schedule and ThreadSwitch: priority order,
 * round robin among equals, starvation of lower priorities, the states and time values
 * Schedule reports, its errors, the total quantum stopping a thread, yield and donation, and
 * the limits of an unprivileged scheduler.  Nothing is timed: progress is counted, and the
 * only clock bounds are TU_WAIT's generous ones. */
#include <l4/l4.h>
#include "tutil.h"

static volatile L4_Word_t ran;
static volatile L4_Word_t order[4], order_n;
static volatile L4_Word_t seen[8];

static void record_order(void *arg)
{
    order[order_n] = (L4_Word_t)arg;
    order_n++;
}

static void set_ran(void *arg) { ran = (L4_Word_t)arg; }

static L4_Word_t sched(L4_ThreadId_t t, L4_Word_t prio, L4_Word_t time, L4_Word_t cpu,
                       L4_Word_t *old_time)
{
    return L4_Schedule(t, time, cpu, prio, ~0UL, old_time);
}

/* TimeControl word: time slice ts, total quantum tq. */
static L4_Word_t tc_word(L4_Time_t ts, L4_Time_t tq) { return ((L4_Word_t)ts.raw << 16) | tq.raw; }

TTEST(sched, higher_priority_runs_first)
{
    order_n = 0;
    L4_ThreadId_t a = tu_create(record_order, (void *)1, 120);
    L4_ThreadId_t b = tu_create(record_order, (void *)2, 130);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK_EQ(order_n, 0);                              /* we are at 255 and did not block */
    KCHECK(TU_WAIT(order_n == 2));
    KCHECK_EQ(order[0], 2);
    KCHECK_EQ(order[1], 1);
}

TTEST(sched, priority_change_requeues_ready_thread)
{
    order_n = 0;
    L4_ThreadId_t a = tu_create(record_order, (void *)1, 120);
    L4_ThreadId_t b = tu_create(record_order, (void *)2, 110);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK_EQ(L4_Set_Priority(b, 130), L4_SCHEDRESULT_RUNNING);    /* ready, not run yet */
    KCHECK(TU_WAIT(order_n == 2));
    KCHECK_EQ(order[0], 2);
    KCHECK_EQ(order[1], 1);
}

TTEST(sched, default_priority_is_100)
{
    order_n = 0;
    L4_ThreadId_t hi = tu_create(record_order, (void *)1, 101);
    L4_ThreadId_t lo = tu_create(record_order, (void *)3, 99);
    L4_ThreadId_t d = tu_create_ex(record_order, (void *)2, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(hi) && !L4_IsNilThread(lo) && !L4_IsNilThread(d));
    /* Make d again without tutil's priority: ThreadControl alone. */
    KCHECK_EQ(L4_ThreadControl(d, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
    KCHECK_EQ(L4_ThreadControl(d, tu_root(), tu_root(), L4_Pager(), (void *)tu_utcb_of(d)), 1);
    L4_Word_t tc = 0;
    KCHECK_EQ(sched(d, ~0UL, ~0UL, ~0UL, &tc), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(tc >> 16) }), 10000);  /* 10 ms */
    KCHECK_EQ(tc & 0xFFFF, L4_Never.raw);              /* total quantum: never */
    tu_start(d);
    KCHECK(TU_WAIT(order_n == 3));
    KCHECK_EQ(order[0], 1);
    KCHECK_EQ(order[1], 2);
    KCHECK_EQ(order[2], 3);
}

TTEST(sched, lowering_own_priority_preempts_at_once)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(set_ran, (void *)1, 200);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(ran, 0);
    KCHECK_EQ(L4_Set_Priority(tu_root(), 150), L4_SCHEDRESULT_RUNNING);
    KCHECK_EQ(ran, 1);                                  /* ran before Schedule returned */
    KCHECK_EQ(L4_Set_Priority(tu_root(), TU_ROOT_PRIO), L4_SCHEDRESULT_RUNNING);
}

TTEST(sched, equal_priorities_share)
{
    static volatile L4_Word_t c1, c2;
    c1 = c2 = 0;
    L4_ThreadId_t a = tu_create(tu_spin, (void *)&c1, 50);
    L4_ThreadId_t b = tu_create(tu_spin, (void *)&c2, 50);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(TU_WAIT(c1 > 0 && c2 > 0));
    for (int round = 0; round < 3; round++) {           /* both keep making progress */
        L4_Word_t s1 = c1, s2 = c2;
        KCHECK(TU_WAIT(c1 > s1 && c2 > s2));
    }
}

TTEST(sched, lower_priority_starves)
{
    static volatile L4_Word_t hi, lo;
    hi = lo = 0;
    L4_ThreadId_t h = tu_create(tu_spin, (void *)&hi, 60);
    L4_ThreadId_t l = tu_create(tu_spin, (void *)&lo, 50);
    KCHECK(!L4_IsNilThread(h) && !L4_IsNilThread(l));
    KCHECK(TU_WAIT(hi > 100000));
    L4_Sleep(L4_TimePeriod(30000));
    KCHECK_EQ(lo, 0);
    KCHECK_EQ(tu_delete(h), 1);
    KCHECK(TU_WAIT(lo > 0));
}

TTEST(sched, states)
{
    L4_ThreadId_t inactive = tu_create_ex(0, 0, 100, TU_INACTIVE);
    L4_ThreadId_t startup = tu_create_ex(0, 0, 100, TU_NOSTART);
    L4_ThreadId_t sleeper = tu_create(tu_sleep_forever, 0, 100);
    static volatile L4_Word_t count;
    L4_ThreadId_t spinner = tu_create(tu_spin, (void *)&count, 50);
    KCHECK(!L4_IsNilThread(inactive) && !L4_IsNilThread(startup));
    KCHECK(!L4_IsNilThread(sleeper) && !L4_IsNilThread(spinner));
    KCHECK_EQ(tu_state(inactive), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(tu_state(startup), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(tu_state(sleeper), L4_SCHEDRESULT_RUNNING);  /* ready: it has not run yet */
    KCHECK(TU_WAIT(tu_state(sleeper) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(tu_state(spinner), L4_SCHEDRESULT_RUNNING);
    KCHECK_EQ(tu_state(tu_root()), L4_SCHEDRESULT_RUNNING);
    KCHECK_EQ(tu_state(L4_MyLocalId()), L4_SCHEDRESULT_RUNNING);
    KCHECK_EQ(tu_state(L4_nilthread), L4_SCHEDRESULT_RUNNING);     /* changes nothing */
}

TTEST(sched, err_invalid_thread)
{
    L4_ThreadId_t none = tu_reserve();
    L4_ThreadId_t bad[] = {
        none, L4_anythread, L4_anylocalthread,
        { .raw = TU_ROOT_UTCB + 62 * 1024 + 512 },      /* an unused local id */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(tu_state(bad[i]), L4_SCHEDRESULT_ERROR);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    }
}

TTEST(sched, err_processor)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t ncpu = L4_NumProcessors(L4_GetKernelInterface());
    KCHECK(ncpu >= 1);
    KCHECK_EQ(sched(t, ~0UL, ~0UL, ncpu, 0), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(sched(t, ~0UL, ~0UL, 0xFFFF, 0), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK(sched(t, ~0UL, ~0UL, 0, 0) != L4_SCHEDRESULT_ERROR);
}

TTEST(sched, time_control_readback)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t old = 0;
    KCHECK_EQ(sched(t, ~0UL, tc_word(L4_TimePeriod(5000), L4_Never), ~0UL, &old),
              L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(old >> 16) }), 10000);
    KCHECK_EQ(sched(t, ~0UL, ~0UL, ~0UL, &old), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(old >> 16) }), 5000);
    KCHECK_EQ(old & 0xFFFF, L4_Never.raw);
    /* 0xFFFF in a field leaves it unchanged. */
    KCHECK(sched(t, ~0UL, (0xFFFFUL << 16) | L4_TimePeriod(2000000).raw, ~0UL, 0));
    KCHECK(sched(t, ~0UL, ~0UL, ~0UL, &old));
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(old >> 16) }), 5000);
    L4_Word64_t tq = L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)old });
    KCHECK(tq >= 1900000 && tq <= 2100000);
}

TTEST(sched, quantum_exhausted_stops_thread)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t t = tu_create_ex(tu_spin, (void *)&count, 50, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(sched(t, ~0UL, tc_word(L4_TimePeriod(10000), L4_TimePeriod(30000)), ~0UL, 0));
    tu_start(t);
    L4_Word_t tc = 0;
    KCHECK(TU_WAIT(sched(t, ~0UL, ~0UL, ~0UL, &tc) && (tc & 0xFFFF) == L4_ZeroTime.raw));
    KCHECK(count > 0);
    L4_Word_t c = count;
    L4_Sleep(L4_TimePeriod(50000));
    KCHECK_EQ(count, c);                                /* stopped */
    /* A new quantum lets it run again, until that one is used up too. */
    KCHECK(sched(t, ~0UL, (0xFFFFUL << 16) | L4_TimePeriod(30000).raw, ~0UL, 0));
    KCHECK(TU_WAIT(count > c));
    KCHECK(TU_WAIT(sched(t, ~0UL, ~0UL, ~0UL, &tc) && (tc & 0xFFFF) == L4_ZeroTime.raw));
    c = count;
    L4_Sleep(L4_TimePeriod(50000));
    KCHECK_EQ(count, c);
    /* Never: unlimited again. */
    KCHECK(sched(t, ~0UL, (0xFFFFUL << 16) | L4_Never.raw, ~0UL, 0));
    KCHECK(TU_WAIT(count > c));
}

TTEST(sched, yield_runs_equal_priority)
{
    ran = 0;
    KCHECK_EQ(L4_Set_Priority(tu_root(), 100), L4_SCHEDRESULT_RUNNING);
    L4_ThreadId_t t = tu_create(set_ran, (void *)1, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(ran, 0);                                  /* an equal does not preempt us */
    /* One yield is enough; a few more only cover a time slice lost to a stalled host. */
    for (int i = 0; i < 4 && !ran; i++)
        L4_Yield();
    KCHECK_EQ(ran, 1);
}

TTEST(sched, yield_skips_lower_priority)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(set_ran, (void *)1, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Yield();
    L4_ThreadSwitch(L4_nilthread);
    KCHECK_EQ(ran, 0);
    KCHECK(TU_WAIT(ran == 1));
}

TTEST(sched, donation_runs_lower_priority)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(set_ran, (void *)1, 10);
    KCHECK(!L4_IsNilThread(t));
    /* It runs on our time slice at once.  A timer tick that happens to end the donation
     * before it got anything done gives the CPU back to us, hence a few tries; without
     * donation it would never run, as we do not block. */
    for (int i = 0; i < 4 && !ran; i++)
        L4_ThreadSwitch(t);
    KCHECK_EQ(ran, 1);
}

TTEST(sched, donation_by_local_id)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(set_ran, (void *)1, 10);
    KCHECK(!L4_IsNilThread(t));
    for (int i = 0; i < 4 && !ran; i++)                 /* tries: see above */
        L4_ThreadSwitch(L4_LocalIdOf(t));
    KCHECK_EQ(ran, 1);
}

TTEST(sched, donation_to_blocked_thread_is_yield)
{
    ran = 0;
    L4_ThreadId_t b = tu_create(tu_sleep_forever, 0, 10);
    L4_ThreadId_t r = tu_create(set_ran, (void *)1, 10);
    KCHECK(!L4_IsNilThread(b) && !L4_IsNilThread(r));
    for (int i = 0; i < 4 && tu_state(b) != L4_SCHEDRESULT_WAITING; i++)
        L4_ThreadSwitch(b);                             /* b is ready: it runs, then blocks */
    KCHECK_EQ(tu_state(b), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(ran, 0);                                  /* r is lower than us: not run */
    L4_ThreadSwitch(b);                                 /* blocked: acts as a yield */
    KCHECK_EQ(ran, 0);
    L4_ThreadSwitch(tu_reserve());                      /* no such thread: likewise */
    KCHECK_EQ(ran, 0);
}

/* Run in a new space as V's scheduler; V is passed as arg. */
static void unprivileged_schedule(void *arg)
{
    L4_ThreadId_t v = { .raw = (L4_Word_t)arg };
    L4_Word_t me_prio = 100;
    seen[0] = L4_Set_Priority(v, me_prio - 10);
    seen[1] = L4_Set_Priority(v, me_prio + 20);
    seen[2] = L4_ErrorCode();
    seen[3] = L4_Set_Priority(tu_root(), 10);           /* not its scheduler */
    seen[4] = L4_ErrorCode();
    seen[5] = L4_Set_Timeslice(v, L4_TimePeriod(4000), L4_Never);
    seen[6] = L4_Set_Priority(v, me_prio);              /* its own level is allowed */
    ran = 1;
}

TTEST(sched, unprivileged_scheduler_limits)
{
    ran = 0;
    L4_ThreadId_t s = tu_space_create();
    KCHECK(!L4_IsNilThread(s));
    L4_ThreadId_t v = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(v));
    KCHECK_EQ(L4_ThreadControl(v, tu_root(), s, L4_nilthread, (void *)-1), 1);  /* scheduler */
    KCHECK(TU_WAIT(tu_state(v) == L4_SCHEDRESULT_WAITING));
    KCHECK(tu_space_start(s, unprivileged_schedule, (void *)v.raw, 100));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(seen[1], L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(seen[2], L4_ErrInvalidParam);
    KCHECK_EQ(seen[3], L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(seen[4], L4_ErrNoPrivilege);
    KCHECK_EQ(seen[5], L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(seen[6], L4_SCHEDRESULT_WAITING);
    L4_Word_t tc;
    KCHECK(sched(v, ~0UL, ~0UL, ~0UL, &tc));
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(tc >> 16) }), 4000);
    KCHECK_EQ(tu_state(tu_root()), L4_SCHEDRESULT_RUNNING);
}
