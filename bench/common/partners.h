/* partners.h — the server threads the benchmarks talk to: an echo server in the root task's own
 * space, and one in a new address space with the pager that lets it run there; more threads of
 * the root task's space on request.
 *
 * Both servers run partner_serve: wait for a message, then forever reply to its sender with
 * the same number of untyped words (MR1..MRu are echoed unchanged: the server never touches
 * them) and wait for the next one (L4_ReplyWait).  Both run at the root thread's priority, so
 * no third thread is ever more urgent than the two partners of a round trip.
 *
 * Context: every function here is called by the root thread, once, before the measurements.
 */
#pragma once
#include <l4/l4.h>

#define PARTNER_PRIO    255                 /* the root thread's priority (X.2 root servers) */
#define PARTNER_THREADS 7                   /* thread numbers n + 1 .. n + 7 of the root task */

/* The echo server loop (see above); never returns.  A thread function for partner_thread. */
__attribute__((noreturn)) void partner_serve(void);

/* Create thread n + k of the root task's space (n: the root thread; UTCB slot k), at
 * PARTNER_PRIO on the caller's CPU, and start it at fn on a stack of its own.  k: 1 ..
 * PARTNER_THREADS, but not 2 and 3 if partner_remote is used (its pager and server), nor 1 if
 * partner_local is.  Its global id; nilthread after printing what failed. */
L4_ThreadId_t partner_thread(unsigned k, void (*fn)(void));

/* Create and start the echo server in the root task's space: partner_thread(1, partner_serve).
 * Its global id; nilthread after printing what failed. */
L4_ThreadId_t partner_local(void);

/* Create a new address space (KIP area at the root's KIP address, UTCB area 0xBF000000 of
 * 256 KiB) with one thread running the echo server, and a pager thread in the root task's
 * space (UTCB slot 2) that sends its start-up message and then maps the root task's page at
 * every address it faults on.  The server's global id; nilthread after printing what failed.
 * The server may still be starting: its first IPC should have a timeout (partner_describe
 * tells what the pager saw if it does not answer). */
L4_ThreadId_t partner_remote(void);

/* As partner_remote, but the server in the new space runs fn (never returning) instead of
 * partner_serve. */
L4_ThreadId_t partner_remote_run(void (*fn)(void));

/* Create thread n + k (k > PARTNER_THREADS, or 3 if partner_remote is not used) as the only
 * thread of a new address space laid out like the remote server's (KIP at the root's KIP
 * address, UTCB area 0xBF000000, UTCB slot 0), at PARTNER_PRIO, with the caller as its
 * scheduler and `pager` as its pager, which must send its start-up message.  Its global id;
 * nilthread after printing what failed. */
L4_ThreadId_t partner_space(unsigned k, L4_ThreadId_t pager);

/* A pager's reply: MR0 and MR1..MR2 := one map item of the caller's page at src (all rights,
 * limited by the kernel to the caller's own), to be mapped at dest in the receiver's space. */
void partner_load_map_item(L4_Word_t src, L4_Word_t dest);

/* Is addr inside this program's image (code, data, bss: always mapped in the root task)? */
int partner_in_image(L4_Word_t addr);

/* The remote server's first round trip, with 2 s timeouts (it may still be faulting itself
 * in).  1 if it answered; else 0 after printing why (and partner_describe). */
int partner_first_contact(L4_ThreadId_t server);

/* Print the remote partner's pager statistics: faults served and refused, the start-up
 * result, the last fault.  For diagnostics. */
void partner_describe(void);
