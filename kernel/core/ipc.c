/* ipc.c — synchronous IPC: the slow path, which is the reference for every IPC.
 *
 * Send phase: if the receiver waits for us, transfer at once and it becomes ready;
 * otherwise queue on its send queue until it receives, the send timeout ends, or we are
 * cancelled.  Receive phase: take the first matching queued sender, or wait.  A blocked
 * thread's whole system call is finished by whoever wakes it (partner, timeout, canceller,
 * deletion); when a queued sender with a receive phase is served, the server switches it
 * straight into that receive phase, so a Call can never miss its reply.
 * Interrupts are off throughout.  An IPC that involves a thread of another CPU (the
 * destination, a closed-receive partner, a queued sender, a virtual sender) takes the kernel
 * lock exclusive first (core/klock.h); all others run under the shared lock, in parallel
 * with other CPUs.  A message from another CPU carries the X flag.
 */
#include "core/ipc.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/sched.h"
#include "core/timeout.h"
#include "core/xfer.h"
#include "config.h"
#include "core/irq.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "arch.h"
#include <sigma4/utcb.h>

/* ---- time ---- */

uint64_t ipc_deadline(uint16_t t, uint64_t now)
{
    if (t == 0)
        return ~0ULL;                               /* never */
    if (!(t & 0x8000)) {                            /* relative period m * 2^e us */
        uint64_t m = t & 0x3FF, e = (t >> 10) & 0x1F;
        return now + (m << e);
    }
    /* Absolute point: the clock's bits e+10..e equal c:m, the next time that happens. */
    uint64_t e = (t >> 11) & 0xF, cm = t & 0x7FF;
    uint64_t span = 1ULL << (e + 11);
    uint64_t at = (now & ~(span - 1)) | (cm << e);
    return at >= now ? at : at + span;
}

/* ---- results ---- */

void ipc_set_error(struct tcb *t, uint64_t value)
{
    t->ipc_error = value;
    t->ipc_tag = MSGTAG_E;
    if (t->utcb)
        t->utcb[UTCB_ERROR_CODE] = value;
}

static void store_error(struct tcb *t, uint64_t code, unsigned phase)
{
    ipc_set_error(t, (code << 1) | phase);
}

/* Wake blocked thread t with its final results already stored. */
static void finish(struct tcb *t)
{
    timeout_remove(t);
    t->state = TS_READY;
    thread_make_ready(t);
}

/* finish, but when unqueued is true and t can run here at once, leave it off the ready
 * queue for a direct switch (sched_block_unqueued); returns whether it did. */
static bool finish_for_switch(struct tcb *t, bool unqueued)
{
    timeout_remove(t);
    t->state = TS_READY;
    if (unqueued && thread_runnable(t) && !t->on_cpu && t->cpu == this_cpu()->cpu)
        return true;
    thread_make_ready(t);
    return false;
}

static void finish_error(struct tcb *t, uint64_t code, unsigned phase)
{
    store_error(t, code, phase);
    finish(t);
}

/* ---- send queues ---- */

static void sendq_add(struct tcb *r, struct tcb *s)
{
    s->sendq_owner = r;
    s->sendq_next = NULL;
    s->sendq_prev = r->sendq_tail;
    if (r->sendq_tail) r->sendq_tail->sendq_next = s; else r->sendq_head = s;
    r->sendq_tail = s;
}

static void sendq_remove(struct tcb *s)
{
    struct tcb *r = s->sendq_owner;
    if (!r)
        return;
    if (s->sendq_prev) s->sendq_prev->sendq_next = s->sendq_next; else r->sendq_head = s->sendq_next;
    if (s->sendq_next) s->sendq_next->sendq_prev = s->sendq_prev; else r->sendq_tail = s->sendq_prev;
    s->sendq_next = s->sendq_prev = s->sendq_owner = NULL;
}

/* ---- matching and transfer ---- */

#define SPEC_INVALID 1ULL               /* a FromSpecifier that named nobody (never an id) */

/* Does receiver r (blocked or about to block with spec) accept a message from s? */
static bool accepts(const struct tcb *r, uint64_t spec, const struct tcb *s)
{
    if (r->flags & TF_STARTUP)                      /* from the pager, or with preemption */
        return s->tid == ((CONFIG_PREEMPT_MSG && (r->flags & TF_PREEMPT_MSG)) ? r->scheduler
                                                                                 : r->pager);
    return spec == TID_ANY || (spec == TID_ANYLOCAL && s->space == r->space) || spec == s->tid;
}

/* The virtual sender s may name for r (propagation), or NULL.  VirtualSender is read once
 * here; ipc_is_local read it before to choose the lock.  If a thread changed it in between to
 * name a thread this CPU may not touch, the message goes unpropagated. */
static struct tcb *virtual_sender(struct tcb *s, struct tcb *r, uint64_t tag)
{
    if (!(tag & MSGTAG_P) || !s->utcb)
        return NULL;
    struct tcb *v = thread_resolve(s, s->utcb[UTCB_VIRTUAL_SENDER]);
    if (!v || (v->space != s->space && s->space != r->space) || !klock_may_touch(v))
        return NULL;
    return v;
}

/* Copy s's message (tag, untyped words and typed items from its UTCB) to r and fill r's
 * results.  Returns 0 or the sender's ErrorCode value (r has got its own error then), and
 * sets *gone if r was deleted meanwhile (strings that waited for a fault; the return value is
 * XFER_DELETED if s was).  r is not woken here. */
static uint64_t transfer(struct tcb *s, struct tcb *r, uint64_t tag, bool *gone)
{
    unsigned u = MSGTAG_U(tag);
    *gone = false;
    if (r->ipc_rcv_max && u + MSGTAG_T(tag) > r->ipc_rcv_max) {
        store_error(r, IPC_ERR_OVERFLOW, IPC_PHASE_RECV);   /* a reply too long to restore */
        return IPC_ERR_OVERFLOW << 1;
    }
    if (u)
        arch_copy_words(&r->utcb[1], &s->utcb[1], u);
    if (MSGTAG_T(tag)) {
        unsigned words = 0;
        uint64_t rerr, serr = xfer_items(s, r, u + 1, MSGTAG_T(tag), &words, &rerr);
        if (rerr == XFER_DELETED)
            *gone = true;
        else if (rerr)
            ipc_set_error(r, rerr);
        if (serr || rerr)
            return serr;
        tag = (tag & ~(0x3FULL << 6)) | ((uint64_t)words << 6);
    }
    struct tcb *v = virtual_sender(s, r, tag);
    uint64_t out = tag & ~(MSGTAG_P | MSGTAG_R | MSGTAG_X | MSGTAG_E);
    if (s->cpu != r->cpu)
        out |= MSGTAG_X;
    if (v) {
        out |= MSGTAG_P;
        r->utcb[UTCB_VIRTUAL_SENDER] = s->tid;      /* ActualSender */
        r->ipc_from = thread_id_for(v, r);
        if (v->state == TS_RECEIVING && v->ipc_partner == s->tid)
            v->ipc_partner = r->tid;                /* v now waits for the real server */
    } else {
        r->ipc_from = thread_id_for(s, r);
    }
    r->ipc_tag = out;
    r->ipc_error = 0;
    return 0;
}

/* Deliver s's message to r, which accepted it.  Finishes r's IPC (or starts r).  Returns 0
 * or the sender's ErrorCode value (r has got its own).  With *unqueued true on entry (the
 * sender will block for its receive phase next), r may be left ready but off the ready queue
 * for a direct switch: *unqueued says on return whether it was. */
static uint64_t deliver(struct tcb *s, struct tcb *r, uint64_t tag, bool *unqueued)
{
    bool want = *unqueued;
    *unqueued = false;
    if (r->flags & TF_STARTUP) {                    /* start-up protocol (X.2 7.4) */
        if (MSGTAG_U(tag) == 2)
            thread_start(r, s->utcb[1], s->utcb[2]);
        else if ((r->flags & TF_PREEMPT_MSG) && xfer_start_regs(s, r, tag))
            thread_start(r, arch_user_get(r, UREG_IP), arch_user_get(r, UREG_SP));
        return 0;
    }
    bool gone;
    uint64_t err = transfer(s, r, tag, &gone);
    if (!gone)
        *unqueued = finish_for_switch(r, want && !err);
    return err;
}

/* ---- blocking ---- */

/* Block t in `state` until woken; timeout is the X.2 time (never/period/point).  Returns
 * false without blocking if the timeout is zero. */
static bool block(struct tcb *t, uint8_t state, uint64_t partner, uint16_t timeout, struct tcb *hint,
                  bool unqueued)
{
    uint64_t now = arch_clock_us();
    uint64_t at = ipc_deadline(timeout, now);
    if (at <= now) {
        if (unqueued)
            thread_make_ready(hint);                /* not blocking: queue it after all */
        return false;
    }
    t->state = state;
    t->ipc_partner = partner;
    if (at != ~0ULL)
        timeout_add(t, at);
    if (unqueued)
        sched_block_unqueued(hint);
    else
        sched_block(hint);
    if (xfer_waiting_side(t))
        xfer_serve(t);                              /* a partner's string copy needs us */
    return true;
}

/* Resolve a FromSpecifier to nil/any/anylocal/global id; -1 if it names nobody. */
static int64_t resolve_spec(struct tcb *t, uint64_t spec, uint64_t *out)
{
    if (spec == TID_NIL || spec == TID_ANY || spec == TID_ANYLOCAL || irq_may_receive(t, spec)) {
        *out = spec;
        return 0;
    }
    struct tcb *p = thread_resolve(t, spec);
    if (!p)
        return -1;
    *out = p->tid;
    return 0;
}

/* The receive phase of t with resolved spec; serves a queued sender if one matches.  With
 * unqueued, hint is ready but off the ready queue (deliver): it is switched to directly if t
 * blocks, and queued at once if t does not. */
static void receive_phase(struct tcb *t, uint64_t spec, uint16_t timeout, struct tcb *hint,
                          bool unqueued)
{
    if (irq_receive(t, spec)) {
        if (unqueued)
            thread_make_ready(hint);                /* t does not block: queue it */
        return;                                     /* a pending interrupt */
    }
again:
    for (struct tcb *s = t->sendq_head; s; s = s->sendq_next) {
        if (!accepts(t, spec, s))
            continue;
        if (unqueued) {
            thread_make_ready(hint);                /* t does not block: queue it */
            unqueued = false;
        }
        /* ipc() found only senders of this CPU queued, but a preemption point of the send phase
         * let the lock go: a sender of another CPU may have queued meanwhile.  Served under the
         * exclusive lock; if others ran while we waited for it, the queue is read again. */
        if (!klock_may_touch(s) && klock_exclusive())
            goto again;
        sendq_remove(s);
        timeout_remove(s);
        uint64_t tag = s->ipc_tag;
        bool gone;
        uint64_t err = transfer(s, t, tag, &gone);
        if (err == XFER_DELETED) {
            /* s was deleted while its string copy waited: t has its error. */
        } else if (err) {
            ipc_set_error(s, err);
            finish(s);
        } else if (s->ipc_rcv_spec == TID_NIL) {    /* send-only: done */
            s->ipc_tag = tag & ~(MSGTAG_P | MSGTAG_E);
            s->ipc_error = 0;
            finish(s);
        } else if (s->ipc_rcv_spec == SPEC_INVALID) {
            finish_error(s, IPC_ERR_NOPARTNER, IPC_PHASE_RECV);
        } else {                                    /* a Call: now waiting for the reply */
            uint64_t now = arch_clock_us();
            uint64_t at = ipc_deadline(s->ipc_rcv_timeout, now);
            s->state = TS_RECEIVING;
            s->ipc_partner = s->ipc_rcv_spec;
            if (at <= now)
                finish_error(s, IPC_ERR_TIMEOUT, IPC_PHASE_RECV);
            else if (at != ~0ULL)
                timeout_add(s, at);
        }
        sched_preempt_check();
        return;
    }
    if (!block(t, TS_RECEIVING, spec, timeout, hint, unqueued))
        store_error(t, IPC_ERR_TIMEOUT, IPC_PHASE_RECV);
}

/* Is thread id `id` (named by t) a thread of another CPU? */
static bool remote_id(struct tcb *t, uint64_t id)
{
    if (id == TID_NIL || id == TID_ANY || id == TID_ANYLOCAL || irq_is_id(id))
        return false;
    struct tcb *p = thread_resolve(t, id);
    return p && p->cpu != t->cpu;
}

/* Does a message of s with tag `tag` name a virtual sender of another CPU? */
static bool remote_virtual_sender(struct tcb *s, uint64_t tag)
{
    return (tag & MSGTAG_P) && s->utcb && remote_id(s, s->utcb[UTCB_VIRTUAL_SENDER]);
}

/* Does this IPC involve only threads of t's CPU (including the virtual senders of t's
 * message and of the messages queued for t)? */
static bool ipc_is_local(struct tcb *t, uint64_t to, uint64_t from_spec, uint64_t msg)
{
    if (remote_id(t, to) || remote_id(t, from_spec) || remote_virtual_sender(t, msg))
        return false;
    for (struct tcb *s = t->sendq_head; s; s = s->sendq_next)
        if (s->cpu != t->cpu || remote_virtual_sender(s, s->ipc_tag))
            return false;
    return true;
}

uint64_t ipc(struct tcb *t, uint64_t to, uint64_t from_spec, uint64_t timeouts, uint64_t *tag)
{
    uint64_t msg = *tag, spec;
    struct tcb *hint = NULL;
    bool unqueued = false;
    if (ncpus_online > 1 && !klock_is_exclusive() && !ipc_is_local(t, to, from_spec, msg))
        klock_exclusive();
    t->ipc_error = 0;
    t->ipc_from = TID_NIL;
    int spec_err = resolve_spec(t, from_spec, &spec);
    if (spec_err < 0 && to == TID_NIL) {
        store_error(t, IPC_ERR_NOPARTNER, IPC_PHASE_RECV);
        goto out;
    }
    if (to != TID_NIL && irq_is_id(to)) {           /* acknowledge an interrupt */
        if (irq_ack(t, to)) {
            store_error(t, IPC_ERR_NOPARTNER, IPC_PHASE_SEND);
            goto out;
        }
        t->ipc_tag = 0;
    } else if (to != TID_NIL) {
        struct tcb *r = (to == TID_ANY || to == TID_ANYLOCAL) ? NULL : thread_resolve(t, to);
        if (!r || r->state == TS_INACTIVE || r == t) {  /* to oneself: nobody could receive */
            store_error(t, IPC_ERR_NOPARTNER, IPC_PHASE_SEND);
            goto out;
        }
        if (MSGTAG_U(msg) + MSGTAG_T(msg) > 63) {
            store_error(t, IPC_ERR_OVERFLOW, IPC_PHASE_SEND);
            goto out;
        }
        if (r->state == TS_RECEIVING && accepts(r, r->ipc_partner, t)) {
            /* A Call or ReplyWait without strings: the partner may wait off the ready queue
             * for the direct switch when we block (no preemption point in between). */
            unqueued = from_spec != TID_NIL && spec_err >= 0 && !MSGTAG_T(msg);
            uint64_t err = deliver(t, r, msg, &unqueued);
            if (err) {
                ipc_set_error(t, err);
                sched_preempt_check();
                goto out;
            }
            hint = r;
        } else {
            if (spec_err < 0)
                spec = SPEC_INVALID;                /* reported when the send is served */
            t->ipc_tag = msg;
            t->ipc_rcv_spec = spec;
            t->ipc_rcv_timeout = (uint16_t)timeouts;
            sendq_add(r, t);
            if (!block(t, TS_SENDING, r->tid, (uint16_t)(timeouts >> 16), NULL, false)) {
                sendq_remove(t);
                store_error(t, IPC_ERR_TIMEOUT, IPC_PHASE_SEND);
            }
            goto out;                               /* the whole IPC is finished */
        }
    }
    if (from_spec == TID_NIL) {
        t->ipc_tag = msg & ~(MSGTAG_P | MSGTAG_R | MSGTAG_X | MSGTAG_E);
        sched_preempt_check();
        goto out;
    }
    if (MSGTAG_T(msg))                              /* a string copy may have waited: */
        spec_err = resolve_spec(t, from_spec, &spec);   /* look again */
    if (spec_err < 0) {
        store_error(t, IPC_ERR_NOPARTNER, IPC_PHASE_RECV);
        goto out;
    }
    receive_phase(t, spec, (uint16_t)timeouts, hint, unqueued);
out:
    *tag = t->ipc_tag;
    return t->ipc_from;
}

void ipc_complete_kernel_message(struct tcb *t, uint64_t from, uint64_t tag)
{
    t->ipc_from = from;
    t->ipc_tag = tag;
    t->ipc_error = 0;
    finish(t);
}

void ipc_timeout(struct tcb *t)
{
    if (t->state == TS_SENDING) {
        sendq_remove(t);
        finish_error(t, IPC_ERR_TIMEOUT, IPC_PHASE_SEND);
    } else if (t->state == TS_RECEIVING && !(t->flags & TF_STARTUP)) {
        finish_error(t, IPC_ERR_TIMEOUT, IPC_PHASE_RECV);
    }
}

unsigned ipc_cancel(struct tcb *t, bool send, bool recv)
{
    if (t->flags & TF_STARTUP)
        return 0;
    if (t->xfer.flags)
        return xfer_cancel(t, send, recv);
    if (t->state == TS_SENDING) {
        if (send) {
            sendq_remove(t);
            finish_error(t, IPC_ERR_CANCELED, IPC_PHASE_SEND);
        }
        return 4;
    }
    if (t->state == TS_RECEIVING) {
        if (recv)
            finish_error(t, IPC_ERR_CANCELED, IPC_PHASE_RECV);
        return 2;
    }
    return 0;
}

void ipc_cancel_wait(struct tcb *t)
{
    if (t->state == TS_SENDING) {
        sendq_remove(t);
        finish_error(t, IPC_ERR_CANCELED, IPC_PHASE_SEND);
    } else if (t->state == TS_RECEIVING) {
        finish_error(t, IPC_ERR_CANCELED, IPC_PHASE_RECV);
    }
}

void ipc_abort_for_delete(struct tcb *t)
{
    xfer_thread_deleted(t);
    if (t->state == TS_SENDING)
        sendq_remove(t);
    ipc_abort_partners(t);
}

void ipc_abort_partners(struct tcb *t)
{
    while (t->sendq_head) {
        struct tcb *s = t->sendq_head;
        sendq_remove(s);
        finish_error(s, IPC_ERR_NOPARTNER, IPC_PHASE_SEND);
    }
    for (struct tcb *w = thread_first(); w; w = w->all_next)
        if (w != t && w->state == TS_RECEIVING && w->ipc_partner == t->tid &&
            !(w->flags & TF_STARTUP))
            finish_error(w, IPC_ERR_NOPARTNER, IPC_PHASE_RECV);
}
