/* timeout.h — per-CPU timeouts: a list of threads sorted by wake-up time, checked each tick. */
#pragma once
#include <stdint.h>

struct tcb;

/* Arm t's timeout at absolute time `at` (µs, SystemClock); t must be on this CPU. */
void timeout_add(struct tcb *t, uint64_t at);

/* Disarm t's timeout if armed. */
void timeout_remove(struct tcb *t);

/* Wake every thread whose time has come (called from the timer tick). */
void timeout_tick(uint64_t now);
