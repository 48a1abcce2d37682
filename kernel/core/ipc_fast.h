/* ipc_fast.h — the IPC fast path (core/ipc_fast.c). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "config.h"

struct tcb;

/* Try the IPC of t on the fast path.  Returns false (nothing changed) when the slow path
 * must handle it; true when done, with *tag set and t->ipc_from the sender. */
bool ipc_fastpath(struct tcb *t, uint64_t to, uint64_t from_spec, uint64_t timeouts,
                  uint64_t *tag);
