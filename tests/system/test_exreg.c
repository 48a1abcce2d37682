/* test_exreg.c — in-system tests of ExchangeRegisters: the result id form, reading SP, IP and
 * FLAGS, halting and resuming, redirecting a thread, the FLAGS mask, UserDefinedHandle and
 * pager, halt versus IPC, the start-up wait, the pager's access to another space, and the
 * errors (nil, any, unknown, inactive, another space). */
#include <l4/l4.h>
#include "tutil.h"


static volatile L4_Word_t ran;
static volatile L4_Word_t seen[8];

struct regs {
    L4_ThreadId_t result, pager;
    L4_Word_t control, sp, ip, flags, handle;
};

static struct regs xr(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip,
                      L4_Word_t flags, L4_Word_t handle, L4_ThreadId_t pager)
{
    struct regs r;
    r.result = L4_ExchangeRegisters(t, control, sp, ip, flags, handle, pager, &r.control, &r.sp,
                                    &r.ip, &r.flags, &r.handle, &r.pager);
    return r;
}

static struct regs peek(L4_ThreadId_t t)
{
    return xr(t, 0, 0, 0, 0, 0, L4_nilthread);
}

static void set_ran(void *arg) { ran = (L4_Word_t)arg; }

/* Receive from anyone and record the message and own handle and pager, forever. */
static void record_on_message(void *arg)
{
    (void)arg;
    for (;;) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait(&from);
        L4_StoreMR(1, (L4_Word_t *)&seen[0]);
        seen[1] = L4_UserDefinedHandle();
        seen[2] = L4_Pager().raw;
        seen[3] = tag.raw;
        ran++;
    }
}

TTEST(exreg, result_is_other_id_form)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    struct regs r = peek(t);
    KCHECK_EQ(r.result.raw, tu_utcb_of(t) + 512);       /* global in, local out */
    KCHECK_EQ(L4_ErrorCode(), 0);
    r = peek(r.result);
    KCHECK_EQ(r.result.raw, t.raw);                     /* local in, global out */
    KCHECK_EQ(L4_GlobalIdOf(L4_MyLocalId()).raw, tu_root().raw);
    KCHECK_EQ(peek(tu_root()).result.raw, L4_MyLocalId().raw);   /* on oneself too */
}

TTEST(exreg, err_invalid_dest)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    L4_ThreadId_t none = tu_reserve();
    KCHECK(!L4_IsNilThread(t) && !L4_IsNilThread(none));
    L4_ThreadId_t bad[] = {
        L4_nilthread, L4_anythread, L4_anylocalthread, none,
        L4_GlobalId(L4_ThreadNo(t), L4_Version(t) % 63 + 1),   /* wrong version */
        { .raw = TU_ROOT_UTCB + 61 * 1024 + 512 },      /* an unused local id */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct regs r = xr(bad[i], L4_EXREGS_SET_HANDLE | L4_EXREGS_SET_SP, 8, 0, 0, 5,
                           L4_nilthread);
        KCHECK(L4_IsNilThread(r.result));
        KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
        KCHECK_EQ(r.control | r.sp | r.ip | r.flags | r.handle | r.pager.raw, 0);
    }
    KCHECK_EQ(peek(t).handle, 0);                       /* nothing changed */
}

TTEST(exreg, err_inactive)
{
    L4_ThreadId_t t = tu_create_ex(0, 0, 100, TU_INACTIVE);
    KCHECK(!L4_IsNilThread(t));
    struct regs r = xr(t, L4_EXREGS_SET_HANDLE, 0, 0, 0, 5, L4_nilthread);
    KCHECK(L4_IsNilThread(r.result));
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
}

TTEST(exreg, other_space_only_as_pager)
{
    L4_ThreadId_t a = tu_space_create(), b = tu_reserve();
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    /* a: pager sigma0; b (same new space): pager the root thread.  Both wait for start-up. */
    KCHECK_EQ(L4_ThreadControl(a, a, L4_nilthread, L4_Pager(), (void *)TU_SPACE_UTCB), 1);
    KCHECK_EQ(L4_ThreadControl(b, a, tu_root(), tu_root(), (void *)(TU_SPACE_UTCB + 1024)), 1);
    struct regs r = xr(a, L4_EXREGS_SET_HANDLE, 0, 0, 0, 5, L4_nilthread);
    KCHECK(L4_IsNilThread(r.result));
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
    r = xr(b, L4_EXREGS_SET_HANDLE, 0, 0, 0, 6, L4_nilthread);
    KCHECK_EQ(r.result.raw, b.raw);                     /* another space: the global id */
    KCHECK_EQ(r.pager.raw, tu_root().raw);
    KCHECK_EQ(peek(b).handle, 6);
    /* A local id names a thread of the caller's own space only. */
    KCHECK(L4_IsNilThread(peek((L4_ThreadId_t){ .raw = TU_SPACE_UTCB + 1024 + 512 }).result));
    KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
}

TTEST(exreg, halt_and_resume)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t t = tu_create(tu_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(count > 0));
    L4_ThreadState_t s = L4_Stop(t);
    KCHECK(!L4_ThreadWasHalted(s));
    KCHECK(!L4_ThreadWasIpcing(s));
    KCHECK_EQ(peek(t).control, L4_EXREGS_WAS_HALTED);
    L4_Word_t c = count;
    L4_Sleep(L4_TimePeriod(20000));
    KCHECK_EQ(count, c);
    struct regs r = xr(t, L4_EXREGS_APPLY_HALT, 0, 0, 0, 0, L4_nilthread);    /* h = 0 */
    KCHECK_EQ(r.control, L4_EXREGS_WAS_HALTED);
    KCHECK(TU_WAIT(count > c));
    KCHECK_EQ(peek(t).control, 0);
}

TTEST(exreg, reads_sp_ip_flags)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t t = tu_create(tu_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(count > 0));
    L4_Word_t sp, ip, flags;
    L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
    KCHECK(ip >= (L4_Word_t)tu_spin && ip < (L4_Word_t)tu_spin + 256);
    KCHECK(sp <= tu_start_sp(t) && sp > tu_start_sp(t) - TU_STACK_SIZE);
    KCHECK(flags & FL_IF);
    KCHECK_EQ(flags & FL_IOPL, 0);
    struct regs r = peek(t);                            /* stable while halted */
    KCHECK_EQ(r.sp, sp);
    KCHECK_EQ(r.ip, ip);
}

static void jump_target(void)
{
    ran = 2;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(exreg, set_sp_ip_redirects)
{
    static volatile L4_Word_t count;
    count = 0;
    ran = 0;
    L4_ThreadId_t t = tu_create(tu_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(count > 0));
    L4_Word_t sp, ip, flags;
    L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
    struct regs r = xr(t, L4_EXREGS_SET_SP | L4_EXREGS_SET_IP | L4_EXREGS_APPLY_HALT,
                       tu_start_sp(t), (L4_Word_t)jump_target, 0, 0, L4_nilthread);
    KCHECK_EQ(r.sp, sp);                                /* the old values come back */
    KCHECK_EQ(r.ip, ip);
    KCHECK_EQ(r.control, L4_EXREGS_WAS_HALTED);
    KCHECK(TU_WAIT(ran == 2));
    L4_Word_t c = count;
    L4_Sleep(L4_TimePeriod(10000));
    KCHECK_EQ(count, c);                                /* no longer spinning */
}

TTEST(exreg, flags_arithmetic_only)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t want = FL_CF | FL_ZF | FL_OF;
    struct regs r = xr(t, L4_EXREGS_SET_FLAGS, 0, 0, want | FL_IOPL | FL_NT | FL_AC, 0,
                       L4_nilthread);
    KCHECK(r.flags & FL_IF);
    r = peek(t);
    KCHECK_EQ(r.flags & FL_ARITH, want);
    KCHECK(r.flags & FL_IF);                            /* stays set although not given */
    KCHECK_EQ(r.flags & (FL_IOPL | FL_NT | FL_AC), 0);
    xr(t, L4_EXREGS_SET_FLAGS, 0, 0, FL_PF | FL_SF, 0, L4_nilthread);
    KCHECK_EQ(peek(t).flags & FL_ARITH, FL_PF | FL_SF);
}

TTEST(exreg, handle_and_pager)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(record_on_message, 0, 100);
    L4_ThreadId_t p = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t) && !L4_IsNilThread(p));
    struct regs r = xr(t, L4_EXREGS_SET_HANDLE | L4_EXREGS_SET_PAGER, 0, 0, 0, 0xC0FFEE, p);
    KCHECK_EQ(r.handle, 0);
    KCHECK_EQ(r.pager.raw, L4_Pager().raw);             /* tu_create: the root's pager */
    r = peek(t);
    KCHECK_EQ(r.handle, 0xC0FFEE);
    KCHECK_EQ(r.pager.raw, p.raw);
    KCHECK_EQ(L4_UserDefinedHandleOf(t), 0xC0FFEE);
    KCHECK_EQ(L4_PagerOf(t).raw, p.raw);
    L4_LoadMR(1, 3);
    L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_TimePeriod(1000000))));
    KCHECK(TU_WAIT(ran == 1));
    KCHECK_EQ(seen[1], 0xC0FFEE);                       /* its own UTCB agrees */
    KCHECK_EQ(seen[2], p.raw);
    /* Without the u and p bits nothing changes. */
    xr(t, 0, 0, 0, 0, 1, tu_root());
    KCHECK_EQ(peek(t).handle, 0xC0FFEE);
    KCHECK_EQ(peek(t).pager.raw, p.raw);
}

TTEST(exreg, halt_keeps_ipc)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(record_on_message, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_ThreadState_t s = L4_Stop(t);
    KCHECK(L4_ThreadWasReceiving(s));
    KCHECK_EQ(peek(t).control, L4_EXREGS_WAS_HALTED | L4_EXREGS_WAS_RECEIVING);
    L4_LoadMR(1, 99);
    L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(t, L4_ZeroTime)));  /* still receiving */
    L4_Sleep(L4_TimePeriod(10000));
    KCHECK_EQ(ran, 0);                                  /* halted: does not run */
    L4_Start(t);
    KCHECK(TU_WAIT(ran == 1));
    KCHECK_EQ(seen[0], 99);
}

TTEST(exreg, cancel_without_ipc_changes_nothing)
{
    static volatile L4_Word_t count;
    count = 0;
    L4_ThreadId_t t = tu_create(tu_spin, (void *)&count, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(count > 0));
    struct regs r = xr(t, L4_EXREGS_CANCEL_IPC, 0, 0, 0, 0, L4_nilthread);
    KCHECK_EQ(r.control, 0);
    L4_Word_t c = count;
    KCHECK(TU_WAIT(count > c));                         /* still spinning */
}

TTEST(exreg, startup_wait_not_cancelled)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)5, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    xr(t, L4_EXREGS_CANCEL_IPC | L4_EXREGS_APPLY_HALT, 0, 0, 0, 0, L4_nilthread);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
    L4_Sleep(L4_TimePeriod(5000));
    KCHECK_EQ(ran, 0);
    tu_start(t);                                        /* S, I: now it starts */
    KCHECK(TU_WAIT(ran == 5));
}

TTEST(exreg, start_with_ip_only)
{
    ran = 0;
    L4_ThreadId_t t = tu_create_ex(set_ran, (void *)6, 100, TU_NOSTART);
    KCHECK(!L4_IsNilThread(t));
    /* SP first (no start), then IP (start). */
    xr(t, L4_EXREGS_SET_SP, tu_start_sp(t), 0, 0, 0, L4_nilthread);
    L4_Sleep(L4_TimePeriod(5000));
    KCHECK_EQ(ran, 0);
    KCHECK_EQ(peek(t).sp, tu_start_sp(t));
    xr(t, L4_EXREGS_SET_IP, 0, tu_start_ip(), 0, 0, L4_nilthread);
    KCHECK(TU_WAIT(ran == 6));
}

/* In a new space: ExchangeRegisters on itself, on the root thread and on a sibling. */
static void unprivileged_exregs(void *arg)
{
    L4_ThreadId_t sibling = { .raw = (L4_Word_t)arg };
    L4_ThreadId_t r = L4_ExchangeRegisters(tu_root(), L4_EXREGS_SET_HANDLE, 0, 0, 0, 1,
                                           L4_nilthread, 0, 0, 0, 0, 0, 0);
    seen[0] = r.raw;
    seen[1] = L4_ErrorCode();
    seen[2] = L4_ExchangeRegisters(L4_Myself(), 0, 0, 0, 0, 0, L4_nilthread, 0, 0, 0, 0, 0, 0).raw;
    seen[3] = L4_ExchangeRegisters(sibling, L4_EXREGS_SET_HANDLE, 0, 0, 0, 0x5151, L4_nilthread,
                                   0, 0, 0, 0, 0, 0).raw;
    ran = 1;
}

TTEST(exreg, unprivileged_own_space_only)
{
    ran = 0;
    seen[0] = 99;
    L4_ThreadId_t sib = tu_space_thread(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(sib));
    L4_ThreadId_t u = tu_space_join(sib, unprivileged_exregs, (void *)sib.raw, 100);
    KCHECK(!L4_IsNilThread(u));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], 0);
    KCHECK_EQ(seen[1], L4_ErrInvalidThread);
    KCHECK_EQ(seen[2], tu_utcb_of(u) + 512);
    KCHECK_EQ(seen[3], tu_utcb_of(sib) + 512);
    KCHECK_EQ(L4_UserDefinedHandle(), 0);               /* ours untouched */
}
