/* l4/ipc.h — IPC: the Ipc and Lipc system calls and the operations X.2 derives from them.
 *
 * Convention (abi/syscalls.tbl, generated stubs __l4_sys_ipc/__l4_sys_lipc): `to`,
 * FromSpecifier and the Timeouts word (send bits 31-16, receive bits 15-0, L4_Timeouts) go in
 * registers, and so does MR0 (the tag), in both directions; MR1..MR63, the acceptor and string
 * buffers (BR0..), XferTimeouts and VirtualSender stay in the UTCB, where the kernel reads and
 * writes them.  L4_Ipc therefore takes MR0 from the UTCB and puts the returned tag back there,
 * so MR0 in the UTCB is always the tag of the last message.  `to` and FromSpecifier may be local
 * ids; the kernel converts them.  to = nil: no send phase; FromSpecifier = nil: no receive phase;
 * anythread / anylocalthread: open receive.  On failure the returned tag has E set and
 * L4_ErrorCode() holds the IPC error (l4/errors.h).  Each call may block the caller for as long
 * as its timeouts allow.
 */
#pragma once
#include <l4/types.h>
#include <l4/utcb.h>
#include <l4/message.h>
#include <l4/errors.h>
#include <sigma4/syscall_stubs.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The Ipc system call: send MR0..MRu+t to `to` (if not nil), then receive from FromSpecifier
 * (if not nil).  Returns the received tag (also left in MR0); *from := the sender (local id if
 * it shares the caller's space) when there was a receive phase and `from` is not NULL. */
L4_INLINE L4_MsgTag_t L4_Ipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts,
                             L4_ThreadId_t *from)
{
    struct sys_ipc_in in;
    struct sys_ipc_out out;
    in.to = to.raw;
    in.from_spec = FromSpecifier.raw;
    in.timeouts = Timeouts;
    in.mr0 = __L4_UtcbGet(UTCB_MR(0));
    __l4_sys_ipc(&in, &out);
    __L4_UtcbSet(UTCB_MR(0), out.mr0);
    if (from && !L4_IsNilThread(FromSpecifier))
        from->raw = out.from;
    return __L4_MsgTagFromRaw(out.mr0);
}

/* The Lipc system call: L4_Ipc restricted to a partner in the caller's own space (to and
 * FromSpecifier local ids); same arguments and results. */
L4_INLINE L4_MsgTag_t L4_Lipc(L4_ThreadId_t to, L4_ThreadId_t FromSpecifier, L4_Word_t Timeouts,
                              L4_ThreadId_t *from)
{
    struct sys_lipc_in in;
    struct sys_lipc_out out;
    in.to = to.raw;
    in.from_spec = FromSpecifier.raw;
    in.timeouts = Timeouts;
    in.mr0 = __L4_UtcbGet(UTCB_MR(0));
    __l4_sys_lipc(&in, &out);
    __L4_UtcbSet(UTCB_MR(0), out.mr0);
    if (from && !L4_IsNilThread(FromSpecifier))
        from->raw = out.from;
    return __L4_MsgTagFromRaw(out.mr0);
}

/* ---- derived operations ------------------------------------------------------------------ */

/* Send to `to`, then receive its reply (closed receive from `to`). */
L4_INLINE L4_MsgTag_t L4_Call_Timeouts(L4_ThreadId_t to, L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
    L4_ThreadId_t dummy;
    return L4_Ipc(to, to, L4_Timeouts(SndTimeout, RcvTimeout), &dummy);
}
/* Send to `to` and receive its reply, waiting as long as needed. */
L4_INLINE L4_MsgTag_t L4_Call(L4_ThreadId_t to)
{
    return L4_Call_Timeouts(to, L4_Never, L4_Never);
}
/* Send to `to`, waiting at most SndTimeout for it to receive. */
L4_INLINE L4_MsgTag_t L4_Send_Timeout(L4_ThreadId_t to, L4_Time_t SndTimeout)
{
    return L4_Ipc(to, L4_nilthread, L4_Timeouts(SndTimeout, L4_Never), (L4_ThreadId_t *)0);
}
/* Send to `to`, waiting as long as needed. */
L4_INLINE L4_MsgTag_t L4_Send(L4_ThreadId_t to)
{
    return L4_Send_Timeout(to, L4_Never);
}
/* Send to `to` only if it is waiting now (send timeout zero). */
L4_INLINE L4_MsgTag_t L4_Reply(L4_ThreadId_t to)
{
    return L4_Send_Timeout(to, L4_ZeroTime);
}
/* Receive from `from` (or any/anylocal), waiting at most RcvTimeout. */
L4_INLINE L4_MsgTag_t L4_Receive_Timeout(L4_ThreadId_t from, L4_Time_t RcvTimeout)
{
    L4_ThreadId_t dummy;
    return L4_Ipc(L4_nilthread, from, L4_Timeouts(L4_Never, RcvTimeout), &dummy);
}
/* Receive from `from`, waiting as long as needed. */
L4_INLINE L4_MsgTag_t L4_Receive(L4_ThreadId_t from)
{
    return L4_Receive_Timeout(from, L4_Never);
}
/* Receive from any thread, waiting at most RcvTimeout; *from := the sender. */
L4_INLINE L4_MsgTag_t L4_Wait_Timeout(L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_Ipc(L4_nilthread, L4_anythread, L4_Timeouts(L4_Never, RcvTimeout), from);
}
/* Receive from any thread; *from := the sender. */
L4_INLINE L4_MsgTag_t L4_Wait(L4_ThreadId_t *from)
{
    return L4_Wait_Timeout(L4_Never, from);
}
/* Reply to `to` if it waits now, then receive from any thread within RcvTimeout. */
L4_INLINE L4_MsgTag_t L4_ReplyWait_Timeout(L4_ThreadId_t to, L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, RcvTimeout), from);
}
/* Reply to `to` if it waits now, then receive from any thread. */
L4_INLINE L4_MsgTag_t L4_ReplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_ReplyWait_Timeout(to, L4_Never, from);
}
/* Block for the period (or until the point) t: a receive from the caller itself, which nobody
 * can satisfy, ended by the receive timeout (L4_Never: forever).  MR0 gets the error tag. */
L4_INLINE void L4_Sleep(L4_Time_t t)
{
    (void)L4_Receive_Timeout(L4_Myself(), t);
}
/* Local call: L4_Call through Lipc (`to` a local id). */
L4_INLINE L4_MsgTag_t L4_Lcall(L4_ThreadId_t to)
{
    L4_ThreadId_t dummy;
    return L4_Lipc(to, to, L4_Timeouts(L4_Never, L4_Never), &dummy);
}
/* Local reply-and-wait: reply to `to` if it waits now, then receive from any local thread. */
L4_INLINE L4_MsgTag_t L4_Lreply_Wait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_Lipc(to, L4_anylocalthread, L4_Timeouts(L4_ZeroTime, L4_Never), from);
}
/* Pistachio spelling of L4_Lreply_Wait. */
L4_INLINE L4_MsgTag_t L4_LreplyWait(L4_ThreadId_t to, L4_ThreadId_t *from)
{
    return L4_Lreply_Wait(to, from);
}

#ifdef __cplusplus
}   /* extern "C" */

/* ---- C++ overloads (X.2 convenience interface) ------------------------------------------- */
/* Each overload or operator is the C function it calls (or the raw comparison it makes), under
 * the name X.2 gives it in C++. */

inline L4_MsgTag_t L4_Call(L4_ThreadId_t to, L4_Time_t SndTimeout, L4_Time_t RcvTimeout)
{
    return L4_Call_Timeouts(to, SndTimeout, RcvTimeout);
}
inline L4_MsgTag_t L4_Send(L4_ThreadId_t to, L4_Time_t SndTimeout)      { return L4_Send_Timeout(to, SndTimeout); }
inline L4_MsgTag_t L4_Receive(L4_ThreadId_t from, L4_Time_t RcvTimeout) { return L4_Receive_Timeout(from, RcvTimeout); }
inline L4_MsgTag_t L4_Wait(L4_Time_t RcvTimeout, L4_ThreadId_t *from)   { return L4_Wait_Timeout(RcvTimeout, from); }
inline L4_MsgTag_t L4_ReplyWait(L4_ThreadId_t to, L4_Time_t RcvTimeout, L4_ThreadId_t *from)
{
    return L4_ReplyWait_Timeout(to, RcvTimeout, from);
}
#endif

/* X.2 makes every system call and the KIP visible through this header. */
#include <l4/kip.h>
#include <l4/syscall.h>
