/* irq.h — interrupt threads (X.2 7.3): line n is thread (n, 1), n < SystemBase (n = GSI).
 *
 * A line is associated with one handler thread by privileged ThreadControl.  An interrupt
 * masks its line and becomes an IPC from the interrupt thread (label -1, no words) as soon
 * as the handler receives from it (or from anyone); the line stays masked until the handler
 * sends any message to the interrupt thread.
 */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct tcb;

/* Is id an interrupt thread id (number < SystemBase, version 1)? */
bool irq_is_id(uint64_t id);

/* ThreadControl on an interrupt thread: handler == irq id detaches, else attaches `handler`.
 * Returns 0 or an X.2 error code. */
int irq_control(uint64_t irq_id, struct tcb *caller, uint64_t handler);

/* The interrupt on line gsi arrived (interrupt context). */
void irq_raise(unsigned gsi);

/* t sends to interrupt thread id: acknowledge (unmask).  Returns 0, or the IPC error
 * "non-existing partner" when t is not the line's handler. */
int irq_ack(struct tcb *t, uint64_t irq_id);

/* t enters a receive phase accepting spec: deliver a pending interrupt now if one matches.
 * Returns true if t's IPC is finished (results stored). */
bool irq_receive(struct tcb *t, uint64_t spec);

/* May t receive from spec = interrupt thread id (it is the handler)? */
bool irq_may_receive(struct tcb *t, uint64_t spec);

/* Timer tick on this CPU: deliver pending interrupts whose priority now allows it
 * (irq.c: an interrupt waits while a thread of higher priority runs on its CPU). */
void irq_tick(void);

/* Schedule on interrupt thread irq_id by caller (privileged: a root-server space): set its
 * priority (bits 7-0 of prio; ~0 = unchanged), the priority at which its interrupts are
 * delivered.  Allowed once the line has a handler, to privileged callers and to the handler
 * (not above its own priority).  Returns 0 with *state = 1 if an interrupt is pending (not
 * yet delivered), else 0; or an X.2 error code (2 no handler, 1 not allowed, 5 too high). */
int irq_schedule(uint64_t irq_id, struct tcb *caller, bool privileged, uint64_t prio,
                 uint64_t *state);

/* t is being deleted: detach it from its lines. */
void irq_thread_deleted(struct tcb *t);

/* t moved to another CPU: route its lines there (exclusive kernel lock). */
void irq_thread_moved(struct tcb *t);
