/* test_smp.c — in-system tests of sigma4 on several CPUs: home CPUs and migration (a ready,
 * running, halted, IPC-blocked thread; a thread moving itself), IPC between threads on different
 * CPUs in every pattern (Send, Receive, Call, ReplyWait, open and anylocal receive, 64 words,
 * map and string items, propagation) with the X flag (set iff sender and receiver ran on
 * different CPUs), timeouts and errors across CPUs (timeout, partner deleted, cancel by
 * ExchangeRegisters), ExchangeRegisters, ThreadControl and Schedule on threads of other CPUs,
 * TLB shootdown on Unmap, concurrent map/grant/unmap/delete from four CPUs without a leak,
 * ProcessorControl, and a stress test of 100,000 sequence-numbered cross-CPU calls.
 *
 * Every thread gets its CPU before it runs (tu_create_on); threads report where they run by
 * reading their UTCB's ProcessorNo into shared variables, which the root thread (CPU 0) checks.
 * A test needing more CPUs than are online ends with KSKIP.  Every wait is bounded (TU_WAIT,
 * IPC timeouts), so a kernel bug fails a test instead of hanging the suite.
 */
#include <string.h>
#include <l4/l4.h>
#include <l4/sigma0.h>
#include <sigma4/kdb.h>
#include "tutil.h"

#define ERR(code, phase)    (((L4_Word_t)(code) << 1) | (phase))
#define MS                  1000UL
#define SECOND              1000000UL

/* End the test as skipped unless n CPUs are online. */
#define NEED_CPUS(n) do {                                                       \
        if (tu_ncpus() < (n))                                                    \
            KSKIP("needs " #n " CPUs");                                          \
    } while (0)

static L4_Word_t last_cpu(void)  { return tu_ncpus() - 1; }
static L4_Time_t ms(L4_Word_t n) { return L4_TimePeriod(n * MS); }
static L4_Word_t never(void)     { return L4_Timeouts(L4_Never, L4_Never); }
static L4_Word_t now(void)       { return (L4_Word_t)L4_SystemClock().raw; }
static L4_MsgTag_t tag_of(L4_Word_t raw) { return (L4_MsgTag_t){ .raw = raw }; }

/* Busy-wait (the root thread keeps its CPU) until *c >= min or us have passed. */
static int spin_until(volatile L4_Word_t *c, L4_Word_t min, L4_Word_t us)
{
    L4_Word_t until = now() + us;
    while (*c < min && now() < until)
        ;
    return *c >= min;
}

/* Does *c still go up (within TU_WAIT)? */
static int progresses(volatile L4_Word_t *c)
{
    L4_Word_t s = *c;
    return TU_WAIT(*c > s);
}

/* ---- thread functions ------------------------------------------------------------------- */

/* A spinner that also reports its CPU. */
struct spin {
    volatile L4_Word_t count, cpu;
};
static void cpu_spin(void *arg)
{
    struct spin *s = arg;
    for (;;) {
        s->cpu = L4_ProcessorNo();
        s->count++;
    }
}

/* One IPC as described, recording the results and the CPU before and after. */
struct op {
    L4_ThreadId_t to, from;
    L4_Word_t timeouts, tag, mr[8];
    L4_Word_t delay_us;                 /* sleep this long first */
    volatile L4_Word_t done, cpu0, cpu1, rtag, err, rfrom, t_us, handle;
    volatile L4_Word_t rmr[8];
};
static void do_op(void *arg)
{
    struct op *o = arg;
    o->cpu0 = L4_ProcessorNo();
    if (o->delay_us)
        L4_Sleep(L4_TimePeriod(o->delay_us));
    for (int i = 1; i < 8; i++)
        L4_LoadMR(i, o->mr[i]);
    L4_Set_MsgTag(tag_of(o->tag));
    L4_ThreadId_t from = L4_nilthread;
    L4_Word_t t0 = now();
    L4_MsgTag_t tag = L4_Ipc(o->to, o->from, o->timeouts, &from);
    o->t_us = now() - t0;
    o->err = L4_ErrorCode();
    o->rtag = tag.raw;
    o->rfrom = from.raw;
    for (int i = 1; i < 8; i++)
        L4_StoreMR(i, (L4_Word_t *)&o->rmr[i]);
    o->handle = L4_UserDefinedHandle();
    o->cpu1 = L4_ProcessorNo();
    __asm__ __volatile__("" ::: "memory");
    o->done = 1;
}

static void op_set(struct op *o, L4_ThreadId_t to, L4_ThreadId_t from, L4_Word_t timeouts,
                   L4_MsgTag_t tag)
{
    *o = (struct op){ .to = to, .from = from, .timeouts = timeouts, .tag = tag.raw };
    o->cpu0 = o->cpu1 = ~0UL;
    for (int i = 1; i < 8; i++)
        o->mr[i] = 0x1000UL * (L4_Word_t)i + 7;
}


static volatile L4_Word_t kept;                 /* set by tu_receive_and_keep */

/* ---- where threads run ------------------------------------------------------------------ */

TTEST(smp, thread_runs_on_its_cpu)
{
    NEED_CPUS(2);
    static struct spin s[16];
    L4_Word_t n = tu_ncpus() > 16 ? 16 : tu_ncpus();
    memset((void *)s, 0, sizeof s);
    L4_ThreadId_t home = tu_create(cpu_spin, &s[0], 100);      /* the root's CPU: 0 */
    KCHECK(!L4_IsNilThread(home));
    for (L4_Word_t c = 1; c < n; c++)
        KCHECK(!L4_IsNilThread(tu_create_on(cpu_spin, &s[c], 100, c)));
    for (L4_Word_t c = 0; c < n; c++) {
        KCHECK(TU_WAIT(s[c].count > 0));
        KCHECK_EQ(s[c].cpu, c);
    }
    KCHECK_EQ(L4_ProcessorNo(), 0);
}

/* A thread on the last CPU creates a thread; the new one starts there. */
static L4_ThreadId_t child_tid;
static volatile L4_Word_t creator_ok, creator_err, child_cpu, child_ran;
static void child_fn(void *arg)
{
    (void)arg;
    child_cpu = L4_ProcessorNo();
    child_ran = 1;
}
static void creator_fn(void *arg)
{
    (void)arg;
    L4_ThreadId_t space = tu_root();
    creator_ok = L4_ThreadControl(child_tid, space, space, L4_Pager(), (void *)tu_utcb_of(child_tid));
    creator_err = L4_ErrorCode();
    if (creator_ok)
        L4_Start_SpIp(child_tid, tu_start_sp(child_tid), tu_start_ip());
    creator_ok |= 2;
}

TTEST(smp, new_thread_starts_on_creators_cpu)
{
    NEED_CPUS(2);
    creator_ok = creator_err = child_ran = 0;
    child_cpu = ~0UL;
    child_tid = tu_reserve_for(child_fn, 0);
    KCHECK(!L4_IsNilThread(child_tid));
    KCHECK(!L4_IsNilThread(tu_create_on(creator_fn, 0, 100, last_cpu())));
    KCHECK(TU_WAIT(creator_ok & 2));
    KCHECK_EQ(creator_ok, 3);
    KCHECK(TU_WAIT(child_ran));
    KCHECK_EQ(child_cpu, last_cpu());
}

TTEST(smp, all_cpus_run_at_once)
{
    NEED_CPUS(2);
    static struct spin s[16];
    L4_Word_t n = tu_ncpus() > 16 ? 16 : tu_ncpus();
    memset((void *)s, 0, sizeof s);
    for (L4_Word_t c = 1; c < n; c++)
        KCHECK(!L4_IsNilThread(tu_create_on(cpu_spin, &s[c], 100, c)));
    /* The root thread never blocks here: the others can only count on CPUs of their own. */
    for (int round = 0; round < 3; round++)
        for (L4_Word_t c = 1; c < n; c++) {
            L4_Word_t base = s[c].count;
            KCHECK(spin_until(&s[c].count, base + 1000, TU_WAIT_US));
            KCHECK_EQ(s[c].cpu, c);
        }
}

TTEST(smp, invalid_cpu_number)
{
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create(cpu_spin, (void *)&s, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(L4_Set_ProcessorNo(t, tu_ncpus()), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_Set_ProcessorNo(t, 0xFFFF), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK(TU_WAIT(s.count > 0));
    KCHECK_EQ(s.cpu, 0);                                /* not moved */
    KCHECK(L4_Set_ProcessorNo(t, last_cpu()) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(s.cpu == last_cpu()));
}

/* ---- IPC across CPUs -------------------------------------------------------------------- */

TTEST(smp, send_to_remote_receiver)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    for (int i = 1; i <= 5; i++)
        L4_LoadMR(i, 0x1111UL * (L4_Word_t)i);
    L4_Set_MsgTag(L4_MsgTagMake(0x4321, 5, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.cpu0, 1);
    KCHECK_EQ(o.cpu1, 1);
    KCHECK_EQ(o.rtag, L4_MsgTagMake(0x4321, 5, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(o.rfrom, L4_MyLocalId().raw);
    for (int i = 1; i <= 5; i++)
        KCHECK_EQ(o.rmr[i], 0x1111UL * (L4_Word_t)i);
}

TTEST(smp, receive_from_remote_sender)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, tu_root(), L4_nilthread, never(), L4_MsgTagMake(0x77, 3, 0));
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_PENDING_SEND));
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5 * SECOND));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tag.raw, L4_MsgTagMake(0x77, 3, 0).raw | L4_MSGTAG_XCPU);
    for (int i = 1; i <= 3; i++) {
        L4_Word_t w;
        L4_StoreMR(i, &w);
        KCHECK_EQ(w, o.mr[i]);
    }
    KCHECK(TU_WAIT(o.done));
    KCHECK(L4_IpcSucceeded(tag_of(o.rtag)));
    KCHECK_EQ(o.cpu1, last_cpu());
}

TTEST(smp, call_remote_server)
{
    NEED_CPUS(2);
    static struct tu_echo e;
    e = (struct tu_echo){ 0 };
    L4_ThreadId_t t = tu_create_on(tu_echo_server, &e, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    for (L4_Word_t round = 0; round < 20; round++) {
        L4_LoadMR(1, round * 3);
        L4_LoadMR(2, ~round);
        L4_Set_MsgTag(L4_MsgTagMake(10 + round, 2, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(t, L4_TimePeriod(5 * SECOND), L4_TimePeriod(5 * SECOND));
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK_EQ(tag.raw, L4_MsgTagMake(11 + round, 2, 0).raw | L4_MSGTAG_XCPU);
        L4_Word_t w1, w2;
        L4_StoreMR(1, &w1);
        L4_StoreMR(2, &w2);
        KCHECK_EQ(w1, round * 3 + 1);
        KCHECK_EQ(w2, ~round + 1);
        KCHECK(L4_IpcXcpu(tag_of(e.last_tag)));         /* the request crossed too */
        KCHECK_EQ(e.cpu, 1);
    }
    KCHECK_EQ(e.count, 20);
}

TTEST(smp, call_every_length_to_64_words)
{
    NEED_CPUS(2);
    static struct tu_echo e;
    e = (struct tu_echo){ 0 };
    L4_ThreadId_t t = tu_create_on(tu_echo_server, &e, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    for (L4_Word_t u = 0; u <= 63; u++) {               /* MR0 + 63 words: all 64 registers */
        for (L4_Word_t i = 1; i <= 63; i++)
            L4_LoadMR((int)i, i <= u ? (u << 32) + i * 0x01010101UL : 0);
        L4_Set_MsgTag(L4_MsgTagMake(u, u, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(t, L4_TimePeriod(5 * SECOND), L4_TimePeriod(5 * SECOND));
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK_EQ(tag.raw, L4_MsgTagMake(u + 1, u, 0).raw | L4_MSGTAG_XCPU);
        for (L4_Word_t i = 1; i <= u; i++) {
            L4_Word_t w;
            L4_StoreMR((int)i, &w);
            KCHECK_EQ(w, (u << 32) + i * 0x01010101UL + 1);
        }
    }
}

/* A client: `rounds` Calls to `server`, each word checked. */
struct client {
    L4_ThreadId_t server;
    L4_Word_t id, rounds;
    volatile L4_Word_t done, ok, bad, xcpu, cpu, err;
};
static void client_fn(void *arg)
{
    struct client *c = arg;
    c->cpu = L4_ProcessorNo();
    for (L4_Word_t k = 0; k < c->rounds; k++) {
        L4_Word_t w = (c->id << 32) | k;
        L4_LoadMR(1, w);
        L4_Set_MsgTag(L4_MsgTagMake(k & 0xFFF, 1, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(c->server, L4_TimePeriod(5 * SECOND),
                                           L4_TimePeriod(5 * SECOND));
        L4_Word_t r;
        L4_StoreMR(1, &r);
        if (L4_IpcFailed(tag)) {
            c->err = L4_ErrorCode();
            c->bad++;
            break;
        }
        if (L4_Label(tag) != (k & 0xFFF) + 1 || L4_UntypedWords(tag) != 1 || r != w + 1)
            c->bad++;
        else
            c->ok++;
        c->xcpu += L4_IpcXcpu(tag);
    }
    c->done = 1;
}

TTEST(smp, replywait_server_two_remote_clients)
{
    NEED_CPUS(3);
    static struct tu_echo e;
    static struct client c[2];
    e = (struct tu_echo){ 0 };
    L4_ThreadId_t s = tu_create_on(tu_echo_server, &e, 100, 2 % tu_ncpus());
    KCHECK(!L4_IsNilThread(s));
    L4_Word_t cpus[2] = { 1, tu_ncpus() > 3 ? 3 : 0 };
    for (int i = 0; i < 2; i++) {
        memset((void *)&c[i], 0, sizeof c[i]);
        c[i].server = s;
        c[i].id = (L4_Word_t)i + 1;
        c[i].rounds = 500;
        KCHECK(!L4_IsNilThread(tu_create_on(client_fn, &c[i], 100, cpus[i])));
    }
    KCHECK(TU_WAIT(c[0].done && c[1].done));
    for (int i = 0; i < 2; i++) {
        KCHECK_EQ(c[i].bad, 0);
        KCHECK_EQ(c[i].ok, 500);
        KCHECK_EQ(c[i].xcpu, 500);
        KCHECK_EQ(c[i].cpu, cpus[i]);
    }
    KCHECK_EQ(e.count, 1000);
}

TTEST(smp, open_wait_gets_remote_sender)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, tu_root(), L4_nilthread, never(), L4_MsgTagMake(0x55, 1, 0));
    o.delay_us = 30 * MS;                               /* we are waiting before it sends */
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(5 * SECOND), &from);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tag.raw, L4_MsgTagMake(0x55, 1, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(from.raw, L4_LocalIdOf(t).raw);
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.cpu1, last_cpu());
}

TTEST(smp, anylocal_from_remote_senders)
{
    NEED_CPUS(3);
    static struct op local, foreign;
    op_set(&foreign, tu_root(), L4_nilthread, never(), L4_MsgTagMake(0xF0, 0, 0));
    L4_ThreadId_t f = tu_space_thread(do_op, &foreign, 100);    /* another space */
    KCHECK(!L4_IsNilThread(f));
    KCHECK(L4_Set_ProcessorNo(f, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(tu_state(f) == L4_SCHEDRESULT_PENDING_SEND && foreign.cpu0 != ~0UL));
    op_set(&local, tu_root(), L4_nilthread, never(), L4_MsgTagMake(0x10, 0, 0));
    local.delay_us = 20 * MS;
    L4_ThreadId_t l = tu_create_on(do_op, &local, 100, 2);
    KCHECK(!L4_IsNilThread(l));
    /* anylocal passes over the pending foreign sender and waits for the local one. */
    L4_ThreadId_t from = L4_nilthread;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, L4_anylocalthread,
                             L4_Timeouts(L4_Never, L4_TimePeriod(5 * SECOND)), &from);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tag.raw, L4_MsgTagMake(0x10, 0, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(from.raw, L4_LocalIdOf(l).raw);
    KCHECK(TU_WAIT(local.done));
    KCHECK_EQ(local.cpu1, 2);
    /* The foreign one is still queued; an open wait takes it, with its global id. */
    KCHECK_EQ(tu_state(f), L4_SCHEDRESULT_PENDING_SEND);
    tag = L4_Wait_Timeout(L4_TimePeriod(5 * SECOND), &from);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tag.raw, L4_MsgTagMake(0xF0, 0, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(from.raw, f.raw);
    KCHECK(TU_WAIT(foreign.done));
    KCHECK_EQ(foreign.cpu1, 1);
}

TTEST(smp, xcpu_flag_iff_cpus_differ)
{
    NEED_CPUS(3);
    static struct op r1, s1, r2, s2, r0;
    /* CPU 2 -> CPU 1: X set. */
    op_set(&r1, L4_nilthread, L4_anythread, never(), L4_Niltag);
    L4_ThreadId_t tr1 = tu_create_on(do_op, &r1, 100, 1);
    KCHECK(!L4_IsNilThread(tr1));
    KCHECK(TU_WAIT(tu_state(tr1) == L4_SCHEDRESULT_WAITING));
    op_set(&s1, tr1, L4_nilthread, never(), L4_MsgTagMake(1, 1, 0));
    KCHECK(!L4_IsNilThread(tu_create_on(do_op, &s1, 100, 2)));
    KCHECK(TU_WAIT(r1.done && s1.done));
    KCHECK(L4_IpcSucceeded(tag_of(s1.rtag)));
    KCHECK_EQ(r1.rtag, L4_MsgTagMake(1, 1, 0).raw | L4_MSGTAG_XCPU);
    /* CPU 2 -> CPU 2: X clear, even when the sender sets it. */
    op_set(&r2, L4_nilthread, L4_anythread, never(), L4_Niltag);
    L4_ThreadId_t tr2 = tu_create_on(do_op, &r2, 100, 2);
    KCHECK(!L4_IsNilThread(tr2));
    KCHECK(TU_WAIT(tu_state(tr2) == L4_SCHEDRESULT_WAITING));
    op_set(&s2, tr2, L4_nilthread, never(), L4_MsgTagMake(2, 1, 0));
    s2.tag |= L4_MSGTAG_XCPU;
    KCHECK(!L4_IsNilThread(tu_create_on(do_op, &s2, 100, 2)));
    KCHECK(TU_WAIT(r2.done && s2.done));
    KCHECK_EQ(r2.cpu1, 2);
    KCHECK_EQ(s2.cpu1, 2);
    KCHECK_EQ(r2.rtag, L4_MsgTagMake(2, 1, 0).raw);
    /* CPU 0 (the root) -> CPU 0: clear. */
    op_set(&r0, L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t tr0 = tu_create(do_op, &r0, 100);
    KCHECK(!L4_IsNilThread(tr0));
    KCHECK(TU_WAIT(tu_state(tr0) == L4_SCHEDRESULT_WAITING));
    L4_Set_MsgTag(L4_MsgTagMake(3, 0, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(tr0, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(r0.done));
    KCHECK_EQ(r0.cpu1, 0);
    KCHECK_EQ(r0.rtag, L4_MsgTagMake(3, 0, 0).raw);
}

/* Propagation across CPUs: a client on CPU 1 calls the root; the root forwards the request,
 * propagated, to a worker on the last CPU, whose answer goes straight to the client. */
static volatile L4_Word_t prop_tag, prop_from, prop_reply_tag, prop_reply_from, prop_reply_w,
                          prop_done;
static void prop_client(void *arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_LoadMR(1, 5);
    L4_Set_MsgTag(L4_MsgTagMake(1, 1, 0));
    L4_MsgTag_t tag = L4_Ipc(tu_root(), tu_root(), L4_Timeouts(L4_TimePeriod(5 * SECOND),
                             L4_TimePeriod(5 * SECOND)), &from);
    prop_reply_tag = tag.raw;
    prop_reply_from = from.raw;
    L4_StoreMR(1, (L4_Word_t *)&prop_reply_w);
    prop_done = 1;
}
static void prop_worker(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(5 * SECOND), &from);
    prop_tag = tag.raw;
    prop_from = from.raw;
    L4_Word_t w;
    L4_StoreMR(1, &w);
    L4_LoadMR(1, w * 10);
    L4_Set_MsgTag(L4_MsgTagMake(2, 1, 0));
    L4_Send_Timeout(from, L4_TimePeriod(5 * SECOND));
}

TTEST(smp, propagated_call_answered_from_another_cpu)
{
    NEED_CPUS(3);
    prop_tag = prop_from = prop_reply_tag = prop_reply_from = prop_reply_w = prop_done = 0;
    L4_ThreadId_t worker = tu_create_on(prop_worker, 0, 100, 2);
    L4_ThreadId_t client = tu_create_on(prop_client, 0, 100, 1);
    KCHECK(!L4_IsNilThread(worker) && !L4_IsNilThread(client));
    L4_MsgTag_t tag = L4_Receive_Timeout(client, L4_TimePeriod(5 * SECOND));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(TU_WAIT(tu_state(client) == L4_SCHEDRESULT_WAITING));
    KCHECK(TU_WAIT(tu_state(worker) == L4_SCHEDRESULT_WAITING));
    L4_Set_VirtualSender(client);
    tag.raw &= ~L4_MSGTAG_FLAGS_MASK;
    L4_Set_Propagation(&tag);
    L4_Set_MsgTag(tag);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(worker, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(prop_done));
    KCHECK(L4_IpcPropagated(tag_of(prop_tag)));
    KCHECK(L4_IpcXcpu(tag_of(prop_tag)));               /* from the root's CPU 0 */
    KCHECK_EQ(prop_from, L4_LocalIdOf(client).raw);
    KCHECK(L4_IpcSucceeded(tag_of(prop_reply_tag)));
    KCHECK_EQ(L4_Label(tag_of(prop_reply_tag)), 2);
    KCHECK(L4_IpcXcpu(tag_of(prop_reply_tag)));         /* worker CPU 2 -> client CPU 1 */
    KCHECK_EQ(prop_reply_from, L4_LocalIdOf(worker).raw);
    KCHECK_EQ(prop_reply_w, 50);
}

/* ---- timeouts and errors across CPUs ----------------------------------------------------- */

TTEST(smp, send_timeout_toward_remote_thread)
{
    NEED_CPUS(3);
    L4_ThreadId_t sleeper = tu_create_on(tu_sleep_forever, 0, 100, 1);
    KCHECK(!L4_IsNilThread(sleeper));
    KCHECK(TU_WAIT(tu_state(sleeper) == L4_SCHEDRESULT_WAITING));
    /* From the root (CPU 0): zero and 20 ms. */
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(sleeper, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrSendPhase));
    L4_Word_t t0 = now();
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(sleeper, ms(20))));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrSendPhase));
    KCHECK(now() - t0 >= 20 * MS);
    /* From CPU 2 toward CPU 1: the timeout fires on CPU 2. */
    static struct op o;
    op_set(&o, sleeper, L4_nilthread, L4_Timeouts(ms(30), L4_Never), L4_Niltag);
    KCHECK(!L4_IsNilThread(tu_create_on(do_op, &o, 100, 2)));
    KCHECK(TU_WAIT(o.done));
    KCHECK(L4_IpcFailed(tag_of(o.rtag)));
    KCHECK_EQ(o.err, ERR(L4_ErrTimeout, L4_ErrSendPhase));
    KCHECK(o.t_us >= 30 * MS && o.t_us < TU_WAIT_US);
    KCHECK_EQ(o.cpu1, 2);
    KCHECK_EQ(tu_state(sleeper), L4_SCHEDRESULT_WAITING);
}

TTEST(smp, receive_timeout_on_remote_cpu)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), L4_Timeouts(L4_Never, ms(20)), L4_Niltag);
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK(L4_IpcFailed(tag_of(o.rtag)));
    KCHECK_EQ(o.err, ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(o.t_us >= 20 * MS && o.t_us < TU_WAIT_US);
    KCHECK_EQ(o.cpu1, last_cpu());
    /* And the root's receive from a thread on another CPU times out too. */
    L4_ThreadId_t sleeper = tu_create_on(tu_sleep_forever, 0, 100, 1);
    KCHECK(!L4_IsNilThread(sleeper));
    L4_Word_t t0 = now();
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(sleeper, ms(20))));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(now() - t0 >= 20 * MS);
}

/* Sleep 10 ms five times; record the time and the error code. */
struct sleeper {
    volatile L4_Word_t done, t_us, err, cpu;
};
static void sleep_five(void *arg)
{
    struct sleeper *s = arg;
    L4_Word_t t0 = now();
    for (int i = 0; i < 5; i++)
        L4_Sleep(ms(10));
    s->err = L4_ErrorCode();
    s->t_us = now() - t0;
    s->cpu = L4_ProcessorNo();
    s->done = 1;
}

TTEST(smp, sleep_timeouts_fire_on_every_cpu)
{
    NEED_CPUS(2);
    static struct sleeper s[16];
    L4_Word_t n = tu_ncpus() > 16 ? 16 : tu_ncpus();
    memset((void *)s, 0, sizeof s);
    for (L4_Word_t c = 1; c < n; c++)
        KCHECK(!L4_IsNilThread(tu_create_on(sleep_five, &s[c], 100, c)));
    for (L4_Word_t c = 1; c < n; c++) {
        KCHECK(TU_WAIT(s[c].done));
        KCHECK_EQ(s[c].err, ERR(L4_ErrTimeout, L4_ErrRecvPhase));
        KCHECK(s[c].t_us >= 50 * MS && s[c].t_us < 5 * SECOND);
        KCHECK_EQ(s[c].cpu, c);
    }
}

TTEST(smp, partner_on_other_cpu_deleted_while_blocked)
{
    NEED_CPUS(3);
    L4_Word_t last = last_cpu();
    static struct op snd, rcv, call;
    /* A sender on CPU 1 blocked toward a thread on CPU 2. */
    L4_ThreadId_t b = tu_create_on(tu_sleep_forever, 0, 100, 2);
    KCHECK(!L4_IsNilThread(b));
    op_set(&snd, b, L4_nilthread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create_on(do_op, &snd, 100, 1);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_PENDING_SEND));
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK(TU_WAIT(snd.done));
    KCHECK(L4_IpcFailed(tag_of(snd.rtag)));
    KCHECK_EQ(snd.err, ERR(L4_ErrNonExist, L4_ErrSendPhase));
    /* A receiver on the last CPU waiting for a thread on CPU 1. */
    L4_ThreadId_t d = tu_create_on(tu_sleep_forever, 0, 100, 1);
    KCHECK(!L4_IsNilThread(d));
    op_set(&rcv, L4_nilthread, d, never(), L4_Niltag);
    L4_ThreadId_t c = tu_create_on(do_op, &rcv, 100, last);
    KCHECK(!L4_IsNilThread(c));
    KCHECK(TU_WAIT(tu_state(c) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(tu_delete(d), 1);
    KCHECK(TU_WAIT(rcv.done));
    KCHECK_EQ(rcv.err, ERR(L4_ErrNonExist, L4_ErrRecvPhase));
    /* A caller on CPU 1 awaiting the reply of a server on CPU 2. */
    kept = 0;
    L4_ThreadId_t f = tu_create_on(tu_receive_and_keep, (void *)&kept, 100, 2);
    KCHECK(!L4_IsNilThread(f));
    KCHECK(TU_WAIT(tu_state(f) == L4_SCHEDRESULT_WAITING));
    op_set(&call, f, f, never(), L4_Niltag);
    L4_ThreadId_t e = tu_create_on(do_op, &call, 100, 1);
    KCHECK(!L4_IsNilThread(e));
    KCHECK(TU_WAIT(kept && tu_state(e) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(tu_delete(f), 1);
    KCHECK(TU_WAIT(call.done));
    KCHECK_EQ(call.err, ERR(L4_ErrNonExist, L4_ErrRecvPhase));
}

TTEST(smp, cancel_receive_of_remote_thread)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t a = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    L4_Word_t old = 0;
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    L4_Sleep(ms(5));
    KCHECK_EQ(o.done, 0);                               /* s alone leaves a receive alone */
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_RECV, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    KCHECK(TU_WAIT(o.done));
    KCHECK(L4_IpcFailed(tag_of(o.rtag)));
    KCHECK_EQ(o.err, ERR(L4_ErrCanceled, L4_ErrRecvPhase));
    KCHECK_EQ(o.cpu1, last_cpu());
}

TTEST(smp, cancel_send_of_remote_thread)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, tu_root(), L4_nilthread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_PENDING_SEND));
    L4_Word_t old = 0;
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_RECV, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_SENDING);
    KCHECK_EQ(tu_state(a), L4_SCHEDRESULT_PENDING_SEND);
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_SENDING);
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.err, ERR(L4_ErrCanceled, L4_ErrSendPhase));
    KCHECK(L4_IpcFailed(L4_Wait_Timeout(L4_ZeroTime, &(L4_ThreadId_t){ 0 })));   /* dequeued */
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
}

TTEST(smp, cancel_remote_call_in_receive_phase)
{
    NEED_CPUS(3);
    kept = 0;
    L4_ThreadId_t b = tu_create_on(tu_receive_and_keep, (void *)&kept, 100, 2);
    KCHECK(!L4_IsNilThread(b));
    KCHECK(TU_WAIT(tu_state(b) == L4_SCHEDRESULT_WAITING));
    static struct op o;
    op_set(&o, b, b, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(kept && tu_state(a) == L4_SCHEDRESULT_WAITING));
    L4_Word_t old = 0;
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_IPC, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.err, ERR(L4_ErrCanceled, L4_ErrRecvPhase));
    KCHECK_EQ(o.cpu1, 1);
}

/* ---- typed items across CPUs ------------------------------------------------------------- */

#define MAP_WIN         0x5A000000UL    /* the map agent's receive window (nothing there before) */
#define LABEL_TOUCH     0x3A9           /* map agent: read the window word 0, write word 1 */
static char map_page[4096] __attribute__((aligned(4096)));

/* In a new space: answer every message with MR1 = (window word 0 if the label says so) and
 * MR2 = its CPU; remember the last received tag. */
static volatile L4_Word_t agent_tag;
static void map_agent(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(MAP_WIN, 12)));
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t r = 0;
        agent_tag = tag.raw;
        if (L4_IpcSucceeded(tag) && L4_Label(tag) == LABEL_TOUCH) {
            r = *(volatile L4_Word_t *)MAP_WIN;
            ((volatile L4_Word_t *)MAP_WIN)[1] = r + 1;
        }
        L4_LoadMR(1, r);
        L4_LoadMR(2, L4_ProcessorNo());
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_Accept(L4_MapGrantItems(L4_FpageLog2(MAP_WIN, 12)));
        tag = L4_ReplyWait(from, &from);
    }
}

TTEST(smp, map_item_to_remote_space)
{
    NEED_CPUS(2);
    map_page[0] = 1;                                    /* ours before we map it on */
    L4_ThreadId_t a = tu_space_thread(map_agent, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    KCHECK(L4_Set_ProcessorNo(a, last_cpu()) != L4_SCHEDRESULT_ERROR);
    L4_Set_MsgTag(L4_MsgTagMake(1, 0, 0));              /* where is it? */
    L4_MsgTag_t tag = L4_Call_Timeouts(a, L4_TimePeriod(5 * SECOND), L4_TimePeriod(5 * SECOND));
    KCHECK(L4_IpcSucceeded(tag));
    L4_Word_t w;
    L4_StoreMR(2, &w);
    KCHECK_EQ(w, last_cpu());
    KCHECK(L4_IpcXcpu(tag));
    ((volatile L4_Word_t *)map_page)[0] = 0xC0FFEE00UL;
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, LABEL_TOUCH);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)map_page, 12),
                                                           L4_ReadWriteOnly), 0));
    L4_MsgLoad(&msg);
    tag = L4_Call_Timeouts(a, L4_TimePeriod(5 * SECOND), L4_TimePeriod(5 * SECOND));
    KCHECK(L4_IpcSucceeded(tag));
    L4_StoreMR(1, &w);
    KCHECK_EQ(w, 0xC0FFEE00UL);                         /* it read our page through its window */
    KCHECK_EQ(((volatile L4_Word_t *)map_page)[1], 0xC0FFEE01UL);  /* and wrote it */
    KCHECK_EQ(L4_TypedWords(tag_of(agent_tag)), 2);
    KCHECK(L4_IpcXcpu(tag_of(agent_tag)));
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)map_page, 12), L4_FullyAccessible));
}

#define STR_MAX         6000
static char str_src[STR_MAX], str_buf[8192];

/* Receive one string into str_buf (one simple buffer of bufsize bytes) from `from`. */
struct strop {
    L4_ThreadId_t from, to;
    L4_Word_t len;
    volatile L4_Word_t done, tag, err, w1, w2, cpu;
};
static void string_receiver(void *arg)
{
    struct strop *s = arg;
    L4_LoadBR(1, (L4_Word_t)sizeof str_buf << 10);
    L4_LoadBR(2, (L4_Word_t)str_buf);
    L4_Accept(L4_StringItemsAcceptor);
    L4_MsgTag_t tag = L4_Receive_Timeout(s->from, L4_TimePeriod(5 * SECOND));
    s->tag = tag.raw;
    s->err = L4_ErrorCode();
    L4_StoreMR(1, (L4_Word_t *)&s->w1);
    L4_StoreMR(2, (L4_Word_t *)&s->w2);
    s->cpu = L4_ProcessorNo();
    s->done = 1;
}
/* Send s->len bytes of str_src to s->to as one simple string item. */
static L4_MsgTag_t send_string(L4_ThreadId_t to, L4_Word_t len)
{
    L4_LoadMR(1, len << 10);
    L4_LoadMR(2, (L4_Word_t)str_src);
    L4_Set_MsgTag(L4_MsgTagMake(0x57, 0, 2));
    return L4_Send_Timeout(to, L4_TimePeriod(5 * SECOND));
}
static void string_sender(void *arg)
{
    struct strop *s = arg;
    L4_MsgTag_t tag = send_string(s->to, s->len);
    s->err = L4_ErrorCode();
    s->tag = tag.raw;
    s->cpu = L4_ProcessorNo();
    s->done = 1;
}

TTEST(smp, string_item_across_cpus)
{
    NEED_CPUS(3);
    static struct strop r, s;
    for (L4_Word_t i = 0; i < STR_MAX; i++)
        str_src[i] = (char)(i * 7 + 3);
    /* 300 bytes from the root (CPU 0) to the last CPU. */
    memset(str_buf, 0, sizeof str_buf);
    r = (struct strop){ .from = tu_root() };
    L4_ThreadId_t t = tu_create_on(string_receiver, &r, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    KCHECK(L4_IpcSucceeded(send_string(t, 300)));
    KCHECK(TU_WAIT(r.done));
    KCHECK(L4_IpcSucceeded(tag_of(r.tag)));
    KCHECK_EQ(r.tag, L4_MsgTagMake(0x57, 0, 2).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(r.w1, 300UL << 10);
    KCHECK_EQ(r.w2, (L4_Word_t)str_buf);
    KCHECK(memcmp(str_buf, str_src, 300) == 0);
    KCHECK_EQ(str_buf[300], 0);
    KCHECK_EQ(r.cpu, last_cpu());
    /* 6000 bytes (two page boundaries) from CPU 1 to the last CPU; the receiver waits first. */
    memset(str_buf, 0, sizeof str_buf);
    L4_ThreadId_t snd = tu_create_ex(string_sender, &s, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(snd));
    r = (struct strop){ .from = snd };
    t = tu_create_on(string_receiver, &r, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    s = (struct strop){ .to = t, .len = STR_MAX };
    KCHECK(L4_Set_ProcessorNo(snd, 1) != L4_SCHEDRESULT_ERROR);
    tu_start(snd);
    KCHECK(TU_WAIT(r.done && s.done));
    KCHECK(L4_IpcSucceeded(tag_of(s.tag)));
    KCHECK(L4_IpcSucceeded(tag_of(r.tag)));
    KCHECK_EQ(r.tag, L4_MsgTagMake(0x57, 0, 2).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(r.w1, (L4_Word_t)STR_MAX << 10);
    KCHECK(memcmp(str_buf, str_src, STR_MAX) == 0);
    KCHECK_EQ(s.cpu, 1);
}

/* ---- migration ---------------------------------------------------------------------------- */

TTEST(smp, migrate_ready_thread)
{
    NEED_CPUS(2);
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create(cpu_spin, (void *)&s, 100);   /* ready on CPU 0, never ran */
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(s.count, 0);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_RUNNING);
    KCHECK(L4_Set_ProcessorNo(t, 1) != L4_SCHEDRESULT_ERROR);
    KCHECK(spin_until(&s.count, 1000, TU_WAIT_US));     /* we keep CPU 0 all along */
    KCHECK_EQ(s.cpu, 1);
}

TTEST(smp, migrate_running_spinner)
{
    NEED_CPUS(3);
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(s.count > 0));
    KCHECK_EQ(s.cpu, 1);
    L4_Word_t path[] = { 2, 3, 1, 3, 0, 2 };
    for (unsigned i = 0; i < sizeof path / sizeof path[0]; i++) {
        L4_Word_t to = path[i] % tu_ncpus();
        KCHECK(L4_Set_ProcessorNo(t, to) != L4_SCHEDRESULT_ERROR);
        KCHECK(TU_WAIT(s.cpu == to));
        KCHECK(progresses(&s.count));                   /* it keeps counting there */
        KCHECK_EQ(s.cpu, to);
    }
}

TTEST(smp, migrate_halted_thread)
{
    NEED_CPUS(3);
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(s.count > 0));
    L4_Stop(t);
    L4_Word_t c = s.count;
    KCHECK(L4_Set_ProcessorNo(t, 2) != L4_SCHEDRESULT_ERROR);
    L4_Sleep(ms(20));
    KCHECK_EQ(s.count, c);                              /* still halted after the move */
    L4_Word_t old = 0;
    L4_ExchangeRegisters(t, L4_EXREGS_APPLY_HALT, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & L4_EXREGS_WAS_HALTED, L4_EXREGS_WAS_HALTED);
    KCHECK(TU_WAIT(s.count > c));
    KCHECK_EQ(s.cpu, 2);
}

TTEST(smp, migrate_blocked_receiver)
{
    NEED_CPUS(3);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(L4_Set_ProcessorNo(t, last_cpu()), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);     /* still in its receive */
    L4_LoadMR(1, 0xAB);
    L4_Set_MsgTag(L4_MsgTagMake(0x12, 1, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.cpu0, 1);
    KCHECK_EQ(o.cpu1, last_cpu());                      /* the message reached it there */
    KCHECK_EQ(o.rtag, L4_MsgTagMake(0x12, 1, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(o.rmr[1], 0xAB);
}

TTEST(smp, migrate_receiver_keeps_its_timeout)
{
    NEED_CPUS(3);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), L4_Timeouts(L4_Never, ms(200)), L4_Niltag);
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING || o.done));
    KCHECK(L4_Set_ProcessorNo(t, 2) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.err, ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(o.t_us >= 200 * MS && o.t_us < 5 * SECOND);
    KCHECK_EQ(o.cpu1, 2);
}

TTEST(smp, migrate_blocked_sender)
{
    NEED_CPUS(3);
    static struct op o;
    op_set(&o, tu_root(), L4_nilthread, never(), L4_MsgTagMake(0x21, 2, 0));
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_PENDING_SEND));
    KCHECK_EQ(L4_Set_ProcessorNo(t, 2), L4_SCHEDRESULT_PENDING_SEND);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(5 * SECOND));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tag.raw, L4_MsgTagMake(0x21, 2, 0).raw | L4_MSGTAG_XCPU);
    L4_Word_t w;
    L4_StoreMR(2, &w);
    KCHECK_EQ(w, o.mr[2]);
    KCHECK(TU_WAIT(o.done));
    KCHECK(L4_IpcSucceeded(tag_of(o.rtag)));
    KCHECK_EQ(o.cpu1, 2);
}

/* A server that takes one request, then spins until told to answer. */
static volatile L4_Word_t hold_got, hold_go, hold_cpu, hold_reply_ok;
static void hold_server(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    L4_Word_t w;
    L4_StoreMR(1, &w);
    hold_got = L4_IpcSucceeded(tag) ? 1 : 2;
    while (!hold_go)
        ;
    hold_cpu = L4_ProcessorNo();
    L4_LoadMR(1, w + 1);
    L4_Set_MsgTag(L4_MsgTagMake(3, 1, 0));
    hold_reply_ok = L4_IpcSucceeded(L4_Reply(from)) ? 1 : 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(smp, migrate_caller_awaiting_reply)
{
    NEED_CPUS(4);
    hold_got = hold_go = hold_reply_ok = 0;
    hold_cpu = ~0UL;
    L4_ThreadId_t s = tu_create_on(hold_server, 0, 100, 2);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(TU_WAIT(tu_state(s) == L4_SCHEDRESULT_WAITING));
    static struct op o;
    op_set(&o, s, s, never(), L4_MsgTagMake(0x31, 1, 0));
    L4_ThreadId_t c = tu_create_on(do_op, &o, 100, 1);
    KCHECK(!L4_IsNilThread(c));
    KCHECK(TU_WAIT(hold_got && tu_state(c) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(hold_got, 1);
    /* Move the caller while it waits for the reply, and the server while it spins. */
    KCHECK_EQ(L4_Set_ProcessorNo(c, 3), L4_SCHEDRESULT_WAITING);
    KCHECK(L4_Set_ProcessorNo(s, 1) != L4_SCHEDRESULT_ERROR);
    L4_Sleep(ms(10));
    hold_go = 1;
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(hold_reply_ok, 1);
    KCHECK_EQ(hold_cpu, 1);
    KCHECK_EQ(o.cpu1, 3);
    KCHECK_EQ(o.rtag, L4_MsgTagMake(3, 1, 0).raw | L4_MSGTAG_XCPU);
    KCHECK_EQ(o.rmr[1], o.mr[1] + 1);
}

/* Move oneself along a path of CPUs, recording ProcessorNo after each move. */
static volatile L4_Word_t self_cpu[8], self_res[8], self_done;
static void self_mover(void *arg)
{
    L4_Word_t n = (L4_Word_t)arg;
    L4_Word_t path[8] = { 2, 3, 1, 0, 3, 2, 1, 1 };
    for (int i = 0; i < 8; i++) {
        self_res[i] = L4_Set_ProcessorNo(L4_Myself(), path[i] % n);
        self_cpu[i] = L4_ProcessorNo();
    }
    self_done = 1;
}

TTEST(smp, self_migration)
{
    NEED_CPUS(2);
    L4_Word_t n = tu_ncpus();
    L4_Word_t path[8] = { 2, 3, 1, 0, 3, 2, 1, 1 };
    self_done = 0;
    KCHECK(!L4_IsNilThread(tu_create_on(self_mover, (void *)n, 100, 1)));
    KCHECK(TU_WAIT(self_done));
    for (int i = 0; i < 8; i++) {
        KCHECK_EQ(self_res[i], L4_SCHEDRESULT_RUNNING);
        KCHECK_EQ(self_cpu[i], path[i] % n);
    }
}

/* ---- ExchangeRegisters, ThreadControl and Schedule on threads of other CPUs -------------- */

static int in_spin(L4_Word_t ip)  { return ip >= (L4_Word_t)cpu_spin && ip < (L4_Word_t)cpu_spin + 256; }

TTEST(smp, exreg_reads_running_remote_thread)
{
    NEED_CPUS(2);
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(s.count > 0));
    for (int i = 0; i < 20; i++) {                      /* while it runs */
        L4_Word_t control = ~0UL, sp = 0, ip = 0;
        L4_ThreadId_t r = L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp,
                                               &ip, 0, 0, 0);
        KCHECK_EQ(r.raw, L4_LocalIdOf(t).raw);
        KCHECK_EQ(control & 7, 0);
        KCHECK(in_spin(ip));
        KCHECK(sp <= tu_start_sp(t) && sp > tu_start_sp(t) - TU_STACK_SIZE);
    }
    KCHECK(progresses(&s.count));                       /* reading did not stop it */
    L4_Word_t sp, ip, flags;
    L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
    KCHECK(in_spin(ip));
    KCHECK(sp <= tu_start_sp(t) && sp > tu_start_sp(t) - TU_STACK_SIZE);
    KCHECK(flags & 0x200);                              /* IF */
}

TTEST(smp, exreg_halts_and_resumes_remote_spinner)
{
    NEED_CPUS(2);
    static struct spin s;
    s = (struct spin){ 0 };
    L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(s.count > 0));
    for (int round = 0; round < 5; round++) {
        L4_ThreadState_t st = L4_Stop(t);
        KCHECK(!L4_ThreadWasHalted(st));
        L4_Word_t c = s.count;                          /* halted when Stop returned */
        L4_Sleep(ms(20));
        KCHECK_EQ(s.count, c);
        L4_Word_t old = 0;
        L4_ExchangeRegisters(t, L4_EXREGS_APPLY_HALT, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
        KCHECK_EQ(old & 7, L4_EXREGS_WAS_HALTED);
        KCHECK(TU_WAIT(s.count > c));
        KCHECK_EQ(s.cpu, last_cpu());
    }
}

/* Where exreg_sets_ip_sp_of_remote_thread sends a spinner. */
static char redirect_stack[4096] __attribute__((aligned(16)));
static volatile L4_Word_t redirected, redirect_cpu;
static void redirect_entry(void)
{
    redirect_cpu = L4_ProcessorNo();
    redirected = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(smp, exreg_sets_ip_sp_of_remote_thread)
{
    NEED_CPUS(2);
    static struct spin s;
    s = (struct spin){ 0 };
    redirected = 0;
    L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(s.count > 0));
    L4_Word_t sp = 0, ip = 0;
    L4_ExchangeRegisters(t, L4_EXREGS_SET_IP | L4_EXREGS_SET_SP,
                         (L4_Word_t)&redirect_stack[sizeof redirect_stack] - 8,
                         (L4_Word_t)redirect_entry, 0, 0, L4_nilthread, 0, &sp, &ip, 0, 0, 0);
    KCHECK(in_spin(ip));
    KCHECK(TU_WAIT(redirected));
    KCHECK_EQ(redirect_cpu, last_cpu());
    L4_Word_t c = s.count;
    L4_Sleep(ms(20));
    KCHECK_EQ(s.count, c);                              /* it left the loop */
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
}

TTEST(smp, exreg_handle_of_blocked_remote_thread)
{
    NEED_CPUS(2);
    static struct op o;
    op_set(&o, L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t t = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t old = 0;
    L4_ExchangeRegisters(t, L4_EXREGS_SET_HANDLE, 0, 0, 0, 0x5EED, L4_nilthread, &old, 0, 0, 0,
                         0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    KCHECK_EQ(L4_UserDefinedHandleOf(t), 0x5EED);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);     /* the receive goes on */
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.handle, 0x5EED);                        /* its UTCB shows it */
}

TTEST(smp, delete_threads_on_other_cpus)
{
    NEED_CPUS(4);
    static struct spin s, s2;
    s = s2 = (struct spin){ 0 };
    L4_ThreadId_t run = tu_create_on(cpu_spin, (void *)&s, 100, 1);
    L4_ThreadId_t rcv = tu_create_on(tu_sleep_forever, 0, 100, 2);
    L4_ThreadId_t halted = tu_create_on(tu_spin, (void *)&s2.count, 100, 3);
    KCHECK(!L4_IsNilThread(run) && !L4_IsNilThread(rcv) && !L4_IsNilThread(halted));
    KCHECK(TU_WAIT(s.count > 0 && s2.count > 0 && tu_state(rcv) == L4_SCHEDRESULT_WAITING));
    L4_Stop(halted);
    KCHECK_EQ(tu_delete(run), 1);                       /* running in user mode right now */
    KCHECK_EQ(tu_state(run), L4_SCHEDRESULT_ERROR);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    L4_Sleep(ms(5));
    L4_Word_t c = s.count;
    L4_Sleep(ms(20));
    KCHECK_EQ(s.count, c);                              /* it has stopped (soon after) */
    KCHECK_EQ(tu_delete(rcv), 1);
    KCHECK_EQ(tu_delete(halted), 1);
    /* Those CPUs go on working. */
    static struct spin again[3];
    memset((void *)again, 0, sizeof again);
    for (L4_Word_t cpu = 1; cpu <= 3; cpu++)
        KCHECK(!L4_IsNilThread(tu_create_on(cpu_spin, &again[cpu - 1], 100, cpu)));
    for (L4_Word_t cpu = 1; cpu <= 3; cpu++) {
        KCHECK(TU_WAIT(again[cpu - 1].count > 0));
        KCHECK_EQ(again[cpu - 1].cpu, cpu);
    }
}

/* Once ThreadControl has deleted a thread running on another CPU, that thread executes no
 * further instruction (as once ExchangeRegisters has halted it). */
TTEST(smp, deleted_remote_thread_stops_at_once)
{
    NEED_CPUS(2);
    static struct spin s;
    for (int round = 0; round < 20; round++) {
        s = (struct spin){ 0 };
        L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, last_cpu());
        KCHECK(!L4_IsNilThread(t));
        KCHECK(TU_WAIT(s.count > 0));
        L4_Sleep(ms(1));
        KCHECK_EQ(tu_delete(t), 1);
        L4_Word_t c = s.count;
        L4_Sleep(ms(10));
        if (s.count != c)
            printf("# round %d: the deleted thread counted on from %lu to %lu after "
                   "ThreadControl returned\n", round, c, s.count);
        KCHECK_EQ(s.count, c);
    }
}

TTEST(smp, schedule_priority_of_remote_thread)
{
    NEED_CPUS(2);
    static struct spin a, b;
    a = b = (struct spin){ 0 };
    L4_Word_t cpu = last_cpu();
    L4_ThreadId_t ta = tu_create_on(cpu_spin, (void *)&a, 100, cpu);
    L4_ThreadId_t tb = tu_create_on(cpu_spin, (void *)&b, 100, cpu);
    KCHECK(!L4_IsNilThread(ta) && !L4_IsNilThread(tb));
    for (int round = 0; round < 3; round++) {           /* equal: both progress */
        L4_Word_t sa = a.count, sb = b.count;
        KCHECK(TU_WAIT(a.count > sa && b.count > sb));
    }
    KCHECK_EQ(L4_Set_Priority(tb, 50), L4_SCHEDRESULT_RUNNING);
    L4_Sleep(ms(30));                                   /* b's slice ends, if it had it */
    L4_Word_t sa = a.count, sb = b.count;
    L4_Sleep(ms(50));
    KCHECK_EQ(b.count, sb);                             /* lower: starves */
    KCHECK(a.count > sa);
    KCHECK_EQ(L4_Set_Priority(tb, 150), L4_SCHEDRESULT_RUNNING);
    L4_Sleep(ms(30));
    sa = a.count;
    sb = b.count;
    L4_Sleep(ms(50));
    KCHECK_EQ(a.count, sa);                             /* now a starves */
    KCHECK(b.count > sb);
    KCHECK_EQ(a.cpu, cpu);
    KCHECK_EQ(b.cpu, cpu);
}

TTEST(smp, schedule_state_and_time_of_remote_threads)
{
    NEED_CPUS(3);
    static struct spin s;
    static struct op o;
    s = (struct spin){ 0 };
    L4_ThreadId_t run = tu_create_on(cpu_spin, (void *)&s, 100, 1);
    L4_ThreadId_t rcv = tu_create_on(tu_sleep_forever, 0, 100, 2);
    op_set(&o, tu_root(), L4_nilthread, never(), L4_Niltag);
    L4_ThreadId_t snd = tu_create_on(do_op, &o, 100, last_cpu());
    KCHECK(!L4_IsNilThread(run) && !L4_IsNilThread(rcv) && !L4_IsNilThread(snd));
    KCHECK(TU_WAIT(s.count > 0));
    KCHECK_EQ(tu_state(run), L4_SCHEDRESULT_RUNNING);
    KCHECK(TU_WAIT(tu_state(rcv) == L4_SCHEDRESULT_WAITING));
    KCHECK(TU_WAIT(tu_state(snd) == L4_SCHEDRESULT_PENDING_SEND));
    /* Time slice of a running remote thread: set 5 ms, read it back. */
    L4_Word_t old = 0;
    KCHECK_EQ(L4_Schedule(run, (L4_TimePeriod(5000).raw << 16) | L4_Never.raw, ~0UL, ~0UL, ~0UL,
                          &old), L4_SCHEDRESULT_RUNNING);
    KCHECK_EQ(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(old >> 16) }) <= 10000, 1);
    KCHECK_EQ(L4_Schedule(run, ~0UL, ~0UL, ~0UL, ~0UL, &old), L4_SCHEDRESULT_RUNNING);
    KCHECK(L4_TimePeriodUs((L4_Time_t){ .raw = (L4_Word16_t)(old >> 16) }) <= 5000);
    KCHECK_EQ(old & 0xFFFF, L4_Never.raw);
    KCHECK(progresses(&s.count));
    /* Taking the sender's message makes it runnable (and done). */
    KCHECK(L4_IpcSucceeded(L4_Receive_Timeout(snd, L4_TimePeriod(5 * SECOND))));
    KCHECK(TU_WAIT(o.done));
}

/* ---- TLB shootdown ------------------------------------------------------------------------- */

/* Victims: threads of one new space on CPUs 1.., reading tlb_page in a loop.  Their pager is
 * ours: it maps the root task's page at the faulting address (like the tutil pager) and counts
 * each victim's faults on tlb_page.  After the root's Unmap the pager holds those faults (no
 * answer), so every victim must come to a standstill in its own fault: one that reads on
 * without faulting has a stale TLB entry.  LABEL_RELEASE makes the pager answer them. */
#define VICTIMS         15
#define LABEL_ARM       0x5E0           /* root -> pager: hold tlb_page faults from now on */
#define LABEL_RELEASE   0x5E1           /* root -> pager: answer the held faults */
static char tlb_page[4096] __attribute__((aligned(4096)));
static L4_ThreadId_t tlb_pager_tid;

struct victim {
    volatile L4_Word_t tid, iter, cpu, val, faults, wrong, wrong_val, wrong_iter;
    L4_ThreadId_t held;                 /* the pager's: a fault it has not answered */
};
static struct victim victims[VICTIMS];
static volatile L4_Word_t tlb_other_faults;

static void load_map_reply(L4_Word_t page)
{
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    L4_LoadMR(1, page | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw);
}

static void tlb_pager(void *arg)
{
    (void)arg;
    int armed = 0;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t addr, page;
        L4_StoreMR(1, &addr);
        page = addr & ~0xFFFUL;
        if (L4_IpcSucceeded(tag) && (L4_Label(tag) == LABEL_ARM || L4_Label(tag) == LABEL_RELEASE)) {
            armed = L4_Label(tag) == LABEL_ARM;
            for (int i = 0; !armed && i < VICTIMS; i++)
                if (!L4_IsNilThread(victims[i].held)) {
                    load_map_reply((L4_Word_t)tlb_page);
                    L4_Send_Timeout(victims[i].held, L4_ZeroTime);
                    victims[i].held = L4_nilthread;
                }
            L4_Set_MsgTag(L4_Niltag);
        } else if (L4_IpcFailed(tag) || (L4_Label(tag) & ~0xFUL) != TU_LABEL_PAGEFAULT ||
                   L4_UntypedWords(tag) != 2) {
            tag = L4_Wait(&from);
            continue;
        } else {
            int who = -1;
            for (int i = 0; i < VICTIMS; i++)
                if (victims[i].tid == from.raw)
                    who = i;
            if (page == (L4_Word_t)tlb_page && who >= 0) {
                victims[who].faults++;
                if (armed) {
                    victims[who].held = from;
                    tag = L4_Wait(&from);
                    continue;
                }
            } else {
                tlb_other_faults++;
            }
            load_map_reply(page);
        }
        tag = L4_ReplyWait(from, &from);
    }
}

/* Tell our pager `label`; 1 if it took it. */
static int tlb_pager_cmd(L4_Word_t label)
{
    L4_Set_MsgTag(L4_MsgTagMake(label, 0, 0));
    return L4_IpcSucceeded(L4_Call_Timeouts(tlb_pager_tid, L4_TimePeriod(5 * SECOND),
                                            L4_TimePeriod(5 * SECOND)));
}

/* If set: victim 0 first calls this echo server (another space, on its CPU) TLB_PARTNER_CALLS
 * times, so that its CPU switches back and forth between the two spaces: the switches back to
 * the victim's space take the lazy path of the space CPU mask (docs/design/locks.md), which
 * must leave the CPU in the victim space's mask for the Unmap's shootdown to reach it. */
#define TLB_PARTNER_CALLS 64
static L4_ThreadId_t tlb_partner;
static volatile L4_Word_t tlb_partner_calls;

static void victim_loop(void *arg)
{
    struct victim *v = arg;
    v->tid = L4_Myself().raw;           /* before the first fault our pager sees */
    L4_Set_PagerOf(L4_Myself(), tlb_pager_tid);
    if (v == &victims[0] && !L4_IsNilThread(tlb_partner)) {
        while (L4_ProcessorNo() != 1)
            L4_Yield();                     /* (the root moves us there) */
        for (int i = 0; i < TLB_PARTNER_CALLS; i++) {
            L4_Set_MsgTag(L4_MsgTagMake(1, 0, 0));
            if (L4_IpcSucceeded(L4_Call_Timeouts(tlb_partner, L4_TimePeriod(5 * SECOND),
                                                 L4_TimePeriod(5 * SECOND))))
                tlb_partner_calls++;
        }
    }
    volatile L4_Word_t *p = (volatile L4_Word_t *)tlb_page;
    for (;;) {
        L4_Word_t val = *p;
        if (val != 0x7EB && v->wrong++ == 0) {        /* the page holds 0x7EB throughout */
            v->wrong_val = val;
            v->wrong_iter = v->iter;
        }
        v->val = val;
        v->cpu = L4_ProcessorNo();
        v->iter++;
    }
}

/* Victims on CPUs 1..count, one space; after the root's Unmap every one of them must fault on
 * tlb_page.  1 if all did (and went on once the faults were answered). */
static int shootdown(L4_Word_t count)
{
    memset((void *)victims, 0, sizeof victims);
    tlb_other_faults = 0;
    ((volatile L4_Word_t *)tlb_page)[0] = 0x7EB;
    tlb_pager_tid = tu_create(tlb_pager, 0, TU_ROOT_PRIO - 1);
    if (L4_IsNilThread(tlb_pager_tid))
        return 0;
    L4_ThreadId_t space = L4_nilthread;
    for (L4_Word_t i = 0; i < count; i++) {
        L4_ThreadId_t t = i == 0 ? tu_space_thread(victim_loop, &victims[i], 100)
                                 : tu_space_join(space, victim_loop, &victims[i], 100);
        if (L4_IsNilThread(t) || L4_Set_ProcessorNo(t, 1 + i) == L4_SCHEDRESULT_ERROR)
            return 0;
        if (i == 0)
            space = t;
    }
    for (L4_Word_t i = 0; i < count; i++)
        if (!TU_WAIT(victims[i].iter > 0 && victims[i].cpu == 1 + i) ||
            !progresses(&victims[i].iter) || victims[i].wrong) {
            struct victim *v = &victims[i];
            printf("# victim %lu: iter %lu cpu %lu val %lx; %lu wrong reads (first %lx at read "
                   "%lu); %lu faults on the page, %lu others; the page holds %lx\n", i, v->iter,
                   v->cpu, v->val, v->wrong, v->wrong_val, v->wrong_iter, v->faults,
                   tlb_other_faults, *(volatile L4_Word_t *)tlb_page);
            return 0;
        }
    if (!tlb_pager_cmd(LABEL_ARM))
        return 0;
    L4_Word_t f0[VICTIMS];
    for (L4_Word_t i = 0; i < count; i++)
        f0[i] = victims[i].faults;
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2((L4_Word_t)tlb_page, 12), L4_FullyAccessible));
    int ok = 1;
    for (L4_Word_t i = 0; i < count; i++)
        if (!TU_WAIT(victims[i].faults > f0[i])) {
            printf("# victim %lu on CPU %lu reads on after Unmap without a fault (%lu reads)\n",
                   i, victims[i].cpu, victims[i].iter);
            ok = 0;
        }
    if (!ok)
        return 0;
    for (L4_Word_t i = 0; i < count; i++) {
        L4_Word_t it = victims[i].iter;
        L4_Sleep(ms(2));
        if (victims[i].iter > it + 1)                   /* held in its fault */
            return 0;
    }
    if (!tlb_pager_cmd(LABEL_RELEASE))
        return 0;
    for (L4_Word_t i = 0; i < count; i++)
        if (!progresses(&victims[i].iter) || victims[i].wrong) {
            printf("# victim %lu after the release: %lu wrong reads (first %lx)\n", i,
                   victims[i].wrong, victims[i].wrong_val);
            return 0;
        }
    return 1;
}

/* Delete the victims before their pager. */
static void shootdown_cleanup(void)
{
    for (int i = VICTIMS; i-- > 0;)
        if (victims[i].tid)
            tu_delete((L4_ThreadId_t){ .raw = victims[i].tid });
    tu_delete(tlb_pager_tid);
}

TTEST(smp, tlb_shootdown_on_unmap)
{
    NEED_CPUS(2);
    int ok = shootdown(1);
    shootdown_cleanup();
    KCHECK(ok);
}

TTEST(smp, tlb_shootdown_after_space_ping_pong)
{
    NEED_CPUS(2);
    static struct tu_echo e;
    e = (struct tu_echo){ 0 };
    tlb_partner_calls = 0;
    tlb_partner = tu_space_thread(tu_echo_server, &e, 100);
    KCHECK(!L4_IsNilThread(tlb_partner));
    KCHECK(L4_Set_ProcessorNo(tlb_partner, 1) != L4_SCHEDRESULT_ERROR);
    int ok = shootdown(1);
    L4_Word_t calls = tlb_partner_calls;
    shootdown_cleanup();
    tu_delete(tlb_partner);                 /* its space goes while CPU 1 may keep it lazily */
    tlb_partner = L4_nilthread;
    KCHECK_EQ(calls, (L4_Word_t)TLB_PARTNER_CALLS);
    KCHECK_EQ(e.cpu, 1UL);
    KCHECK(ok);
}

TTEST(smp, tlb_shootdown_on_every_cpu)
{
    NEED_CPUS(3);
    L4_Word_t n = tu_ncpus() - 1 > VICTIMS ? VICTIMS : tu_ncpus() - 1;
    int ok = shootdown(n);
    shootdown_cleanup();
    KCHECK(ok);
}

/* ---- concurrent map, grant, unmap and deletion from four CPUs ---------------------------- */

#define CM_SRC          0x50000000UL    /* root: 4 MiB of sigma0 memory mapped around */
#define CM_WIN          0x58000000UL    /* the agents' 4 MiB receive windows (never touched) */
#define CM_AGENTS       4
#define CM_MAPPERS      4
#define CM_PAGES        1024UL

/* Agents (new spaces, one per CPU) receive map items and grant every second page they get
 * on to the next agent; mappers (the root task's space, one per CPU) map pages of CM_SRC to
 * the agents and unmap 64 KiB pieces of it now and then; the root thread meanwhile deletes
 * agents and puts new ones in their place. */
static volatile L4_Word_t cm_agent[CM_AGENTS];          /* the agents' global ids */
struct cm_agent_rec {
    L4_Word_t index;
    volatile L4_Word_t got, granted, fails;
};
static struct cm_agent_rec cm_agents[CM_AGENTS];
struct cm_mapper_rec {
    L4_Word_t index, rounds;
    volatile L4_Word_t done, ok, timeouts, gone, bad, bad_err, unmaps;
};
static struct cm_mapper_rec cm_mappers[CM_MAPPERS];

static void cm_agent_loop(void *arg)
{
    struct cm_agent_rec *a = arg;
    L4_Acceptor_t acc = L4_MapGrantItems(L4_FpageLog2(CM_WIN, 22));
    for (;;) {
        L4_ThreadId_t from;
        L4_Accept(acc);
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag) || L4_TypedWords(tag) != 2) {
            a->fails++;
            continue;
        }
        L4_Word_t item;
        L4_StoreMR(1, &item);
        L4_Word_t offset = (item & ~0x3FFUL) & ((1UL << 22) - 1);
        if (++a->got % 2 == 0) {
            L4_ThreadId_t next = { .raw = cm_agent[(a->index + 1) % CM_AGENTS] };
            L4_Msg_t msg;
            L4_MsgClear(&msg);
            L4_MsgAppendGrantItem(&msg, L4_GrantItem(L4_FpageAddRights(
                L4_FpageLog2(CM_WIN + offset, 12), L4_ReadWriteOnly), offset));
            L4_MsgLoad(&msg);
            if (L4_IpcSucceeded(L4_Send_Timeout(next, L4_ZeroTime)))
                a->granted++;
        }
    }
}

static void cm_mapper_loop(void *arg)
{
    struct cm_mapper_rec *m = arg;
    for (L4_Word_t k = 0; k < m->rounds; k++) {
        L4_Word_t page = (k * 37 + m->index * 251) % CM_PAGES;
        L4_ThreadId_t to = { .raw = cm_agent[(k + m->index) % CM_AGENTS] };
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(
            L4_FpageLog2(CM_SRC + page * 4096, 12), L4_ReadWriteOnly), page * 4096));
        L4_MsgLoad(&msg);
        L4_MsgTag_t tag = L4_Send_Timeout(to, ms(50));
        L4_Word_t err = L4_ErrorCode();
        if (L4_IpcSucceeded(tag))
            m->ok++;
        else if (err == ERR(L4_ErrTimeout, L4_ErrSendPhase))
            m->timeouts++;
        else if (err == ERR(L4_ErrNonExist, L4_ErrSendPhase))
            m->gone++;                                  /* deleted under our feet */
        else {
            m->bad_err = err;
            m->bad++;
        }
        if (k % 4 == 3) {
            L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(CM_SRC + (page & ~15UL) * 4096, 16),
                                            L4_FullyAccessible));
            m->unmaps++;
        }
    }
    m->done = 1;
}

/* A new agent for slot i on CPU i % ncpus; its id, or nilthread. */
static L4_ThreadId_t cm_new_agent(L4_Word_t i)
{
    cm_agents[i] = (struct cm_agent_rec){ .index = i };
    L4_ThreadId_t t = tu_space_thread(cm_agent_loop, &cm_agents[i], 100);
    if (L4_IsNilThread(t) || L4_Set_ProcessorNo(t, i % tu_ncpus()) == L4_SCHEDRESULT_ERROR)
        return L4_nilthread;
    cm_agent[i] = t.raw;
    return t;
}

/* One round: agents and mappers on every CPU, `replace` agent replacements while the mappers
 * run, then everything deleted.  1 if it all went as it should. */
static int cm_round(L4_Word_t rounds, int replace)
{
    L4_ThreadId_t mapper[CM_MAPPERS];
    for (L4_Word_t i = 0; i < CM_AGENTS; i++)
        if (L4_IsNilThread(cm_new_agent(i)))
            return 0;
    for (L4_Word_t i = 0; i < CM_MAPPERS; i++) {
        cm_mappers[i] = (struct cm_mapper_rec){ .index = i, .rounds = rounds };
        mapper[i] = tu_create_on(cm_mapper_loop, &cm_mappers[i], 100, i % tu_ncpus());
        if (L4_IsNilThread(mapper[i]))
            return 0;
    }
    for (int r = 0; r < replace; r++) {
        L4_Sleep(ms(5));
        L4_Word_t i = (L4_Word_t)r % CM_AGENTS;
        if (!tu_delete((L4_ThreadId_t){ .raw = cm_agent[i] }) || L4_IsNilThread(cm_new_agent(i)))
            return 0;
    }
    int ok = 1;
    for (L4_Word_t i = 0; i < CM_MAPPERS; i++) {
        struct cm_mapper_rec *m = &cm_mappers[i];
        if (!TU_WAIT_US_FOR(m->done, 60 * SECOND) || m->bad) {
            printf("# mapper %lu: done %lu, ok %lu, timeouts %lu, gone %lu, bad %lu (error %lx)\n",
                   i, m->done, m->ok, m->timeouts, m->gone, m->bad, m->bad_err);
            ok = 0;
        }
        if (!tu_delete(mapper[i]))
            ok = 0;
    }
    for (L4_Word_t i = 0; i < CM_AGENTS; i++)
        if (!tu_delete((L4_ThreadId_t){ .raw = cm_agent[i] }))
            ok = 0;
    return ok;
}

TTEST(smp, concurrent_map_grant_unmap_delete)
{
    NEED_CPUS(4);
    static int have_memory;
    if (!have_memory) {
        KCHECK(!L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 22, L4_FpageLog2(CM_SRC, 22))));
        have_memory = 1;
    }
    KCHECK(!L4_IsNilThread(tu_pager()));
    KCHECK(cm_round(40, 4));                            /* warm: the same threads and slots */
    L4_Word_t k0 = tu_kmem(), n0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    L4_Sleep(ms(50));                                   /* zombies of the warm round reaped */
    k0 = tu_kmem();
    n0 = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    KCHECK(cm_round(600, 4));
    L4_Word_t maps = 0, grants = 0;
    for (int i = 0; i < CM_MAPPERS; i++)
        maps += cm_mappers[i].ok;
    for (int i = 0; i < CM_AGENTS; i++)
        grants += cm_agents[i].granted;
    printf("# %lu maps, %lu grants (last agents) done concurrently\n", maps, grants);
    KCHECK(maps > 600);
    /* Agents deleted while running elsewhere take their spaces along a little later. */
    TU_WAIT(L4_KDB_Stat(KDB_STAT_MDB_NODES) == n0 && tu_kmem() == k0);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_MDB_NODES), n0);
    KCHECK_EQ(tu_kmem(), k0);
}

/* ---- ProcessorControl and the KIP --------------------------------------------------------- */

static volatile L4_Word_t pc_remote_result, pc_remote_done;
static void pc_remote(void *arg)
{
    (void)arg;
    pc_remote_result = L4_ProcessorControl(0, 0, 0, 0);
    pc_remote_done = 1;
}

TTEST(smp, processor_control_and_kip)
{
    void *kip = L4_GetKernelInterface();
    L4_Word_t n = L4_NumProcessors(kip);
    KCHECK(n >= 1);
    KCHECK_EQ(n, L4_KDB_Stat(KDB_STAT_NCPUS));
    for (L4_Word_t c = 0; c < n; c++) {
        L4_ProcDesc_t *pd = L4_ProcDesc(kip, c);
        KCHECK(pd != 0);
        KCHECK(L4_ProcDescInternalFreq(pd) > 0);
        KCHECK_EQ(L4_ProcessorControl(c, 0, 0, 0), 1);  /* changes nothing: accepted */
        KCHECK_EQ(L4_ProcessorControl(c, ~0UL, ~0UL, ~0UL), 1);
    }
    KCHECK(L4_ProcDesc(kip, n) == 0);
    KCHECK_EQ(L4_ProcessorControl(n, 0, 0, 0), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_ProcessorControl(0, 1000000, 0, 0), 0);    /* a real change: refused */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(L4_ProcessorControl(n - 1, 0, 0, 1200), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    /* From a thread of the root task on another CPU (a root-server space: privileged). */
    pc_remote_done = 0;
    KCHECK(!L4_IsNilThread(tu_create_on(pc_remote, 0, 100, n - 1)));
    KCHECK(TU_WAIT(pc_remote_done));
    KCHECK_EQ(pc_remote_result, 1);
}

/* ---- stress: sequence-numbered calls across CPUs ----------------------------------------- */

/* ST_SENDERS senders and as many receivers; sender i on CPU i % n calls receivers i+1 and i+2
 * (mod ST_SENDERS, on CPUs of the same numbers mod n) in turn: even sequence numbers to the
 * first, odd ones to the second.  A request carries (sender, sequence number, its complement,
 * the sender's CPU); the reply echoes the number + 1.  Each receiver checks, per sender, that
 * the numbers come exactly once and in order (each one 2 above the last), and the X flag
 * against the sender's CPU; each sender checks every reply.  ST_TOTAL requests in all, so
 * 2 * ST_TOTAL messages cross CPUs. */
#define ST_SENDERS      4
#define ST_TOTAL        100000UL
#define ST_LABEL        0x5E9
#define ST_TIMEOUT      (5 * SECOND)

struct st_sender {
    L4_ThreadId_t to[2];
    L4_Word_t index, count;
    volatile L4_Word_t done, sent, bad, err, err_tag, err_seq, cpu;
};
struct st_receiver {
    L4_Word_t index, expect;
    L4_Word_t next[ST_SENDERS];        /* next sequence number wanted from each sender, or ~0 */
    volatile L4_Word_t done, got, bad, first_bad[4], xcpu, xcpu_wrong, err, cpu;
};
static struct st_sender st_snd[ST_SENDERS];
static struct st_receiver st_rcv[ST_SENDERS];

static void st_sender_loop(void *arg)
{
    struct st_sender *s = arg;
    s->cpu = L4_ProcessorNo();
    for (L4_Word_t k = 0; k < s->count; k++) {
        L4_LoadMR(1, s->index);
        L4_LoadMR(2, k);
        L4_LoadMR(3, ~k);
        L4_LoadMR(4, L4_ProcessorNo());
        L4_Set_MsgTag(L4_MsgTagMake(ST_LABEL, 4, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(s->to[k % 2], L4_TimePeriod(ST_TIMEOUT),
                                           L4_TimePeriod(ST_TIMEOUT));
        L4_Word_t r;
        L4_StoreMR(1, &r);
        if (L4_IpcFailed(tag) || L4_Label(tag) != ST_LABEL + 1 || r != k + 1) {
            s->err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
            s->err_tag = tag.raw;
            s->err_seq = k;
            s->bad++;
            break;
        }
        s->sent = k + 1;
    }
    s->done = 1;
}

static void st_receiver_loop(void *arg)
{
    struct st_receiver *r = arg;
    L4_Word_t me = L4_ProcessorNo();
    r->cpu = me;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(ST_TIMEOUT), &from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            r->err = L4_ErrorCode();
            break;                                      /* nothing for 5 s: give up */
        }
        L4_Word_t w[4];
        L4_StoreMRs(1, 4, w);
        L4_Word_t s = w[0], k = w[1];
        int ok = L4_Label(tag) == ST_LABEL && L4_UntypedWords(tag) == 4 && L4_TypedWords(tag) == 0 &&
                 s < ST_SENDERS && r->next[s] == k && w[2] == ~k;
        if (ok) {
            r->next[s] = k + 2;
            int cross = w[3] != me;
            r->xcpu += cross;
            r->xcpu_wrong += (L4_Word_t)(cross != (L4_IpcXcpu(tag) != 0));
        } else if (r->bad++ == 0) {
            r->first_bad[0] = tag.raw;
            r->first_bad[1] = s;
            r->first_bad[2] = k;
            r->first_bad[3] = s < ST_SENDERS ? r->next[s] : ~0UL;
        }
        r->got++;
        L4_LoadMR(1, k + 1);
        L4_Set_MsgTag(L4_MsgTagMake(ST_LABEL + 1, 1, 0));
        if (r->got == r->expect) {
            L4_Reply(from);
            break;
        }
        tag = L4_ReplyWait_Timeout(from, L4_TimePeriod(ST_TIMEOUT), &from);
    }
    r->done = 1;
}

TTEST(smp, stress_sequence)
{
    NEED_CPUS(2);
    L4_Word_t n = tu_ncpus(), per = ST_TOTAL / ST_SENDERS;
    L4_ThreadId_t rt[ST_SENDERS];
    for (L4_Word_t j = 0; j < ST_SENDERS; j++) {
        struct st_receiver *r = &st_rcv[j];
        memset((void *)r, 0, sizeof *r);
        r->index = j;
        for (L4_Word_t s = 0; s < ST_SENDERS; s++)
            r->next[s] = ~0UL;
        /* From sender j-1 the even numbers, from sender j-2 the odd ones. */
        r->next[(j + ST_SENDERS - 1) % ST_SENDERS] = 0;
        r->next[(j + ST_SENDERS - 2) % ST_SENDERS] = 1;
        r->expect = (per + 1) / 2 + per / 2;
        rt[j] = tu_create_on(st_receiver_loop, r, 100, j % n);
        KCHECK(!L4_IsNilThread(rt[j]));
    }
    for (L4_Word_t j = 0; j < ST_SENDERS; j++)
        KCHECK(TU_WAIT(tu_state(rt[j]) == L4_SCHEDRESULT_WAITING));
    L4_Word_t t0 = now();
    for (L4_Word_t i = 0; i < ST_SENDERS; i++) {
        struct st_sender *s = &st_snd[i];
        memset((void *)s, 0, sizeof *s);
        s->index = i;
        s->count = per;
        s->to[0] = rt[(i + 1) % ST_SENDERS];
        s->to[1] = rt[(i + 2) % ST_SENDERS];
        KCHECK(!L4_IsNilThread(tu_create_on(st_sender_loop, s, 100, i % n)));
    }
    /* Bounded: every sender must keep making progress (a stall of 10 s fails the test). */
    for (;;) {
        L4_Word_t done = 0, sent = 0;
        for (int i = 0; i < ST_SENDERS; i++) {
            done += st_snd[i].done;
            sent += st_snd[i].sent;
        }
        if (done == ST_SENDERS)
            break;
        L4_Word_t before = sent;
        if (!TU_WAIT(({ L4_Word_t s2 = 0, d2 = 0;
                        for (int i = 0; i < ST_SENDERS; i++) {
                            s2 += st_snd[i].sent;
                            d2 += st_snd[i].done;
                        }
                        s2 > before || d2 == ST_SENDERS; }))) {
            printf("# stalled after %lu calls\n", sent);
            break;
        }
        L4_Sleep(ms(50));
    }
    L4_Word_t elapsed = now() - t0;
    for (L4_Word_t j = 0; j < ST_SENDERS; j++)
        TU_WAIT(st_rcv[j].done);
    L4_Word_t calls = 0, cross = 0;
    for (int i = 0; i < ST_SENDERS; i++) {
        struct st_sender *s = &st_snd[i];
        struct st_receiver *r = &st_rcv[i];
        calls += s->sent;
        cross += r->xcpu;
        if (s->bad || s->sent != per)
            printf("# sender %d (CPU %lu): %lu of %lu calls, failed at %lu: tag %lx error %lx\n",
                   i, s->cpu, s->sent, per, s->err_seq, s->err_tag, s->err);
        if (r->bad || r->got != r->expect || r->xcpu_wrong)
            printf("# receiver %d (CPU %lu): %lu of %lu, %lu bad (first: tag %lx sender %lu "
                   "number %lu wanted %lu), %lu X flags wrong, error %lx\n", i, r->cpu, r->got,
                   r->expect, r->bad, r->first_bad[0], r->first_bad[1], r->first_bad[2],
                   r->first_bad[3], r->xcpu_wrong, r->err);
    }
    printf("# %lu calls (%lu messages, %lu received cross-CPU) in %lu ms on %lu CPUs\n", calls,
           2 * calls, cross, elapsed / 1000, n);
    for (int i = 0; i < ST_SENDERS; i++) {
        KCHECK_EQ(st_snd[i].bad, 0);
        KCHECK_EQ(st_snd[i].sent, per);
        KCHECK_EQ(st_snd[i].cpu, (L4_Word_t)i % n);
        KCHECK(st_rcv[i].done);
        KCHECK_EQ(st_rcv[i].bad, 0);
        KCHECK_EQ(st_rcv[i].got, st_rcv[i].expect);
        KCHECK_EQ(st_rcv[i].xcpu_wrong, 0);
        KCHECK_EQ(st_rcv[i].cpu, (L4_Word_t)i % n);
        /* Every number arrived: the next wanted is just past the last sent. */
        L4_Word_t a = (L4_Word_t)(i + ST_SENDERS - 1) % ST_SENDERS;
        L4_Word_t b = (L4_Word_t)(i + ST_SENDERS - 2) % ST_SENDERS;
        KCHECK_EQ(st_rcv[i].next[a], per + (per % 2 == 0 ? 0 : 1));
        KCHECK_EQ(st_rcv[i].next[b], per + (per % 2 == 0 ? 1 : 0));
    }
    if (n >= ST_SENDERS)
        KCHECK_EQ(cross, ST_TOTAL);                     /* every request crossed CPUs */
}

/* ---- races with a migration in flight ----------------------------------------------------- */

/* Run last (TTEST_LATE), after every other test of the suite: against a kernel that frees or
 * stops a thread in flight on the wrong CPU they can bring it down. */

/* A running thread moved to another CPU and halted at once: ExchangeRegisters must stop it
 * wherever it runs (its old CPU may not have handed it over yet) and read its real registers. */
TTEST_LATE(smp, halt_right_after_migration)
{
    NEED_CPUS(3);
    static struct spin s;
    for (int round = 0; round < 50; round++) {
        s = (struct spin){ 0 };
        L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, 1 + (L4_Word_t)round % 2);
        KCHECK(!L4_IsNilThread(t));
        KCHECK(TU_WAIT(s.count > 0));
        KCHECK(L4_Set_ProcessorNo(t, 2 - (L4_Word_t)round % 2) != L4_SCHEDRESULT_ERROR);
        L4_Word_t sp = 0, ip = 0, flags = 0;
        L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
        L4_Word_t c = s.count;
        L4_Sleep(ms(5));
        if (s.count != c || !(ip >= (L4_Word_t)cpu_spin && ip < (L4_Word_t)cpu_spin + 256))
            printf("# round %d: after the halt count %lu -> %lu, ip %lx (loop at %lx)\n", round,
                   c, s.count, ip, (L4_Word_t)cpu_spin);
        KCHECK_EQ(s.count, c);
        KCHECK(ip >= (L4_Word_t)cpu_spin && ip < (L4_Word_t)cpu_spin + 256);
        KCHECK(sp <= tu_start_sp(t) && sp > tu_start_sp(t) - TU_STACK_SIZE);
        L4_Word_t old = 0;                              /* resume: it runs on its new CPU */
        L4_ExchangeRegisters(t, L4_EXREGS_APPLY_HALT, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
        KCHECK(TU_WAIT(s.count > c && s.cpu == 2 - (L4_Word_t)round % 2));
        KCHECK_EQ(tu_delete(t), 1);
    }
}

/* Many threads moved around many times, then deleted: no kernel memory is lost. */
static int migrate_many(void)
{
    static struct spin s[12];
    L4_ThreadId_t t[12];
    L4_Word_t n = tu_ncpus();
    memset((void *)s, 0, sizeof s);
    for (int i = 0; i < 12; i++)
        if (L4_IsNilThread(t[i] = tu_create_on(cpu_spin, &s[i], 100, (L4_Word_t)i % n)))
            return 0;
    for (int round = 0; round < 10; round++)
        for (int i = 0; i < 12; i++)
            if (L4_Set_ProcessorNo(t[i], (L4_Word_t)(i + round) % n) == L4_SCHEDRESULT_ERROR)
                return 0;
    for (int i = 0; i < 12; i++)
        if (!TU_WAIT(s[i].cpu == (L4_Word_t)(i + 9) % n) || !tu_delete(t[i]))
            return 0;
    return 1;
}

TTEST_LATE(smp, migrations_leak_nothing)
{
    NEED_CPUS(2);
    KCHECK(migrate_many());                             /* warm: per-CPU state, UTCB pages */
    L4_Sleep(ms(50));                                   /* its zombies reaped */
    L4_Word_t k0 = tu_kmem();
    KCHECK(migrate_many());
    /* A thread deleted while it runs on another CPU is freed by that CPU a little later. */
    TU_WAIT(tu_kmem() == k0);
    KCHECK_EQ(tu_kmem(), k0);
}

/* A running thread moved to another CPU and deleted at once, while its old CPU may still be
 * handing it over: the kernel stays consistent (no double free), and all memory comes back. */
TTEST_LATE(smp, delete_right_after_migration)
{
    NEED_CPUS(3);
    static struct spin s;
    L4_Word_t k0 = 0;
    for (int round = 0; round < 100; round++) {
        if (round == 10) {
            L4_Sleep(ms(20));
            k0 = tu_kmem();
        }
        s = (struct spin){ 0 };
        L4_ThreadId_t t = tu_create_on(cpu_spin, (void *)&s, 100, 1 + (L4_Word_t)round % 2);
        KCHECK(!L4_IsNilThread(t));
        KCHECK(TU_WAIT(s.count > 0));
        KCHECK(L4_Set_ProcessorNo(t, 2 - (L4_Word_t)round % 2) != L4_SCHEDRESULT_ERROR);
        KCHECK_EQ(tu_delete(t), 1);
    }
    TU_WAIT(tu_kmem() == k0);
    KCHECK_EQ(tu_kmem(), k0);
}

/* A thread spinning in user mode on CPU 1 is moved to this CPU and at once named in
 * ThreadSwitch, again and again.  Until CPU 1 has noticed the move, the thread still runs
 * there: the donation must not switch to it here (two CPUs on one kernel stack; the fuzzer
 * found this), it yields instead.  Every round the thread still counts, and it runs here. */
TTEST(smp, thread_switch_to_thread_moving_here)
{
    NEED_CPUS(2);
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t x = tu_create_on(tu_spin, (void *)&count, 50, 1);
    KCHECK(!L4_IsNilThread(x));
    L4_Word_t here = L4_ProcessorNo(), raced = 0;
    for (int round = 0; round < 300; round++) {
        L4_Word_t c0 = count;
        KCHECK(TU_WAIT(count != c0));               /* it runs (on CPU 1) */
        KCHECK(L4_Set_ProcessorNo(x, here) != 0);
        L4_ThreadSwitch(x);                         /* may find it still on CPU 1 */
        c0 = count;
        KCHECK(TU_WAIT(count != c0));               /* it runs here, below our priority */
        KCHECK(L4_Set_ProcessorNo(x, 1) != 0);
        raced++;
    }
    KCHECK_EQ(raced, 300);
    KCHECK_EQ(tu_delete(x), 1);
}
