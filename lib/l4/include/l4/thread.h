/* l4/thread.h — threads: ThreadControl (create, configure, delete; interrupt association),
 * ExchangeRegisters and the X.2 operations built on it (start, stop, pager and handle of another
 * thread, conversion between local and global ids).  The caller's own UTCB state (own ids, TCRs,
 * MRs, BRs) is in l4/utcb.h, included here.
 *
 * Convention (abi/syscalls.tbl, generated stubs): ThreadControl is privileged (root-server
 * spaces) and returns 1 or 0; ExchangeRegisters works on threads of the caller's own space (and,
 * sigma4 like Pistachio's pagerexregs, on threads the caller is the pager of) and
 * returns the other form of dest's id (global for a local dest and vice versa), or nilthread.
 * On failure L4_ErrorCode() holds one of L4_ErrNoPrivilege .. L4_ErrNoMem (l4/errors.h).
 * `dest` may be a local id; the kernel converts it.
 *
 * ExchangeRegisters control word (fact sheet §7.8).  X.2 names no constants for these bits;
 * the L4_EXREGS_* names are sigma4's:
 *   in:  bit 0 h   halt (1) or resume (0), applied if H      bit 5 f  set FLAGS
 *        bit 1 r   cancel a receive                          bit 6 u  set UserDefinedHandle
 *        bit 2 s   cancel a send                             bit 7 p  set pager
 *        bit 3 S   set SP      bit 4 I  set IP               bit 8 H  apply h
 *        bit 9 d   deliver the old values (sigma4 always returns them)
 *   out: bit 0 was halted, bit 1 was receiving, bit 2 was sending (L4_ThreadState_t).
 */
#pragma once
#include <l4/types.h>
#include <l4/utcb.h>
#include <l4/errors.h>
#include <sigma4/syscall_stubs.h>

#define L4_EXREGS_HALT          (1UL << 0)      /* h */
#define L4_EXREGS_CANCEL_RECV   (1UL << 1)      /* r */
#define L4_EXREGS_CANCEL_SEND   (1UL << 2)      /* s */
#define L4_EXREGS_CANCEL_IPC    (L4_EXREGS_CANCEL_RECV | L4_EXREGS_CANCEL_SEND)
#define L4_EXREGS_SET_SP        (1UL << 3)      /* S */
#define L4_EXREGS_SET_IP        (1UL << 4)      /* I */
#define L4_EXREGS_SET_FLAGS     (1UL << 5)      /* f */
#define L4_EXREGS_SET_HANDLE    (1UL << 6)      /* u */
#define L4_EXREGS_SET_PAGER     (1UL << 7)      /* p */
#define L4_EXREGS_APPLY_HALT    (1UL << 8)      /* H */
#define L4_EXREGS_DELIVER       (1UL << 9)      /* d */
#define L4_EXREGS_WAS_HALTED    (1UL << 0)      /* out */
#define L4_EXREGS_WAS_RECEIVING (1UL << 1)      /* out */
#define L4_EXREGS_WAS_SENDING   (1UL << 2)      /* out */

/* The state ExchangeRegisters reports in its control result. */
typedef struct {
    L4_Word_t raw;
} L4_ThreadState_t;

#ifdef __cplusplus
extern "C" {
#endif

/* Was the thread halted? */
L4_INLINE L4_Bool_t L4_ThreadWasHalted(L4_ThreadState_t s)    { return (s.raw & L4_EXREGS_WAS_HALTED) != 0; }
/* Was the thread in a receive? */
L4_INLINE L4_Bool_t L4_ThreadWasReceiving(L4_ThreadState_t s) { return (s.raw & L4_EXREGS_WAS_RECEIVING) != 0; }
/* Was the thread in a send? */
L4_INLINE L4_Bool_t L4_ThreadWasSending(L4_ThreadState_t s)   { return (s.raw & L4_EXREGS_WAS_SENDING) != 0; }
/* Was the thread in an IPC? */
L4_INLINE L4_Bool_t L4_ThreadWasIpcing(L4_ThreadState_t s)
{
    return (s.raw & (L4_EXREGS_WAS_RECEIVING | L4_EXREGS_WAS_SENDING)) != 0;
}

/* ---- the system calls -------------------------------------------------------------------- */

#define L4_THREAD_LIMIT_NONE        (~0UL)      /* ThreadControl limit: no restriction */
#define L4_THREAD_LIMIT_UNCHANGED   (~1UL)      /* ThreadControl limit: keep it */

/* ThreadControl with the thread-limit extension (KIP feature "threadlimits"): as
 * L4_ThreadControl (below), and dest may only touch addresses up to 4 KiB * (limit + 1) - 1, which
 * must be a multiple of 1 GiB minus one on amd64; L4_THREAD_LIMIT_NONE lifts the limit,
 * L4_THREAD_LIMIT_UNCHANGED keeps it.  An access at or above the limit raises an exception
 * IPC (vector 14, the address in MR21). */
L4_INLINE L4_Word_t L4_ThreadControlLimit(L4_ThreadId_t dest, L4_ThreadId_t SpaceSpecifier,
                                          L4_ThreadId_t Scheduler, L4_ThreadId_t Pager,
                                          void *UtcbLocation, L4_Word_t limit)
{
    struct sys_thread_control_in in;
    struct sys_thread_control_out out;
    in.dest = dest.raw;
    in.space = SpaceSpecifier.raw;
    in.scheduler = Scheduler.raw;
    in.pager = Pager.raw;
    in.utcb_location = (L4_Word_t)UtcbLocation;
    in.limit = limit;
    __l4_sys_thread_control(&in, &out);
    return out.result;
}

/* ThreadControl (privileged): SpaceSpecifier nil deletes dest; otherwise creates dest if absent
 * (SpaceSpecifier = dest: in a new space, else in that thread's space) and sets its scheduler,
 * pager (non-nil: active, waits for its start-up message) and UtcbLocation ((void *)-1:
 * unchanged).  dest = an interrupt thread associates the interrupt (L4_AssociateInterrupt).
 * 1 on success; 0 and L4_ErrorCode() on failure. */
L4_INLINE L4_Word_t L4_ThreadControl(L4_ThreadId_t dest, L4_ThreadId_t SpaceSpecifier,
                                     L4_ThreadId_t Scheduler, L4_ThreadId_t Pager, void *UtcbLocation)
{
    return L4_ThreadControlLimit(dest, SpaceSpecifier, Scheduler, Pager, UtcbLocation,
                                 L4_THREAD_LIMIT_UNCHANGED);
}

/* ExchangeRegisters: apply `control` (L4_EXREGS_*) to dest, a thread of the caller's space, and
 * return its old control state, SP, IP, FLAGS, user-defined handle and pager through the old_*
 * pointers (each may be NULL, a sigma4 convenience).  Result: the other form of dest's id;
 * nilthread and L4_ErrorCode() = L4_ErrInvalidThread if dest is not such a thread. */
L4_INLINE L4_ThreadId_t L4_ExchangeRegisters(L4_ThreadId_t dest, L4_Word_t control, L4_Word_t sp,
                                             L4_Word_t ip, L4_Word_t flags, L4_Word_t UserDefHandle,
                                             L4_ThreadId_t pager, L4_Word_t *old_control,
                                             L4_Word_t *old_sp, L4_Word_t *old_ip, L4_Word_t *old_flags,
                                             L4_Word_t *old_UserDefHandle, L4_ThreadId_t *old_pager)
{
    struct sys_exchange_registers_in in;
    struct sys_exchange_registers_out out;
    in.dest = dest.raw;
    in.control = control;
    in.sp = sp;
    in.ip = ip;
    in.flags = flags;
    in.handle = UserDefHandle;
    in.pager = pager.raw;
    __l4_sys_exchange_registers(&in, &out);
    if (old_control)
        *old_control = out.control;
    if (old_sp)
        *old_sp = out.sp;
    if (old_ip)
        *old_ip = out.ip;
    if (old_flags)
        *old_flags = out.flags;
    if (old_UserDefHandle)
        *old_UserDefHandle = out.handle;
    if (old_pager)
        old_pager->raw = out.pager;
    return __L4_TidFromRaw(out.result);
}

/* ExchangeRegisters with only control and the three values; returns the old state and fills
 * the old SP, IP, FLAGS where the pointers are not NULL. */
L4_INLINE L4_ThreadState_t __L4_ExReg(L4_ThreadId_t t, L4_Word_t control, L4_Word_t sp, L4_Word_t ip,
                                      L4_Word_t flags, L4_Word_t *old_sp, L4_Word_t *old_ip,
                                      L4_Word_t *old_flags)
{
    L4_ThreadState_t s;
    (void)L4_ExchangeRegisters(t, control, sp, ip, flags, 0, L4_nilthread, &s.raw, old_sp, old_ip,
                               old_flags, (L4_Word_t *)0, (L4_ThreadId_t *)0);
    return s;
}

/* ---- interrupts (privileged; fact sheet §7.3) -------------------------------------------- */

/* Make HandlerThread the handler of the interrupt thread InterruptThread; 1 or 0. */
L4_INLINE L4_Word_t L4_AssociateInterrupt(L4_ThreadId_t InterruptThread, L4_ThreadId_t HandlerThread)
{
    return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread, HandlerThread, (void *)-1);
}
/* Detach the handler of InterruptThread (and mask the line); 1 or 0. */
L4_INLINE L4_Word_t L4_DeassociateInterrupt(L4_ThreadId_t InterruptThread)
{
    return L4_ThreadControl(InterruptThread, InterruptThread, L4_nilthread, InterruptThread, (void *)-1);
}

/* ---- ids of other threads ---------------------------------------------------------------- */

/* The global id of t: global ids and nilthread unchanged, anylocalthread -> anythread, the
 * caller's own local id from its UTCB, other local ids through ExchangeRegisters (nilthread if
 * no such thread). */
L4_INLINE L4_ThreadId_t L4_GlobalIdOf(L4_ThreadId_t t)
{
    if (L4_IsNilThread(t) || L4_IsGlobalId(t))
        return t;
    if (t.raw == L4_anylocalthread.raw)
        return L4_anythread;
    if (t.raw == L4_MyLocalId().raw)
        return L4_MyGlobalId();
    return L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, (L4_Word_t *)0, (L4_Word_t *)0,
                                (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_ThreadId_t *)0);
}
/* The local id of t, a thread of the caller's space: local ids and nilthread unchanged,
 * anythread -> anylocalthread, the caller's own id from its UTCB, other global ids through
 * ExchangeRegisters (nilthread if t is not in the caller's space). */
L4_INLINE L4_ThreadId_t L4_LocalIdOf(L4_ThreadId_t t)
{
    if (L4_IsNilThread(t) || L4_IsLocalId(t))
        return t;
    if (t.raw == L4_anythread.raw)
        return L4_anylocalthread;
    if (t.raw == L4_MyGlobalId().raw)
        return L4_MyLocalId();
    return L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, (L4_Word_t *)0, (L4_Word_t *)0,
                                (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_ThreadId_t *)0);
}
/* Do l and r name the same thread (either may be local or global)? */
L4_INLINE L4_Bool_t L4_SameThreads(L4_ThreadId_t l, L4_ThreadId_t r)
{
    return l.raw == r.raw || L4_GlobalIdOf(l).raw == L4_GlobalIdOf(r).raw;
}

/* ---- registers of other threads of the caller's space ------------------------------------ */

/* The user-defined handle of thread t. */
L4_INLINE L4_Word_t L4_UserDefinedHandleOf(L4_ThreadId_t t)
{
    L4_Word_t handle = 0;
    (void)L4_ExchangeRegisters(t, L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, (L4_Word_t *)0,
                               (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, &handle, (L4_ThreadId_t *)0);
    return handle;
}
/* Set the user-defined handle of thread t. */
L4_INLINE void L4_Set_UserDefinedHandleOf(L4_ThreadId_t t, L4_Word_t handle)
{
    (void)L4_ExchangeRegisters(t, L4_EXREGS_SET_HANDLE, 0, 0, 0, handle, L4_nilthread, (L4_Word_t *)0,
                               (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0,
                               (L4_ThreadId_t *)0);
}
/* The pager of thread t. */
L4_INLINE L4_ThreadId_t L4_PagerOf(L4_ThreadId_t t)
{
    L4_ThreadId_t pager = L4_nilthread;
    (void)L4_ExchangeRegisters(t, L4_EXREGS_DELIVER, 0, 0, 0, 0, L4_nilthread, (L4_Word_t *)0,
                               (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, &pager);
    return pager;
}
/* Set the pager of thread t. */
L4_INLINE void L4_Set_PagerOf(L4_ThreadId_t t, L4_ThreadId_t pager)
{
    (void)L4_ExchangeRegisters(t, L4_EXREGS_SET_PAGER, 0, 0, 0, 0, pager, (L4_Word_t *)0,
                               (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0,
                               (L4_ThreadId_t *)0);
}

/* ---- start and stop ---------------------------------------------------------------------- */

#define __L4_START      (L4_EXREGS_APPLY_HALT | L4_EXREGS_CANCEL_IPC)   /* h = 0: resume */
#define __L4_STOP       (L4_EXREGS_APPLY_HALT | L4_EXREGS_HALT | L4_EXREGS_DELIVER)

/* Resume thread t, cancelling any IPC it is in. */
L4_INLINE void L4_Start(L4_ThreadId_t t)
{
    (void)__L4_ExReg(t, __L4_START, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
}
/* Resume thread t at ip with stack sp, cancelling any IPC it is in. */
L4_INLINE void L4_Start_SpIp(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip)
{
    (void)__L4_ExReg(t, __L4_START | L4_EXREGS_SET_SP | L4_EXREGS_SET_IP, sp, ip, 0,
                     (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
}
/* Resume thread t at ip with stack sp and FLAGS flags, cancelling any IPC it is in. */
L4_INLINE void L4_Start_SpIpFlags(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags)
{
    (void)__L4_ExReg(t, __L4_START | L4_EXREGS_SET_SP | L4_EXREGS_SET_IP | L4_EXREGS_SET_FLAGS,
                     sp, ip, flags, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
}
/* Halt thread t (an IPC in progress goes on until it ends); its previous state. */
L4_INLINE L4_ThreadState_t L4_Stop(L4_ThreadId_t t)
{
    return __L4_ExReg(t, __L4_STOP, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
}
/* Halt thread t; its previous state, and its SP, IP, FLAGS. */
L4_INLINE L4_ThreadState_t L4_Stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return __L4_ExReg(t, __L4_STOP, 0, 0, 0, sp, ip, flags);
}
/* Cancel a receive of thread t and halt it; its previous state. */
L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop(L4_ThreadId_t t)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_RECV, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0,
                      (L4_Word_t *)0);
}
/* Cancel a receive of thread t and halt it; its previous state, SP, IP, FLAGS. */
L4_INLINE L4_ThreadState_t L4_AbortReceive_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
                                                              L4_Word_t *ip, L4_Word_t *flags)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_RECV, 0, 0, 0, sp, ip, flags);
}
/* Cancel a send of thread t and halt it; its previous state. */
L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop(L4_ThreadId_t t)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_SEND, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0,
                      (L4_Word_t *)0);
}
/* Cancel a send of thread t and halt it; its previous state, SP, IP, FLAGS. */
L4_INLINE L4_ThreadState_t L4_AbortSend_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
                                                           L4_Word_t *ip, L4_Word_t *flags)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_SEND, 0, 0, 0, sp, ip, flags);
}
/* Cancel any IPC of thread t and halt it; its previous state. */
L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop(L4_ThreadId_t t)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_IPC, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0,
                      (L4_Word_t *)0);
}
/* Cancel any IPC of thread t and halt it; its previous state, SP, IP, FLAGS. */
L4_INLINE L4_ThreadState_t L4_AbortIpc_and_stop_SpIpFlags(L4_ThreadId_t t, L4_Word_t *sp,
                                                          L4_Word_t *ip, L4_Word_t *flags)
{
    return __L4_ExReg(t, __L4_STOP | L4_EXREGS_CANCEL_IPC, 0, 0, 0, sp, ip, flags);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline L4_ThreadId_t L4_GlobalId(L4_ThreadId_t t)                  { return L4_GlobalIdOf(t); }
inline L4_ThreadId_t L4_LocalId(L4_ThreadId_t t)                   { return L4_LocalIdOf(t); }
inline L4_Word_t L4_UserDefinedHandle(L4_ThreadId_t t)             { return L4_UserDefinedHandleOf(t); }
inline void L4_Set_UserDefinedHandle(L4_ThreadId_t t, L4_Word_t h) { L4_Set_UserDefinedHandleOf(t, h); }
inline L4_ThreadId_t L4_Pager(L4_ThreadId_t t)                     { return L4_PagerOf(t); }
inline void L4_Set_Pager(L4_ThreadId_t t, L4_ThreadId_t p)         { L4_Set_PagerOf(t, p); }
inline void L4_Start(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip)  { L4_Start_SpIp(t, sp, ip); }
inline void L4_Start(L4_ThreadId_t t, L4_Word_t sp, L4_Word_t ip, L4_Word_t flags)
{
    L4_Start_SpIpFlags(t, sp, ip, flags);
}
inline L4_ThreadState_t L4_Stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_Stop_SpIpFlags(t, sp, ip, flags);
}
inline L4_ThreadState_t L4_AbortReceive_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortReceive_and_stop_SpIpFlags(t, sp, ip, flags);
}
inline L4_ThreadState_t L4_AbortSend_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortSend_and_stop_SpIpFlags(t, sp, ip, flags);
}
inline L4_ThreadState_t L4_AbortIpc_and_stop(L4_ThreadId_t t, L4_Word_t *sp, L4_Word_t *ip, L4_Word_t *flags)
{
    return L4_AbortIpc_and_stop_SpIpFlags(t, sp, ip, flags);
}
#endif

/* X.2 makes every system call and the KIP visible through this header. */
#include <l4/kip.h>
#include <l4/syscall.h>
