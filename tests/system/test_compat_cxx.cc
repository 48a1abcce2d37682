// test_compat_cxx.cc — an X.2-style C++ program in the test suite (issue 12, item 8): the KIP
// read as a structure, the C++ operators and short overloads, compound strings built with +=
// and sent with L4_Append, IO-fpages and time operators, compiled with g++ -Wall -Werror.
//
// Each compat.cxx_* test does what X.2 C++ programs do, only through the C++ names; the string
// test sends to a receiver thread in the root task's space (tutil) and checks the bytes.
#include <string.h>
#include <l4/l4.h>
#include <l4/arch.h>
extern "C" {                            // the C test helpers, with libl4 already included
#include "tutil.h"
}

static unsigned char cx_src[4096] __attribute__((aligned(4096)));
static unsigned char cx_dst[4096] __attribute__((aligned(4096)));
static L4_MsgBuffer_t cx_buf;
static volatile L4_Word_t cx_ready, cx_done, cx_err, cx_mr1;

// The receiver: accept strings into cx_buf, wait for one message.
static void cx_receiver(void *)
{
    L4_ThreadId_t from;
    L4_Accept(L4_StringItemsAcceptor, &cx_buf);
    cx_ready = 1;
    L4_MsgTag_t tag = L4_Wait(L4_TimePeriod(5000000), &from);
    cx_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    L4_Word_t w;
    L4_StoreMR(1, &w);
    cx_mr1 = w;
    cx_done = 1;
}

// The KIP through the X.2 structure and the C++ short names.
TTEST(compat, cxx_kip_structure)
{
    L4_KernelInterfacePage_t *kip = static_cast<L4_KernelInterfacePage_t *>(L4_KernelInterface());
    KCHECK_EQ(kip->magic & 0xFFFFFFFFUL, L4_MAGIC);
    KCHECK_EQ(kip->ApiVersion.X.version, L4_APIVERSION_X2);
    KCHECK_EQ(kip->ThreadInfo.X.UserBase, L4_ThreadIdUserBase(kip));
    KCHECK_EQ(1UL << kip->KipAreaInfo.X.s, L4_KipAreaSize(kip));
    KCHECK_EQ(L4_ThreadNo(L4_Myself()), kip->ThreadInfo.X.UserBase + 2);    // the root task
    L4_ProcDesc_t *pd = L4_ProcDesc(kip, 0);
    KCHECK_EQ(L4_ExternalFreq(pd), pd->X.ExternalFreq);
    KCHECK_EQ(L4_InternalFreq(pd), pd->X.InternalFreq);
    L4_MemoryDesc_t *md = L4_MemoryDesc(kip, 0);
    KCHECK(L4_Low(md) <= L4_High(md) && L4_Type(md) == L4_MemoryDescType(md) && !L4_IsVirtual(md) == !md->x.v);
}

// A compound string built with the operators and sent with L4_Append: the bytes arrive.
TTEST(compat, cxx_compound_string)
{
    for (unsigned i = 0; i < sizeof(cx_src); i++)
        cx_src[i] = static_cast<unsigned char>(i * 5 + 1);
    memset(cx_dst, 0xEE, sizeof(cx_dst));
    cx_ready = cx_done = cx_err = cx_mr1 = 0;
    L4_Clear(&cx_buf);
    L4_Append(&cx_buf, L4_StringItem(256, cx_dst));
    L4_ThreadId_t r = tu_create(cx_receiver, nullptr, 100);
    KCHECK(r != L4_nilthread);
    KCHECK(TU_WAIT(cx_ready && tu_state(r) == L4_SCHEDRESULT_WAITING));

    L4_StringItem_t s = L4_StringItem(10, cx_src);
    s += L4_StringItem(20, cx_src + 100);
    s += static_cast<void *>(cx_src + 200);          // the last item gathers
    KCHECK(L4_CompoundString(s) && L4_Substrings(s) == 1);
    L4_Msg_t msg;
    L4_Clear(&msg);
    L4_Append(&msg, 0x99UL);
    L4_Append(&msg, &s);
    KCHECK_EQ(L4_TypedWords(L4_MsgTag(&msg)), 5);
    L4_Load(&msg);
    L4_MsgTag_t tag = L4_Send(r, L4_TimePeriod(5000000));
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK(TU_WAIT(cx_done));
    KCHECK_EQ(cx_err, 0);
    KCHECK_EQ(cx_mr1, 0x99);
    KCHECK(memcmp(cx_dst, cx_src, 10) == 0);
    KCHECK(memcmp(cx_dst + 10, cx_src + 100, 20) == 0);
    KCHECK(memcmp(cx_dst + 30, cx_src + 200, 20) == 0);
    KCHECK_EQ(cx_dst[50], 0xEE);
}

// IO-fpages, fpage and time operators as X.2 C++ code writes them.
TTEST(compat, cxx_operators)
{
    L4_Fpage_t io = L4_IoFpageLog2(0x60, 2) + L4_ReadWriteOnly;
    KCHECK(L4_IsIoFpage(io) && L4_IoFpagePort(io) == 0x60 && L4_IoFpageSize(io) == 4 && L4_Rights(io) == L4_ReadWriteOnly);
    L4_IoFpage_t v = { io.raw };
    KCHECK(L4_Fpage(v) == io);
    L4_Time_t t = L4_TimePeriod(1000);
    t += 24UL;
    KCHECK(t > L4_TimePeriod(1000) && t < L4_Never && t == L4_TimePeriod(1024));
    KCHECK(t - L4_TimePeriod(24) == L4_TimePeriod(1000));
    L4_Clock_t a = L4_SystemClock(), b = a + 100;
    KCHECK((b - a).raw == 100 && b > a && a <= b);
}
