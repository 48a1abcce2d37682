/* tutil.c — test threads, new spaces and their pager for the in-system tests (see tutil.h).
 *
 * Runs on the root thread, except tu_entry, the thread functions and the pager loop, which run
 * on the test threads.  The slot table and the stacks are shared with those threads (in the
 * root task's space directly, in new spaces through the pager's mappings); the root thread
 * writes a slot before the slot's thread starts and never while it runs.
 */
#include <stdio.h>
#include "tutil.h"

#define TU_LABEL_START  0x5354UL        /* root -> pager: send t (MR1) its start-up message */

struct tu_slot {
    L4_ThreadId_t tid;          /* nilthread: free */
    L4_Word_t version;          /* version of the last thread in this slot, 1..63 */
    tu_fn_t fn;
    void *arg;
    int foreign;                /* lives in a new space */
};

static struct tu_slot slots[TU_SLOTS];
static char stacks[TU_SLOTS][TU_STACK_SIZE] __attribute__((aligned(16)));
static L4_ThreadId_t pager_tid;
static L4_ThreadId_t root_tid;
struct tu_pager_log tu_pager_log;

L4_ThreadId_t tu_root(void)
{
    return root_tid;
}

L4_Word_t tu_kmem(void)
{
    return L4_KDB_Stat(KDB_STAT_KMEM_FREE);
}

L4_Word_t tu_state(L4_ThreadId_t t)
{
    return L4_Schedule(t, ~0UL, ~0UL, ~0UL, ~0UL, (L4_Word_t *)0);
}

/* ---- slots ------------------------------------------------------------------------------- */

static long slot_of(L4_ThreadId_t t)
{
    L4_Word_t no = L4_ThreadNo(t);
    return no >= TU_NO_BASE && no < TU_NO_BASE + TU_SLOTS ? (long)(no - TU_NO_BASE) : -1;
}

static long slot_alloc(tu_fn_t fn, void *arg, int foreign)
{
    for (long i = 0; i < TU_SLOTS; i++) {
        struct tu_slot *s = &slots[i];
        if (!L4_IsNilThread(s->tid))
            continue;
        s->version = s->version % 63 + 1;
        s->tid = L4_GlobalId(TU_NO_BASE + (L4_Word_t)i, s->version);
        s->fn = fn;
        s->arg = arg;
        s->foreign = foreign;
        return i;
    }
    printf("# tutil: all %d thread slots in use\n", TU_SLOTS);
    return -1;
}

static void slot_free(long i)
{
    slots[i].tid = L4_nilthread;
    slots[i].fn = 0;
}

/* Every test thread starts here, on its slot's stack. */
static void tu_entry(void)
{
    L4_Word_t i = L4_ThreadNo(L4_Myself()) - TU_NO_BASE;
    if (i < TU_SLOTS && slots[i].fn)
        slots[i].fn(slots[i].arg);
    for (;;)
        L4_Sleep(L4_Never);
}

void tu_touch_stacks(void)
{
    for (long i = 0; i < TU_SLOTS; i++)
        for (L4_Word_t off = 0; off < TU_STACK_SIZE; off += 4096)
            ((volatile char *)stacks[i])[off] = ((volatile char *)stacks[i])[off];
}

L4_Word_t tu_start_ip(void)
{
    return (L4_Word_t)tu_entry;
}

L4_Word_t tu_start_sp(L4_ThreadId_t t)
{
    long i = slot_of(t);
    /* 16-byte aligned top minus 8: the entry sees the stack as after a call. */
    return i < 0 ? 0 : (L4_Word_t)&stacks[i][TU_STACK_SIZE] - 8;
}

L4_Word_t tu_utcb_of(L4_ThreadId_t t)
{
    long i = slot_of(t);
    if (i < 0)
        return ~0UL;
    return slots[i].foreign ? TU_SPACE_UTCB + 1024UL * (L4_Word_t)i
                            : TU_ROOT_UTCB + 1024UL * (L4_Word_t)(i + 1);
}

static L4_ThreadId_t failed(long i, const char *what)
{
    printf("# tutil: %s failed, ErrorCode %lu\n", what, L4_ErrorCode());
    if (i >= 0) {
        L4_ThreadControl(slots[i].tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        slot_free(i);
    }
    return L4_nilthread;
}

/* ---- threads in the root task's space ---------------------------------------------------- */

L4_ThreadId_t tu_create_ex(tu_fn_t fn, void *arg, L4_Word_t prio, unsigned flags)
{
    long i = slot_alloc(fn, arg, 0);
    if (i < 0)
        return L4_nilthread;
    L4_ThreadId_t t = slots[i].tid, me = tu_root();
    L4_ThreadId_t pager = (flags & TU_INACTIVE) ? L4_nilthread
                        : (flags & TU_PAGER_ME) ? me : L4_Pager();
    void *utcb = (flags & TU_INACTIVE) ? (void *)-1 : (void *)tu_utcb_of(t);
    if (!L4_ThreadControl(t, me, me, pager, utcb))
        return failed(i, "ThreadControl (create)");
    if (L4_Set_Priority(t, prio) == L4_SCHEDRESULT_ERROR)
        return failed(i, "Schedule (priority)");
    if (!(flags & (TU_INACTIVE | TU_NOSTART)))
        tu_start(t);
    return t;
}

L4_ThreadId_t tu_create(tu_fn_t fn, void *arg, L4_Word_t prio)
{
    return tu_create_ex(fn, arg, prio, 0);
}

void tu_start(L4_ThreadId_t t)
{
    L4_Start_SpIp(t, tu_start_sp(t), tu_start_ip());
}

L4_MsgTag_t tu_startup_message(L4_ThreadId_t t, L4_Word_t u, L4_Time_t snd_timeout)
{
    L4_LoadMR(1, tu_start_ip());
    L4_LoadMR(2, tu_start_sp(t));
    L4_Set_MsgTag(L4_MsgTagMake(0, u, 0));
    return L4_Send_Timeout(t, snd_timeout);
}

L4_Word_t tu_delete(L4_ThreadId_t t)
{
    L4_Word_t r = L4_ThreadControl(t, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
    long i = slot_of(t);
    if (r && i >= 0 && slots[i].tid.raw == t.raw)
        slot_free(i);
    return r;
}

L4_ThreadId_t tu_reserve(void)
{
    long i = slot_alloc(0, 0, 0);
    return i < 0 ? L4_nilthread : slots[i].tid;
}

L4_ThreadId_t tu_reserve_for(tu_fn_t fn, void *arg)
{
    long i = slot_alloc(fn, arg, 0);
    return i < 0 ? L4_nilthread : slots[i].tid;
}

L4_Word_t tu_ncpus(void)
{
    return L4_NumProcessors(L4_GetKernelInterface());
}

L4_ThreadId_t tu_create_on(tu_fn_t fn, void *arg, L4_Word_t prio, L4_Word_t cpu)
{
    L4_ThreadId_t t = tu_create_ex(fn, arg, prio, TU_NOSTART);
    if (L4_IsNilThread(t))
        return t;
    if (L4_Set_ProcessorNo(t, cpu) == L4_SCHEDRESULT_ERROR) {
        printf("# tutil: moving %lx to CPU %lu failed, ErrorCode %lu\n", t.raw, cpu,
               L4_ErrorCode());
        tu_delete(t);
        return L4_nilthread;
    }
    tu_start(t);
    return t;
}

void tu_release(L4_ThreadId_t t)
{
    long i = slot_of(t);
    if (i >= 0 && slots[i].tid.raw == t.raw)
        slot_free(i);
}

void tu_spin(void *arg)
{
    volatile L4_Word_t *count = arg;
    for (;;)
        (*count)++;
}

void tu_sleep_forever(void *arg)
{
    (void)arg;
    for (;;)
        L4_Sleep(L4_Never);
}

int tu_pager_seen(const struct tu_pager *p, L4_Word_t addr, L4_Word_t upto)
{
    for (L4_Word_t i = 0; i < upto && i < TU_PF_LOG_MAX; i++)
        if ((p->e[i].addr ^ addr) < 4096)
            return 1;
    return 0;
}

void tu_pager_loop(void *arg)
{
    struct tu_pager *p = arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t addr, ip;
        L4_StoreMR(1, &addr);
        L4_StoreMR(2, &ip);
        if (L4_IpcFailed(tag) || (L4_Label(tag) & ~0xFUL) != TU_LABEL_PAGEFAULT) {
            tag = L4_Wait(&from);
            continue;
        }
        L4_Msg_t msg;
        L4_MsgClear(&msg);
        L4_Word_t page = addr & ~0xFFFUL;
        if (!p->watched(addr)) {
            p->others++;
            (void)*(volatile char *)page;           /* the root task has it now */
            L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible);
            L4_MsgAppendMapItem(&msg, L4_MapItem(f, page));
        } else {
            L4_Word_t i = p->n;
            if (i < TU_PF_LOG_MAX)
                p->e[i] = (struct tu_fault){ tag.raw, addr, ip, from.raw };
            p->n = i + 1;
            if (page == p->silent_page) {
                tag = L4_Wait(&from);               /* never answered */
                continue;
            }
            p->answer(p, i, addr, &msg);
        }
        L4_MsgLoad(&msg);
        tag = L4_ReplyWait(from, &from);
    }
}

void tu_echo_server(void *arg)
{
    struct tu_echo *e = arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            tag = L4_Wait(&from);
            continue;
        }
        L4_Word_t u = L4_UntypedWords(tag), w;
        for (L4_Word_t i = 1; i <= u; i++) {
            L4_StoreMR((int)i, &w);
            L4_LoadMR((int)i, w + 1);
        }
        e->last_tag = tag.raw;
        e->last_from = from.raw;
        e->cpu = L4_ProcessorNo();
        e->count++;
        L4_Set_MsgTag(L4_MsgTagMake(L4_Label(tag) + 1, u, 0));
        if (e->send_only) {
            L4_Send_Timeout(from, L4_ZeroTime);
            tag = L4_Wait(&from);
        } else {
            tag = L4_ReplyWait(from, &from);
        }
    }
}

void tu_receive_and_keep(void *arg)
{
    L4_ThreadId_t from;
    L4_Wait(&from);
    *(volatile L4_Word_t *)arg = 1;
    tu_sleep_forever(0);
}

/* ---- the pager of the new spaces --------------------------------------------------------- */

/* A map item for the 4 KiB page at addr, all rights (the kernel limits them to the root
 * task's own rights): word 0 = SendBase | 0x8 (map item), word 1 = the fpage. */
static void load_map_reply(L4_Word_t addr)
{
    L4_Word_t page = addr & ~0xFFFUL;
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    L4_LoadMR(1, page | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible).raw);
}

/* Serve page faults (map the same page) and start requests from the root thread. */
static void pager_loop(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t label = L4_Label(tag), w1, w2, w3;
        L4_StoreMR(1, &w1);
        L4_StoreMR(2, &w2);
        L4_StoreMR(3, &w3);
        if (L4_IpcSucceeded(tag) && (label & ~0xFUL) == TU_LABEL_PAGEFAULT &&
            L4_UntypedWords(tag) == 2) {
            if (tu_pager_log.faults == 0) {
                tu_pager_log.first_tag = tag.raw;
                tu_pager_log.first_addr = w1;
                tu_pager_log.first_ip = w2;
            }
            tu_pager_log.last_tag = tag.raw;
            tu_pager_log.last_addr = w1;
            tu_pager_log.last_ip = w2;
            tu_pager_log.last_from = from;
            tu_pager_log.faults++;
            load_map_reply(w1);
        } else if (L4_IpcSucceeded(tag) && label == TU_LABEL_START && L4_UntypedWords(tag) == 3) {
            L4_LoadMR(1, w2);
            L4_LoadMR(2, w3);
            L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
            L4_MsgTag_t r = L4_Send_Timeout((L4_ThreadId_t){ .raw = w1 }, L4_ZeroTime);
            L4_Word_t err = L4_ErrorCode();
            L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
            L4_LoadMR(1, L4_IpcSucceeded(r));
            L4_LoadMR(2, err);
        } else {
            tag = L4_Wait(&from);                   /* nothing to answer */
            continue;
        }
        tag = L4_ReplyWait(from, &from);
    }
}

L4_ThreadId_t tu_pager(void)
{
    if (L4_IsNilThread(pager_tid))
        pager_tid = tu_create(pager_loop, 0, TU_ROOT_PRIO - 1);
    return pager_tid;
}

/* ---- new spaces -------------------------------------------------------------------------- */

L4_ThreadId_t tu_space_create(void)
{
    long i = slot_alloc(0, 0, 1);
    if (i < 0)
        return L4_nilthread;
    L4_ThreadId_t t = slots[i].tid;
    if (!L4_ThreadControl(t, t, tu_root(), L4_nilthread, (void *)-1))
        return failed(i, "ThreadControl (new space)");
    L4_Word_t old;
    if (!L4_SpaceControl(t, 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                         L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2), L4_nilthread, &old))
        return failed(i, "SpaceControl");
    return t;
}

/* Ask the pager to send t its start-up message; 1 or 0. */
static L4_Word_t pager_start(L4_ThreadId_t t)
{
    L4_LoadMR(1, t.raw);
    L4_LoadMR(2, tu_start_ip());
    L4_LoadMR(3, tu_start_sp(t));
    L4_Set_MsgTag(L4_MsgTagMake(TU_LABEL_START, 3, 0));
    L4_MsgTag_t tag = L4_Call(tu_pager());
    L4_Word_t ok, err;
    L4_StoreMR(1, &ok);
    L4_StoreMR(2, &err);
    if (L4_IpcFailed(tag) || !ok) {
        printf("# tutil: pager start of %lx failed (ipc error %lu, start-up error %lu)\n",
               t.raw, L4_IpcFailed(tag) ? L4_ErrorCode() : 0, err);
        return 0;
    }
    return 1;
}

L4_Word_t tu_space_start(L4_ThreadId_t t, tu_fn_t fn, void *arg, L4_Word_t prio)
{
    long i = slot_of(t);
    if (i < 0 || L4_IsNilThread(tu_pager()))
        return 0;
    slots[i].fn = fn;
    slots[i].arg = arg;
    if (!L4_ThreadControl(t, t, L4_nilthread, tu_pager(), (void *)tu_utcb_of(t))) {
        printf("# tutil: ThreadControl (activate in new space) failed, ErrorCode %lu\n",
               L4_ErrorCode());
        return 0;
    }
    if (L4_Set_Priority(t, prio) == L4_SCHEDRESULT_ERROR)
        return 0;
    return pager_start(t);
}

L4_ThreadId_t tu_space_thread(tu_fn_t fn, void *arg, L4_Word_t prio)
{
    L4_ThreadId_t t = tu_space_create();
    if (L4_IsNilThread(t) || !tu_space_start(t, fn, arg, prio))
        return L4_nilthread;
    return t;
}

L4_ThreadId_t tu_space_join(L4_ThreadId_t space, tu_fn_t fn, void *arg, L4_Word_t prio)
{
    long i = slot_alloc(fn, arg, 1);
    if (i < 0 || L4_IsNilThread(tu_pager()))
        return L4_nilthread;
    L4_ThreadId_t t = slots[i].tid;
    if (!L4_ThreadControl(t, space, tu_root(), tu_pager(), (void *)tu_utcb_of(t)))
        return failed(i, "ThreadControl (join space)");
    if (L4_Set_Priority(t, prio) == L4_SCHEDRESULT_ERROR || !pager_start(t))
        return failed(i, "starting the joined thread");
    return t;
}

/* ---- begin and end of a test ------------------------------------------------------------- */

/* Delete the thread in slot i, whatever its version now is; 1 if none is left. */
static int purge(long i)
{
    if (L4_ThreadControl(slots[i].tid, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1))
        return 1;
    for (L4_Word_t v = 1; v < 64; v++)          /* a test may have changed its version */
        if (L4_ThreadControl(L4_GlobalId(TU_NO_BASE + (L4_Word_t)i, v), L4_nilthread,
                             L4_nilthread, L4_nilthread, (void *)-1))
            return 1;
    return L4_ErrorCode() == L4_ErrInvalidThread;  /* nothing had that number */
}

static int cleanup(void)
{
    int ok = 1;
    for (int pass = 0; pass < 2; pass++)        /* the pager last: others may fault meanwhile */
        for (long i = 0; i < TU_SLOTS; i++) {
            if (L4_IsNilThread(slots[i].tid) || (pass == 0) == (slots[i].tid.raw == pager_tid.raw))
                continue;
            if (!purge(i)) {
                printf("# tutil: could not delete test thread %lx\n", slots[i].tid.raw);
                ok = 0;
            }
            slot_free(i);
        }
    pager_tid = L4_nilthread;
    L4_Set_Priority(tu_root(), TU_ROOT_PRIO);
    L4_Set_Timeslice(tu_root(), L4_TimePeriod(10000), L4_Never);
    return ok;
}

void tu_begin(void)
{
    root_tid = L4_Myself();
    cleanup();
    tu_pager_log = (struct tu_pager_log){ 0 };
}

void tu_end(void)
{
    if (!cleanup())
        ktest_failed = 1;
}

void tu_warm_utcbs(void)
{
    L4_ThreadId_t t[TU_SLOTS];
    unsigned n = 0;
    for (long i = 0; i < TU_SLOTS; i++)
        n += L4_IsNilThread(slots[i].tid);
    for (unsigned i = 0; i < n; i++)
        t[i] = tu_create_ex(tu_sleep_forever, 0, 1, TU_NOSTART);
    for (unsigned i = 0; i < n; i++)
        if (!L4_IsNilThread(t[i]))
            tu_delete(t[i]);
    /* Deleted threads are freed a moment later (by their CPU): wait until nothing changes. */
    for (unsigned same = 0, round = 0; same < 5 && round < 500; round++) {
        L4_Word_t k = tu_kmem();
        L4_Sleep(L4_TimePeriod(2000));
        same = tu_kmem() == k ? same + 1 : 0;
    }
}
