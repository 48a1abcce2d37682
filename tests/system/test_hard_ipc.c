/* test_hard_ipc.c — hardening regression tests for IPC and the UTCB (issue 10, defects 6, 8, 13).
 *
 * IPC to oneself (defect 13): a send phase to oneself fails at once with "non-existing partner"
 * (send phase), whatever the id form and the send timeout; a closed receive from oneself waits
 * for its timeout (the Sleep idiom), never longer, and ExchangeRegisters can cancel it.
 *
 * Kernel-message replies (defect 8): a thread waiting for the reply to a kernel message (page
 * fault, exception, preemption message) accepts only as many words as the kernel saved of its
 * MRs.  A longer reply fails with a message overflow for the replier and leaves every MR of the
 * waiting thread as it was, through the fast path (ReplyWait) and the slow path (send only).
 *
 * Live UTCB words (defect 6): the kernel reads the typed items and the buffer registers once.
 * A receive buffer that covers the receiver's own BRs, rewriting them during the copy, changes
 * nothing the kernel follows; a sibling thread on another CPU rewriting the sender's MRs and
 * the receiver's BRs during long string copies gets only X.2 results; Unmap acts on the MRs
 * it read once.  Threads of these tests live in the root task's space, so the test reads
 * their UTCBs directly (tu_utcb_of + 512 is the UTCB pointer).
 */
#include <string.h>
#include <l4/l4.h>
#include "hard.h"

#define ERR(code, phase)         (((L4_Word_t)(code) << 1) | (phase))
#define ERRB(code, phase, bytes) (ERR(code, phase) | ((L4_Word_t)(bytes) << 4))
#define SHORT_WAIT_US   300000UL        /* a result that must come at once: within 0.3 s */
#define PAT(i)          (0x7A5E000000UL + (L4_Word_t)(i))   /* the MR pattern of a victim */

/* The UTCB pointer (MR0) of a thread in the root task's space. */
static volatile L4_Word_t *utcb_of(L4_ThreadId_t t)
{
    return (volatile L4_Word_t *)(tu_utcb_of(t) + 512);
}

/* A string item's first word: length, substrings, c (compound), C (another item follows). */
static L4_Word_t str_w0(L4_Word_t len, L4_Word_t subs, int compound, int more)
{
    return (len << 10) | ((subs - 1) << 4) | ((L4_Word_t)!!compound << 9) | (L4_Word_t)!!more;
}

/* ---- IPC to oneself (defect 13) ------------------------------------------------------------ */

struct selfipc {
    int op;                             /* what to do, SELF_* */
    L4_Time_t tmo;                      /* the timeout of the phase that waits */
    volatile L4_Word_t done, tag, err, t0, t1;
};
enum { SELF_SEND, SELF_SEND_LOCAL, SELF_SEND_TMO, SELF_CALL, SELF_REPLYWAIT, SELF_RECV };

static void self_ipc(void *arg)
{
    struct selfipc *s = arg;
    L4_ThreadId_t me = L4_Myself(), from;
    L4_MsgTag_t tag = L4_Niltag;
    L4_LoadMR(0, 0);
    s->t0 = L4_SystemClock().raw;
    switch (s->op) {
    case SELF_SEND:       tag = L4_Send(me); break;
    case SELF_SEND_LOCAL: tag = L4_Send(L4_MyLocalId()); break;
    case SELF_SEND_TMO:   tag = L4_Send_Timeout(me, s->tmo); break;
    case SELF_CALL:       tag = L4_Call(me); break;
    case SELF_REPLYWAIT:  tag = L4_ReplyWait(me, &from); break;
    case SELF_RECV:       tag = L4_Receive_Timeout(me, s->tmo); break;
    }
    s->t1 = L4_SystemClock().raw;
    s->err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    s->tag = tag.raw;
    s->done = 1;
}

/* Run op in a new thread; 1 if it finished within SHORT_WAIT_US. */
static int run_self(struct selfipc *s, int op, L4_Time_t tmo)
{
    *s = (struct selfipc){ .op = op, .tmo = tmo };
    L4_ThreadId_t t = tu_create(self_ipc, s, 100);
    return !L4_IsNilThread(t) && TU_WAIT_US_FOR(s->done, SHORT_WAIT_US);
}

HTEST(ipc_send_to_self)
{
    static struct selfipc s;
    static const int ops[] = { SELF_SEND, SELF_SEND_LOCAL, SELF_SEND_TMO };
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        int done = run_self(&s, ops[i], L4_TimePeriod(2000000));
        if (!done)
            printf("# send to oneself (op %d) still blocked\n", ops[i]);
        KCHECK(done);
        KCHECK(s.tag & 0x8000);                         /* E */
        KCHECK_EQ(s.err, ERR(2, 0));                    /* non-existing partner, send phase */
    }
}

HTEST(ipc_call_to_self)
{
    static struct selfipc s;
    KCHECK(run_self(&s, SELF_CALL, L4_Never));
    KCHECK(s.tag & 0x8000);
    KCHECK_EQ(s.err, ERR(2, 0));                        /* the send phase fails: no receive */
    KCHECK(run_self(&s, SELF_REPLYWAIT, L4_Never));
    KCHECK(s.tag & 0x8000);
    KCHECK_EQ(s.err, ERR(2, 0));
}

HTEST(ipc_receive_from_self)
{
    static struct selfipc s;
    /* With a timeout: the Sleep idiom, a receive timeout once it has passed. */
    KCHECK(run_self(&s, SELF_RECV, L4_TimePeriod(3000)));
    KCHECK(s.tag & 0x8000);
    KCHECK_EQ(s.err, ERR(1, 1));
    KCHECK(s.t1 - s.t0 >= 3000);
    /* Timeout zero: at once. */
    KCHECK(run_self(&s, SELF_RECV, L4_ZeroTime));
    KCHECK_EQ(s.err, ERR(1, 1));
    /* Timeout never: it waits (as the timeout says) until ExchangeRegisters cancels it. */
    s = (struct selfipc){ .op = SELF_RECV, .tmo = L4_Never };
    L4_ThreadId_t t = tu_create(self_ipc, &s, 100);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(tu_state(t) == L4_SCHEDRESULT_WAITING || s.done));
    KCHECK(!s.done);
    (void)__L4_ExReg(t, L4_EXREGS_CANCEL_RECV, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0,
                     (L4_Word_t *)0);
    KCHECK(TU_WAIT_US_FOR(s.done, SHORT_WAIT_US));
    KCHECK_EQ(s.err, ERR(3, 1));                        /* cancelled, receive phase */
}

/* ---- kernel-message replies (defect 8) ----------------------------------------------------- */

#define UNMAPPED        0x6D000000UL    /* never mapped in the root task's space */
#define LONG_REPLY      40              /* words of the too-long reply (the limit is 20 or 21) */

enum { KM_PAGEFAULT, KM_EXCEPTION };

struct kvictim {
    int kind;
    L4_ThreadId_t handler;              /* its pager or exception handler */
    volatile L4_Word_t loaded, resumed;
};

/* Load MR1..MR63 with PAT(i), then fault (page fault or ud2).  The handler's too-long reply
 * must fail, leaving it halted. */
static void kvictim_run(void *arg)
{
    struct kvictim *v = arg;
    if (v->kind == KM_PAGEFAULT)
        L4_Set_PagerOf(L4_Myself(), v->handler);
    else
        L4_Set_ExceptionHandler(v->handler);
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, PAT(i));
    v->loaded = 1;
    if (v->kind == KM_PAGEFAULT)
        (void)*(volatile L4_Word_t *)UNMAPPED;
    else
        __asm__ volatile("ud2");
    v->resumed = 1;
    tu_sleep_forever(0);
}

struct khandler {
    int slow;                           /* reply send-only (slow path), else ReplyWait */
    L4_Word_t words;                    /* preemption: the reply's length (0: LONG_REPLY) */
    volatile L4_Word_t got, msg_tag, replied, reply_tag, reply_err, again;
};

/* Receive one kernel message and answer it with LONG_REPLY untyped words (for an exception the
 * first 18 are the registers, RIP past the ud2): by a ReplyWait with receive timeout never, the
 * fast path's case (the send phase's result is known once the receive ends: the test cancels
 * it if nothing arrives), or send-only, which the fast path never takes (then wait 0.1 s for
 * another message).  `again`: the victim faulted again after a reply that should have failed. */
static void khandler_run(void *arg)
{
    struct khandler *h = arg;
    L4_ThreadId_t from;
    L4_Word_t mr[64];
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    h->msg_tag = tag.raw;
    L4_StoreMRs(1, 63, &mr[1]);
    h->got = 1;
    if (L4_UntypedWords(tag) >= 18 && (L4_Label(tag) & ~0xFUL) == TU_LABEL_EXCEPTION)
        mr[1] += 2;                                     /* RIP past the ud2 */
    else
        for (int i = 1; i <= 18; i++)
            mr[i] = 0xBAD0000 + (L4_Word_t)i;
    for (int i = 19; i <= LONG_REPLY; i++)
        mr[i] = 0xBAD0000 + (L4_Word_t)i;
    L4_LoadMRs(1, LONG_REPLY, &mr[1]);
    L4_LoadMR(0, L4_MsgTagMake(0, LONG_REPLY, 0).raw);
    if (h->slow) {
        tag = L4_Send(from);
        h->reply_tag = tag.raw;
        h->reply_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
        tag = L4_Wait_Timeout(L4_TimePeriod(100000), &from);
        h->again = L4_IpcSucceeded(tag);
    } else {
        tag = L4_ReplyWait(from, &from);
        h->reply_tag = tag.raw;
        h->reply_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
        h->again = L4_IpcSucceeded(tag);
    }
    h->replied = 1;
    tu_sleep_forever(0);
}

/* One kernel message of `kind` answered too long through the fast (slow = 0) or slow path. */
static void too_long_reply(int kind, int slow)
{
    static struct kvictim v;
    static struct khandler h;
    v = (struct kvictim){ .kind = kind };
    h = (struct khandler){ .slow = slow };
    L4_ThreadId_t ht = tu_create(khandler_run, &h, 100);
    KCHECK(!L4_IsNilThread(ht));
    v.handler = ht;
    L4_ThreadId_t vt = tu_create(kvictim_run, &v, 100);
    KCHECK(!L4_IsNilThread(vt));
    KCHECK(TU_WAIT(h.got));
    L4_MsgTag_t m = { .raw = h.msg_tag };
    KCHECK_EQ(L4_Label(m) & ~0xFUL, kind == KM_PAGEFAULT ? TU_LABEL_PAGEFAULT : TU_LABEL_EXCEPTION);
    if (!TU_WAIT_US_FOR(h.replied, SHORT_WAIT_US)) {
        /* The fast-path handler still waits: its send phase succeeded. */
        (void)__L4_ExReg(ht, L4_EXREGS_CANCEL_RECV, 0, 0, 0, (L4_Word_t *)0, (L4_Word_t *)0,
                         (L4_Word_t *)0);
        KCHECK(TU_WAIT(h.replied));
    }
    if (h.reply_err != ERR(4, 0))
        printf("# %s reply to %s: tag %lx ErrorCode %lx, again %lu\n", slow ? "slow" : "fast",
               kind == KM_PAGEFAULT ? "a page fault" : "an exception", h.reply_tag, h.reply_err, h.again);
    KCHECK(h.reply_tag & 0x8000);
    KCHECK_EQ(h.reply_err, ERR(4, 0));                  /* message overflow, send phase */
    KCHECK(!h.again);
    KCHECK(!v.resumed);                                 /* its kernel IPC failed: halted */
    volatile L4_Word_t *u = utcb_of(vt);
    for (int i = 1; i < 64; i++)
        if (u[i] != PAT(i)) {
            printf("# MR%d of the faulting thread: %lx\n", i, u[i]);
            KCHECK_EQ(u[i], PAT(i));
        }
}

HTEST(kreply_pagefault_fast)  { too_long_reply(KM_PAGEFAULT, 0); }
HTEST(kreply_pagefault_slow)  { too_long_reply(KM_PAGEFAULT, 1); }
HTEST(kreply_exception_fast)  { too_long_reply(KM_EXCEPTION, 0); }
HTEST(kreply_exception_slow)  { too_long_reply(KM_EXCEPTION, 1); }

/* Preemption messages: the preemptee spins checking its MR1..MR63 (the kernel restores them
 * before it runs again); its scheduler answers the first message too long, later ones empty. */
struct kpreempt {
    volatile L4_Word_t count, bad;
};

static void kpreemptee_run(void *arg)
{
    struct kpreempt *p = arg;
    for (int i = 1; i < 64; i++)
        L4_LoadMR(i, PAT(i));
    for (;;) {
        L4_Word_t w;
        for (int i = 1; i < 64; i++) {
            L4_StoreMR(i, &w);
            if (w != PAT(i) && !p->bad)
                p->bad = (L4_Word_t)i;
        }
        p->count++;
    }
}

static void kscheduler_run(void *arg)
{
    struct khandler *h = arg;
    L4_ThreadId_t from;
    L4_Accept(L4_UntypedWordsAcceptor);
    L4_MsgTag_t tag = L4_Wait(&from);
    h->msg_tag = tag.raw;
    h->got = 1;
    L4_Word_t n = h->words ? h->words : LONG_REPLY;
    for (L4_Word_t i = 1; i <= n; i++)
        L4_LoadMR((int)i, 0xBAD0000 + i);
    L4_LoadMR(0, L4_MsgTagMake(0, n, 0).raw);
    if (h->slow) {
        tag = L4_Send(from);
        h->reply_tag = tag.raw;
        h->reply_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
        h->replied = 1;
        tag = L4_Wait(&from);
    } else {
        tag = L4_ReplyWait(from, &from);
        /* The send phase's result: E only if it failed (the receive has not begun then). */
        h->reply_tag = tag.raw;
        h->reply_err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
        h->replied = 1;
        if (L4_IpcFailed(tag))
            tag = L4_Wait(&from);
    }
    for (;;) {                                          /* later messages: empty answers */
        h->again++;
        L4_LoadMR(0, 0);
        tag = L4_ReplyWait(from, &from);
    }
}

/* The scheduler answers the first preemption message with `words` words (0: too long). */
static void preemption_reply(int slow, L4_Word_t words)
{
    static struct kpreempt p;
    static struct khandler h;
    static volatile L4_Word_t other;
    p = (struct kpreempt){ 0 };
    h = (struct khandler){ .slow = slow, .words = words };
    if (!L4_HasFeature(L4_FEATURE_PREEMPTMSG))
        KSKIP("no preemption messages");
    L4_ThreadId_t st = tu_create(kscheduler_run, &h, 200);
    L4_ThreadId_t b = tu_create(tu_spin, (void *)&other, 100);
    L4_ThreadId_t pt = tu_create(kpreemptee_run, &p, 100);
    KCHECK(!L4_IsNilThread(st) && !L4_IsNilThread(b) && !L4_IsNilThread(pt));
    KCHECK(TU_WAIT(p.count > 0));
    KCHECK(L4_ThreadControl(pt, tu_root(), st, L4_nilthread, (void *)-1));
    KCHECK(L4_Set_Timeslice(pt, L4_TimePeriod(2000), L4_Never) != L4_SCHEDRESULT_ERROR);
    KCHECK(L4_Set_PreemptionControl(pt, L4_PREEMPTCTRL_MSG) != L4_SCHEDRESULT_ERROR);
    KCHECK(TU_WAIT(h.replied));
    L4_MsgTag_t m = { .raw = h.msg_tag };
    KCHECK_EQ(L4_Label(m) & ~0xFUL, L4_LABEL_PREEMPTION & ~0xFUL);
    L4_Word_t c0 = p.count;
    KCHECK(TU_WAIT(p.count > c0 + 100));               /* it runs on */
    if (h.reply_err != (words ? 0 : ERR(4, 0)) || p.bad)
        printf("# %s reply to a preemption message: tag %lx ErrorCode %lx; MR%lu changed\n",
               slow ? "slow" : "fast", h.reply_tag, h.reply_err, p.bad);
    if (words) {
        KCHECK_EQ(h.reply_err, 0);                      /* fits: taken, MRs restored */
    } else {
        KCHECK(h.reply_tag & 0x8000);
        KCHECK_EQ(h.reply_err, ERR(4, 0));              /* message overflow, send phase */
    }
    KCHECK_EQ(p.bad, 0);                                /* its MRs never changed */
}

HTEST(kreply_preemption_fast) { preemption_reply(0, 0); }
HTEST(kreply_preemption_slow) { preemption_reply(1, 0); }
/* The longest reply a preemption message takes (21 words): the preemptee's MRs survive it. */
HTEST(kreply_preemption_limit) { preemption_reply(0, 21); }

/* ---- a receive buffer over the receiver's own BRs (defect 6) ------------------------------- */

#define SRC_LEN         1024            /* the sender's string */
#define PIECE           32              /* the substring length of the receiver's buffer item */

static L4_Word_t self_src[SRC_LEN / 8] __attribute__((aligned(4096)));
static unsigned char self_x[PIECE] __attribute__((aligned(64)));        /* where piece 2 goes */
static unsigned char self_decoy[4096] __attribute__((aligned(4096)));   /* named by the rewrite */

struct overlap {
    L4_ThreadId_t sender, receiver;
    L4_Word_t utcb;                     /* the receiver's UTCB pointer (for the checks) */
    volatile L4_Word_t go, ready, done, tag, err;
    volatile L4_Word_t sdone, stag, serr;
};

/* The receiver: BR1 is a compound item of 27 empty substrings, so the logical buffer goes on
 * at BR29: 2 substrings of PIECE bytes, the first (BR30) over BR32..BR29 themselves, the second
 * (BR31) at self_x.  The padding words after BR32 and BR32..BR29 all name the decoy page: a
 * kernel that reads them again after the first piece has rewritten BR29 (now 32 substrings)
 * follows them, and on past the UTCB's start. */
static void overlap_receiver(void *arg)
{
    struct overlap *o = arg;
    L4_Word_t utcb = L4_MyLocalId().raw;                /* the UTCB pointer */
    volatile L4_Word_t *u = (volatile L4_Word_t *)utcb;
    L4_LoadBR(0, L4_ACCEPT_STRINGS);
    L4_LoadBR(1, str_w0(0, 27, 1, 0));
    for (int i = 2; i <= 28; i++)
        L4_LoadBR(i, (L4_Word_t)self_x);
    L4_LoadBR(29, str_w0(PIECE, 2, 0, 0));
    L4_LoadBR(30, utcb - 128 - 8 * 32);                 /* the address of BR32 */
    L4_LoadBR(31, (L4_Word_t)self_x);
    L4_LoadBR(32, (L4_Word_t)self_decoy);
    for (int i = 33; i <= 47; i++)                      /* padding: BR33..BR47 */
        u[-16 - i] = (L4_Word_t)self_decoy + 64 * (L4_Word_t)(i - 32);
    L4_ThreadId_t from;
    o->ready = 1;
    L4_MsgTag_t tag = L4_Ipc(L4_nilthread, o->sender,
                             L4_Timeouts(L4_Never, L4_TimePeriod(2000000)), &from);
    o->err = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    o->tag = tag.raw;
    o->done = 1;
    tu_sleep_forever(0);
}

/* The sender: one simple string of SRC_LEN bytes from self_src, once the receiver waits. */
static void overlap_sender(void *arg)
{
    struct overlap *o = arg;
    while (!o->go || !o->ready)
        L4_Sleep(L4_TimePeriod(1000));
    L4_Sleep(L4_TimePeriod(2000));                      /* the receiver is in its receive */
    L4_Word_t mr[2] = { str_w0(SRC_LEN, 1, 0, 0), (L4_Word_t)self_src };
    L4_LoadMRs(1, 2, mr);
    L4_LoadMR(0, L4_MsgTagMake(0x51, 0, 2).raw);
    L4_MsgTag_t tag = L4_Send_Timeout(o->receiver, L4_TimePeriod(2000000));
    o->serr = L4_IpcFailed(tag) ? L4_ErrorCode() : 0;
    o->stag = tag.raw;
    o->sdone = 1;
    tu_sleep_forever(0);
}

HTEST(xfer_buffer_over_own_brs)
{
    static struct overlap o;
    o = (struct overlap){ 0 };
    self_src[0] = self_src[1] = self_src[2] = (L4_Word_t)self_decoy;   /* -> BR32, BR31, BR30 */
    self_src[3] = str_w0(PIECE, 32, 0, 0);                              /* -> BR29 */
    for (unsigned i = 4; i < SRC_LEN / 8; i++)
        self_src[i] = 0x5500000000UL + i;
    memset(self_x, 0xEE, sizeof(self_x));
    memset(self_decoy, 0xEE, sizeof(self_decoy));
    o.sender = tu_create(overlap_sender, &o, 100);
    KCHECK(!L4_IsNilThread(o.sender));
    o.receiver = tu_create(overlap_receiver, &o, 100);
    KCHECK(!L4_IsNilThread(o.receiver));
    o.utcb = tu_utcb_of(o.receiver) + 512;
    o.go = 1;
    KCHECK(TU_WAIT(o.done && o.sdone));
    /* The buffer as it was when the IPC began: 2 pieces, 64 bytes, then overflow. */
    if (o.serr != ERRB(4, 0, 2 * PIECE) || o.err != ERRB(4, 1, 2 * PIECE))
        printf("# sender: tag %lx ErrorCode %lx; receiver: tag %lx ErrorCode %lx\n", o.stag,
               o.serr, o.tag, o.err);
    KCHECK_EQ(o.serr, ERRB(4, 0, 2 * PIECE));
    KCHECK_EQ(o.err, ERRB(4, 1, 2 * PIECE));
    volatile L4_Word_t *u = (volatile L4_Word_t *)o.utcb;
    for (int k = 0; k < 4; k++)                         /* piece 1: BR32..BR29 */
        KCHECK_EQ(u[-16 - (32 - k)], self_src[k]);
    KCHECK_EQ(memcmp(self_x, (unsigned char *)self_src + PIECE, PIECE), 0);   /* piece 2 */
    for (unsigned i = 0; i < sizeof(self_decoy); i++)
        KCHECK_EQ(self_decoy[i], 0xEE);                 /* nothing went where the rewrite said */
    for (int i = 33; i <= 47; i++)                      /* the padding: only the receiver's */
        KCHECK_EQ(u[-16 - i], (L4_Word_t)self_decoy + 64 * (L4_Word_t)(i - 32));
    KCHECK_EQ(u[-64], o.utcb);                          /* the UTCB's self word */
}

/* ---- a sibling on another CPU rewriting MRs and BRs (defect 6) ----------------------------- */

/* Every word the sibling or the two partners write is safe in each role the kernel may give
 * it: an address lies in the first ADDR_SPAN bytes of its area, and any length the kernel can
 * read (an item's, at most MAX_LEN, or an address word read as an item: address >> 10) ends
 * inside the area, whose last GUARD bytes nobody may write. */
#define RACE_AREA       (224 * 1024UL)
#define ADDR_SPAN       (64 * 1024UL)
#define MAX_LEN         (16 * 1024UL)
#define GUARD           (32 * 1024UL)
#define RACE_ROUNDS     150
#define RACE_WORDS      8               /* MR1..MR8 (one item and addresses), BR1..BR8 */

static unsigned char race_src[RACE_AREA] __attribute__((aligned(4096)));
static unsigned char race_dst[RACE_AREA] __attribute__((aligned(4096)));

struct race {
    L4_ThreadId_t sender, receiver;
    volatile L4_Word_t *smr, *rbr;      /* the sender's MR0, the receiver's BR0 */
    volatile L4_Word_t go, stop, flips;
    volatile L4_Word_t sent, sok, sbad, rdone, rok, rbad, last_bad;
};

static L4_Word_t race_rand(L4_Word_t *x)
{
    *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
    return *x;
}

/* A safe address in area a (16-byte aligned: as an item it is a string item). */
static L4_Word_t race_addr(const unsigned char *a, L4_Word_t r)
{
    return (L4_Word_t)a + ((r % ADDR_SPAN) & ~15UL);
}

/* A string item with 1..RACE_WORDS-1 substrings, random c and C bits, length <= MAX_LEN. */
static L4_Word_t race_item(L4_Word_t r)
{
    L4_Word_t subs = 1 + (r >> 8) % (RACE_WORDS - 1);
    return str_w0((r >> 16) % (MAX_LEN + 1), subs, (int)((r >> 3) & 1), (int)((r >> 5) & 1));
}

/* Is e an X.2 IPC ErrorCode of the given phase? */
static int x2_error(L4_Word_t e, L4_Word_t phase)
{
    L4_Word_t code = (e >> 1) & 7;
    return (e & 1) == phase && code >= 1 && (code <= 3 ? (e >> 4) == 0 : 1);
}

static void race_sender(void *arg)
{
    struct race *c = arg;
    L4_Word_t x = 0x9E3779B97F4A7C15UL;
    L4_Set_XferTimeouts(L4_Timeouts(L4_TimePeriod(100000), L4_TimePeriod(100000)));
    while (!c->go)
        L4_Sleep(L4_TimePeriod(1000));
    for (L4_Word_t n = 0; n < RACE_ROUNDS && !c->stop; n++) {
        L4_Word_t mr[RACE_WORDS + 1];
        mr[1] = str_w0(MAX_LEN, RACE_WORDS - 1, 0, 0);
        for (int i = 2; i <= RACE_WORDS; i++)
            mr[i] = race_addr(race_src, race_rand(&x));
        L4_LoadMRs(1, RACE_WORDS, &mr[1]);
        L4_LoadMR(0, L4_MsgTagMake(0x77, 0, RACE_WORDS).raw);
        L4_MsgTag_t tag = L4_Send_Timeout(c->receiver, L4_TimePeriod(500000));
        if (L4_IpcSucceeded(tag))
            c->sok++;
        else if (!x2_error(L4_ErrorCode(), 0))
            c->sbad++, c->last_bad = L4_ErrorCode();
        c->sent = n + 1;
    }
    c->stop = 1;
    tu_sleep_forever(0);
}

static void race_receiver(void *arg)
{
    struct race *c = arg;
    L4_Word_t x = 0xD1B54A32D192ED03UL;
    L4_Set_XferTimeouts(L4_Timeouts(L4_TimePeriod(100000), L4_TimePeriod(100000)));
    for (;;) {
        L4_LoadBR(0, L4_ACCEPT_STRINGS);
        L4_LoadBR(1, str_w0(MAX_LEN, 4, 0, 0));
        for (int i = 2; i <= 32; i++)
            L4_LoadBR(i, race_addr(race_dst, race_rand(&x)));
        L4_ThreadId_t from;
        L4_MsgTag_t tag = L4_Ipc(L4_nilthread, c->sender,
                                 L4_Timeouts(L4_Never, L4_TimePeriod(500000)), &from);
        if (L4_IpcSucceeded(tag))
            c->rok++;
        else if (!x2_error(L4_ErrorCode(), 1))
            c->rbad++, c->last_bad = L4_ErrorCode();
        c->rdone++;
    }
}

/* On another CPU: rewrite the sender's MR1..MR8 and the receiver's BR1..BR8 as fast as it
 * can: the first item word (MR1, BR1) with items of other lengths, substring counts, c and C
 * bits, the others with other addresses.  (An item word is never where a first item is not:
 * read as an address it could name any page.) */
static void race_sibling(void *arg)
{
    struct race *c = arg;
    L4_Word_t x = 0x2545F4914F6CDD1DUL;
    while (!c->stop) {
        L4_Word_t r = race_rand(&x);
        unsigned i = 1 + (unsigned)(r % RACE_WORDS);
        c->smr[i] = i == 1 ? race_item(race_rand(&x)) : race_addr(race_src, race_rand(&x));
        c->rbr[-(long)i] = i == 1 ? race_item(race_rand(&x)) : race_addr(race_dst, race_rand(&x));
        c->flips++;
    }
    tu_sleep_forever(0);
}

HTEST(xfer_sibling_rewrites_items)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    static struct race c;
    c = (struct race){ 0 };
    KCHECK(((L4_Word_t)race_src + ADDR_SPAN) >> 10 <= RACE_AREA - ADDR_SPAN - GUARD);
    KCHECK(((L4_Word_t)race_dst + ADDR_SPAN) >> 10 <= RACE_AREA - ADDR_SPAN - GUARD);
    for (L4_Word_t i = 0; i < RACE_AREA; i++)
        race_src[i] = (unsigned char)(i * 7 + 3);
    memset(race_dst, 0xEE, RACE_AREA);
    c.receiver = tu_create(race_receiver, &c, 100);
    c.sender = tu_create(race_sender, &c, 100);
    KCHECK(!L4_IsNilThread(c.receiver) && !L4_IsNilThread(c.sender));
    c.smr = utcb_of(c.sender);
    c.rbr = utcb_of(c.receiver) - 16;                   /* BR0: BR i is rbr[-i] */
    L4_ThreadId_t w = tu_create_on(race_sibling, &c, 100, 1);
    KCHECK(!L4_IsNilThread(w));
    KCHECK(TU_WAIT(c.flips > 1000));
    c.go = 1;
    int ended = TU_WAIT(c.stop);
    c.stop = 1;
    printf("# %lu IPCs (%lu sent, %lu received), %lu rewrites\n", c.sent, c.sok, c.rok, c.flips);
    KCHECK(ended);
    KCHECK_EQ(c.sent, RACE_ROUNDS);
    KCHECK_EQ(c.sbad, 0);                               /* only X.2 results */
    KCHECK_EQ(c.rbad, 0);
    for (L4_Word_t i = RACE_AREA - GUARD; i < RACE_AREA; i++)
        KCHECK_EQ(race_dst[i], 0xEE);                   /* nothing beyond the safe words */
    KCHECK(tu_delete(w));
}

/* ---- Unmap with its MRs changed by a sibling (defect 6) ------------------------------------ */

static unsigned char unmap_area[4 * 4096] __attribute__((aligned(16384)));

struct unmap_race {
    volatile L4_Word_t *mr;             /* the caller's MR0 */
    volatile L4_Word_t go, stop, calls, flips;
};

/* An fpage that revokes nothing: a page of unmap_area (mapped to nobody) or an IO fpage. */
static L4_Word_t unmap_word(L4_Word_t r)
{
    if (r & 1)
        return (0x80UL << 16) | ((r >> 1) % 4 << 10) | (2 << 4) | 7;   /* ports 0x80.. */
    return L4_FpageLog2((L4_Word_t)unmap_area + ((r >> 1) % 4) * 4096, 12).raw | 7;
}

static void unmap_caller(void *arg)
{
    struct unmap_race *u = arg;
    L4_Word_t x = 0x6A09E667F3BCC909UL;
    while (!u->go)
        L4_Sleep(L4_TimePeriod(1000));
    while (!u->stop) {
        for (int i = 0; i < 64; i++)
            L4_LoadMR(i, unmap_word(race_rand(&x)));
        L4_Unmap(63);                                   /* MR0..MR63, no flush */
        u->calls++;
    }
    tu_sleep_forever(0);
}

static void unmap_sibling(void *arg)
{
    struct unmap_race *u = arg;
    L4_Word_t x = 0xBB67AE8584CAA73BUL;
    while (!u->stop) {
        L4_Word_t r = race_rand(&x);
        u->mr[r % 64] = unmap_word(race_rand(&x));
        u->flips++;
    }
    tu_sleep_forever(0);
}

HTEST(unmap_sibling_rewrites_mrs)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    static struct unmap_race u;
    u = (struct unmap_race){ 0 };
    for (unsigned i = 0; i < sizeof(unmap_area); i += 4096)
        unmap_area[i] = 1;                              /* mapped in the root task */
    L4_ThreadId_t t = tu_create(unmap_caller, &u, 100);
    KCHECK(!L4_IsNilThread(t));
    u.mr = utcb_of(t);
    L4_ThreadId_t w = tu_create_on(unmap_sibling, &u, 100, 1);
    KCHECK(!L4_IsNilThread(w));
    KCHECK(TU_WAIT(u.flips > 1000));
    u.go = 1;
    L4_Word_t c0 = u.calls;
    KCHECK(TU_WAIT(u.calls > c0 + 2000));
    u.stop = 1;
    printf("# %lu Unmap calls, %lu rewrites\n", u.calls, u.flips);
    for (unsigned i = 0; i < sizeof(unmap_area); i += 4096)
        KCHECK_EQ(unmap_area[i], 1);                    /* still mapped: nothing was flushed */
    KCHECK(tu_delete(w));
}
