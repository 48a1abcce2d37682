/* kdb.h — the kernel-debugger services user programs reach through the X.2 kdb interface,
 * and the record of user faults the kernel reported (read back by tests through KDB_OP_STAT). */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct tcb;

/* Set from the kernel command line word `stay`: refuse KDB_OP_SHUTDOWN, keep running. */
extern bool kdb_stay;

/* Carry out kdb operation op (KDB_OP_*) for thread t with operand arg; returns the result
 * (RAX).  Unknown operations and privileged ones from unprivileged spaces return ~0. */
uint64_t kdb_service(struct tcb *t, unsigned op, uint64_t arg);

/* The account operations KDB_OP_SPACE_CHARGE/LIMIT/BYTES (arg: a global thread id) and
 * KDB_OP_ACCOUNTS (kdb_accounts.c).  The caller checked the privilege.  ~0 if the thread does
 * not exist. */
uint64_t kdb_accounts(unsigned op, uint64_t arg);

/* "Enter the debugger" with a text at user address str: sigma4 prints it and continues. */
void kdb_enter(struct tcb *t, uint64_t str);

/* Log a user fault nobody handles and remember it (thread, address, ip). */
void kdb_report_fault(struct tcb *t, const char *what, uint64_t addr, uint64_t ip, uint64_t err);
