// cxx_check.cc — compile-only check: <l4/l4.h> is valid C++ with the X.2 C++ overloads.
#include <l4/l4.h>
#include <l4/arch.h>

void l4_cxx_check();
void l4_cxx_check_ipc();
void l4_cxx_check_threads();
void l4_cxx_check_items();

void l4_cxx_check()
{
    void *kip = L4_KernelInterface();
    L4_KernelInterfacePage_t *k = static_cast<L4_KernelInterfacePage_t *>(kip);
    L4_ThreadId_t me = L4_Myself();
    L4_ThreadId_t t = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
    L4_Word_t mr0;

    if (me == t || L4_GlobalId(L4_MyLocalId()) != me)
        L4_KDB_PrintString(L4_KernelVersionString(k));
    if (L4_HasFeature("smp") && L4_NumProcessors(kip) > 1 && t != L4_nilthread)
        L4_KDB_PrintChar('+');
    L4_Clock_t now = L4_SystemClock();
    if (now + 10 > now && L4_TimePeriod(5) != L4_Never)
        L4_Sleep(L4_ZeroTime);
    L4_LoadMR(0, 0);
    L4_StoreMR(0, &mr0);
    if (mr0 == 0 && k->magic == L4_MAGIC)
        L4_Yield();
    L4_KDB_Enter("cxx_check");
}

// Messages and IPC through the overloads.
void l4_cxx_check_ipc()
{
    L4_ThreadId_t server = L4_GlobalId(100, 1), from;
    L4_Msg_t msg;
    L4_MsgBuffer_t buf;
    L4_Word_t words[2] = { 1, 2 }, w;

    L4_Clear(&msg);
    L4_Set_Label(&msg, 0x42);
    L4_Append(&msg, 7);
    L4_Append(&msg, static_cast<L4_Word_t>(8));
    L4_Put(&msg, 0, L4_Get(&msg, 1));
    L4_Get(&msg, 1, &w);
    L4_Put(&msg, L4_Label(&msg), 2, words, 0, static_cast<void *>(0));
    L4_Get(&msg, words, static_cast<void *>(0));
    L4_Set_MsgTag(&msg, L4_MsgTag(&msg) + 3);
    L4_Load(&msg);
    L4_Clear(&buf);
    L4_Acceptor_t acc = L4_UntypedWordsAcceptor + L4_StringItemsAcceptor;
    acc -= L4_StringItemsAcceptor;
    acc += L4_MapGrantItems(L4_CompleteAddressSpace);
    if (L4_StringItems(acc) || !L4_MapGrantItems(acc))
        L4_Accept(acc, &buf);
    else
        L4_Accept(acc);
    L4_MsgTag_t tag = L4_Call(server);
    if (L4_IpcSucceeded(tag))
        L4_Store(tag, &msg);
    tag = L4_Call(server, L4_Never, L4_TimePeriod(1000));
    tag = L4_Send(server);
    tag = L4_Send(server, L4_ZeroTime);
    tag = L4_Receive(server);
    tag = L4_Receive(server, L4_Never);
    tag = L4_Wait(&from);
    tag = L4_Wait(L4_Never, &from);
    tag = L4_ReplyWait(from, &from);
    tag = L4_ReplyWait(from, L4_ZeroTime, &from);
    tag += 9;
    if (tag != L4_Niltag && L4_Label(tag) == 9 && L4_MsgTag() == tag)
        L4_Set_MsgTag(tag);
    L4_Fpage_t f = L4_Fpage(0x10000, 0x1000) + L4_Readable;
    f -= L4_Writable;
    f += L4_eXecutable;
    if (L4_Unmap(f) != L4_Nilpage && L4_Flush(f - L4_Readable) == L4_Nilpage)
        L4_Unmap(1, &f);
    L4_Flush(1, &f);
}

// Threads through the overloads.
void l4_cxx_check_threads()
{
    L4_ThreadId_t t = L4_GlobalId(200, 1);
    L4_Word_t sp, ip, flags;

    L4_Start(t);
    L4_Start(t, 0x1000, 0x2000);
    L4_Start(t, 0x1000, 0x2000, 0x200);
    L4_ThreadState_t s = L4_Stop(t, &sp, &ip, &flags);
    s = L4_AbortReceive_and_stop(t, &sp, &ip, &flags);
    s = L4_AbortSend_and_stop(t, &sp, &ip, &flags);
    s = L4_AbortIpc_and_stop(t, &sp, &ip, &flags);
    if (L4_ThreadWasHalted(s))
        L4_Set_UserDefinedHandle(t, L4_UserDefinedHandle(t) + L4_UserDefinedHandle());
    L4_Set_Pager(t, L4_Pager(t));
    if (L4_LocalId(t) == L4_MyLocalId() && L4_SameThreads(t, L4_GlobalId(L4_LocalId(t))))
        (void)L4_Set_Priority(t, 10);
}

// Map and grant items through the overloads.
void l4_cxx_check_items()
{
    L4_Fpage_t f = L4_FpageLog2(0x40000000, 12) + L4_FullyAccessible;
    L4_MapItem_t m = L4_MapItem(f, 0x1000), m2;
    L4_GrantItem_t g = L4_GrantItem(f, 0x2000), g2;
    L4_Msg_t msg;

    L4_Clear(&msg);
    L4_Append(&msg, m);
    L4_Append(&msg, g);
    L4_Put(&msg, 0, L4_MapItem(L4_SndFpage(m), L4_SndBase(m)));
    L4_Put(&msg, 2, L4_GrantItem(L4_SndFpage(g), L4_SndBase(g)));
    if (L4_Get(&msg, 0, &m2) == 2 && L4_MapItem(m2) && L4_Get(&msg, 2, &g2) == 2 && L4_GrantItem(g2) &&
        L4_SndFpage(m2) == L4_SndFpage(g2))
        L4_Load(&msg);
}

// String items and receive buffers through the overloads.
void l4_cxx_check_strings();
void l4_cxx_check_strings()
{
    static char a[64], b[64], c[64];
    L4_StringItem_t s = L4_StringItem(16, a), g = L4_StringItem(8, b), s2;
    L4_MsgBuffer_t buf;
    L4_Msg_t msg;

    g += static_cast<void *>(c);
    g += s;
    g += L4_StringItem(4, c);
    L4_Clear(&msg);
    L4_Append(&msg, s);
    L4_Append(&msg, &g);
    L4_Put(&msg, 0, &s);
    if (L4_Get(&msg, 2, &s2) == 5 && L4_StringItem(&s2) && L4_StringItem(s2) && L4_CompoundString(s2) &&
        L4_Substrings(s2) == 2 && L4_Substrings(&s2) == 2 && L4_Substring(s2, 2) == c)
        L4_Load(&msg);
    L4_Clear(&buf);
    L4_Append(&buf, L4_StringItem(64, a));
    L4_Append(&buf, &g);
    L4_Accept(L4_StringItemsAcceptor, &buf);
}

// The X.2 compatibility names through the C++ overloads and operators.
void l4_cxx_check_compat();
void l4_cxx_check_compat()
{
    void *kip = L4_KernelInterface();
    L4_KernelInterfacePage_t *k = static_cast<L4_KernelInterfacePage_t *>(kip);
    L4_MemoryDesc_t *m = L4_MemoryDesc(kip, 0);
    L4_ProcDesc_t *p = L4_ProcDesc(kip, 0);
    if (L4_IsVirtual(m) || L4_Type(m) + L4_Low(m) + L4_High(m) + L4_ExternalFreq(p) + L4_InternalFreq(p) +
        k->ThreadInfo.X.UserBase + k->KipAreaInfo.X.s > 0)
        enter_kdebug("cxx_check");
    L4_IoFpage_t iov = { L4_IoFpageLog2(0x60, 2).raw };
    L4_Fpage_t f = L4_Fpage(iov);
    if (L4_IsIoFpage(f))
        (void)L4_Unmap(f);

    L4_Time_t a = L4_TimePeriod(100), b = L4_TimePeriod(5);
    a += b;
    a -= b;
    a += 7UL;
    a -= 7UL;
    if (a + b > a - b || a < b || a <= b || a >= b || a == b || a != b || a + 1UL > a - 1UL)
        L4_Sleep(a);
    static char buf[8];
    L4_StringItem_t si = L4_StringItem(8, buf) + L4_UseDefaultCacheAllocation;
    si += L4_CacheAllocationHint(si);
    L4_Msg_t msg;
    L4_Clear(&msg);
    if (L4_CacheAllocationHint(si) == L4_UseDefaultCacheAllocation && !(L4_UseDefaultCacheAllocation != L4_UseDefaultCacheAllocation))
        L4_Put(&msg, 0, si);
    if (L4_KipAreaSize(kip) && L4_TimeSlice(L4_Myself(), &a, &b))
        (void)L4_Set_TimeSlice(L4_Myself(), a, b);
    L4_Clock_t c = L4_SystemClock(), d = c + 5;
    if (d - c > c - 5 || d + c < c)
        L4_Yield();
}
