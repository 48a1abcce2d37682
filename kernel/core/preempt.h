/* preempt.h — preemption messages (virtualization extension, docs/design/virt-extensions.md).
 *
 * A thread with preemption messages on (Schedule's preemption control, bit 24) that the
 * kernel is about to preempt — its time slice ended while another thread is ready, a higher
 * priority thread became ready, or an interrupt made one ready — instead Calls its scheduler
 * with label -3, MR1 = SystemClock, MR2 = the cause, and (bit 25) its registers as a control
 * transfer item; it runs again only when the scheduler replies, and a control transfer item in
 * the reply sets its registers.  With preemption messages on, a thread that was never started
 * waits for its start-up message from its scheduler instead of its pager.
 */
#pragma once
#include <stdbool.h>

struct tcb;

#define PREEMPT_TIMESLICE   1           /* MR2: the time slice ended */
#define PREEMPT_PRIORITY    2           /* a higher-priority thread became ready */
#define PREEMPT_INTERRUPT   3           /* ... because of an interrupt */

/* Should preempting t (the current thread) send a preemption message? */
bool preempt_wants_message(const struct tcb *t);

/* Send t's preemption message for `cause` and wait for the reply (t is the current thread,
 * runnable).  Returns false, changing nothing, if the message could not be sent (no such
 * scheduler): the caller then preempts t the ordinary way. */
bool preempt_send(struct tcb *t, unsigned cause);
