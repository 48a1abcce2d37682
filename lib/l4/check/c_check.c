/* c_check.c — compile-only check: <l4/l4.h> is valid C11 and its names are usable from C. */
#include <l4/l4.h>

void l4_c_check(void);

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
