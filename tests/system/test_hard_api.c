/* test_hard_api.c — hardening of the kernel debugger and of ExchangeRegisters, Schedule and
 * ThreadControl (issue 10, defects 5 and 10).
 *
 * - kdb: an unprivileged thread's GETC_BLOCKING returns at once (the kernel never waits), a
 *   huge PUTS prints at most KDB_PUTS_MAX bytes, privileged and unknown operations return ~0;
 *   meanwhile other threads keep running.
 * - A refused ExchangeRegisters or Schedule never takes the exclusive kernel lock (counted by
 *   KDB_STAT_KLOCK_EXCL), and returns the documented error code.
 * - A ThreadControl that fails late (a fifth thread limit, out of kernel memory for the UTCB
 *   page) leaves the thread exactly as it was: version, pager, scheduler, UTCB location.
 *
 * Hostile calls come from an "agent": a thread in a new (unprivileged) space that runs the
 * functions the root thread hands it, sharing all memory with the test (tutil.h).
 */
#include <l4/l4.h>
#include <l4/kdebug.h>
#include <sigma4/kdb.h>
#include "hard.h"

#define MS              1000UL
#define GiB             (1UL << 30)
#define LIMIT_OF(end)   (((end) >> 12) - 1)         /* ThreadControl limit for an end address */

/* ---- the agent ------------------------------------------------------------------------ */

struct agent {
    volatile tu_fn_t fn;
    void *volatile arg;
    volatile L4_Word_t seq, done;
};
static struct agent agent;

/* Thread body: run agent.fn(agent.arg) each time agent.seq goes up, then acknowledge. */
static void agent_loop(void *arg)
{
    struct agent *a = arg;
    for (;;) {
        while (a->done == a->seq)
            L4_Sleep(L4_TimePeriod(MS));
        L4_Word_t s = a->seq;
        a->fn(a->arg);
        a->done = s;
    }
}

/* An agent in a new space (unprivileged); its id or nilthread. */
static L4_ThreadId_t agent_start(void)
{
    agent = (struct agent){ 0 };
    return tu_space_thread(agent_loop, &agent, 100);
}

/* Let the agent run fn(arg); did it finish within the TU_WAIT bound? */
static int agent_run(tu_fn_t fn, void *arg)
{
    agent.fn = fn;
    agent.arg = arg;
    L4_Word_t s = agent.seq + 1;
    agent.seq = s;
    return TU_WAIT(agent.done == s);
}

/* Is *c still going up (within TU_WAIT)? */
static int progresses(volatile L4_Word_t *c)
{
    L4_Word_t s = *c;
    return TU_WAIT(*c > s);
}

/* A kdb request with any operation byte (the library macro wants a constant). */
#define KDB(op, arg) __L4_KDB_SERVICE(op, arg)

/* ---- kdb --------------------------------------------------------------------------------- */

struct kdb_probe {
    L4_Word_t getc, getc_blocking, puts_huge, puts_next, puts_short, putc;
    L4_Word_t stat, shutdown, cache, unknown[3];
};

/* 64 KiB of comment lines, 64 bytes each ("# ..." up to the newline), NUL-terminated. */
static char huge[65536 + 1];

static void fill_huge(void)
{
    static const char line[] = "# hard.kdb_unprivileged: filler (at most KDB_PUTS_MAX bytes)   ";
    _Static_assert(sizeof(line) == 64, "64 bytes with the NUL, which becomes the newline");
    for (unsigned i = 0; i < sizeof(huge) - 1; i += 64) {
        for (unsigned k = 0; k < 63; k++)
            huge[i + k] = line[k];
        huge[i + 63] = '\n';
    }
    huge[sizeof(huge) - 1] = 0;
}

static const char short_line[] = "# hard.kdb_unprivileged: a short line\n";

static void kdb_getc_probe(void *arg)
{
    struct kdb_probe *p = arg;
    p->getc = KDB(KDB_OP_GETC, 0);
    p->getc_blocking = KDB(KDB_OP_GETC_BLOCKING, 0);
}

static void kdb_ops_probe(void *arg)
{
    struct kdb_probe *p = arg;
    L4_Word_t sum = 0;
    for (unsigned i = 0; i < sizeof(huge); i += 4096)   /* the kernel reads only mapped pages */
        sum += ((volatile char *)huge)[i];
    sum += ((volatile const char *)short_line)[0];
    (void)sum;
    p->puts_huge = KDB(KDB_OP_PUTS, huge);
    p->puts_next = KDB(KDB_OP_PUTS, huge + p->puts_huge);
    p->puts_short = KDB(KDB_OP_PUTS, short_line);
    p->putc = KDB(KDB_OP_PUTC, '\n');
    p->stat = KDB(KDB_OP_STAT, KDB_STAT_KMEM_FREE);
    p->shutdown = KDB(KDB_OP_SHUTDOWN, 3);
    p->cache = KDB(KDB_OP_CACHE_TYPE, (L4_Word_t)huge);
    p->unknown[0] = KDB(0x09, 0);
    p->unknown[1] = KDB(0x7E, 0);
    p->unknown[2] = KDB(0xFF, 0);
}

/* A counter that runs on the last CPU (the root's CPU with one CPU), below the agent. */
static volatile L4_Word_t counter;

static int start_counter(void)
{
    counter = 0;
    L4_ThreadId_t c = tu_ncpus() > 1 ? tu_create_on(tu_spin, (void *)&counter, 50, tu_ncpus() - 1)
                                     : tu_create(tu_spin, (void *)&counter, 50);
    return !L4_IsNilThread(c);
}

/* On the unfixed kernel GETC_BLOCKING spins in the kernel, interrupts off, until a byte comes:
 * no byte ever comes here, so the system hangs — hence LATE. */
HTEST_LATE(kdb_getc_blocking_never_waits)
{
    static struct kdb_probe p;
    p = (struct kdb_probe){ 0 };
    KCHECK(start_counter());
    KCHECK(progresses(&counter));
    KCHECK(!L4_IsNilThread(agent_start()));
    L4_Word_t t0 = (L4_Word_t)L4_SystemClock().raw;
    KCHECK(agent_run(kdb_getc_probe, &p));
    L4_Word_t took = (L4_Word_t)L4_SystemClock().raw - t0;
    KCHECK_EQ(p.getc, ~0UL);                        /* console input is the root servers' */
    KCHECK_EQ(p.getc_blocking, ~0UL);               /* "no byte", at once */
    KCHECK(took < 2000 * MS);
    KCHECK(progresses(&counter));                   /* the rest of the system went on */
    /* The root server's request does not wait either (nothing is typed in the test run). */
    KCHECK_EQ(KDB(KDB_OP_GETC_BLOCKING, 0), ~0UL);
}

HTEST(kdb_unprivileged_output_bounded)
{
    static struct kdb_probe p;
    p = (struct kdb_probe){ 0 };
    fill_huge();
    KCHECK(start_counter());
    KCHECK(!L4_IsNilThread(agent_start()));
    KCHECK(agent_run(kdb_ops_probe, &p));
    KCHECK_EQ(p.puts_huge, KDB_PUTS_MAX);           /* 256 of the 65536 bytes */
    KCHECK_EQ(p.puts_next, KDB_PUTS_MAX);           /* the caller goes on where it stopped */
    KCHECK_EQ(p.puts_short, sizeof(short_line) - 1);    /* up to the NUL */
    KCHECK_EQ(p.putc, '\n');
    KCHECK_EQ(p.stat, ~0UL);                        /* privileged: refused */
    KCHECK_EQ(p.shutdown, ~0UL);
    KCHECK_EQ(p.cache, ~0UL);
    KCHECK_EQ(p.unknown[0], ~0UL);                  /* unknown operations */
    KCHECK_EQ(p.unknown[1], ~0UL);
    KCHECK_EQ(p.unknown[2], ~0UL);
    KCHECK(progresses(&counter));
    /* libl4 prints a long string in KDB_PUTS_MAX pieces; the root's PUTS is bounded too. */
    KCHECK_EQ(KDB(KDB_OP_PUTS, huge), KDB_PUTS_MAX);
    huge[640] = 0;                                  /* ten whole lines */
    L4_KDB_PrintString(huge);
}

/* ---- refused calls and the exclusive kernel lock ----------------------------------------- */

#define REFUSED_CALLS   1000

struct refused {
    L4_ThreadId_t target;
    L4_Word_t calls;
    L4_Word_t exreg_ok, exreg_bad_err, sched_ok, sched_bad_err;
};

static void refused_probe(void *arg)
{
    struct refused *r = arg;
    for (L4_Word_t i = 0; i < r->calls; i++) {
        L4_Word_t old;
        /* Halt it and move its IP: a thread of another space whose pager we are not. */
        L4_ThreadId_t res = L4_ExchangeRegisters(r->target, L4_EXREGS_APPLY_HALT | 1 |
                                                 L4_EXREGS_SET_IP, 0, 0x1000, 0, 0, L4_nilthread,
                                                 &old, 0, 0, 0, 0, 0);
        if (!L4_IsNilThread(res))
            r->exreg_ok++;
        else if (L4_ErrorCode() != L4_ErrInvalidThread)
            r->exreg_bad_err++;
        /* Move it to CPU 0 at priority 1: we are not its scheduler. */
        if (L4_Schedule(r->target, ~0UL, 0, 1, ~0UL, &old) != L4_SCHEDRESULT_ERROR)
            r->sched_ok++;
        else if (L4_ErrorCode() != L4_ErrNoPrivilege)
            r->sched_bad_err++;
    }
}

/* As the target's scheduler: a CPU that does not exist, a priority above the agent's own. */
static void bad_param_probe(void *arg)
{
    struct refused *r = arg;
    for (L4_Word_t i = 0; i < r->calls; i++) {
        L4_Word_t old;
        if (L4_Schedule(r->target, ~0UL, 999, ~0UL, ~0UL, &old) != L4_SCHEDRESULT_ERROR)
            r->sched_ok++;
        else if (L4_ErrorCode() != L4_ErrInvalidParam)
            r->sched_bad_err++;
        if (L4_Schedule(r->target, ~0UL, ~0UL, 200, ~0UL, &old) != L4_SCHEDRESULT_ERROR)
            r->sched_ok++;
        else if (L4_ErrorCode() != L4_ErrInvalidParam)
            r->sched_bad_err++;
    }
}

HTEST(refused_exreg_schedule_take_no_exclusive_lock)
{
    static struct refused r;
    /* The target runs on another CPU if there is one: the unfixed kernel then took the
     * exclusive lock for every ExchangeRegisters on it (and for every Schedule anywhere). */
    L4_Word_t cpu = tu_ncpus() - 1;
    static volatile L4_Word_t spins;
    L4_ThreadId_t target = cpu ? tu_create_on(tu_spin, (void *)&spins, 50, cpu)
                               : tu_create(tu_spin, (void *)&spins, 50);
    KCHECK(!L4_IsNilThread(target));
    L4_ThreadId_t ag = agent_start();
    KCHECK(!L4_IsNilThread(ag));
    r = (struct refused){ .target = target, .calls = 10 };
    KCHECK(agent_run(refused_probe, &r));           /* warm up: the agent's pages fault in */
    r = (struct refused){ .target = target, .calls = REFUSED_CALLS };
    L4_Word_t x0 = L4_KDB_Stat(KDB_STAT_KLOCK_EXCL);
    KCHECK(x0 != ~0UL);
    KCHECK(agent_run(refused_probe, &r));
    L4_Word_t x1 = L4_KDB_Stat(KDB_STAT_KLOCK_EXCL);
    printf("# hard: %u refused calls of each, exclusive lock taken %lu times meanwhile\n",
           REFUSED_CALLS, x1 - x0);
    KCHECK_EQ(r.exreg_ok, 0);
    KCHECK_EQ(r.exreg_bad_err, 0);
    KCHECK_EQ(r.sched_ok, 0);
    KCHECK_EQ(r.sched_bad_err, 0);
    KCHECK(x1 - x0 < REFUSED_CALLS / 20);           /* not one per call: only background */
    /* And nothing changed: the target is not halted, still spinning, still at priority 50
     * on its CPU (Schedule reads back its state; the root may). */
    L4_Word_t control;
    KCHECK(!L4_IsNilThread(L4_ExchangeRegisters(target, 0, 0, 0, 0, 0, L4_nilthread, &control,
                                                0, 0, 0, 0, 0)));
    KCHECK_EQ(control & L4_EXREGS_WAS_HALTED, 0);
    KCHECK(progresses(&spins));
    /* The agent becomes the target's scheduler; its bad parameters (error 5) are refused
     * before the lock too. */
    KCHECK_EQ(L4_ThreadControl(target, target, ag, L4_nilthread, (void *)-1), 1);
    r = (struct refused){ .target = target, .calls = REFUSED_CALLS };
    KCHECK(agent_run(bad_param_probe, &(struct refused){ .target = target, .calls = 10 }));
    x0 = L4_KDB_Stat(KDB_STAT_KLOCK_EXCL);
    KCHECK(agent_run(bad_param_probe, &r));
    x1 = L4_KDB_Stat(KDB_STAT_KLOCK_EXCL);
    printf("# hard: %u bad Schedule parameters twice, exclusive lock taken %lu times\n",
           REFUSED_CALLS, x1 - x0);
    KCHECK_EQ(r.sched_ok, 0);
    KCHECK_EQ(r.sched_bad_err, 0);
    KCHECK(x1 - x0 < REFUSED_CALLS / 20);
}

/* ---- ThreadControl: all or nothing ------------------------------------------------------- */

/* The agent asks Schedule about r->target, as its scheduler would. */
static void schedule_probe(void *arg)
{
    struct refused *r = arg;
    r->sched_ok = L4_Schedule(r->target, ~0UL, ~0UL, ~0UL, ~0UL, 0);
    r->sched_bad_err = r->sched_ok == L4_SCHEDRESULT_ERROR ? L4_ErrorCode() : 0;
}

/* Is `sched` (the agent) still t's scheduler?  (Schedule from it: allowed iff it is.) */
static int agent_schedules(L4_ThreadId_t t)
{
    static struct refused r;
    r = (struct refused){ .target = t };
    return agent_run(schedule_probe, &r) && r.sched_ok != L4_SCHEDRESULT_ERROR;
}

static L4_ThreadId_t pager_of(L4_ThreadId_t t)
{
    L4_ThreadId_t pager = L4_nilthread;
    L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, &pager);
    return pager;
}

HTEST(thread_control_fifth_limit_changes_nothing)
{
    /* The root task's space gets four different thread limits (inactive threads); a fifth on
     * a running thread, with a new version, scheduler and pager, is "out of memory" (8) and
     * must leave its id, scheduler and pager alone. */
    L4_ThreadId_t me = tu_root(), ag = agent_start();
    KCHECK(!L4_IsNilThread(ag));
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(L4_ThreadControl(t, t, ag, L4_nilthread, (void *)-1), 1);
    KCHECK(agent_schedules(t));
    L4_ThreadId_t pager0 = pager_of(t);
    KCHECK(!L4_IsNilThread(pager0));
    for (L4_Word_t k = 1; k <= 4; k++) {
        L4_ThreadId_t in = tu_reserve();
        KCHECK(!L4_IsNilThread(in));
        KCHECK_EQ(L4_ThreadControlLimit(in, me, me, L4_nilthread, (void *)-1,
                                         LIMIT_OF(k * GiB)), 1);
    }
    L4_ThreadId_t renamed = L4_GlobalId(L4_ThreadNo(t), L4_Version(t) == 63 ? 1 : L4_Version(t) + 1);
    KCHECK_EQ(L4_ThreadControlLimit(renamed, me, me, me, (void *)-1, LIMIT_OF(5 * GiB)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNoMem);
    KCHECK_EQ(pager_of(t).raw, pager0.raw);         /* the old id still names it */
    KCHECK(L4_IsNilThread(pager_of(renamed)));
    KCHECK(agent_schedules(t));                     /* the scheduler is still the agent */
    /* A bad UTCB location with a new pager and scheduler (an inactive thread): error 6. */
    L4_ThreadId_t in = tu_reserve();
    KCHECK(!L4_IsNilThread(in));
    KCHECK_EQ(L4_ThreadControl(in, me, ag, L4_nilthread, (void *)-1), 1);
    KCHECK_EQ(L4_ThreadControl(in, me, me, me, (void *)(TU_ROOT_UTCB + 100)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tu_state(in), L4_SCHEDRESULT_INACTIVE);
    KCHECK(agent_schedules(in));
}

/* ---- ThreadControl out of kernel memory ------------------------------------------------- */

#define OOM_SPACE_NO    39000u          /* the threads of the space whose UTCB pages we take */
#define OOM_SPACE_N     24u
#define OOM_FILL_NO     40000u          /* inactive threads that use up the kernel pool */
#define OOM_FILL_MAX    60000u
#define OOM_UTCB        0xB0400000UL    /* that space's UTCB area: 1 MiB, a page per thread */

struct oom {
    L4_Word_t filled, activated, failed_no, err;
};

/* Use up the kernel pool with inactive threads, then activate the space's threads, each
 * with a new scheduler (the agent) at a UTCB location in a page of its own, until one fails
 * for want of a UTCB page.  The caller frees everything (oom_cleanup). */
static void oom_run(struct oom *o, L4_ThreadId_t ag)
{
    L4_ThreadId_t me = tu_root();
    for (o->filled = 0; o->filled < OOM_FILL_MAX - OOM_FILL_NO; o->filled++)
        if (!L4_ThreadControl(L4_GlobalId(OOM_FILL_NO + o->filled, 1), me, me, L4_nilthread,
                              (void *)-1))
            break;
    for (o->activated = 0; o->activated < OOM_SPACE_N; o->activated++) {
        L4_ThreadId_t t = L4_GlobalId(OOM_SPACE_NO + o->activated, 1);
        if (!L4_ThreadControl(t, t, ag, me, (void *)(OOM_UTCB + o->activated * 4096))) {
            o->err = L4_ErrorCode();
            o->failed_no = OOM_SPACE_NO + o->activated;
            break;
        }
    }
}

static void oom_cleanup(const struct oom *o)
{
    for (L4_Word_t i = 0; i < o->filled; i++)
        L4_ThreadControl(L4_GlobalId(OOM_FILL_NO + i, 1), L4_nilthread, L4_nilthread,
                         L4_nilthread, (void *)-1);
    for (L4_Word_t i = OOM_SPACE_N; i-- > 0; )
        L4_ThreadControl(L4_GlobalId(OOM_SPACE_NO + i, 1), L4_nilthread, L4_nilthread,
                         L4_nilthread, (void *)-1);
}

/* Make the space: its first thread, KIP and UTCB areas, then the others, inactive. */
static int oom_space(void)
{
    L4_ThreadId_t me = tu_root(), first = L4_GlobalId(OOM_SPACE_NO, 1);
    L4_Word_t old;
    if (!L4_ThreadControl(first, first, me, L4_nilthread, (void *)-1) ||
        !L4_SpaceControl(first, 0, L4_FpageLog2(TU_SPACE_KIP, 12), L4_FpageLog2(OOM_UTCB, 20),
                         L4_nilthread, &old))
        return 0;
    for (L4_Word_t i = 1; i < OOM_SPACE_N; i++)
        if (!L4_ThreadControl(L4_GlobalId(OOM_SPACE_NO + i, 1), first, me, L4_nilthread,
                              (void *)-1))
            return 0;
    return 1;
}

HTEST(thread_control_out_of_memory_changes_nothing)
{
    /* The activation that finds no kernel memory for its UTCB page fails with 8 and leaves
     * the thread as it was: inactive, its scheduler the root, no UTCB location. */
    static struct oom o;
    o = (struct oom){ 0 };
    L4_ThreadId_t me = tu_root(), ag = agent_start();
    KCHECK(!L4_IsNilThread(ag));
    int made = oom_space();
    if (made)
        oom_run(&o, ag);
    L4_Word_t free_low = L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    /* Memory back (all but the space), then look at the thread whose activation failed. */
    for (L4_Word_t i = 0; i < o.filled; i++)
        L4_ThreadControl(L4_GlobalId(OOM_FILL_NO + i, 1), L4_nilthread, L4_nilthread,
                         L4_nilthread, (void *)-1);
    L4_ThreadId_t f = L4_GlobalId(o.failed_no, 1);
    int sched_kept = o.failed_no && !agent_schedules(f);
    L4_Word_t state = o.failed_no ? tu_state(f) : 0;
    /* It got no UTCB location: activating it without one is error 6... */
    L4_Word_t reuse = o.failed_no ? L4_ThreadControl(f, f, L4_nilthread, me, (void *)-1) : 1;
    L4_Word_t reuse_err = L4_ErrorCode();
    /* ...and its location is free for another thread of the space. */
    L4_ThreadId_t other = L4_GlobalId(OOM_SPACE_NO + OOM_SPACE_N - 1, 1);
    L4_Word_t other_ok = o.failed_no && o.failed_no != OOM_SPACE_NO + OOM_SPACE_N - 1 ?
        L4_ThreadControl(other, other, L4_nilthread, me,
                         (void *)(OOM_UTCB + (o.failed_no - OOM_SPACE_NO) * 4096)) : 0;
    oom_cleanup(&(struct oom){ 0 });               /* the space's threads */
    printf("# hard: %lu threads filled the pool (%lu bytes left), %lu UTCB pages then\n",
           o.filled, free_low, o.activated);
    KCHECK(made);
    KCHECK(o.filled > 100 && o.filled < OOM_FILL_MAX - OOM_FILL_NO);
    KCHECK(o.failed_no != 0);                       /* some activation ran out */
    KCHECK_EQ(o.err, L4_ErrNoMem);
    KCHECK(sched_kept);                             /* the agent is not its scheduler */
    KCHECK_EQ(state, L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(reuse, 0);
    KCHECK_EQ(reuse_err, L4_ErrUtcbArea);
    KCHECK_EQ(other_ok, 1);
}
