// cxx_check.cc — compile-only check: <l4/l4.h> is valid C++ with the X.2 C++ overloads.
#include <l4/l4.h>

void l4_cxx_check();

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
