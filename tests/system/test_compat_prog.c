/* test_compat_prog.c — an X.2-style program in the test suite, built twice (issue 12, item 8):
 * as C (this file, tests compat.c_*) and as C++ (test_compat_prog.cc includes it, tests
 * compat.cxx_*), both with -Wall -Werror.  It does what X.2 programs do: reads the KIP as a
 * structure, builds compound strings and sends them, uses IO-fpages and the time and clock
 * arithmetic (C++: the operators and short overloads; C: the functions), creates an address
 * space the X.2 way (first thread inactive with its UtcbLocation, SpaceControl, activation with
 * UtcbLocation -1), and pages it with a pager that cancels one fault and restarts the thread.
 *
 * Everything here must compile unchanged in both languages: the two differ only inside
 * `#ifdef __cplusplus`, where X.2 C++ code would use an operator or an overload.
 */
#include <string.h>
#include <l4/l4.h>
#include <l4/arch.h>
#ifdef __cplusplus
extern "C" {                            /* the C test helpers (libl4 is included already) */
#endif
#include "tutil.h"
#ifdef __cplusplus
}
#define CP_TEST(name)   TTEST(compat, cxx_##name)
#define CP_CAST(T, v)   static_cast<T>(v)
#define CP_BITS(T, v)   reinterpret_cast<T>(v)
#define CP_NIL          nullptr
#else
#define CP_TEST(name)   TTEST(compat, c_##name)
#define CP_CAST(T, v)   ((T)(v))
#define CP_BITS(T, v)   ((T)(v))
#define CP_NIL          NULL
#endif

/* ---- the KIP as a structure ---------------------------------------------------------------- */

CP_TEST(kip_structure)
{
    L4_KernelInterfacePage_t *kip = CP_CAST(L4_KernelInterfacePage_t *, L4_GetKernelInterface());
    KCHECK_EQ(kip->magic & 0xFFFFFFFFUL, L4_MAGIC);
    KCHECK_EQ(kip->ApiVersion.X.version, L4_APIVERSION_X2);
    KCHECK_EQ(kip->ThreadInfo.X.UserBase, L4_ThreadIdUserBase(kip));
    KCHECK_EQ(1UL << kip->KipAreaInfo.X.s, L4_KipAreaSize(kip));
    KCHECK_EQ(L4_ThreadNo(L4_Myself()), kip->ThreadInfo.X.UserBase + 2);    /* the root task */
    L4_ProcDesc_t *pd = L4_ProcDesc(kip, 0);
    L4_MemoryDesc_t *md = L4_MemoryDesc(kip, 0);
#ifdef __cplusplus
    KCHECK_EQ(L4_ExternalFreq(pd), pd->X.ExternalFreq);
    KCHECK_EQ(L4_InternalFreq(pd), pd->X.InternalFreq);
    KCHECK(L4_Low(md) <= L4_High(md) && L4_Type(md) == L4_MemoryDescType(md));
    KCHECK(!L4_IsVirtual(md) == !md->x.v);
#else
    KCHECK_EQ(L4_ProcDescExternalFreq(pd), pd->X.ExternalFreq);
    KCHECK_EQ(L4_ProcDescInternalFreq(pd), pd->X.InternalFreq);
    KCHECK(L4_MemoryDescLow(md) <= L4_MemoryDescHigh(md));
    KCHECK(!L4_IsMemoryDescVirtual(md) == !md->x.v);
#endif
}

/* ---- a compound string, sent --------------------------------------------------------------- */

static unsigned char cp_src[4096] __attribute__((aligned(4096)));
static unsigned char cp_dst[4096] __attribute__((aligned(4096)));
static L4_MsgBuffer_t cp_buf;
static volatile L4_Word_t cp_ready, cp_done, cp_err, cp_mr1;

/* The receiver: accept strings into cp_buf, take one message. */
static void cp_receiver(void *arg)
{
    L4_ThreadId_t from;
    (void)arg;
#ifdef __cplusplus
    L4_Accept(L4_StringItemsAcceptor, &cp_buf);
#else
    L4_AcceptStrings(L4_StringItemsAcceptor, &cp_buf);
#endif
    cp_ready = 1;
    L4_MsgTag_t tag = L4_Wait_Timeout(L4_TimePeriod(5000000), &from);
    cp_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    L4_Word_t w;
    L4_StoreMR(1, &w);
    cp_mr1 = w;
    cp_done = 1;
}

CP_TEST(compound_string)
{
    for (unsigned i = 0; i < sizeof(cp_src); i++)
        cp_src[i] = CP_CAST(unsigned char, i * 5 + 1);
    memset(cp_dst, 0xEE, sizeof(cp_dst));
    cp_ready = cp_done = cp_err = cp_mr1 = 0;
    L4_MsgBufferClear(&cp_buf);
    L4_MsgBufferAppendSimpleRcvString(&cp_buf, L4_StringItem(256, cp_dst));
    L4_ThreadId_t r = tu_create(cp_receiver, CP_NIL, 100);
    KCHECK(!L4_IsNilThread(r));
    KCHECK(TU_WAIT(cp_ready && tu_state(r) == L4_SCHEDRESULT_WAITING));

    L4_StringItem_t s = L4_StringItem(10, cp_src), more = L4_StringItem(20, cp_src + 100);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
#ifdef __cplusplus
    s += more;
    s += static_cast<void *>(cp_src + 200);          /* the last item gathers 20 more bytes */
    KCHECK(L4_CompoundString(s) && L4_Substrings(s) == 1);
    L4_Append(&msg, 0x99UL);
    L4_Append(&msg, &s);
#else
    L4_AddSubstringTo(&s, &more);
    L4_AddSubstringAddressTo(&s, cp_src + 200);
    KCHECK(L4_CompoundString(&s) && L4_Substrings(&s) == 1);
    L4_MsgAppendWord(&msg, 0x99UL);
    L4_MsgAppendStringItem(&msg, &s);
#endif
    KCHECK_EQ(L4_TypedWords(L4_MsgMsgTag(&msg)), 5);    /* 2 + 3 words: two items */
    L4_MsgLoad(&msg);
    L4_MsgTag_t tag = L4_Send_Timeout(r, L4_TimePeriod(5000000));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(TU_WAIT(cp_done));
    KCHECK_EQ(cp_err, 0);
    KCHECK_EQ(cp_mr1, 0x99);
    KCHECK(memcmp(cp_dst, cp_src, 10) == 0);
    KCHECK(memcmp(cp_dst + 10, cp_src + 100, 20) == 0);
    KCHECK(memcmp(cp_dst + 30, cp_src + 200, 20) == 0);
    KCHECK_EQ(cp_dst[50], 0xEE);
}

/* ---- IO-fpages, time and clock arithmetic --------------------------------------------------- */

CP_TEST(io_fpages_time_clock)
{
    L4_Fpage_t io = L4_IoFpageLog2(0x60, 2);
    L4_Time_t t = L4_TimePeriod(1000);
    L4_Clock_t a = L4_SystemClock();
#ifdef __cplusplus
    io += L4_ReadWriteOnly;
    t += 24UL;
    L4_Clock_t b = a + 100;
    KCHECK(t > L4_TimePeriod(1000) && t < L4_Never && t == L4_TimePeriod(1024));
    KCHECK(t - L4_TimePeriod(24) == L4_TimePeriod(1000));
    KCHECK((b - a).raw == 100 && b > a && a <= b);
#else
    io = L4_FpageAddRights(io, L4_ReadWriteOnly);
    L4_TimeAddUsecTo(&t, 24);
    L4_Clock_t b = L4_ClockAddUsec(a, 100);
    KCHECK(L4_IsTimeLonger(t, L4_TimePeriod(1000)) && L4_IsTimeShorter(t, L4_Never));
    KCHECK(L4_IsTimeEqual(t, L4_TimePeriod(1024)));
    KCHECK(L4_IsTimeEqual(L4_TimeSub(t, L4_TimePeriod(24)), L4_TimePeriod(1000)));
    KCHECK(L4_ClockDiffUsec(b, a) == 100 && L4_IsClockLater(b, a) && !L4_IsClockEarlier(b, a));
#endif
    KCHECK(L4_IsIoFpage(io) && L4_IoFpagePort(io) == 0x60 && L4_IoFpageSize(io) == 4);
    KCHECK_EQ(L4_Rights(io), L4_ReadWriteOnly);
}

/* ---- a new address space, created the X.2 way, and a pager that cancels a fault ----------- */

/* What the new space's thread touches: a page the pager holds back once (cancel), and the
 * words it writes back through the shared image pages. */
static L4_Word_t cp_lazy[512] __attribute__((aligned(4096)));
static L4_Word_t cp_stack[1024] __attribute__((aligned(16)));
static volatile L4_Word_t cp_seen, cp_result, cp_local;

struct cp_pager_state {
    L4_ThreadId_t client;
    volatile L4_Word_t faults, lazy_faults, cancelled, state_after_cancel, started;
};
static struct cp_pager_state cp_ps;

/* The new space's thread (started by its pager's start-up message): read the held-back page,
 * report, and sleep. */
static void cp_client(void)
{
    cp_seen = cp_lazy[3];
    cp_local = L4_MyLocalId().raw;
    cp_result = L4_ThreadNo(L4_Myself()) + 1;
    for (;;)
        L4_Sleep(L4_Never);
}

/* Map the root task's page at addr (touched first: the root task has it then) into the
 * faulting space at the same address, fully accessible. */
static void cp_load_map_reply(L4_Word_t addr)
{
    L4_Word_t page = addr & ~0xFFFUL;
    (void)*CP_BITS(volatile char *, page);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageAddRights(L4_FpageLog2(page, 12),
                                                           L4_FullyAccessible), page));
    L4_MsgLoad(&msg);
}

/* The pager: start the client, then serve its faults; the first fault on cp_lazy is cancelled
 * (ExchangeRegisters: abort the IPC and stop), and the thread restarted, which re-executes the
 * faulting instruction and so faults again. */
static void cp_pager(void *arg)
{
    struct cp_pager_state *ps = CP_CAST(struct cp_pager_state *, arg);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, CP_BITS(L4_Word_t, cp_client));
    L4_MsgAppendWord(&msg, CP_BITS(L4_Word_t, &cp_stack[1024 - 1]));   /* as after a call */
    L4_MsgLoad(&msg);
    if (L4_IpcFailed(L4_Send_Timeout(ps->client, L4_TimePeriod(2000000))))
        return;
    ps->started = 1;
    L4_ThreadId_t from;
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        L4_Word_t addr;
        L4_StoreMR(1, &addr);
        if (L4_IpcFailed(tag) || (L4_Label(tag) & ~0xFUL) != TU_LABEL_PAGEFAULT ||
            !L4_IsThreadEqual(from, ps->client)) {
            tag = L4_Wait(&from);
            continue;
        }
        ps->faults++;
        if ((addr & ~0xFFFUL) == CP_BITS(L4_Word_t, cp_lazy) && ps->lazy_faults++ == 0) {
            L4_ThreadState_t st = L4_AbortIpc_and_stop(from);
            ps->state_after_cancel = st.raw;
            ps->cancelled = 1;
            L4_Start(from);
            tag = L4_Wait(&from);
            continue;
        }
        cp_load_map_reply(addr);
        tag = L4_ReplyWait(from, &from);
    }
}

CP_TEST(new_space_and_cancelling_pager)
{
    L4_ThreadId_t me = L4_Myself(), t = tu_reserve();
    L4_Word_t old, utcb = TU_SPACE_UTCB;
    KCHECK(!L4_IsNilThread(t));
    cp_lazy[3] = 0xC0FFEE;
    cp_seen = cp_result = cp_local = 0;
    memset(&cp_ps, 0, sizeof(cp_ps));
    cp_ps.client = t;

    /* 1. the first thread, inactive, with its UtcbLocation; 2. the space's areas; 3. activate
     * it with its pager and UtcbLocation -1 ("unchanged"). */
    KCHECK_EQ(L4_ThreadControl(t, t, me, L4_nilthread, CP_BITS(void *, utcb)), 1);
    KCHECK_EQ(tu_state(t), L4_SCHEDRESULT_INACTIVE);
    KCHECK_EQ(L4_SpaceControl(t, 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                              L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2), L4_nilthread,
                              &old), 1);
    L4_ThreadId_t pager = tu_create(cp_pager, &cp_ps, 200);
    KCHECK(!L4_IsNilThread(pager));
    KCHECK_EQ(L4_ThreadControl(t, t, me, pager, CP_BITS(void *, -1L)), 1);

    KCHECK(TU_WAIT(cp_result != 0));
    KCHECK(cp_ps.started);
    KCHECK_EQ(cp_result, L4_ThreadNo(t) + 1);           /* it ran as t, in its new space */
    KCHECK_EQ(cp_seen, 0xC0FFEE);                       /* and read the page after all */
    KCHECK(cp_ps.cancelled);
    L4_ThreadState_t st = { cp_ps.state_after_cancel };
    KCHECK(L4_ThreadWasReceiving(st) && !L4_ThreadWasHalted(st));   /* it waited for the reply */
    KCHECK_EQ(cp_ps.lazy_faults, 2);                    /* the cancelled fault came again */
    KCHECK(cp_ps.faults >= 3);                          /* code, stack, data: all paged */
    /* The UTCB stayed where the inactive thread was given it (local id = location + 512). */
    KCHECK_EQ(cp_local, utcb + 512);
}
