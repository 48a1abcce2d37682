/* c_check.c — compile-only check: <l4/l4.h> is valid C11 and its names are usable from C. */
#include <l4/l4.h>

void l4_c_check(void);
void l4_c_check_ipc(void);
void l4_c_check_threads(void);
void l4_c_check_schedule(void);
void l4_c_check_space(void);
void l4_c_check_items(void);

void l4_c_check(void)
{
    L4_Word_t ver, flags, id;
    void *kip = L4_KernelInterface(&ver, &flags, &id);
    L4_ThreadId_t me = L4_Myself(), t = L4_GlobalId(L4_ThreadIdUserBase(kip), 1);
    L4_Word_t mr1;

    if (L4_IsThreadEqual(me, t) && !L4_IsNilThread(L4_MyLocalId()) && L4_IsGlobalId(t))
        L4_KDB_PrintString(L4_KernelVersionString(kip));
    if (L4_HasFeature("smp") && L4_NumProcessors(kip) > 1)
        L4_KDB_PrintChar((char)('0' + L4_ProcDescInternalFreq(L4_ProcDesc(kip, 0)) % 10));
    for (L4_Word_t i = 0; i < L4_NumMemoryDescriptors(kip); i++) {
        L4_MemoryDesc_t *m = L4_MemoryDesc(kip, i);
        if (L4_MemoryDescType(m) == L4_ConventionalMemoryType && L4_MemoryDescLow(m) < L4_MemoryDescHigh(m))
            L4_LoadMR(1, L4_MemoryDescLow(m));
    }
    L4_StoreMR(1, &mr1);
    L4_Set_UserDefinedHandle(mr1 + L4_ProcessorNo() + L4_ErrorCode() + L4_UtcbSize(kip));
    L4_Sleep(L4_TimePeriod(1000));
    L4_Sleep(L4_ZeroTime);
    if (L4_SystemClock().raw > 0 && L4_IsThreadNotEqual(L4_anythread, L4_nilthread))
        L4_Yield();
    L4_ThreadSwitch(L4_GlobalIdOf(L4_MyLocalId()));
    (void)L4_KDB_ReadChar();
    (void)L4_KDB_Stat(KDB_STAT_KMEM_FREE);
    L4_KDB_Enter("c_check");
}

/* Messages and IPC. */
void l4_c_check_ipc(void)
{
    L4_ThreadId_t server = L4_GlobalId(100, 1), from;
    L4_Msg_t msg;
    L4_Word_t words[2] = { 1, 2 }, items[2] = { 0, 0 }, w;
    L4_MsgTag_t tag;

    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, 0x42);
    L4_MsgAppendWord(&msg, 7);
    L4_MsgPutWord(&msg, 0, L4_MsgWord(&msg, 0) + 1);
    L4_MsgGetWord(&msg, 0, &w);
    L4_MsgPut(&msg, L4_MsgLabel(&msg), 2, words, 0, items);
    L4_MsgGet(&msg, words, items);
    L4_Set_MsgMsgTag(&msg, L4_MsgTagAddLabel(L4_MsgMsgTag(&msg), 3));
    L4_MsgLoad(&msg);
    L4_Accept(L4_AddAcceptor(L4_UntypedWordsAcceptor, L4_MapGrantItems(L4_CompleteAddressSpace)));
    tag = L4_Call(server);
    if (L4_IpcFailed(tag) && L4_IpcError(L4_ErrorCode()) == L4_ErrTimeout && L4_IpcErrorInReceive(L4_ErrorCode()))
        L4_KDB_PrintString(L4_IpcErrorCode_String(L4_ErrorCode()));
    if (L4_IpcSucceeded(tag) && !L4_IpcPropagated(tag) && !L4_IpcRedirected(tag) && !L4_IpcXcpu(tag))
        L4_MsgStore(tag, &msg);
    tag = L4_Call_Timeouts(server, L4_Never, L4_TimePeriod(5000));
    tag = L4_Send(server);
    tag = L4_Send_Timeout(server, L4_ZeroTime);
    tag = L4_Reply(server);
    tag = L4_Receive(server);
    tag = L4_Receive_Timeout(server, L4_TimePoint(L4_ClockAddUsec(L4_SystemClock(), 100)));
    tag = L4_Wait(&from);
    tag = L4_Wait_Timeout(L4_Never, &from);
    tag = L4_ReplyWait(from, &from);
    tag = L4_ReplyWait_Timeout(from, L4_ZeroTime, &from);
    tag = L4_Ipc(server, L4_anythread, L4_Timeouts(L4_Never, L4_Never), &from);
    tag = L4_Lipc(L4_MyLocalId(), L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), &from);
    tag = L4_Lcall(L4_MyLocalId());
    tag = L4_Lreply_Wait(L4_MyLocalId(), &from);
    L4_Set_Label(&tag, 5);
    L4_Set_Propagation(&tag);
    L4_Set_MsgTag(L4_MsgTagMake(L4_MsgTagLabel(tag), L4_MsgTagUntypedWords(tag), L4_MsgTagTypedWords(tag)));
    if (L4_MsgTagWords(L4_MsgTag()) == L4_UntypedWords(tag) + L4_TypedWords(tag) && L4_Label(tag) &&
        L4_IsMsgTagEqual(tag, L4_Niltag) == 0 && L4_HasMapGrantItems(L4_Accepted()))
        L4_Set_VirtualSender(L4_ActualSender());
    L4_Set_XferTimeouts(L4_Timeouts(L4_Never, L4_Never));
    (void)L4_IntendedReceiver();
    (void)L4_IsTimePoint(L4_TimePoint(L4_SystemClock()));
    (void)L4_ErrorCode_String(L4_ErrNoMem);
}

/* Threads: ThreadControl, ExchangeRegisters and their helpers. */
void l4_c_check_threads(void)
{
    L4_ThreadId_t t = L4_GlobalId(200, 1), pager;
    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadState_t st;

    if (L4_ThreadControl(t, t, L4_Myself(), L4_Pager(), (void *)0xBF000400) == 0 &&
        L4_ErrorCode() == L4_ErrNoPrivilege)
        L4_KDB_PrintString(L4_ErrorCode_String(L4_ErrorCode()));
    t = L4_ExchangeRegisters(t, L4_EXREGS_SET_SP | L4_EXREGS_SET_IP, 0x1000, 0x2000, 0, 0, L4_nilthread,
                             &control, &sp, &ip, &flags, &handle, &pager);
    L4_Start(t);
    L4_Start_SpIp(t, sp, ip);
    L4_Start_SpIpFlags(t, sp, ip, flags);
    st = L4_Stop(t);
    st = L4_Stop_SpIpFlags(t, &sp, &ip, &flags);
    st = L4_AbortReceive_and_stop(t);
    st = L4_AbortSend_and_stop(t);
    st = L4_AbortIpc_and_stop(t);
    st = L4_AbortIpc_and_stop_SpIpFlags(t, &sp, &ip, &flags);
    if (L4_ThreadWasHalted(st) || L4_ThreadWasIpcing(st) || L4_ThreadWasSending(st) || L4_ThreadWasReceiving(st))
        L4_Set_UserDefinedHandleOf(t, L4_UserDefinedHandleOf(t) + 1);
    L4_Set_PagerOf(t, L4_PagerOf(t));
    if (L4_SameThreads(L4_LocalIdOf(L4_Myself()), L4_GlobalIdOf(L4_MyLocalId())))
        (void)L4_AssociateInterrupt(L4_GlobalId(1, 1), L4_Myself());
    (void)L4_DeassociateInterrupt(L4_GlobalId(1, 1));
}

/* Scheduling and time. */
void l4_c_check_schedule(void)
{
    L4_ThreadId_t t = L4_GlobalId(200, 1);
    L4_Time_t ts, tq;
    L4_Word_t old;

    if (L4_Schedule(t, ~0UL, ~0UL, 100, ~0UL, &old) == L4_SCHEDRESULT_ERROR)
        return;
    (void)L4_Set_Priority(t, 50);
    (void)L4_Set_ProcessorNo(t, 0);
    (void)L4_Set_Timeslice(t, L4_TimePeriod(10000), L4_Never);
    if (L4_Timeslice(t, &ts, &tq) == L4_SCHEDRESULT_RUNNING && L4_IsTimePeriod(ts))
        (void)L4_Set_PreemptionDelay(t, 200, 100);
    if (!L4_DisablePreemption() && L4_PreemptionPending())
        (void)L4_EnablePreemption();
    (void)L4_EnablePreemptionFaultException();
    (void)L4_DisablePreemptionFaultException();
    (void)L4_ProcessorControl(0, ~0UL, ~0UL, ~0UL);
}

/* Spaces and fpages. */
void l4_c_check_space(void)
{
    L4_Fpage_t kip = L4_FpageLog2(0xBFF00000, 12), utcb = L4_Fpage(0xBF000000, 0x40000), fps[2];
    L4_Word_t old, attrs[4] = { L4_DefaultMemory, 0, 0, 0 };

    if (L4_SpaceControl(L4_GlobalId(200, 1), 0, kip, utcb, L4_nilthread, &old) == 0)
        return;
    L4_Set_Rights(&utcb, L4_FullyAccessible);
    fps[0] = L4_FpageAddRights(L4_Nilpage, L4_Readable);
    fps[1] = L4_FpageRemoveRights(utcb, L4_Writable);
    L4_FpageAddRightsTo(&fps[0], L4_eXecutable);
    L4_FpageRemoveRightsFrom(&fps[1], L4_ReadeXecOnly);
    if (L4_Rights(L4_UnmapFpage(utcb)) == L4_ReadWriteOnly && L4_Address(kip) + L4_Size(kip) > L4_SizeLog2(kip))
        (void)L4_Flush(kip);
    L4_UnmapFpages(2, fps);
    L4_FlushFpages(2, fps);
    L4_Unmap(0);
    if (!L4_IsNilFpage(L4_RcvWindow(L4_Accepted())))
        (void)L4_MemoryControl(0, attrs);
}

/* Map and grant items. */
void l4_c_check_items(void)
{
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(0x40000000, 12), L4_ReadWriteOnly);
    L4_MapItem_t m = L4_MapItem(f, 0x1000), m2;
    L4_GrantItem_t g = L4_GrantItem(f, 0x2000), g2;
    L4_Msg_t msg;

    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 1);
    L4_MsgAppendMapItem(&msg, m);
    L4_MsgAppendGrantItem(&msg, g);
    L4_MsgPutMapItem(&msg, 0, L4_MapItem(L4_MapItemSndFpage(m), L4_MapItemSndBase(m)));
    L4_MsgPutGrantItem(&msg, 2, L4_GrantItem(L4_GrantItemSndFpage(g), L4_GrantItemSndBase(g)));
    if (L4_MsgGetMapItem(&msg, 0, &m2) == 2 && L4_IsMapItem(m2) && m2.X.snd_fpage.raw == f.raw &&
        L4_MsgGetGrantItem(&msg, 2, &g2) == 2 && L4_IsGrantItem(g2) && g2.X.C == 0)
        L4_MsgLoad(&msg);
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(0x50000000, 22)));
    (void)L4_Call(L4_GlobalId(100, 1));
}

/* String items and receive buffers. */
void l4_c_check_strings(void);
void l4_c_check_strings(void)
{
    static char a[64], b[64], c[64];
    L4_StringItem_t s = L4_StringItem(16, a), g = L4_StringItem(8, b), s2;
    L4_MsgBuffer_t buf;
    L4_Msg_t msg;

    L4_AddSubstringAddressTo(&g, c);
    L4_AddSubstringTo(&g, &s);
    L4_MsgClear(&msg);
    L4_MsgAppendSimpleStringItem(&msg, s);
    L4_MsgAppendStringItem(&msg, &g);
    L4_MsgPutStringItem(&msg, 0, &s);
    if (L4_MsgGetStringItem(&msg, 2, &s2) == 5 && L4_IsStringItem(&s2) && L4_CompoundString(&s2) &&
        L4_StringItemWords(&s2) == 5 && L4_Substrings(&s2) == 2 && L4_Substring(&s2, 2) == c && L4_StringItemLength(&s2) == 8 &&
        s2.X.j == 1 && s2.X.str.substring_ptr[0] == b)
        L4_MsgLoad(&msg);
    L4_MsgBufferClear(&buf);
    L4_MsgBufferAppendSimpleRcvString(&buf, L4_StringItem(64, a));
    L4_MsgBufferAppendRcvString(&buf, &g);
    L4_AcceptStrings(L4_StringItemsAcceptor, &buf);
}

/* The X.2 compatibility names: KIP structure view, IO-fpages, time and clock arithmetic,
 * status bits, page attributes, coprocessor flags, constants, enter_kdebug. */
void l4_c_check_compat(void);
void l4_c_check_compat(void)
{
    void *kip = L4_GetKernelInterface();
    L4_KernelInterfacePage_t *k = (L4_KernelInterfacePage_t *)kip;
    L4_KernelDesc_t *d = (L4_KernelDesc_t *)((char *)kip + k->KernelVerPtr);
    L4_ProcDesc_t *p = L4_ProcDesc(kip, 0);
    L4_MemoryDesc_t *m = L4_MemoryDesc(kip, 0);
    L4_Word_t w = k->ThreadInfo.X.UserBase + k->ThreadInfo.X.SystemBase + k->ThreadInfo.X.t +
                  k->KipAreaInfo.X.s + k->UtcbAreaInfo.X.a + k->UtcbAreaInfo.X.m + k->UtcbAreaInfo.X.s +
                  k->MemoryInfo.n + k->MemoryInfo.MemDescPtr + k->ProcessorInfo.X.processors +
                  k->ProcessorInfo.X.s + k->PageInfo.X.rwx + k->PageInfo.X.page_size_mask +
                  k->ClockInfo.X.ReadPrecision + k->ClockInfo.X.SchedulePrecision +
                  k->ApiVersion.x.version + k->ApiVersion.X.subversion + k->ApiFlags.x.ww +
                  k->Kdebug.entry + k->sigma0.ip + k->sigma1.sp + k->RootServer.low + k->MainMem.high +
                  k->ReservedMem[1].low + k->DedicatedMem[4].high + k->ArchSyscall3 + k->KernelDescPtr +
                  d->KernelId.x.id + d->KernelId.X.subid + d->KernelGenDate.X.year + d->KernelVer.X.ver +
                  d->Supplier + (L4_Word_t)d->VersionString[0] + p->X.ExternalFreq + p->raw[1] +
                  m->x.type + m->x.t + m->x.v + m->x.low + m->X.high;
    if (w == L4_APIVERSION_2 + L4_APIVERSION_4 + L4_APIVERSION_X0 + L4_APIVERSION_X1 +
             L4_APISUBVERSION_X0 + L4_APISUBVERSION_X1 + L4_KID_L4_486 + L4_KID_L4_PENTIUM +
             L4_KID_L4_X86 + L4_KID_L4_MIPS + L4_KID_L4_ALPHA + L4_KID_FIASCO + L4_KID_L4KA_HAZELNUT +
             L4_KID_L4KA_PISTACHIO + L4_KID_L4KA_STRAWBERRY + L4_KID_SIGMA4 + L4_SUPL_GMD +
             L4_SUPL_IBM + L4_SUPL_UNSW + L4_SUPL_UKA)
        enter_kdebug("c_check");

    L4_Fpage_t io = L4_IoFpage(0x3F8, 8), io2 = L4_IoFpageLog2(0x70, 1);
    L4_IoFpage_t iov = { io.raw };
    if (L4_IsIoFpage(io) && L4_IoFpagePort(io2) + L4_IoFpageSize(io) + L4_IoFpageSizeLog2(io) + iov.X.p > 0)
        (void)L4_Set_PageAttribute(L4_FpageLog2(0x40000000, 12), 1);
    if (L4_WasReferenced(io) || L4_WasWritten(io) || L4_WasExecuted(io))
        L4_Set_CopFlag(1);
    L4_Clr_CopFlag(1);

    L4_Time_t t = L4_TimePeriod(100), u = L4_TimeAdd(t, L4_TimeSub(t, L4_ZeroTime));
    L4_TimeAddTo(&u, t);
    L4_TimeSubFrom(&u, t);
    L4_TimeAddUsecTo(&u, 5);
    L4_TimeSubUsecFrom(&u, 5);
    u = L4_TimeSubUsec(L4_TimeAddUsec(u, 3), 3);
    L4_Clock_t c = L4_SystemClock();
    if (L4_IsTimeLonger(u, t) || L4_IsTimeShorter(u, t) || L4_IsTimeEqual(u, t) || L4_IsTimeNotEqual(u, t) ||
        L4_ClockDiffUsec(c, c) + c.X.low + c.X.high)
        L4_Sleep(u);
}

/* Spellings the manual uses next to sigma4's. */
void l4_c_check_spellings(void);
void l4_c_check_spellings(void)
{
    void *kip = L4_GetKernelInterface();
    L4_Time_t ts, tq;
    L4_Msg_t msg;
    static char a[8];
    L4_MsgClear(&msg);
    L4_StringItem_t s = L4_AddCacheAllocationHint(L4_StringItem(8, a), L4_UseDefaultCacheAllocation);
    L4_AddCacheAllocationHintTo(&s, L4_CacheAllocationHint(s));
    if (L4_IsCacheAllocationHintEqual(L4_CacheAllocationHint(s), L4_UseDefaultCacheAllocation) &&
        !L4_IsCacheAllocationHintNotEqual(L4_UseDefaultCacheAllocation, L4_UseDefaultCacheAllocation))
        L4_MsgPutSimpleStringItem(&msg, 0, s);
    if (L4_KipAreaSize(kip) == 4096 && L4_TimeSlice(L4_Myself(), &ts, &tq))
        (void)L4_Set_TimeSlice(L4_Myself(), ts, tq);
}
