/* fault.h — turning user page faults into X.2 page-fault IPC to the thread's pager. */
#pragma once
#include <stdint.h>

struct tcb;

#define FAULT_R 4
#define FAULT_W 2
#define FAULT_X 1

/* t faulted at addr (instruction ip) with access FAULT_*: sigma0 gets the page mapped 1:1,
 * other threads send a page-fault message to their pager on their own behalf and wait for
 * the reply (map items resolve the fault; an empty reply just retries).  Without a pager the
 * fault goes to the exception handler as vector 14 (the page-fault error code, MR21 = addr);
 * without either, or if the IPC fails, the fault is reported and t halted.  An IPC cancelled
 * by ExchangeRegisters just returns: t re-executes the faulting instruction. */
void fault_page(struct tcb *t, uint64_t addr, uint64_t ip, unsigned access);

/* t raised CPU exception `vector` (error code `error`) the kernel does not handle itself:
 * an exception IPC (label -5, MR1-MR18 the registers, MR19 vector, MR20 error code) goes to
 * its exception handler, whose reply (same layout) sets the registers.  No handler, or a
 * failed IPC: reported and t halted; cancelled by ExchangeRegisters: t's registers are left as
 * they were (it raises the exception again). */
void fault_exception(struct tcb *t, unsigned vector, uint64_t error, const char *what);

/* t touched a port it has not got: IO page fault (label -8, MR1 = IO fpage, MR2 = IP) to the
 * pager; sigma0 has every port.  No pager or a failed IPC: reported and t halted; cancelled
 * by ExchangeRegisters: t retries the instruction. */
void fault_io(struct tcb *t, uint64_t fpage, uint64_t ip);

/* A string copy (core/xfer.c) needs addr of t's space with access FAULT_R or FAULT_W: the
 * page-fault IPC from t to its pager as for a user fault, both phases limited by the X.2 time
 * `timeout`; t's own IPC in progress is left as it was.  Returns 0 when the pager replied
 * (the caller looks again), else the IPC error code (IPC_ERR_NOPARTNER without a pager). */
unsigned fault_string_page(struct tcb *t, uint64_t addr, unsigned access, uint16_t timeout);

/* t (with a thread limit) touched addr at or above its limit: an exception IPC as for
 * fault_exception with vector 14 and the page-fault error code, plus MR21 = addr (u = 21). */
void fault_limit(struct tcb *t, uint64_t addr, uint64_t error);
