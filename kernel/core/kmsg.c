/* kmsg.c — kernel messages on a thread's behalf (kmsg.h). */
#include "config.h"
#include "core/kmsg.h"
#include "core/ipc.h"
#include "core/map.h"
#include "core/thread.h"
#include "arch.h"
#include <sigma4/utcb.h>

void kmsg_save(struct tcb *t, struct kmsg_saved *s, unsigned words)
{
    uint64_t *u = t->utcb;
    s->n = words + 1;
    arch_copy_words(s->mr, u, s->n);
    s->br0 = u[UTCB_BR(0)];
    s->from = t->ipc_from, s->tag = t->ipc_tag, s->error = t->ipc_error;
    s->partner = t->ipc_partner, s->rcv_spec = t->ipc_rcv_spec;
    s->rcv_timeout = t->ipc_rcv_timeout;
}

unsigned kmsg_call(struct tcb *t, uint64_t dest, uint64_t tag, uint64_t acceptor,
                   unsigned rcv_max, uint64_t timeouts, uint64_t *reply)
{
    t->utcb[0] = tag;
    t->utcb[UTCB_BR(0)] = acceptor;
    t->flags |= TF_KMSG | TF_KREPLY;
    t->ipc_rcv_max = (uint8_t)rcv_max;
    ipc(t, dest, dest, timeouts, &tag);
    t->flags &= ~(TF_KMSG | TF_KREPLY);
    t->ipc_rcv_max = 0;
    if (reply)
        *reply = tag;
    return (tag & MSGTAG_E) ? (t->ipc_error >> 1) & 7 : 0;
}

void kmsg_restore(struct tcb *t, const struct kmsg_saved *s)
{
    uint64_t *u = t->utcb;
    arch_copy_words(u, s->mr, s->n);
    u[UTCB_BR(0)] = s->br0;
    t->ipc_from = s->from, t->ipc_tag = s->tag, t->ipc_error = s->error;
    t->ipc_partner = s->partner, t->ipc_rcv_spec = s->rcv_spec;
    t->ipc_rcv_timeout = s->rcv_timeout;
}

uint64_t kmsg_append_regs(struct tcb *t, uint64_t tag, unsigned at)
{
    uint64_t *u = t->utcb, regs[EXC_REG_WORDS];
    arch_exc_regs_get(t, regs);
    if (CONFIG_CTRLXFER) {
        u[at] = (ITEM_CTRLXFER << 1) | ((EXC_REG_WORDS - 1) << 4) |
                ((uint64_t)((1u << EXC_REG_WORDS) - 1) << 9);
        for (unsigned k = 0; k < EXC_REG_WORDS; k++)
            u[at + 1 + k] = regs[k];
        return tag + ((uint64_t)(1 + EXC_REG_WORDS) << 6);
    }
    for (unsigned k = 0; k < EXC_REG_WORDS; k++)
        u[at + k] = regs[k];
    return tag + EXC_REG_WORDS;
}
