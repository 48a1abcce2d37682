/* smp.h — the SMP IPC benchmark (issue 5): same-CPU against cross-CPU IPC round trips.
 *
 * One root task, two images (mk/bench.mk builds mode.c twice): the icount image measures
 * instructions per round trip (icount.c), the wall-clock image messages per second under
 * MTTCG (wall.c).  main.c creates the threads, checks that at least two CPUs are online and
 * prints `bench: done, <n> error(s)`.
 *
 * Threads (bench/common/partners.h numbers them from the root thread n, all at PARTNER_PRIO):
 *   n        the root thread: client on CPU 0 in every measurement
 *   n + 1    echo server S0, root task's space; moved between CPU 0 and CPU 1
 *   n + 2/3  pager / echo server R in a new address space (icount image only); R moved too
 *   n + 4    echo server S1, root task's space, CPU 1 (wall-clock image only)
 *   n + 5    client C1, root task's space, CPU 1: runs round trips with S1 on request
 * Context: every function here runs on the root thread.
 */
#pragma once
#include <l4/l4.h>

extern const int smp_wall_clock;        /* mode.c: 1 in the wall-clock image */
extern unsigned smp_errors;             /* `bench: error` lines printed */

/* Move thread t to CPU cpu (Schedule); 0 after printing an error. */
int smp_place(L4_ThreadId_t t, L4_Word_t cpu, const char *who);

/* n round trips of 0 untyped words with server (L4_Call); *any and *all := the OR and the AND
 * of the received tags (E bit: some failed; X bit: some/all crossed CPUs). */
void smp_roundtrips(L4_ThreadId_t server, unsigned n, L4_Word_t *any, L4_Word_t *all);

/* Check the OR/AND of the reply tags of a measurement: no IPC failed, and the X bit is set in
 * every reply if cross, in none otherwise.  0 after printing an error naming op. */
int smp_check_tags(const char *op, L4_Word_t any, L4_Word_t all, int cross);

/* The measurements.  S0 starts on CPU 0, R (nilthread: not created) too; C1 and S1 are on
 * CPU 1.  Both leave S0/R on CPU 0. */
void smp_icount(L4_ThreadId_t s0, L4_ThreadId_t r);
void smp_wall(L4_ThreadId_t s0, L4_ThreadId_t s1, L4_ThreadId_t c1);

/* C1's thread function: forever wait for a request from the root thread (MR1 server, MR2
 * count), run the round trips, send back MR1/MR2 SystemClock before/after, MR3/MR4 the
 * OR/AND of the reply tags, MR5 the CPU it ran on. */
__attribute__((noreturn)) void smp_client(void);
