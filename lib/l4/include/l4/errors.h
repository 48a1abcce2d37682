/* l4/errors.h — the X.2 error codes, as the kernel leaves them in the ErrorCode TCR.
 *
 * A system call other than IPC reports failure by its result (0, or nilthread for
 * ExchangeRegisters) and leaves one of the L4_Err* codes 1..8 in ErrorCode (fact sheet §1).
 * A failed IPC sets the E bit of the returned tag; ErrorCode then holds (fact sheet §6):
 *     bit 0       phase: 0 = the send phase failed, 1 = the receive phase failed
 *     bits 3-1    the IPC error L4_ErrTimeout .. L4_ErrAborted
 *     bits 63-4   for errors 4-7: the number of bytes transferred before the failure
 * Read the code with L4_ErrorCode() (l4/utcb.h) and take it apart with the helpers below.
 */
#pragma once
#include <l4/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Non-IPC system calls (ThreadControl, SpaceControl, ExchangeRegisters, Schedule, ...). */
#define L4_ErrOk                0
#define L4_ErrNoPrivilege       1       /* caller not privileged, or not dest's scheduler */
#define L4_ErrInvalidThread     2       /* dest (or a thread argument) invalid or inactive */
#define L4_ErrInvalidSpace      3       /* SpaceSpecifier invalid or space uninitialised */
#define L4_ErrInvalidScheduler  4
#define L4_ErrInvalidParam      5
#define L4_ErrUtcbArea          6       /* UTCB area or UtcbLocation invalid */
#define L4_ErrKipArea           7
#define L4_ErrNoMem             8       /* the kernel ran out of memory */

/* IPC errors: the value of ErrorCode bits 3-1. */
#define L4_ErrTimeout           1       /* the send or receive timeout expired */
#define L4_ErrNonExist          2       /* the partner does not exist (or: from a wrong space) */
#define L4_ErrCanceled          3       /* cancelled by ExchangeRegisters before the transfer */
#define L4_ErrMsgOverflow       4       /* message does not fit (registers, window, buffers) */
#define L4_ErrXferTimeoutCurrent 5      /* xfer timeout in the caller's own page faults */
#define L4_ErrXferTimeoutPartner 6      /* xfer timeout in the partner's page faults */
#define L4_ErrAborted           7       /* aborted by ExchangeRegisters during the transfer */

/* IPC error phase (ErrorCode bit 0). */
#define L4_ErrSendPhase         0
#define L4_ErrRecvPhase         1

/* The IPC error (L4_ErrTimeout .. L4_ErrAborted) in an IPC ErrorCode word. */
L4_INLINE L4_Word_t L4_IpcError(L4_Word_t err)          { return (err >> 1) & 0x7; }
/* Did the receive phase fail (rather than the send phase)? */
L4_INLINE L4_Bool_t L4_IpcErrorInReceive(L4_Word_t err) { return (err & 1) == L4_ErrRecvPhase; }
/* Did the send phase fail? */
L4_INLINE L4_Bool_t L4_IpcErrorInSend(L4_Word_t err)    { return (err & 1) == L4_ErrSendPhase; }
/* For errors 4-7: the bytes transferred before the failure. */
L4_INLINE L4_Word_t L4_IpcErrorOffset(L4_Word_t err)    { return err >> 4; }

/* A short text for a non-IPC error code (Pistachio name). */
L4_INLINE const char *L4_ErrorCode_String(L4_Word_t err)
{
    switch (err) {
    case L4_ErrOk:               return "no error";
    case L4_ErrNoPrivilege:      return "no privilege";
    case L4_ErrInvalidThread:    return "invalid thread";
    case L4_ErrInvalidSpace:     return "invalid space";
    case L4_ErrInvalidScheduler: return "invalid scheduler";
    case L4_ErrInvalidParam:     return "invalid parameter";
    case L4_ErrUtcbArea:         return "invalid UTCB area";
    case L4_ErrKipArea:          return "invalid KIP area";
    case L4_ErrNoMem:            return "out of memory";
    default:                     return "unknown error";
    }
}

/* A short text for the IPC error in an IPC ErrorCode word. */
L4_INLINE const char *L4_IpcErrorCode_String(L4_Word_t err)
{
    switch (L4_IpcError(err)) {
    case L4_ErrTimeout:            return "timeout";
    case L4_ErrNonExist:           return "non-existing partner";
    case L4_ErrCanceled:           return "cancelled";
    case L4_ErrMsgOverflow:        return "message overflow";
    case L4_ErrXferTimeoutCurrent: return "xfer timeout (own side)";
    case L4_ErrXferTimeoutPartner: return "xfer timeout (partner side)";
    case L4_ErrAborted:            return "aborted";
    default:                       return "no IPC error";
    }
}

#ifdef __cplusplus
}
#endif
