/* xfer.h — the typed items of a message: map and grant items (core/map.c) and string items,
 * copied between two address spaces with page faults resolved through the pagers.
 *
 * The thread that brings about the rendezvous (the copier: the sender if the receiver was
 * waiting, the receiver if the sender was queued) copies the strings through the kernel's
 * direct map.  A page missing in its own space it resolves itself with a page-fault IPC to its
 * pager; a page missing in the partner's space it asks the partner to resolve: the partner
 * (state TS_XFER) is woken, sends the fault IPC on its own behalf, and hands the CPU back.
 * Invariants: while a transfer waits, both threads have XF_ACTIVE and point at each other;
 * exactly one of them is running, ready, or in a fault IPC, the other is TS_XFER; only the
 * copier finishes the transfer, and it stores both threads' results (a thread whose partner
 * was deleted stores its own).  Design: docs/design/ipc.md, "String items".
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct tcb;

#define XF_ACTIVE   0x1     /* in a transfer that has waited for a fault */
#define XF_COPIER   0x2     /* this thread copies; the partner resolves its own faults */
#define XF_SENDER   0x4     /* this thread is the sender */
#define XF_ABORT    0x8     /* cancelled or partner deleted: end with "aborted" */

#define XFER_DELETED (~0ULL) /* xfer_items: this thread was deleted during the transfer */

/* Carry the typed items of s's message, words MR[first .. first+count), to r, and write r's
 * typed words from MR[first] on: map and grant items as sent, one simple string item (bytes
 * received, buffer address) per string.  The current thread is s or r; it may block while
 * faults are resolved.  Returns 0 and the number of typed words written in *words, or the
 * sender's ErrorCode value (bytes << 4 | code << 1, send phase) with r's own ErrorCode value
 * in *rerr.  A thread deleted while the transfer waited gets XFER_DELETED instead: the caller
 * must not touch it. */
uint64_t xfer_items(struct tcb *s, struct tcb *r, unsigned first, unsigned count,
                    unsigned *words, uint64_t *rerr);

/* t has just been woken from an IPC wait: if its partner in a transfer asks for a fault to be
 * resolved, do so (repeatedly) until the transfer is over; t's IPC results are then stored. */
void xfer_serve(struct tcb *t);

/* ExchangeRegisters cancel on t, which is in a transfer (XF_ACTIVE): abort it if the flag for
 * t's side is given (send for the sender).  Returns the state bits (4 sending, 2 receiving). */
unsigned xfer_cancel(struct tcb *t, bool send, bool recv);

/* t, in a transfer, is being deleted: its partner ends with "aborted". */
void xfer_thread_deleted(struct tcb *t);

/* A start-up message to r (preemption messages on) that begins with a control transfer item:
 * set r's registers from it and return true; false if the message has no such item. */
bool xfer_start_regs(const struct tcb *s, struct tcb *r, uint64_t tag);
