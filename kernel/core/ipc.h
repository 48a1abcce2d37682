/* ipc.h — synchronous IPC: rendezvous, message transfer, timeouts, cancellation.
 *
 * Invariants (core/ipc.c): a TS_SENDING thread is on exactly one receiver's send queue
 * (sendq_owner); a TS_RECEIVING thread is on none; a blocked thread has its timeout armed iff
 * its timeout is finite; a blocked thread is woken only with its final results stored.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct tcb;

/* X.2 IPC error codes (ErrorCode bits 3-1; bit 0 = phase, 1 = receive). */
#define IPC_ERR_TIMEOUT     1
#define IPC_ERR_NOPARTNER   2
#define IPC_ERR_CANCELED    3
#define IPC_ERR_OVERFLOW    4
#define IPC_ERR_XFER_OWN    5       /* xfer timeout in the thread's own space */
#define IPC_ERR_XFER_PARTNER 6      /* xfer timeout in the partner's space */
#define IPC_ERR_ABORTED     7       /* cancelled during a string transfer */
#define IPC_PHASE_SEND      0
#define IPC_PHASE_RECV      1

/* MsgTag bits. */
#define MSGTAG_U(t)         ((t) & 0x3F)
#define MSGTAG_T(t)         (((t) >> 6) & 0x3F)
#define MSGTAG_P            (1ULL << 12)
#define MSGTAG_R            (1ULL << 13)
#define MSGTAG_X            (1ULL << 14)
#define MSGTAG_E            (1ULL << 15)

/* Absolute SystemClock time at which an X.2 timeout (16-bit time) starting `now` ends:
 * ~0 = never, `now` itself = zero timeout. */
uint64_t ipc_deadline(uint16_t timeout, uint64_t now);

/* The IPC system call of thread t (to, FromSpecifier, Timeouts, MR0 in *tag).
 * Returns the sender (`from`); *tag is the received (or error) tag.  May block. */
uint64_t ipc(struct tcb *t, uint64_t to, uint64_t from_spec, uint64_t timeouts, uint64_t *tag);

/* t's timeout expired (timeout.c): finish its IPC with a timeout error. */
void ipc_timeout(struct tcb *t);

/* ExchangeRegisters: abort t's send phase (send) and/or receive phase (recv) if blocked in
 * it, with "canceled".  Returns the old state bits: 2 = was receiving, 4 = was sending. */
unsigned ipc_cancel(struct tcb *t, bool send, bool recv);

/* End t's blocked IPC phase, whichever it is, with "canceled" (no string-transfer rules). */
void ipc_cancel_wait(struct tcb *t);

/* Store ErrorCode value `value` (bytes, code, phase) as t's IPC result: tag E, UTCB word. */
void ipc_set_error(struct tcb *t, uint64_t value);

/* t is being deleted: leave any send queue; its blocked senders and the threads waiting for
 * it specifically finish with "non-existing partner". */
void ipc_abort_for_delete(struct tcb *t);

/* t's id is going away (deletion or version change): its queued senders and the threads
 * waiting for it specifically finish with "non-existing partner". */
void ipc_abort_partners(struct tcb *t);

/* Finish t's receive phase with a message the kernel made (interrupts): from, tag, no words. */
void ipc_complete_kernel_message(struct tcb *t, uint64_t from, uint64_t tag);
