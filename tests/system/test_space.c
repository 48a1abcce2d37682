/* test_space.c — in-system tests of SpaceControl and of address spaces: creating and
 * configuring a space, its errors, the rule that areas are fixed once a thread is active,
 * freeing a space with its last thread (kernel memory over 500 spaces), and threads running
 * in a new space (page faults to the pager, their KIP, UTCBs and missing privileges). */
#include <string.h>
#include <l4/l4.h>
#include <sigma4/kip.h>
#include <sigma4/layout.h>
#include "tutil.h"

static volatile L4_Word_t ran;
static volatile L4_Word_t seen[8];

static L4_Fpage_t kip_fp(void)  { return L4_FpageLog2(TU_SPACE_KIP, 12); }
static L4_Fpage_t utcb_fp(void) { return L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2); }

static L4_Word_t sc(L4_ThreadId_t s, L4_Word_t control, L4_Fpage_t kip, L4_Fpage_t utcb)
{
    L4_Word_t old = 99;
    L4_Word_t r = L4_SpaceControl(s, control, kip, utcb, L4_nilthread, &old);
    seen[7] = old;
    return r;
}

static L4_Word_t tc(L4_ThreadId_t dest, L4_ThreadId_t space, L4_ThreadId_t sched,
                    L4_ThreadId_t pager, L4_Word_t utcb)
{
    return L4_ThreadControl(dest, space, sched, pager, (void *)utcb);
}

/* A new space with one inactive thread and no areas yet. */
static L4_ThreadId_t bare_space(void)
{
    L4_ThreadId_t t = tu_reserve();
    if (!L4_IsNilThread(t) && !tc(t, t, tu_root(), L4_nilthread, ~0UL))
        return L4_nilthread;
    return t;
}

TTEST(space, create_configure_activate)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);
    KCHECK_EQ(seen[7], 0);                              /* old control word */
    KCHECK_EQ(tc(t, t, L4_nilthread, tu_root(), TU_SPACE_UTCB + 3 * 1024), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);     /* for its start-up message */
    /* Another space: ExchangeRegisters only as its pager, and it answers the global id. */
    KCHECK_EQ(L4_LocalIdOf(t).raw, t.raw);
}

TTEST(space, err_activate_before_areas)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(tc(t, t, L4_nilthread, tu_root(), TU_SPACE_UTCB), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
}

TTEST(space, err_utcb_area)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    L4_Fpage_t bad[] = {
        L4_FpageLog2(TU_SPACE_UTCB, 11),                /* smaller than a page */
        L4_Nilpage,
        L4_FpageLog2(0x0000800000000000UL, 12),         /* beyond the user range */
        L4_FpageLog2(0xFFFFFFFFBF000000UL, 16),         /* kernel half */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(sc(t, 0, kip_fp(), bad[i]), 0);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    }
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);        /* nothing was fixed by the failures */
}

TTEST(space, err_kip_area)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    L4_Fpage_t bad[] = {
        L4_FpageLog2(TU_SPACE_KIP, 13),                 /* 8 KiB */
        L4_FpageLog2(TU_SPACE_KIP, 11),                 /* 2 KiB */
        L4_FpageLog2(0x0000800000000000UL, 12),         /* beyond the user range */
        L4_FpageLog2(TU_SPACE_UTCB + 0x2000, 12),       /* inside the UTCB area */
        L4_FpageLog2(TU_SPACE_UTCB, 12),                /* at its start */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(sc(t, 0, bad[i], utcb_fp()), 0);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrKipArea);
    }
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);
}

TTEST(space, err_control_word)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(sc(t, 1, kip_fp(), utcb_fp()), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(sc(t, 1UL << 63, kip_fp(), utcb_fp()), 0);    /* no compatibility mode */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidParam);
    KCHECK_EQ(sc(t, ~0UL, kip_fp(), utcb_fp()), 1);     /* "unchanged" */
}

TTEST(space, err_unknown_space)
{
    L4_ThreadId_t none = tu_reserve();
    L4_ThreadId_t bad[] = { none, L4_nilthread, L4_anythread, L4_anylocalthread };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        KCHECK_EQ(sc(bad[i], 0, kip_fp(), utcb_fp()), 0);
        KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    }
}

TTEST(space, areas_set_once)
{
    L4_ThreadId_t t = bare_space();
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);        /* the same again */
    KCHECK_EQ(sc(t, 0, L4_FpageLog2(TU_SPACE_KIP + 0x1000, 12), utcb_fp()), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(sc(t, 0, kip_fp(), L4_FpageLog2(TU_SPACE_UTCB, 15)), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    /* The first areas hold: the last UTCB slot of the 64 KiB area is valid. */
    KCHECK_EQ(tc(t, t, L4_nilthread, tu_root(), TU_SPACE_UTCB + 63 * 1024), 1);
}

TTEST(space, areas_fixed_once_active)
{
    L4_ThreadId_t t = bare_space(), t2 = tu_reserve();
    KCHECK(!L4_IsNilThread(t) && !L4_IsNilThread(t2));
    KCHECK_EQ(sc(t, 0, kip_fp(), utcb_fp()), 1);
    KCHECK_EQ(tc(t, t, L4_nilthread, tu_root(), TU_SPACE_UTCB), 1);
    /* Now anything is accepted and ignored. */
    KCHECK_EQ(sc(t, 0, L4_Nilpage, L4_Nilpage), 1);
    KCHECK_EQ(sc(t, 0, L4_FpageLog2(0x10000000, 12), L4_FpageLog2(0x20000000, 20)), 1);
    KCHECK_EQ(tc(t2, t, tu_root(), tu_root(), 0x20000000), 0);  /* not the UTCB area */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tc(t2, t, tu_root(), tu_root(), TU_SPACE_UTCB + 1024), 1);
}

TTEST(space, root_space_fixed)
{
    KCHECK_EQ(sc(tu_root(), 0, kip_fp(), utcb_fp()), 1);
    KCHECK_EQ(seen[7], 0);
    KCHECK_EQ((L4_Word_t)L4_GetKernelInterface(), ROOT_KIP_AREA);
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);     /* root UTCB area still works */
    KCHECK(!L4_IsNilThread(t));
    KCHECK_EQ(L4_LocalIdOf(t).raw, tu_utcb_of(t) + 512);
}

TTEST(space, second_thread_joins)
{
    L4_ThreadId_t a = tu_space_create(), b = tu_reserve(), c = tu_reserve();
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(c));
    KCHECK_EQ(tc(a, a, L4_nilthread, tu_root(), TU_SPACE_UTCB), 1);
    KCHECK_EQ(tc(b, a, tu_root(), L4_nilthread, ~0UL), 1);     /* inactive, in a's space */
    KCHECK_EQ(tc(b, b, L4_nilthread, tu_root(), TU_SPACE_UTCB), 0);    /* a's UTCB */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tc(b, a, L4_nilthread, tu_root(), TU_ROOT_UTCB + 60 * 1024), 0);   /* our area */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(tc(b, a, L4_nilthread, tu_root(), TU_SPACE_UTCB + 1024), 1);
    KCHECK_EQ(tu_state(b), L4_SCHEDRESULT_WAITING);
    /* c into b's space = a's space; then it cannot move to ours. */
    KCHECK_EQ(tc(c, b, tu_root(), L4_nilthread, ~0UL), 1);
    KCHECK_EQ(tc(c, tu_root(), L4_nilthread, L4_nilthread, ~0UL), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidSpace);
    KCHECK_EQ(tc(c, c, L4_nilthread, tu_root(), TU_SPACE_UTCB + 1024), 0);    /* b's */
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
}

TTEST(space, deleted_with_last_thread)
{
    L4_Word_t before = tu_kmem();
    L4_ThreadId_t a = tu_space_create(), b = tu_reserve(), c = tu_reserve();
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(c));
    KCHECK_EQ(tc(a, a, L4_nilthread, tu_root(), TU_SPACE_UTCB), 1);
    KCHECK_EQ(tc(b, a, tu_root(), tu_root(), TU_SPACE_UTCB + 0x8000), 1);  /* another page */
    KCHECK_EQ(tc(c, a, tu_root(), L4_nilthread, ~0UL), 1);
    KCHECK(tu_kmem() < before);
    KCHECK_EQ(tu_delete(a), 1);                         /* the space outlives its creator */
    KCHECK_EQ(tu_state(b), L4_SCHEDRESULT_WAITING);
    KCHECK_EQ(tc(c, b, L4_nilthread, tu_root(), TU_SPACE_UTCB), 1);    /* a's slot is free */
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK(tu_kmem() < before);
    KCHECK_EQ(tu_delete(c), 1);
    KCHECK_EQ(tu_kmem(), before);
}

TTEST(space, create_delete_many)
{
    L4_ThreadId_t t = tu_reserve();
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t before = 0;
    for (int i = 0; i <= 500; i++) {
        if (i == 1)
            before = tu_kmem();                         /* after one warm-up round */
        L4_ThreadId_t v = L4_GlobalId(L4_ThreadNo(t), (L4_Word_t)(i % 63) + 1);
        KCHECK_EQ(tc(v, v, tu_root(), L4_nilthread, ~0UL), 1);
        KCHECK_EQ(sc(v, 0, kip_fp(), utcb_fp()), 1);
        KCHECK_EQ(tc(v, v, L4_nilthread, tu_root(), TU_SPACE_UTCB + (L4_Word_t)(i % 64) * 1024), 1);
        KCHECK_EQ(L4_ThreadControl(v, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1), 1);
    }
    KCHECK_EQ(tu_kmem(), before);
}

/* ---- threads running in a new space (the tutil pager maps the root task's pages) --------- */

static void report_space(void *arg)
{
    (void)arg;
    L4_Word_t ver, flags, id;
    void *kip = L4_KernelInterface(&ver, &flags, &id);
    seen[0] = (L4_Word_t)kip;
    seen[1] = *(volatile L4_Word_t *)kip & 0xFFFFFFFF;   /* magic, read through its KIP area */
    seen[2] = L4_MyLocalId().raw;
    seen[3] = L4_MyGlobalId().raw;
    seen[4] = L4_Pager().raw;
    ran = 1;
}

TTEST(space, thread_runs_in_new_space)
{
    ran = 0;
    L4_ThreadId_t t = tu_space_thread(report_space, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], TU_SPACE_KIP);
    KCHECK_EQ(seen[1], KIP_MAGIC_WORD);
    KCHECK_EQ(seen[2], tu_utcb_of(t) + 512);
    KCHECK_EQ(seen[3], t.raw);
    KCHECK_EQ(seen[4], tu_pager().raw);
}

TTEST(space, page_fault_protocol)
{
    ran = 0;
    L4_ThreadId_t t = tu_space_thread(report_space, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK(tu_pager_log.faults >= 3);                   /* code, data, stack at least */
    /* The first fault: fetching the first instruction. */
    L4_MsgTag_t tag = { .raw = tu_pager_log.first_tag };
    KCHECK_EQ(L4_Label(tag) & ~0xFUL, TU_LABEL_PAGEFAULT);
    KCHECK(L4_Label(tag) & L4_eXecutable);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ(L4_TypedWords(tag), 0);
    KCHECK_EQ(tu_pager_log.first_addr, tu_start_ip());
    KCHECK_EQ(tu_pager_log.first_ip, tu_start_ip());
    KCHECK_EQ(tu_pager_log.last_from.raw, t.raw);       /* another space: the global id */
}

static void try_space_control(void *arg)
{
    (void)arg;
    L4_Word_t old;
    seen[0] = L4_SpaceControl(L4_Myself(), 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                              L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2), L4_nilthread, &old);
    seen[1] = L4_ErrorCode();
    seen[2] = L4_KDB_Stat(KDB_STAT_KMEM_FREE);          /* privileged too: -1 */
    ran = 1;
}

TTEST(space, err_no_privilege)
{
    ran = 0;
    seen[0] = 99;
    L4_ThreadId_t t = tu_space_thread(try_space_control, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], 0);
    KCHECK_EQ(seen[1], L4_ErrNoPrivilege);
    KCHECK_EQ(seen[2], ~0UL);
}

static void count_up(void *arg)
{
    __atomic_fetch_add((L4_Word_t *)arg, 1, __ATOMIC_RELAXED);
    L4_Set_MsgTag(L4_Niltag);
    L4_Send(tu_root());
}

TTEST(space, many_threads_in_one_space)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t first = tu_space_thread(count_up, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(first));
    for (int i = 0; i < 7; i++)
        KCHECK(!L4_IsNilThread(tu_space_join(first, count_up, (void *)&count, 100)));
    for (int i = 0; i < 8; i++) {
        L4_ThreadId_t from;
        KCHECK(L4_IpcSucceeded(L4_Wait_Timeout(L4_TimePeriod(5000000), &from)));
        KCHECK(L4_IsGlobalId(from));                    /* all from another space */
    }
    KCHECK_EQ(count, 8);
}

TTEST(space, new_space_memory_freed)
{
    ran = 0;
    L4_ThreadId_t p = tu_pager();                       /* exists before the measurement */
    KCHECK(!L4_IsNilThread(p));
    L4_Word_t before = tu_kmem();
    L4_ThreadId_t t = tu_space_thread(report_space, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(ran));
    KCHECK(tu_kmem() < before);                         /* page tables, UTCB page, TCB */
    KCHECK_EQ(tu_delete(t), 1);
    KCHECK_EQ(tu_kmem(), before);
}
