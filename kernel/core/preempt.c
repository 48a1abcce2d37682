/* preempt.c — preemption messages (preempt.h). */
#include "config.h"
#include "core/preempt.h"
#include "core/kmsg.h"
#include "core/ipc.h"
#include "core/thread.h"
#include "arch.h"

bool preempt_wants_message(const struct tcb *t)
{
    return CONFIG_PREEMPT_MSG && (t->flags & TF_PREEMPT_MSG) && !(t->flags & (TF_KMSG | TF_KWORK)) &&
           t->utcb && t->scheduler != TID_NIL && t->space;
}

bool preempt_send(struct tcb *t, unsigned cause)
{
    if (!thread_lookup(t->scheduler))
        return false;
    bool regs = t->flags & TF_PREEMPT_REGS;
    struct kmsg_saved saved;
    kmsg_save(t, &saved, KMSG_MAX_WORDS);           /* all a reply may overwrite */
    t->utcb[1] = arch_clock_us();
    t->utcb[2] = cause;
    uint64_t tag = kmsg_tag(LABEL_PREEMPTION, 0, 2);
    if (regs)
        tag = kmsg_append_regs(t, tag, 3);
    t->remaining_us = t->timeslice_us;              /* a fresh time slice afterwards */
    kmsg_call(t, t->scheduler, tag, 0, KMSG_MAX_WORDS, 0, NULL);
    kmsg_restore(t, &saved);
    return true;
}
