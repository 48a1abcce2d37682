/* test_ipc.c — in-system tests of IPC: untyped messages of every length, Call/ReplyWait,
 * from-specifiers (closed, any, anylocal), the sender id (local in one space, global across
 * spaces), timeouts (zero, relative, absolute), every error code a user can cause (1 timeout,
 * 2 non-existing partner, 3 cancelled, 4 overflow) in both phases, propagation, deletion of a
 * blocked partner, and the fast path giving the same results as the slow path. */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include "tutil.h"

#define ERR(code, phase)    (((L4_Word_t)(code) << 1) | (phase))

static volatile L4_Word_t ran;
static volatile L4_Word_t seen[8];
static volatile L4_Word_t words[64];

/* ---- partner threads --------------------------------------------------------------------- */


static struct tu_echo echo;                     /* the echo servers' record */

/* A new echo server (tutil), its record cleared. */
static L4_ThreadId_t echo_start(int send_only)
{
    echo = (struct tu_echo){ .send_only = send_only };
    return tu_create(tu_echo_server, &echo, 100);
}

/* One IPC described by the fields below, then record tag, ErrorCode, from and MR1..MR63. */
struct op {
    L4_ThreadId_t to, from;
    L4_Word_t timeouts;
    L4_Word_t tag;
};
static struct op op;
static void do_op(void *arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_Set_MsgTag((L4_MsgTag_t){ .raw = op.tag });
    L4_MsgTag_t tag = L4_Ipc(op.to, op.from, op.timeouts, &from);
    seen[0] = tag.raw;
    seen[1] = L4_ErrorCode();
    seen[2] = from.raw;
    seen[3] = L4_ActualSender().raw;
    for (int i = 1; i < 64; i++)
        L4_StoreMR(i, (L4_Word_t *)&words[i]);
    ran = 1;
}

static void set_op(L4_ThreadId_t to, L4_ThreadId_t from, L4_Word_t timeouts, L4_MsgTag_t tag)
{
    op = (struct op){ to, from, timeouts, tag.raw };
    ran = 0;
    seen[0] = seen[1] = seen[2] = seen[3] = 0xDEAD;
}

static L4_Word_t never(void) { return L4_Timeouts(L4_Never, L4_Never); }

static L4_Word_t elapsed_since(L4_Word64_t t0) { return L4_SystemClock().raw - t0; }

/* ---- messages ---------------------------------------------------------------------------- */

TTEST(ipc, send_receive_untyped)
{
    set_op(L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t t = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    for (int i = 1; i <= 5; i++)
        L4_LoadMR(i, 0x1111UL * i);
    L4_Set_MsgTag(L4_MsgTagMake(0x4321, 5, 0));
    KCHECK(L4_IpcSucceeded(L4_Send(t)));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], L4_MsgTagMake(0x4321, 5, 0).raw);
    for (int i = 1; i <= 5; i++)
        KCHECK_EQ(words[i], 0x1111UL * i);
}

TTEST(ipc, call_63_words)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    for (int round = 0; round < 3; round++) {
        for (int i = 1; i <= 63; i++)
            L4_LoadMR(i, ((L4_Word_t)round << 56) ^ (0x0101010101010101UL * (L4_Word_t)i));
        L4_Set_MsgTag(L4_MsgTagMake(10 + round, 63, 0));
        L4_MsgTag_t tag = L4_Call(t);
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK_EQ(tag.raw, L4_MsgTagMake(11 + round, 63, 0).raw);
        for (int i = 1; i <= 63; i++) {
            L4_Word_t w;
            L4_StoreMR(i, &w);
            KCHECK_EQ(w, (((L4_Word_t)round << 56) ^ (0x0101010101010101UL * (L4_Word_t)i)) + 1);
        }
    }
}

TTEST(ipc, every_length)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    for (L4_Word_t u = 0; u <= 63; u++) {
        for (L4_Word_t i = 1; i <= 63; i++)
            L4_LoadMR((int)i, i <= u ? u * 1000 + i : 0);
        L4_Set_MsgTag(L4_MsgTagMake(u, u, 0));
        L4_MsgTag_t tag = L4_Call(t);
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK_EQ(L4_UntypedWords(tag), u);
        KCHECK_EQ(L4_Label(tag), u + 1);
        for (L4_Word_t i = 1; i <= u; i++) {
            L4_Word_t w;
            L4_StoreMR((int)i, &w);
            KCHECK_EQ(w, u * 1000 + i + 1);
        }
    }
}

/* Fill MR1..MR63 with a pattern, then receive from the root. */
static void receive_over_pattern(void *arg)
{
    (void)arg;
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, 0xABC00000UL + (L4_Word_t)i);
    L4_MsgTag_t tag = L4_Receive(tu_root());
    seen[0] = tag.raw;
    for (int i = 1; i < 64; i++)
        L4_StoreMR(i, (L4_Word_t *)&words[i]);
    ran = 1;
}

TTEST(ipc, registers_beyond_u_untouched)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(receive_over_pattern, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, 7);
    L4_Set_MsgTag(L4_MsgTagMake(0, 3, 0));
    KCHECK(L4_IpcSucceeded(L4_Send(t)));
    KCHECK(TU_WAIT(ran));
    for (int i = 1; i <= 3; i++)
        KCHECK_EQ(words[i], 7);
    for (int i = 4; i < 64; i++)
        KCHECK_EQ(words[i], 0xABC00000UL + (L4_Word_t)i);
}

TTEST(ipc, tag_flags_cleared_label_kept)
{
    set_op(L4_nilthread, L4_anythread, never(), L4_Niltag);
    L4_ThreadId_t t = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_MsgTag_t tag = L4_MsgTagMake(0xFEDCBA987654UL, 1, 0);
    tag.raw |= L4_MSGTAG_REDIRECTED | L4_MSGTAG_XCPU | L4_MSGTAG_ERROR;
    L4_LoadMR(1, 5);
    L4_Set_MsgTag(tag);
    KCHECK(L4_IpcSucceeded(L4_Send(t)));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], L4_MsgTagMake(0xFEDCBA987654UL, 1, 0).raw);
    KCHECK_EQ(seen[2], L4_MyLocalId().raw);             /* same space: our local id */
}

TTEST(ipc, nil_nil_returns_at_once)
{
    L4_Set_MsgTag(L4_MsgTagMake(3, 0, 0));
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, L4_nilthread, never(), &from);
    KCHECK(L4_IpcSucceeded(tag));
}

/* ---- errors ------------------------------------------------------------------------------ */

TTEST(ipc, err_overflow)
{
    set_op(L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t t = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Set_MsgTag(L4_MsgTagMake(0, 63, 1));             /* 1 + 63 + 1 > 64 */
    L4_MsgTag_t tag = L4_Send_Timeout(t, L4_ZeroTime);
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrMsgOverflow, L4_ErrSendPhase));
    L4_Set_MsgTag(L4_MsgTagMake(0, 2, 62));
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrMsgOverflow, L4_ErrSendPhase));
    KCHECK_EQ(ran, 0);
}

TTEST(ipc, err_map_item_into_nil_window)
{
    set_op(L4_nilthread, tu_root(), never(), L4_Niltag);    /* BR0 = 0: no mappings */
    L4_ThreadId_t t = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    static char page[4096] __attribute__((aligned(4096)));
    page[0] = 1;
    L4_LoadMR(1, (L4_Word_t)page | 0x8);
    L4_LoadMR(2, L4_FpageAddRights(L4_FpageLog2((L4_Word_t)page, 12), L4_Readable).raw);
    L4_Set_MsgTag(L4_MsgTagMake(0, 0, 2));
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_TimePeriod(1000000))));
    KCHECK_EQ(L4_ErrorCode() & 0xF, ERR(L4_ErrMsgOverflow, L4_ErrSendPhase));
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[1] & 0xF, ERR(L4_ErrMsgOverflow, L4_ErrRecvPhase));
}

TTEST(ipc, err_no_partner)
{
    L4_ThreadId_t none = tu_reserve();
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send(none)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrSendPhase));
    KCHECK(L4_IpcFailed(L4_Send(L4_anythread)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrSendPhase));
    KCHECK(L4_IpcFailed(L4_Send((L4_ThreadId_t){ .raw = TU_ROOT_UTCB + 63 * 1024 + 512 })));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrSendPhase));     /* unused local id */
    KCHECK(L4_IpcFailed(L4_Receive(none)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrRecvPhase));
    KCHECK(L4_IpcFailed(L4_Call(none)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrSendPhase));
}

TTEST(ipc, err_send_to_inactive)
{
    L4_ThreadId_t t = tu_create_ex(0, 0, 100, TU_INACTIVE);
    KCHECK(!L4_IsNilThread(t));
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send(t)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrNonExist, L4_ErrSendPhase));
}

TTEST(ipc, err_zero_timeouts)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrSendPhase));
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(L4_anythread, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);     /* not disturbed */
}

TTEST(ipc, err_relative_timeouts_expire)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word64_t t0 = L4_SystemClock().raw;
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(t, L4_TimePeriod(20000))));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(elapsed_since(t0) >= 20000 && elapsed_since(t0) < TU_WAIT_US);
    t0 = L4_SystemClock().raw;
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcFailed(L4_Send_Timeout(t, L4_TimePeriod(20000))));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrSendPhase));
    KCHECK(elapsed_since(t0) >= 20000 && elapsed_since(t0) < TU_WAIT_US);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_WAITING);
}

TTEST(ipc, err_absolute_timeout_expires)
{
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Clock_t at = L4_ClockAddUsec(L4_SystemClock(), 30000);
    L4_Time_t point = L4_TimePoint(at);
    KCHECK(L4_IsTimePoint(point));
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(t, point)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    KCHECK(L4_SystemClock().raw >= at.raw);
    KCHECK(L4_SystemClock().raw < at.raw + TU_WAIT_US);
}

TTEST(ipc, sleep_ends_in_receive_timeout)
{
    L4_Sleep(L4_TimePeriod(5000));
    KCHECK(L4_IpcFailed(L4_MsgTag()));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
}

TTEST(ipc, err_call_reply_timeout)
{
    ran = 0;
    L4_ThreadId_t t = tu_create(tu_receive_and_keep, (void *)&ran, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Set_MsgTag(L4_Niltag);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, L4_Never, L4_TimePeriod(20000));
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));    /* the send went */
    KCHECK(TU_WAIT(ran == 1));
}

/* ErrorCode is written only on failure (X.2: meaningful only when E is set). */
TTEST(ipc, errorcode_written_only_on_failure)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(L4_IpcFailed(L4_Receive_Timeout(t, L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrTimeout << 1) | 1);
    L4_Set_MsgTag(L4_Niltag);
    KCHECK(L4_IpcSucceeded(L4_Call(t)));
    KCHECK_EQ(L4_ErrorCode(), (L4_ErrTimeout << 1) | 1);      /* untouched */
    KCHECK(L4_IpcFailed(L4_Send_Timeout(L4_GlobalId(4000, 1), L4_ZeroTime)));
    KCHECK_EQ(L4_ErrorCode(), L4_ErrNonExist << 1);           /* send phase */
}

/* ---- from-specifiers and sender ids ------------------------------------------------------ */

static void send_label(void *arg)
{
    L4_Set_MsgTag(L4_MsgTagMake((L4_Word_t)arg, 0, 0));
    L4_Send(tu_root());
}

TTEST(ipc, open_wait_serves_senders_in_order)
{
    L4_ThreadId_t t[3];
    for (int i = 0; i < 3; i++) {                   /* queued one after the other */
        t[i] = tu_create(send_label, (void *)(L4_Word_t)(i + 1), 100);
        KCHECK(!L4_IsNilThread(t[i]));
        KCHECK(TU_WAIT(tu_state(t[i]) == L4_SCHEDRESULT_PENDING_SEND));
    }
    for (int i = 0; i < 3; i++) {
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Wait_Timeout(L4_ZeroTime, &from);
        KCHECK(L4_IpcSucceeded(tag));
        KCHECK_EQ(L4_Label(tag), i + 1);
        KCHECK(L4_IsLocalId(from));                     /* same space: local id */
        KCHECK_EQ(from.raw, tu_utcb_of(t[i]) + 512);
        KCHECK_EQ(L4_GlobalIdOf(from).raw, t[i].raw);
    }
    KCHECK(L4_IpcFailed(L4_Wait_Timeout(L4_ZeroTime, &(L4_ThreadId_t){ 0 })));
}

TTEST(ipc, closed_receive_selects_sender)
{
    L4_ThreadId_t a = tu_create(send_label, (void *)1, 100);
    L4_ThreadId_t b = tu_create(send_label, (void *)2, 100);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_PENDING_SEND &&
                   tu_state(b) == L4_SCHEDRESULT_PENDING_SEND));
    L4_MsgTag_t tag = L4_Receive_Timeout(b, L4_ZeroTime);   /* b queued behind a */
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag), 2);
    KCHECK_EQ(tu_state(a), L4_SCHEDRESULT_PENDING_SEND);
    tag = L4_Receive_Timeout(L4_LocalIdOf(a), L4_ZeroTime);  /* closed, by local id */
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag), 1);
}

TTEST(ipc, send_to_local_id)
{
    set_op(L4_nilthread, L4_anylocalthread, never(), L4_Niltag);
    L4_ThreadId_t t = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_ThreadId_t local = L4_LocalIdOf(t);
    KCHECK_EQ(local.raw, tu_utcb_of(t) + 512);
    L4_LoadMR(1, 77);
    L4_Set_MsgTag(L4_MsgTagMake(1, 1, 0));
    KCHECK(L4_IpcSucceeded(L4_Send(local)));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(words[1], 77);
    KCHECK_EQ(seen[2], L4_MyLocalId().raw);
}

TTEST(ipc, lipc_local_call)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    L4_LoadMR(1, 41);
    L4_Set_MsgTag(L4_MsgTagMake(0, 1, 0));
    L4_MsgTag_t tag = L4_Lcall(L4_LocalIdOf(t));
    KCHECK(L4_IpcSucceeded(tag));
    L4_Word_t w;
    L4_StoreMR(1, &w);
    KCHECK_EQ(w, 42);
    KCHECK_EQ(echo.last_from, L4_MyLocalId().raw);
}

/* ---- propagation ------------------------------------------------------------------------- */

TTEST(ipc, propagation_names_virtual_sender)
{
    set_op(L4_nilthread, L4_anythread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    L4_ThreadId_t v = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(v));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    L4_Set_VirtualSender(v);
    L4_MsgTag_t tag = L4_MsgTagMake(9, 0, 0);
    L4_Set_Propagation(&tag);
    L4_Set_MsgTag(tag);
    KCHECK(L4_IpcSucceeded(L4_Send(a)));
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcPropagated((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = seen[0] }), 9);
    KCHECK_EQ(seen[2], L4_LocalIdOf(v).raw);            /* from = the virtual sender */
    KCHECK(seen[3] == tu_root().raw || seen[3] == L4_MyLocalId().raw);  /* ActualSender */
}

TTEST(ipc, no_propagation_without_p)
{
    set_op(L4_nilthread, L4_anythread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    L4_ThreadId_t v = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(v));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    L4_Set_VirtualSender(v);
    L4_Set_MsgTag(L4_MsgTagMake(9, 0, 0));
    KCHECK(L4_IpcSucceeded(L4_Send(a)));
    KCHECK(TU_WAIT(ran));
    KCHECK(!L4_IpcPropagated((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[2], L4_MyLocalId().raw);
}

/* A client: Call the root with MR1 = 5; record the reply and who sent it. */
static void call_root(void *arg)
{
    (void)arg;
    L4_ThreadId_t from = L4_nilthread;
    L4_LoadMR(1, 5);
    L4_Set_MsgTag(L4_MsgTagMake(1, 1, 0));
    L4_MsgTag_t tag = L4_Ipc(tu_root(), tu_root(), never(), &from);
    seen[4] = tag.raw;
    seen[5] = from.raw;
    L4_StoreMR(1, (L4_Word_t *)&seen[6]);
    ran = 1;
}

/* A worker: receive a (propagated) request and answer the sender it names. */
static void answer_request(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    seen[0] = tag.raw;
    seen[1] = from.raw;
    L4_Word_t w;
    L4_StoreMR(1, &w);
    L4_LoadMR(1, w * 10);
    L4_Set_MsgTag(L4_MsgTagMake(2, 1, 0));
    L4_Send(from);
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(ipc, propagated_call_answered_by_worker)
{
    ran = 0;
    L4_ThreadId_t worker = tu_create(answer_request, 0, 100);
    L4_ThreadId_t client = tu_create(call_root, 0, 100);
    KCHECK(!L4_IsNilThread(worker) && !L4_IsNilThread(client));
    L4_MsgTag_t tag = L4_Receive_Timeout(client, L4_TimePeriod(5000000));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(tu_state(client), L4_SCHEDRESULT_WAITING);    /* for our reply */
    /* Forward the request to the worker on the client's behalf. */
    L4_Set_VirtualSender(client);
    L4_Set_Propagation(&tag);
    L4_Set_MsgTag(tag);
    KCHECK(L4_IpcSucceeded(L4_Send_Timeout(worker, L4_TimePeriod(5000000))));
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcPropagated((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[1], L4_LocalIdOf(client).raw);
    KCHECK(L4_IpcSucceeded((L4_MsgTag_t){ .raw = seen[4] }));
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = seen[4] }), 2);
    KCHECK_EQ(seen[5], L4_LocalIdOf(worker).raw);       /* the reply came from the worker */
    KCHECK_EQ(seen[6], 50);
}

/* ---- deletion and cancellation of blocked partners --------------------------------------- */

TTEST(ipc, delete_fails_blocked_sender)
{
    L4_ThreadId_t b = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(b));
    set_op(b, L4_nilthread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_PENDING_SEND));
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[1], ERR(L4_ErrNonExist, L4_ErrSendPhase));
}

TTEST(ipc, delete_fails_waiting_receiver)
{
    L4_ThreadId_t b = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(b));
    set_op(L4_nilthread, b, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[1], ERR(L4_ErrNonExist, L4_ErrRecvPhase));
}

TTEST(ipc, delete_fails_caller_awaiting_reply)
{
    ran = 0;
    L4_ThreadId_t b = tu_create(tu_receive_and_keep, (void *)&ran, 100);
    KCHECK(!L4_IsNilThread(b));
    KCHECK(TU_WAIT(tu_state(b) == L4_SCHEDRESULT_WAITING));
    set_op(b, b, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ran == 1 && tu_state(a) == L4_SCHEDRESULT_WAITING));   /* b got it */
    ran = 0;
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[1], ERR(L4_ErrNonExist, L4_ErrRecvPhase));
}

TTEST(ipc, cancel_receive)
{
    set_op(L4_nilthread, tu_root(), never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_WAITING));
    L4_Word_t old;
    /* s alone leaves a receive alone. */
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    L4_Sleep(L4_TimePeriod(2000));
    KCHECK_EQ(ran, 0);
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_RECV, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    KCHECK(TU_WAIT(ran));
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = seen[0] }));
    KCHECK_EQ(seen[1], ERR(L4_ErrCanceled, L4_ErrRecvPhase));
}

TTEST(ipc, cancel_send)
{
    set_op(tu_root(), L4_nilthread, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(tu_state(a) == L4_SCHEDRESULT_PENDING_SEND));
    L4_Word_t old;
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_RECV, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_SENDING);
    KCHECK_EQ(tu_state(a), L4_SCHEDRESULT_PENDING_SEND);   /* r alone leaves a send alone */
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_SENDING);
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[1], ERR(L4_ErrCanceled, L4_ErrSendPhase));
    /* It has left our send queue. */
    KCHECK(L4_IpcFailed(L4_Wait_Timeout(L4_ZeroTime, &(L4_ThreadId_t){ 0 })));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
}

TTEST(ipc, cancel_call_in_receive_phase)
{
    ran = 0;
    L4_ThreadId_t b = tu_create(tu_receive_and_keep, (void *)&ran, 100);
    KCHECK(!L4_IsNilThread(b));
    KCHECK(TU_WAIT(tu_state(b) == L4_SCHEDRESULT_WAITING));
    set_op(b, b, never(), L4_Niltag);
    L4_ThreadId_t a = tu_create(do_op, 0, 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ran == 1 && tu_state(a) == L4_SCHEDRESULT_WAITING));
    ran = 0;
    L4_Word_t old;
    L4_ExchangeRegisters(a, L4_EXREGS_CANCEL_IPC, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_RECEIVING);
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[1], ERR(L4_ErrCanceled, L4_ErrRecvPhase));
}

/* ---- fast path and slow path ------------------------------------------------------------- */

/* Call t n times with 63 words (pattern seeded by k), each receive timeout rcv; MR sums. */
static int call_rounds(L4_ThreadId_t t, int n, L4_Time_t rcv, L4_Word_t *sum)
{
    for (int k = 0; k < n; k++) {
        for (int i = 1; i <= 63; i++)
            L4_LoadMR(i, (L4_Word_t)(k * 64 + i));
        L4_Set_MsgTag(L4_MsgTagMake((L4_Word_t)k, 63, 0));
        L4_MsgTag_t tag = L4_Call_Timeouts(t, L4_Never, rcv);
        if (L4_IpcFailed(tag) || tag.raw != L4_MsgTagMake((L4_Word_t)k + 1, 63, 0).raw)
            return 0;
        for (int i = 1; i <= 63; i++) {
            L4_Word_t w;
            L4_StoreMR(i, &w);
            if (w != (L4_Word_t)(k * 64 + i) + 1)
                return 0;
            *sum += w;
        }
    }
    return 1;
}

TTEST(ipc, fastpath_serves_call)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t sum = 0, before = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    KCHECK(call_rounds(t, 20, L4_Never, &sum));
    L4_Word_t after = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    KCHECK(after - before >= 20);                       /* at least our Calls */
    KCHECK(after - before <= 40);                       /* Calls and replies, nothing else */
    KCHECK_EQ(echo.count, 20);
}

TTEST(ipc, slowpath_same_results)
{
    L4_ThreadId_t t = echo_start(0);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t fast = 0, slow = 0;
    L4_Word_t c0 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    KCHECK(call_rounds(t, 10, L4_Never, &fast));
    L4_Word_t c1 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    KCHECK(call_rounds(t, 10, L4_TimePeriod(5000000), &slow));     /* finite: slow path */
    L4_Word_t c2 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    KCHECK(c1 - c0 >= 10);
    KCHECK_EQ(c2, c1);
    KCHECK_EQ(fast, slow);
    KCHECK_EQ(echo.last_from, L4_MyLocalId().raw);
    KCHECK_EQ(echo.count, 20);
}

TTEST(ipc, fastpath_not_for_propagated)
{
    L4_ThreadId_t t = echo_start(1);                /* replies send-only */
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Word_t c0 = L4_KDB_Stat(KDB_STAT_FASTPATH_IPC);
    L4_Set_VirtualSender(L4_Myself());
    L4_MsgTag_t tag = L4_MsgTagMake(1, 1, 0);
    L4_Set_Propagation(&tag);
    L4_LoadMR(1, 1);
    L4_Set_MsgTag(tag);
    tag = L4_Call(t);                                   /* never timeouts, but p set */
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag), 2);
    KCHECK_EQ(echo.last_from, L4_MyLocalId().raw);           /* virtual sender = ourselves */
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_FASTPATH_IPC), c0);
    /* The same Call without p takes the fast path. */
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING));
    L4_Set_MsgTag(L4_MsgTagMake(1, 1, 0));
    KCHECK(L4_IpcSucceeded(L4_Call(t)));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_FASTPATH_IPC), c0 + 1);
}

/* ---- between spaces ---------------------------------------------------------------------- */

static void send_from_other_space(void *arg)
{
    L4_LoadMR(1, (L4_Word_t)arg);
    L4_Set_MsgTag(L4_MsgTagMake(0x77, 1, 0));
    L4_Send(tu_root());
}

TTEST(ipc, sender_global_across_spaces)
{
    L4_ThreadId_t t = tu_space_thread(send_from_other_space, (void *)0x1234, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_PENDING_SEND));
    /* anylocalthread does not take it ... */
    L4_ThreadId_t from;
    KCHECK(L4_IpcFailed(L4_Ipc(L4_nilthread, L4_anylocalthread,
                               L4_Timeouts(L4_Never, L4_TimePeriod(10000)), &from)));
    KCHECK_EQ(L4_ErrorCode(), ERR(L4_ErrTimeout, L4_ErrRecvPhase));
    /* ... anythread does, and names the sender by its global id. */
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_ZeroTime, &from);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Label(tag), 0x77);
    KCHECK_EQ(from.raw, t.raw);
    L4_Word_t w;
    L4_StoreMR(1, &w);
    KCHECK_EQ(w, 0x1234);
}

static void call_echo_from_other_space(void *arg)
{
    L4_ThreadId_t server = { .raw = (L4_Word_t)arg };
    L4_Word_t ok = 1;
    for (int k = 0; k < 5; k++) {
        for (int i = 1; i <= 63; i++)
            L4_LoadMR(i, (L4_Word_t)(k * 100 + i));
        L4_Set_MsgTag(L4_MsgTagMake(4, 63, 0));
        L4_MsgTag_t tag = L4_Call(server);
        for (int i = 1; i <= 63; i++) {
            L4_Word_t w;
            L4_StoreMR(i, &w);
            ok &= w == (L4_Word_t)(k * 100 + i + 1);
        }
        ok &= L4_IpcSucceeded(tag) && L4_Label(tag) == 5;
    }
    seen[0] = ok;
    ran = 1;
}

TTEST(ipc, call_across_spaces)
{
    ran = 0;
    L4_ThreadId_t server = echo_start(0);
    KCHECK(!L4_IsNilThread(server));
    L4_ThreadId_t c = tu_space_thread(call_echo_from_other_space, (void *)server.raw, 100);
    KCHECK(!L4_IsNilThread(c));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(seen[0], 1);
    KCHECK_EQ(echo.last_from, c.raw);                        /* the server saw the global id */
}

/* In a new space: B receives from anylocalthread, A sends to B's local id. */
static void new_space_receiver(void *arg)
{
    (void)arg;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, L4_anylocalthread, never(), &from);
    seen[0] = tag.raw;
    seen[1] = from.raw;
    seen[2] = L4_MyLocalId().raw;
    ran = 1;
}

static void new_space_sender(void *arg)
{
    L4_Set_MsgTag(L4_MsgTagMake(0x55, 0, 0));
    L4_Send((L4_ThreadId_t){ .raw = (L4_Word_t)arg });
}

TTEST(ipc, local_ids_within_new_space)
{
    ran = 0;
    L4_ThreadId_t b = tu_space_thread(new_space_receiver, 0, 100);
    KCHECK(!L4_IsNilThread(b));
    KCHECK(TU_WAIT(tu_state(b) == L4_SCHEDRESULT_WAITING));
    L4_ThreadId_t a = tu_space_join(b, new_space_sender, (void *)(tu_utcb_of(b) + 512), 100);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(ran));
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = seen[0] }), 0x55);
    KCHECK_EQ(seen[1], tu_utcb_of(a) + 512);            /* a's local id */
    KCHECK_EQ(seen[2], tu_utcb_of(b) + 512);
}
