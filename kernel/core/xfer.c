/* xfer.c — typed items: map/grant items and string items (X.2 §6, simple, compound, gather
 * and scatter strings), with page faults during the copy resolved through the pagers.
 *
 * A logical string is a string item's substrings followed, while the item's c bit is set, by
 * the next item's.  The i-th logical string of the sender goes into the i-th logical buffer of
 * the receiver (BR1.., a buffer is followed by another while its last item has C set).  The
 * copy runs page by page through the direct map; see xfer.h for who copies and who resolves
 * which fault, and docs/design/ipc.md for the rules.
 *
 * User-writable words are read once: the sender's typed words (when the transfer starts)
 * and the receiver's BRs (at the first string item: map and control transfer items do not
 * need them) are copied into the kernel (struct copy) before anything is validated, and
 * everything after uses that snapshot.  The receive buffer may cover either thread's UTCB, and a sibling thread
 * on another CPU may rewrite them during the copy: neither changes what the kernel follows.
 * Every item index is checked against the snapshot's bounds (the MR or BR array).
 */
#include "config.h"
#include "core/xfer.h"
#include "core/ipc.h"
#include "core/map.h"
#include "core/fault.h"
#include "core/thread.h"
#include "core/space.h"
#include "core/sched.h"
#include "core/timeout.h"
#include "core/percpu.h"
#include "core/klock.h"
#include "core/kpreempt.h"
#include "lib/string.h"
#include "arch.h"
#include <sigma4/utcb.h>
#include <sigma4/layout.h>

#define ITEM_C          1ULL            /* another typed item (or buffer) follows */
#define ITEM_COMPOUND   (1ULL << 9)     /* c: the next item continues this string */
#define NUM_BRS         33
#define NUM_MRS         64
#define CTRLXFER_REGS   EXC_REG_WORDS   /* amd64: RIP, 15 general registers, RSP, RFLAGS */

/* Codes from the sender's side; the receiver sees 5 and 6 swapped. */
#define XE_SENDER_SIDE  IPC_ERR_XFER_OWN
#define XE_RCVR_SIDE    IPC_ERR_XFER_PARTNER

static inline bool is_string(uint64_t w0)       { return !(w0 & 8); }
static inline unsigned substrings(uint64_t w0)  { return ((w0 >> 4) & 0x1F) + 1; }

/* A position in a logical string: items in the snapshot of the sender's MRs or of the
 * receiver's BRs (struct copy). */
struct cursor {
    const uint64_t *w;          /* the words: w[i] is MR i or BR i */
    uint64_t top;               /* addresses lie below it: user space, or the thread's limit */
    unsigned item, end;         /* word index of the current item; first index past them */
    unsigned sub;               /* current substring of the item */
    uint64_t addr, left;        /* next byte of the substring, bytes left in it */
    bool done;                  /* the logical string is exhausted */
};

/* Word i of the items.  Callers have checked i < c->end (open_item, load). */
static uint64_t word(const struct cursor *c, unsigned i)
{
    return c->w[i];
}

/* Load substring c->sub of the current item; false if the item is malformed. */
static bool load(struct cursor *c)
{
    uint64_t w0 = word(c, c->item);
    unsigned i = c->item + 1 + c->sub;
    if (i >= c->end)
        return false;
    c->addr = word(c, i);
    c->left = w0 >> 10;
    return c->addr < c->top && c->left <= c->top - c->addr;
}

/* Start at the item at word i; false if it is not a string item or does not fit. */
static bool open_item(struct cursor *c, unsigned i)
{
    if (i >= c->end || !is_string(word(c, i)) || i + substrings(word(c, i)) >= c->end)
        return false;
    c->item = i;
    c->sub = 0;
    return load(c);
}

/* Skip empty substrings (and end the string); false on a malformed item. */
static bool settle(struct cursor *c)
{
    while (c->left == 0) {
        uint64_t w0 = word(c, c->item);
        if (++c->sub < substrings(w0)) {
            if (!load(c))
                return false;
        } else if (w0 & ITEM_COMPOUND) {
            if (!open_item(c, c->item + 1 + substrings(w0)))
                return false;
        } else {
            c->done = true;
            return true;
        }
    }
    return true;
}

/* Word index after the logical string the cursor is in (its last item), 0 if the C bit of
 * that item says nothing follows. */
static unsigned next_index(const struct cursor *c)
{
    uint64_t w0 = word(c, c->item);
    return (w0 & ITEM_C) ? c->item + 1 + substrings(w0) : 0;
}

/* ---- control transfer items (docs/design/virt-extensions.md) ---- */

/* Register words of a control transfer item: bits 8-4 hold their number - 1. */
static inline unsigned ctrlxfer_words(uint64_t w0) { return ((w0 >> 4) & 0x1F) + 1; }

/* r gets s's control transfer item: applied (the registers in the mask are set when r next
 * returns to user mode) if r accepts it — BR0 bit 1, or r waits for the reply to a message
 * the kernel sent for it — and it is not itself part of a kernel message; else data only. */
static void ctrlxfer_receive(const struct tcb *s, struct tcb *r, uint64_t w0, const uint64_t *v,
                             unsigned words)
{
    bool accept = (r->utcb[UTCB_BR(0)] & 2) || (r->flags & TF_KREPLY);
    if (!accept || (s->flags & TF_KMSG))
        return;
    uint32_t mask = (uint32_t)(w0 >> 9) & ((1u << words) - 1);
    for (unsigned k = 0; k < words; k++)
        if (mask & (1u << k))
            r->cx_regs[k] = v[k];
    r->cx_mask |= mask;
}

bool xfer_start_regs(const struct tcb *s, struct tcb *r, uint64_t tag)
{
    unsigned i = MSGTAG_U(tag) + 1, end = i + MSGTAG_T(tag);
    uint64_t w0 = i < end ? s->utcb[i] : 0;
    if (!CONFIG_CTRLXFER || i >= end || is_string(w0) || ((w0 >> 1) & 7) != ITEM_CTRLXFER)
        return false;
    unsigned words = ctrlxfer_words(w0);
    if (words > CTRLXFER_REGS || i + words >= end)
        return false;
    uint64_t regs[CTRLXFER_REGS];
    arch_exc_regs_get(r, regs);
    for (unsigned k = 0; k < words; k++)
        if ((w0 >> (9 + k)) & 1)
            regs[k] = s->utcb[i + 1 + k];
    arch_exc_regs_set(r, regs);
    return true;
}

/* ---- the copy ---- */

struct copy {
    struct tcb *self, *s, *r;   /* the copier (s or r), sender, receiver */
    uint64_t mr[NUM_MRS];       /* snapshot: the sender's typed words (MR first .. first+count) */
    uint64_t br[NUM_BRS];       /* snapshot: the receiver's BR0 .. BR32 (from the first string) */
    uint64_t bytes;             /* copied so far in this message */
    uint64_t work;              /* bytes copied / pages mapped since the last preemption point */
    uint64_t deadline;          /* SystemClock by which faults must be resolved, ~0 never */
    bool linked;                /* the two threads are linked for waiting (xfer_link) */
};

/* Physical address of user byte va of t's space, accessible for reading (and writing if
 * write); ~0 if a page fault must be resolved first. */
static uint64_t user_phys(const struct tcb *t, uint64_t va, bool write)
{
    uint64_t page = va & ~(PAGE_SIZE - 1);
    if (t->space->sigma0)
        return phys_is_sigma0(page) ? va : ~0ULL;
    unsigned rights;
    uint64_t pa = arch_pt_query(t->space->pt_root, page, &rights);
    if (pa == ~0ULL || (write && !(rights & PT_W)))
        return ~0ULL;
    arch_pt_touch(t->space->pt_root, page, write);  /* Unmap reports it as a CPU access */
    return pa | (va & (PAGE_SIZE - 1));
}

/* The X.2 relative time for us > 0 microseconds, rounded up; 0 (never) if it is too long. */
static uint16_t period(uint64_t us)
{
    unsigned e = 0;
    while (((us + (1ULL << e) - 1) >> e) > 0x3FF)
        if (++e > 31)
            return 0;
    return (uint16_t)((e << 10) | ((us + (1ULL << e) - 1) >> e));
}

static void link(struct copy *x)
{
    struct tcb *p = x->self == x->s ? x->r : x->s;
    x->s->xfer = (struct xfer_link){ .partner = x->r, .flags = XF_ACTIVE | XF_SENDER };
    x->r->xfer = (struct xfer_link){ .partner = x->s, .flags = XF_ACTIVE };
    x->self->xfer.flags |= XF_COPIER;
    timeout_remove(p);
    p->state = TS_XFER;
    x->linked = true;
}

/* Let partner p resolve its own fault (req) while the copier waits; p's result. */
static unsigned ask_partner(struct tcb *self, struct tcb *p, uint64_t req, uint16_t timeout)
{
    p->xfer.req = req;
    p->xfer.req_timeout = timeout;
    self->state = TS_XFER;
    p->state = TS_READY;
    thread_make_ready(p);
    sched_block(p);
    /* Back: p answered, or p was deleted (XF_ABORT, no partner). */
    return (self->xfer.flags & XF_ABORT) ? IPC_ERR_ABORTED : self->xfer.res;
}

/* Resolve a fault at va in owner's space (owner is x->s or x->r).  0 to retry the copy, or
 * the error code (sender's view). */
static unsigned fault(struct copy *x, struct tcb *owner, uint64_t va, unsigned access)
{
    if (!x->linked)
        link(x);
    if (x->self->xfer.flags & XF_ABORT)
        return IPC_ERR_ABORTED;
    unsigned side = owner == x->s ? XE_SENDER_SIDE : XE_RCVR_SIDE;
    uint16_t timeout = 0;
    if (x->deadline != ~0ULL) {
        uint64_t now = arch_clock_us();
        if (now >= x->deadline)
            return side;
        timeout = period(x->deadline - now);
    }
    x->s->xfer.bytes = x->r->xfer.bytes = x->bytes;
    unsigned res;
    if (owner == x->self) {
        owner->xfer.flags |= XF_IN_FAULT;
        res = fault_string_page(owner, va, access, timeout);
        owner->xfer.flags &= ~XF_IN_FAULT;
        if (x->self->xfer.flags & XF_ABORT)
            res = IPC_ERR_ABORTED;
    } else {
        if (!klock_may_touch(owner) && klock_exclusive() && (x->self->xfer.flags & XF_ABORT))
            return IPC_ERR_ABORTED;                 /* the partner went while we waited */
        res = ask_partner(x->self, owner, (va << 3) | access, timeout);
    }
    if (res == 0 || res == IPC_ERR_ABORTED)
        return res;
    return res == IPC_ERR_CANCELED ? IPC_ERR_ABORTED : side;   /* timeout, no pager, ... */
}

/* A preemption point in the transfer (docs/design/preemption.md): the two threads are
 * linked first, as for a fault, so that the partner waits in TS_XFER and a deletion or a
 * cancel on either side reaches the copier as XF_ABORT.  0 to go on, or IPC_ERR_ABORTED
 * (the partner must not be touched any more). */
static unsigned preempt(struct copy *x)
{
    if (!x->linked)
        link(x);
    x->s->xfer.bytes = x->r->xfer.bytes = x->bytes;
    kpreempt_point();
    return (x->self->xfer.flags & XF_ABORT) ? IPC_ERR_ABORTED : 0;
}

/* map_fpage's preemption hook: false stops the mapping (the transfer was aborted). */
static bool map_preempt(void *ctx)
{
    return preempt(ctx) == 0;
}

/* Copy one logical string from src into dst; 0 or an error code (sender's view). */
static unsigned copy_string(struct copy *x, struct cursor *src, struct cursor *dst, uint64_t *got)
{
    if (!settle(src) || !settle(dst))
        return IPC_ERR_OVERFLOW;
    while (!src->done) {
        if (dst->done)
            return IPC_ERR_OVERFLOW;                /* the buffer is too short */
        uint64_t n = src->left < dst->left ? src->left : dst->left;
        uint64_t sroom = PAGE_SIZE - (src->addr & (PAGE_SIZE - 1));
        uint64_t droom = PAGE_SIZE - (dst->addr & (PAGE_SIZE - 1));
        n = n < sroom ? n : sroom;
        n = n < droom ? n : droom;
        uint64_t ps = user_phys(x->s, src->addr, false);
        uint64_t pd = ps == ~0ULL ? ~0ULL : user_phys(x->r, dst->addr, true);
        if (ps == ~0ULL || pd == ~0ULL) {
            unsigned err = ps == ~0ULL ? fault(x, x->s, src->addr, FAULT_R)
                                       : fault(x, x->r, dst->addr, FAULT_W);
            if (err)
                return err;
            continue;                               /* look again */
        }
        memcpy(phys_to_virt(pd), phys_to_virt(ps), n);
        x->bytes += n;
        *got += n;
        src->addr += n, src->left -= n;
        dst->addr += n, dst->left -= n;
        if (kpreempt_due(&x->work, n, KPREEMPT_COPY_BYTES)) {
            unsigned err = preempt(x);
            if (err)
                return err;
        }
        if (!settle(src) || !settle(dst))
            return IPC_ERR_OVERFLOW;
    }
    return 0;
}

/* Walk the sender's items; 0 or an error code (sender's view).  out[] gets r's typed words. */
static unsigned walk(struct copy *x, unsigned first, unsigned count, uint64_t *out, unsigned *nout)
{
    struct tcb *s = x->s, *r = x->r;
    const uint64_t *mr = x->mr;
    struct cursor src = { .w = mr, .end = first + count };
    struct cursor dst = { .w = x->br, .end = NUM_BRS };
    unsigned buf = 0;                               /* next logical buffer, 0 none */
    bool brs = false;                               /* x->br holds the BRs, the tops are set */
    unsigned i = first, n = 0, last_item = 0;
    while (i < first + count) {
        uint64_t w0 = mr[i];
        unsigned type = (w0 >> 1) & 7;
        unsigned next;
        last_item = n;
        if (!is_string(w0) && type == ITEM_CTRLXFER && CONFIG_CTRLXFER) {
            unsigned words = ctrlxfer_words(w0);
            if (words > CTRLXFER_REGS || i + words >= first + count)
                return IPC_ERR_OVERFLOW;            /* more registers than amd64 has */
            ctrlxfer_receive(s, r, w0, &mr[i + 1], words);
            out[n++] = w0 & ~ITEM_C;
            for (unsigned k = 1; k <= words; k++)
                out[n++] = mr[i + k];
            next = i + 1 + words;
        } else if (!is_string(w0)) {
            if ((type != ITEM_MAP && type != ITEM_GRANT) || i + 1 >= first + count)
                return IPC_ERR_OVERFLOW;            /* unknown item type */
            if (map_item(s, r, w0, mr[i + 1], map_preempt, x))
                return IPC_ERR_OVERFLOW;
            if (x->linked && (x->self->xfer.flags & XF_ABORT))
                return IPC_ERR_ABORTED;             /* stopped at a preemption point */
            out[n++] = w0 & ~ITEM_C;
            out[n++] = mr[i + 1];
            next = i + 2;
        } else {
            if (!brs) {                             /* the first string: read the BRs */
                for (unsigned k = 0; k < NUM_BRS; k++)
                    x->br[k] = r->utcb[UTCB_BR((int)k)];
                buf = (x->br[0] & 1) ? 1 : 0;
                src.top = thread_top(s);
                dst.top = thread_top(r);
                brs = true;
            }
            if (!buf || !open_item(&dst, buf) || !open_item(&src, i))
                return IPC_ERR_OVERFLOW;            /* no buffer left, or malformed */
            src.done = dst.done = false;
            uint64_t got = 0, at = dst.addr;
            unsigned err = copy_string(x, &src, &dst, &got);
            if (err)
                return err;
            while (!dst.done) {                     /* find the buffer's last item */
                dst.left = 0;
                if (!settle(&dst))
                    return IPC_ERR_OVERFLOW;
            }
            buf = next_index(&dst);
            out[n++] = got << 10;
            out[n++] = at;
            next = src.item + 1 + substrings(mr[src.item]);
        }
        uint64_t last = is_string(w0) ? mr[src.item] : w0;
        if (!(last & ITEM_C) && next < first + count)
            return IPC_ERR_OVERFLOW;                /* words after the last item */
        i = next;
    }
    /* C on every output item but the last: set it on all item heads before the last one. */
    for (unsigned k = 0; k < last_item; ) {
        out[k] |= ITEM_C;
        uint64_t h = out[k];
        k += (!is_string(h) && ((h >> 1) & 7) == ITEM_CTRLXFER) ? 1 + ctrlxfer_words(h) : 2;
    }
    *nout = n;
    return 0;
}

static uint64_t error_value(uint64_t bytes, unsigned code, unsigned phase)
{
    return (bytes << 4) | ((uint64_t)code << 1) | phase;
}

uint64_t xfer_items(struct tcb *s, struct tcb *r, unsigned first, unsigned count,
                    unsigned *words, uint64_t *rerr)
{
    if (first + count > NUM_MRS) {                  /* callers check u + t; never past MR63 */
        *rerr = error_value(0, IPC_ERR_OVERFLOW, IPC_PHASE_RECV);
        return error_value(0, IPC_ERR_OVERFLOW, IPC_PHASE_SEND);
    }
    struct copy x;                                  /* no initializer: the snapshots are big */
    x.self = current_thread(), x.s = s, x.r = r;
    x.bytes = 0, x.work = 0, x.linked = false;
    arch_copy_words(&x.mr[first], &s->utcb[first], count);
    uint64_t now = arch_clock_us();
    uint64_t ds = ipc_deadline((uint16_t)(s->utcb[UTCB_XFER_TIMEOUTS] >> 16), now);
    uint64_t dr = ipc_deadline((uint16_t)r->utcb[UTCB_XFER_TIMEOUTS], now);
    x.deadline = ds < dr ? ds : dr;
    uint64_t out[NUM_MRS];
    unsigned n = 0;
    unsigned err = walk(&x, first, count, out, &n);
    struct tcb *self = x.self, *other = self == s ? r : s;
    bool gone = false;
    if (x.linked && self->xfer.partner && !klock_may_touch(self->xfer.partner))
        klock_exclusive();                          /* the partner may be of any CPU now */
    if (x.linked) {
        gone = self->xfer.partner == NULL;          /* deleted while we waited */
        self->xfer = (struct xfer_link){ 0 };
        if (!gone)
            other->xfer = (struct xfer_link){ 0 };
    }
    if (!err) {
        for (unsigned k = 0; k < n; k++)
            r->utcb[first + k] = out[k];
        *words = n;
        *rerr = 0;
        return 0;
    }
    unsigned rcode = err == XE_SENDER_SIDE ? XE_RCVR_SIDE : err == XE_RCVR_SIDE ? XE_SENDER_SIDE : err;
    uint64_t sv = error_value(x.bytes, err, IPC_PHASE_SEND);
    uint64_t rv = error_value(x.bytes, rcode, IPC_PHASE_RECV);
    if (gone) {
        if (other == s)
            sv = XFER_DELETED;
        else
            rv = XFER_DELETED;
    }
    *rerr = rv;
    return sv;
}

/* ---- the partner's side ---- */

/* t's partner was deleted during the transfer: t ends its IPC with "aborted". */
static void end_orphaned(struct tcb *t)
{
    unsigned phase = (t->xfer.flags & XF_SENDER) ? IPC_PHASE_SEND : IPC_PHASE_RECV;
    uint64_t bytes = t->xfer.bytes;
    t->xfer = (struct xfer_link){ 0 };
    t->state = TS_READY;
    ipc_set_error(t, error_value(bytes, IPC_ERR_ABORTED, phase));
}

void xfer_serve(struct tcb *t)
{
    while (t->xfer.flags & XF_ACTIVE) {
        struct tcb *c = t->xfer.partner;
        if (!c) {
            end_orphaned(t);
            return;
        }
        unsigned res;
        if (t->xfer.flags & XF_ABORT) {
            res = IPC_ERR_ABORTED;
            if (!klock_may_touch(c) && klock_exclusive() && !(c = t->xfer.partner)) {
                end_orphaned(t);
                return;
            }
        } else if (t->xfer.req) {
            uint64_t req = t->xfer.req;
            t->xfer.req = 0;
            t->xfer.flags |= XF_IN_FAULT;
            res = fault_string_page(t, req >> 3, req & 7, t->xfer.req_timeout);
            t->xfer.flags &= ~XF_IN_FAULT;
            if (t->xfer.flags & XF_ABORT)
                res = IPC_ERR_ABORTED;
            if (!(t->xfer.flags & XF_ACTIVE))
                return;                             /* cannot happen: the copier waits */
            if (!klock_may_touch(c))
                klock_exclusive();                  /* the copier lives on another CPU */
            c = t->xfer.partner;
            if (!c) {
                end_orphaned(t);
                return;
            }
        } else {                                    /* woken for nothing: wait on */
            t->state = TS_XFER;
            sched_block(NULL);
            continue;
        }
        c->xfer.res = (uint8_t)res;
        t->state = TS_XFER;
        c->state = TS_READY;
        thread_make_ready(c);
        sched_block(c);
    }
}

/* t is in its fault IPC (blocked sending to or receiving from its pager): end it. */
static void stop_fault_ipc(struct tcb *t)
{
    if (t->state == TS_SENDING || t->state == TS_RECEIVING)
        ipc_cancel_wait(t);
}

unsigned xfer_cancel(struct tcb *t, bool send, bool recv)
{
    bool sender = t->xfer.flags & XF_SENDER;
    if (sender ? send : recv) {
        struct tcb *p = t->xfer.partner;
        t->xfer.flags |= XF_ABORT;
        stop_fault_ipc(t);
        if (p) {
            p->xfer.flags |= XF_ABORT;
            stop_fault_ipc(p);
        }
    }
    return sender ? 4 : 2;
}

void xfer_thread_deleted(struct tcb *t)
{
    struct tcb *p = t->xfer.partner;
    if (!(t->xfer.flags & XF_ACTIVE))
        return;
    t->xfer = (struct xfer_link){ 0 };
    if (!p)
        return;
    p->xfer.partner = NULL;
    p->xfer.flags |= XF_ABORT;
    if (p->state == TS_XFER) {
        p->state = TS_READY;
        thread_make_ready(p);
    } else {
        stop_fault_ipc(p);
    }
}
