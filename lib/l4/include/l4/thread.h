/* l4/thread.h — the calling thread's own state: its ids and its UTCB (message registers, buffer
 * registers, thread control registers).
 *
 * The user GS base points at the running thread's UTCB pointer (= its local id = UtcbLocation
 * + 512); word k of the UTCB (abi/include/sigma4/utcb.h: MR i = word i, the control registers at
 * negative words) is %gs:(8*k).  The kernel keeps word UTCB_SELF = the pointer itself, so one
 * load yields the local id.  All accesses are volatile: the kernel writes the UTCB during system
 * calls, which are "memory" clobbers, so no load is cached across one.
 */
#pragma once
#include <l4/types.h>
#include <sigma4/utcb.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Word `k` (a UTCB_* index) of the current thread's UTCB. */
L4_INLINE L4_Word_t __L4_UtcbGet(long k)
{
    L4_Word_t v;
    __asm__ __volatile__("movq %%gs:(%1), %0" : "=r"(v) : "r"(k * 8) : "memory");
    return v;
}

/* Set word `k` of the current thread's UTCB. */
L4_INLINE void __L4_UtcbSet(long k, L4_Word_t v)
{
    __asm__ __volatile__("movq %0, %%gs:(%1)" : : "r"(v), "r"(k * 8) : "memory");
}

/* ---- ids --------------------------------------------------------------------------------- */

/* The caller's local id (its UTCB pointer). */
L4_INLINE L4_ThreadId_t L4_MyLocalId(void)  { return __L4_TidFromRaw(__L4_UtcbGet(UTCB_SELF)); }
/* The caller's global id. */
L4_INLINE L4_ThreadId_t L4_MyGlobalId(void) { return __L4_TidFromRaw(__L4_UtcbGet(UTCB_MY_GLOBAL_ID)); }
/* The caller's global id (X.2: Myself). */
L4_INLINE L4_ThreadId_t L4_Myself(void)     { return L4_MyGlobalId(); }

/* The caller's UTCB as words: [i] = MR i, negative indices = the UTCB_* control registers. */
L4_INLINE L4_Word_t *L4_GetUtcb(void)       { return (L4_Word_t *)__L4_UtcbGet(UTCB_SELF); }
/* The caller's UTCB pointer (Pistachio name). */
L4_INLINE void *L4_GetUtcbBase(void)        { return (void *)__L4_UtcbGet(UTCB_SELF); }

/* The global id of `t`.  A local id names a thread of the caller's own space, whose UTCB is
 * mapped here: its MyGlobalId is read from that UTCB.  Global ids and nilthread pass through. */
L4_INLINE L4_ThreadId_t L4_GlobalIdOf(L4_ThreadId_t t)
{
    if (L4_IsNilThread(t) || L4_IsGlobalId(t))
        return t;
    if (t.raw == L4_anylocalthread.raw)
        return L4_anythread;
    return __L4_TidFromRaw(((const volatile L4_Word_t *)t.raw)[UTCB_MY_GLOBAL_ID]);
}

/* ---- thread control registers ------------------------------------------------------------ */

L4_INLINE L4_Word_t L4_UserDefinedHandle(void)          { return __L4_UtcbGet(UTCB_USER_HANDLE); }
L4_INLINE void L4_Set_UserDefinedHandle(L4_Word_t w)    { __L4_UtcbSet(UTCB_USER_HANDLE, w); }
L4_INLINE L4_Word_t L4_ProcessorNo(void)                { return __L4_UtcbGet(UTCB_PROCESSOR_NO); }
/* Error code of the last failed system call (IPC: fact sheet §6; others §1). */
L4_INLINE L4_Word_t L4_ErrorCode(void)                  { return __L4_UtcbGet(UTCB_ERROR_CODE); }
L4_INLINE L4_ThreadId_t L4_Pager(void)        { return __L4_TidFromRaw(__L4_UtcbGet(UTCB_PAGER)); }
L4_INLINE L4_ThreadId_t L4_ExceptionHandler(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_EXCEPTION_HANDLER));
}
L4_INLINE void L4_Set_ExceptionHandler(L4_ThreadId_t t) { __L4_UtcbSet(UTCB_EXCEPTION_HANDLER, t.raw); }
L4_INLINE L4_Word_t L4_XferTimeouts(void)               { return __L4_UtcbGet(UTCB_XFER_TIMEOUTS); }
L4_INLINE void L4_Set_XferTimeouts(L4_Word_t w)         { __L4_UtcbSet(UTCB_XFER_TIMEOUTS, w); }
L4_INLINE L4_ThreadId_t L4_IntendedReceiver(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_INTENDED_RECEIVER));
}
L4_INLINE L4_ThreadId_t L4_ActualSender(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_VIRTUAL_SENDER));
}
L4_INLINE void L4_Set_VirtualSender(L4_ThreadId_t t)    { __L4_UtcbSet(UTCB_VIRTUAL_SENDER, t.raw); }
/* ThreadWord 0/1: free for the thread's own use. */
L4_INLINE L4_Word_t L4_ThreadWord(L4_Word_t n)
{
    return __L4_UtcbGet(n ? UTCB_THREAD_WORD1 : UTCB_THREAD_WORD0);
}
L4_INLINE void L4_Set_ThreadWord(L4_Word_t n, L4_Word_t w)
{
    __L4_UtcbSet(n ? UTCB_THREAD_WORD1 : UTCB_THREAD_WORD0, w);
}

/* ---- message and buffer registers -------------------------------------------------------- */

#define L4_NUM_MRS  64
#define L4_NUM_BRS  33

/* MR i := w (0 <= i < 64). */
L4_INLINE void L4_LoadMR(int i, L4_Word_t w)            { __L4_UtcbSet(UTCB_MR(i), w); }
/* *w := MR i (0 <= i < 64). */
L4_INLINE void L4_StoreMR(int i, L4_Word_t *w)          { *w = __L4_UtcbGet(UTCB_MR(i)); }
/* MR i .. i+k-1 := w[0..k-1]. */
L4_INLINE void L4_LoadMRs(int i, int k, const L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_LoadMR(i + j, w[j]);
}
/* w[0..k-1] := MR i .. i+k-1. */
L4_INLINE void L4_StoreMRs(int i, int k, L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_StoreMR(i + j, &w[j]);
}
/* BR i := w (0 <= i < 33). */
L4_INLINE void L4_LoadBR(int i, L4_Word_t w)            { __L4_UtcbSet(UTCB_BR(i), w); }
/* *w := BR i. */
L4_INLINE void L4_StoreBR(int i, L4_Word_t *w)          { *w = __L4_UtcbGet(UTCB_BR(i)); }
L4_INLINE void L4_LoadBRs(int i, int k, const L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_LoadBR(i + j, w[j]);
}
L4_INLINE void L4_StoreBRs(int i, int k, L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_StoreBR(i + j, &w[j]);
}

#ifdef __cplusplus
}

/* C++: GlobalId(tid) = GlobalIdOf(tid). */
inline L4_ThreadId_t L4_GlobalId(L4_ThreadId_t t) { return L4_GlobalIdOf(t); }
#endif
