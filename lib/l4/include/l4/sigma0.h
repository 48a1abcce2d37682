/* l4/sigma0.h — the sigma0 protocol (X.2 7.6): asking the root pager for physical memory.
 *
 * Request: a Call to sigma0 with label -6 (tag label (-6 << 4), 16-bit view 0xFFA0), u = 2,
 * t = 0: MR1 = the wanted fpage (physical base, log2 size, rights; a base of all ones asks for
 * any free page of that size), MR2 = attributes (0 = default caching).  Answer: label 0,
 * u = 0, t = 2: one map item whose send fpage is the physical page (SendBase = its base), or
 * the nil fpage if sigma0 refused.  The helpers return that send fpage: its address is the
 * physical address, its rights those granted.  Where the page lands follows the X.2 placement
 * rules for the receive window: with the complete address space (L4_Sigma0_GetPage) at the
 * virtual address equal to the physical one; with a window of the page's size, at the window.
 * Memory belongs to the first thread that gets it; that thread may ask again, every other is
 * refused.  sigma0 = nilthread means the default, the global id (UserBase, 1) from the KIP.
 * The helpers block until sigma0 answers, use MR0..MR2 and restore BR0 (the acceptor) after.
 * The sigma4 extension (label -1001) tunes sigma0's console output (L4_Sigma0_SetVerbosity,
 * L4_Sigma0_DumpPools); sigma0 answers it with an empty message.
 */
#pragma once
#include <l4/types.h>
#include <l4/kip.h>
#include <l4/fpage.h>
#include <l4/message.h>
#include <l4/ipc.h>

#define L4_SIGMA0_LABEL_RPC     ((L4_Word_t)-6 << 4)        /* tag label of a request */
#define L4_SIGMA0_LABEL_EXT     ((L4_Word_t)-1001 << 4)     /* sigma4: the extension */
#define L4_SIGMA0_ANY_BASE      (~0UL << 10)                /* fpage base bits: "any page" */
#define L4_SIGMA0_EXT_VERBOSE   1                           /* extension MR1: set verbosity */
#define L4_SIGMA0_EXT_DUMP      2                           /* extension MR1: print the pool */

#ifdef __cplusplus
extern "C" {
#endif

/* s0, or sigma0's global id (UserBase, 1) if s0 is nilthread. */
L4_INLINE L4_ThreadId_t __L4_Sigma0Id(L4_ThreadId_t s0)
{
    if (!L4_IsNilThread(s0))
        return s0;
    return L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
}

/* sigma4: ask sigma0 s0 for fpage f with memory attributes `attributes` (0 = default),
 * accepting the mapping in RcvWindow.  The send fpage of sigma0's answer (physical base, size,
 * rights), or L4_Nilpage if sigma0 refused or the IPC failed. */
L4_INLINE L4_Fpage_t L4_Sigma0_Request(L4_ThreadId_t s0, L4_Fpage_t f, L4_Word_t attributes,
                                       L4_Fpage_t RcvWindow)
{
    L4_ThreadId_t to = __L4_Sigma0Id(s0);
    L4_Word_t br0, sent;
    L4_MsgTag_t tag;
    L4_StoreBR(0, &br0);
    L4_Accept(L4_MapGrantItems(RcvWindow));
    L4_LoadMR(1, f.raw);
    L4_LoadMR(2, attributes);
    L4_Set_MsgTag(L4_MsgTagMake(L4_SIGMA0_LABEL_RPC, 2, 0));
    tag = L4_Call(to);
    L4_LoadBR(0, br0);
    if (L4_IpcFailed(tag) || L4_UntypedWords(tag) != 0 || L4_TypedWords(tag) != 2)
        return L4_Nilpage;
    L4_StoreMR(2, &sent);
    return __L4_FpageFromRaw(sent);
}

/* Ask sigma0 s0 for fpage f (default attributes), mapped into RcvWindow.  The physical fpage
 * sigma0 sent, or L4_Nilpage if refused. */
L4_INLINE L4_Fpage_t L4_Sigma0_GetPage_RcvWindow(L4_ThreadId_t s0, L4_Fpage_t f, L4_Fpage_t RcvWindow)
{
    return L4_Sigma0_Request(s0, f, 0, RcvWindow);
}

/* Ask sigma0 s0 for fpage f, mapped 1:1 (receive window: the complete address space). */
L4_INLINE L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f)
{
    return L4_Sigma0_GetPage_RcvWindow(s0, f, L4_CompleteAddressSpace);
}

/* Ask sigma0 s0 for any free page of 2^s bytes (all rights), mapped into RcvWindow (the
 * complete address space maps it 1:1).  The physical fpage sent (size-aligned), or L4_Nilpage. */
L4_INLINE L4_Fpage_t L4_Sigma0_GetAny(L4_ThreadId_t s0, L4_Word_t s, L4_Fpage_t RcvWindow)
{
    L4_Fpage_t any = __L4_FpageFromRaw(L4_SIGMA0_ANY_BASE | ((s & L4_FPAGE_S_MASK) << L4_FPAGE_S_SHIFT) |
                                       L4_FullyAccessible);
    return L4_Sigma0_GetPage_RcvWindow(s0, any, RcvWindow);
}

/* sigma4: send sigma0 s0 an extension request (op, arg) and wait for its answer; 1 if it
 * answered, 0 if the IPC failed. */
L4_INLINE L4_Bool_t __L4_Sigma0Ext(L4_ThreadId_t s0, L4_Word_t op, L4_Word_t arg)
{
    L4_ThreadId_t to = __L4_Sigma0Id(s0);
    L4_LoadMR(1, op);
    L4_LoadMR(2, arg);
    L4_Set_MsgTag(L4_MsgTagMake(L4_SIGMA0_LABEL_EXT, 2, 0));
    return L4_IpcSucceeded(L4_Call(to));
}

/* sigma4: set how much sigma0 prints: 0 only faults it leaves unresolved and messages it
 * ignores, 1 also refusals (the default), 2 also every page handed out, 3 every message.
 * 1 if sigma0 answered. */
L4_INLINE L4_Bool_t L4_Sigma0_SetVerbosity(L4_ThreadId_t s0, L4_Word_t level)
{
    return __L4_Sigma0Ext(s0, L4_SIGMA0_EXT_VERBOSE, level);
}

/* sigma4: make sigma0 print its memory pool (regions and owners) on the console.  1 if it
 * answered. */
L4_INLINE L4_Bool_t L4_Sigma0_DumpPools(L4_ThreadId_t s0)
{
    return __L4_Sigma0Ext(s0, L4_SIGMA0_EXT_DUMP, 0);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */

/* L4_Sigma0_GetPage_RcvWindow under its X.2 C++ name. */
inline L4_Fpage_t L4_Sigma0_GetPage(L4_ThreadId_t s0, L4_Fpage_t f, L4_Fpage_t RcvWindow)
{
    return L4_Sigma0_GetPage_RcvWindow(s0, f, RcvWindow);
}
#endif
