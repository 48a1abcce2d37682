/* ipc.c — synchronous IPC.  So far: the null IPC and receive with no possible sender (from
 * self), which sleeps for the receive timeout; the full rendezvous comes with the IPC issue. */
#include "core/ipc.h"
#include "core/thread.h"
#include "core/sched.h"
#include "core/timeout.h"
#include "core/percpu.h"
#include "arch.h"
#include <sigma4/utcb.h>

uint64_t ipc_period_us(uint16_t t)
{
    if (t == 0)
        return ~0ULL;                               /* never */
    uint64_t m = t & 0x3FF, e = (t >> 10) & 0x1F;
    return m << e;
}

static void set_error(struct tcb *t, uint64_t code, int receive_phase)
{
    if (t->utcb)
        t->utcb[UTCB_ERROR_CODE] = (code << 1) | (uint64_t)receive_phase;
}

uint64_t ipc_call(struct tcb *t, uint64_t to, uint64_t from, uint64_t timeouts, uint64_t *tag)
{
    if (to != 0) {                                  /* no partner can receive yet */
        set_error(t, IPC_ERR_NOPARTNER, 0);
        *tag = MSGTAG_E;
        return 0;
    }
    if (from == 0) {                                /* neither phase */
        *tag = 0;
        return 0;
    }
    uint16_t rcv = (uint16_t)timeouts;
    if (rcv & 0x8000) {                             /* absolute time point: not yet */
        set_error(t, IPC_ERR_TIMEOUT, 1);
        *tag = MSGTAG_E;
        return 0;
    }
    uint64_t us = ipc_period_us(rcv);
    if (us != 0) {
        t->state = TS_SLEEPING;
        if (us != ~0ULL)
            timeout_add(t, arch_clock_us() + us);
        sched_schedule();                           /* back here when woken */
    }
    set_error(t, IPC_ERR_TIMEOUT, 1);
    *tag = MSGTAG_E;
    return 0;
}

void ipc_timeout(struct tcb *t)
{
    if (t->state != TS_SLEEPING)
        return;
    t->state = TS_READY;
    sched_enqueue(t);
}
