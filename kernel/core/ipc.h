/* ipc.h — synchronous IPC.  (Issue 2 provides the receive-from-self sleep used by L4_Sleep;
 * message transfer between threads arrives with the IPC issue.) */
#pragma once
#include <stdint.h>

struct tcb;

/* X.2 IPC error codes (ErrorCode bits 3-1; bit 0 = receive phase). */
#define IPC_ERR_TIMEOUT     1
#define IPC_ERR_NOPARTNER   2
#define IPC_ERR_CANCELED    3
#define MSGTAG_E            (1ULL << 15)

/* Decode an X.2 relative time period (16 bits) to µs; ~0 = never. */
uint64_t ipc_period_us(uint16_t t);

/* The IPC system call of thread t.  Returns the `from` result; *tag is MR0 in and out. */
uint64_t ipc_call(struct tcb *t, uint64_t to, uint64_t from, uint64_t timeouts, uint64_t *tag);

/* t's receive timeout expired (timeout.c). */
void ipc_timeout(struct tcb *t);
