/* l4/utcb.h — the calling thread's UTCB: its own ids, the thread control registers, and the
 * message and buffer registers.
 *
 * The user GS base points at the running thread's UTCB pointer (= its local id = UtcbLocation
 * + 512); word k of the UTCB (abi/include/sigma4/utcb.h: MR i = word i, the control registers at
 * negative words) is %gs:(8*k).  The kernel keeps word UTCB_SELF = the pointer itself, so one
 * load yields the local id.  All accesses are volatile: the kernel writes the UTCB during system
 * calls, which are "memory" clobbers, so no load is cached across one.  Everything here touches
 * only the caller's own UTCB; other threads are reached through l4/thread.h.
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

/* ---- own ids ----------------------------------------------------------------------------- */

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

/* ---- thread control registers ------------------------------------------------------------ */

/* The caller's user-defined handle (set by itself or by ExchangeRegisters). */
L4_INLINE L4_Word_t L4_UserDefinedHandle(void)          { return __L4_UtcbGet(UTCB_USER_HANDLE); }
/* Set the caller's user-defined handle. */
L4_INLINE void L4_Set_UserDefinedHandle(L4_Word_t w)    { __L4_UtcbSet(UTCB_USER_HANDLE, w); }
/* The number of the processor the caller runs on. */
L4_INLINE L4_Word_t L4_ProcessorNo(void)                { return __L4_UtcbGet(UTCB_PROCESSOR_NO); }
/* Error code of the last failed system call (IPC: fact sheet §6; others §1; l4/errors.h). */
L4_INLINE L4_Word_t L4_ErrorCode(void)                  { return __L4_UtcbGet(UTCB_ERROR_CODE); }
/* The caller's pager (changed by ThreadControl or ExchangeRegisters, not by writing the TCR). */
L4_INLINE L4_ThreadId_t L4_Pager(void)        { return __L4_TidFromRaw(__L4_UtcbGet(UTCB_PAGER)); }
/* The caller's exception handler (nil: exceptions halt the thread). */
L4_INLINE L4_ThreadId_t L4_ExceptionHandler(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_EXCEPTION_HANDLER));
}
/* Set the caller's exception handler. */
L4_INLINE void L4_Set_ExceptionHandler(L4_ThreadId_t t) { __L4_UtcbSet(UTCB_EXCEPTION_HANDLER, t.raw); }
/* Xfer timeouts for string copies: send in bits 31-16, receive in bits 15-0 (L4_Timeouts). */
L4_INLINE L4_Word_t L4_XferTimeouts(void)               { return __L4_UtcbGet(UTCB_XFER_TIMEOUTS); }
/* Set the xfer timeouts word (build it with L4_Timeouts(snd, rcv)). */
L4_INLINE void L4_Set_XferTimeouts(L4_Word_t w)         { __L4_UtcbSet(UTCB_XFER_TIMEOUTS, w); }
/* After a propagated IPC: the thread the sender meant to reach. */
L4_INLINE L4_ThreadId_t L4_IntendedReceiver(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_INTENDED_RECEIVER));
}
/* After receiving a propagated IPC: the thread that really sent it. */
L4_INLINE L4_ThreadId_t L4_ActualSender(void)
{
    return __L4_TidFromRaw(__L4_UtcbGet(UTCB_VIRTUAL_SENDER));
}
/* Before a propagating send (tag bit p): the thread to appear as the sender. */
L4_INLINE void L4_Set_VirtualSender(L4_ThreadId_t t)    { __L4_UtcbSet(UTCB_VIRTUAL_SENDER, t.raw); }
/* ThreadWord 0/1: free for the thread's own use. */
L4_INLINE L4_Word_t L4_ThreadWord(L4_Word_t n)
{
    return __L4_UtcbGet(n ? UTCB_THREAD_WORD1 : UTCB_THREAD_WORD0);
}
/* Set ThreadWord 0/1. */
L4_INLINE void L4_Set_ThreadWord(L4_Word_t n, L4_Word_t w)
{
    __L4_UtcbSet(n ? UTCB_THREAD_WORD1 : UTCB_THREAD_WORD0, w);
}

/* ---- coprocessor flags (amd64) ------------------------------------------------------------
 * The byte at UTCB byte offset -79 (the second byte of word UTCB_FLAGS): bit n set = the thread
 * uses coprocessor n; the thread itself sets and clears them (X.2 amd64 appendix). */

/* The coprocessor flag byte. */
L4_INLINE L4_Word8_t __L4_CopFlags(void)               { return (L4_Word8_t)(__L4_UtcbGet(UTCB_FLAGS) >> 8); }
/* Store the coprocessor flag byte. */
L4_INLINE void __L4_Set_CopFlags(L4_Word8_t v)
{
    __asm__ __volatile__("movb %0, %%gs:(%1)" : : "q"(v), "r"((long)UTCB_FLAGS * 8 + 1) : "memory");
}
/* Mark coprocessor n (0..7) as used by the caller. */
L4_INLINE void L4_Set_CopFlag(L4_Word_t n)  { __L4_Set_CopFlags((L4_Word8_t)(__L4_CopFlags() | (1U << (n & 7)))); }
/* Mark coprocessor n (0..7) as not used by the caller. */
L4_INLINE void L4_Clr_CopFlag(L4_Word_t n)  { __L4_Set_CopFlags((L4_Word8_t)(__L4_CopFlags() & ~(1U << (n & 7)))); }

/* ---- message and buffer registers -------------------------------------------------------- */

#define L4_NUM_MRS  64
#define L4_NUM_BRS  33

/* MR i := w (0 <= i < 64). */
L4_INLINE void L4_LoadMR(int i, L4_Word_t w)            { __L4_UtcbSet(UTCB_MR(i), w); }
/* *w := MR i (0 <= i < 64). */
L4_INLINE void L4_StoreMR(int i, L4_Word_t *w)          { *w = __L4_UtcbGet(UTCB_MR(i)); }
/* MR i .. i+k-1 := w[0..k-1] (i + k <= 64). */
L4_INLINE void L4_LoadMRs(int i, int k, const L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_LoadMR(i + j, w[j]);
}
/* w[0..k-1] := MR i .. i+k-1 (i + k <= 64). */
L4_INLINE void L4_StoreMRs(int i, int k, L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_StoreMR(i + j, &w[j]);
}
/* BR i := w (0 <= i < 33). */
L4_INLINE void L4_LoadBR(int i, L4_Word_t w)            { __L4_UtcbSet(UTCB_BR(i), w); }
/* *w := BR i (0 <= i < 33). */
L4_INLINE void L4_StoreBR(int i, L4_Word_t *w)          { *w = __L4_UtcbGet(UTCB_BR(i)); }
/* BR i .. i+k-1 := w[0..k-1] (i + k <= 33). */
L4_INLINE void L4_LoadBRs(int i, int k, const L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_LoadBR(i + j, w[j]);
}
/* w[0..k-1] := BR i .. i+k-1 (i + k <= 33). */
L4_INLINE void L4_StoreBRs(int i, int k, L4_Word_t *w)
{
    for (int j = 0; j < k; j++)
        L4_StoreBR(i + j, &w[j]);
}

#ifdef __cplusplus
}
#endif
