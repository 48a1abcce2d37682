/* test_string.c — in-system tests of string items (X.2 typed items, docs/abi/ipc.md): the libl4
 * item and buffer words; simple, empty, gather, scatter, compound and several strings, mixed
 * with untyped words and a map item, 64 KiB across many pages, a string in a Call's reply;
 * message overflow (short buffer, no s bit, too few buffers, kernel addresses, an item past
 * u + t); page faults in the sender's and in the receiver's space resolved by their pager,
 * whichever thread runs the copy; xfer timeouts (zero, a pager that never answers, the earlier
 * of the two partners' limits); ExchangeRegisters cancelling and deleting a partner while a
 * fault waits.
 *
 * Every IPC runs on an "actor" thread (struct actor): it waits for its gate if asked, reads
 * the pages of `touch` (so that they are mapped in its space), loads its acceptor, buffers and
 * message, marks itself ready and makes one IPC; it stores the returned tag, ErrorCode, MR1..
 * and SystemClock before and after; a server actor then sends `reply` to its partner.  Actors
 * in new spaces run this same program; with `pager` set they make the test pager below (tutil's
 * logging pager, struct tu_pager) their pager first.  It logs every fault in the string areas SRC and DST and answers by mapping the
 * root task's page at the same address (the root task fills both areas, so the new space sees
 * the same bytes), except on `pf.silent_page` (no answer) and, with `empty_first`, the first
 * fault on each page (an empty answer: the kernel retries).  Faults elsewhere (code, stack,
 * the actor records) it resolves the same way without logging them.
 */
#include <string.h>
#include <l4/l4.h>
#include "tutil.h"

#define PAGE            4096UL
#define AREA_SIZE       0x14000UL       /* 80 KiB each: SRC and DST */
#define SENTINEL        0xEE
#define WIN             0x6E000000UL    /* receive window of a new-space receiver (never touched) */
#define MAP_MARK        0x3A9C0DE5A4D0000UL
#define WAIT_TMO        L4_TimePeriod(5000000)
#define ERR(code, phase)        (((L4_Word_t)(code) << 1) | (phase))
#define ERRB(code, phase, bytes) (ERR(code, phase) | ((L4_Word_t)(bytes) << 4))

static unsigned char src_area[AREA_SIZE] __attribute__((aligned(4096)));
static unsigned char dst_area[AREA_SIZE] __attribute__((aligned(4096)));
static L4_Word_t map_page[PAGE / 8] __attribute__((aligned(4096)));

#define SRC             ((L4_Word_t)src_area)
#define DST             ((L4_Word_t)dst_area)

/* ---- the test pager ----------------------------------------------------------------------- */

static int in_areas(L4_Word_t a)
{
    return a - SRC < AREA_SIZE || a - DST < AREA_SIZE;
}

static volatile L4_Word_t empty_first;          /* first fault on a page: empty answer */

/* A fault in SRC or DST: the root task's page (empty the first time with empty_first). */
static void answer(struct tu_pager *p, L4_Word_t i, L4_Word_t addr, L4_Msg_t *msg)
{
    if (empty_first && !tu_pager_seen(p, addr, i))
        return;
    L4_Word_t page = addr & ~(PAGE - 1);
    (void)*(volatile char *)page;                   /* the root task has it */
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(page, 12), L4_FullyAccessible);
    L4_MsgAppendMapItem(msg, L4_MapItem(f, page));
}

static struct tu_pager pf = { .watched = in_areas, .answer = answer };

static L4_ThreadId_t new_pager(void)
{
    return tu_create(tu_pager_loop, &pf, TU_ROOT_PRIO - 1);
}

/* Is fault f from t, on addr's page at or after the page start and at most addr, with access
 * rwx and an IP in the program's code?  (prints what differs) */
static int fault_is(const struct tu_fault *f, L4_ThreadId_t t, L4_Word_t addr, L4_Word_t rwx)
{
    L4_MsgTag_t tag = { .raw = f->tag };
    L4_Word_t page = addr & ~(PAGE - 1);
    int ok = (L4_Label(tag) & ~0xFUL) == TU_LABEL_PAGEFAULT && tu_fault_access(f) == rwx &&
             L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0 && f->addr >= page &&
             f->addr <= addr && f->from == t.raw && f->ip >= 0x1000000UL &&
             f->ip < (L4_Word_t)__start_ktests;         /* .rodata follows .text */
    if (!ok)
        printf("# fault tag %lx addr %lx ip %lx from %lx; expected access %lx addr %lx from %lx\n",
               f->tag, f->addr, f->ip, f->from, rwx, addr, t.raw);
    return ok;
}

/* Has a fault on addr's page been logged? */
static int faulted_on(L4_Word_t addr)
{
    return tu_pager_seen(&pf, addr, pf.n);
}

/* ---- actors ------------------------------------------------------------------------------- */

struct actor {
    /* in */
    L4_ThreadId_t to, from_spec;        /* the IPC's partners (nilthread: no phase) */
    L4_ThreadId_t pager;                /* not nil: become its pager first */
    L4_Word_t gated;                    /* wait for go before the IPC */
    L4_Word_t touch[2];                 /* read these addresses first (0: none) */
    L4_Word_t xfer;                     /* XferTimeouts */
    L4_Word_t acceptor;                 /* BR0 (with s: buffers from buf) */
    L4_MsgBuffer_t buf;
    L4_Msg_t msg;                       /* sent if `to` is not nil */
    L4_Word_t has_reply;                /* after a successful receive, send `reply` back */
    L4_Msg_t reply;
    L4_Word_t read_after;               /* read this word after the IPC (0: none) */
    /* out */
    L4_ThreadId_t tid;                  /* set by here() and away() */
    volatile L4_Word_t go, started, ready, done;
    L4_Word_t tag, err, from, t0, t1, reply_tag, reply_err, after;
    L4_Word_t mr[L4_NUM_MRS];           /* [0] the returned tag, [1..63] MR1..MR63 */
};

static struct actor snd, rcv;

static void actor_run(void *arg)
{
    struct actor *a = arg;
    if (!L4_IsNilThread(a->pager))
        L4_Set_PagerOf(L4_Myself(), a->pager);
    for (int i = 0; i < 2; i++)
        if (a->touch[i])
            (void)*(volatile char *)a->touch[i];
    a->started = 1;
    while (a->gated && !a->go)
        L4_Sleep(L4_TimePeriod(1000));
    L4_ThreadId_t to = a->to, from_spec = a->from_spec, from = L4_nilthread;
    L4_Set_XferTimeouts(a->xfer);
    if (a->acceptor & L4_ACCEPT_STRINGS)
        L4_AcceptStrings((L4_Acceptor_t){ .raw = a->acceptor }, &a->buf);
    else
        L4_Accept((L4_Acceptor_t){ .raw = a->acceptor });
    L4_Msg_t *msg = &a->msg;
    (void)*(volatile L4_Word_t *)&a->ready;             /* mapped before the MRs are loaded */
    if (!L4_IsNilThread(to))
        L4_MsgLoad(msg);
    a->t0 = L4_SystemClock().raw;
    a->ready = 1;
    L4_MsgTag_t tag = L4_Ipc(to, from_spec, L4_Timeouts(WAIT_TMO, WAIT_TMO), &from);
    L4_Word_t err = L4_ErrorCode(), t1 = L4_SystemClock().raw;
    L4_Word_t mr[L4_NUM_MRS];
    L4_StoreMRs(1, L4_NUM_MRS - 1, &mr[1]);
    mr[0] = tag.raw;
    a->t1 = t1;
    a->tag = tag.raw;
    a->err = L4_IpcFailed(tag) ? err : 0;
    a->from = from.raw;
    memcpy(a->mr, mr, sizeof(mr));
    if (a->has_reply && L4_IpcSucceeded(tag)) {
        L4_MsgLoad(&a->reply);
        L4_MsgTag_t r = L4_Ipc(from, L4_nilthread, L4_Timeouts(WAIT_TMO, L4_Never), &from);
        a->reply_tag = r.raw;
        a->reply_err = L4_IpcFailed(r) ? L4_ErrorCode() : 0;
    }
    if (a->read_after)
        a->after = *(volatile L4_Word_t *)a->read_after;
    a->done = 1;
}

/* Fill both areas (sources with a pattern, destinations with SENTINEL), clear the actors and
 * the pager's log and modes. */
static void reset(void)
{
    for (L4_Word_t i = 0; i < AREA_SIZE; i++)
        src_area[i] = (unsigned char)(i * 13 + (i >> 8) + 1);
    memset(dst_area, SENTINEL, AREA_SIZE);
    memset(&snd, 0, sizeof(snd));
    memset(&rcv, 0, sizeof(rcv));
    memset(pf.e, 0, sizeof(pf.e));
    pf.n = pf.others = pf.silent_page = 0;
    empty_first = 0;
}

/* Make a a receiver (any sender) with string buffers and, if window is not nil, map items. */
static void receiver(struct actor *a, L4_Fpage_t window)
{
    a->to = L4_nilthread;
    a->from_spec = L4_anythread;
    a->acceptor = L4_ACCEPT_STRINGS | L4_MapGrantItems(window).raw;
    L4_MsgBufferClear(&a->buf);
}

/* Make a a sender to `to` of label 0x5A and no words yet. */
static void sender(struct actor *a, L4_ThreadId_t to)
{
    a->to = to;
    a->from_spec = L4_nilthread;
    L4_MsgClear(&a->msg);
    L4_Set_MsgLabel(&a->msg, 0x5A);
}

/* Run a in the root task's space, or in a new space (pager: the test pager, or nil: tutil's). */
static L4_ThreadId_t here(struct actor *a)
{
    return a->tid = tu_create(actor_run, a, 100);
}
static L4_ThreadId_t away(struct actor *a, L4_ThreadId_t pager)
{
    a->pager = pager;
    return a->tid = tu_space_thread(actor_run, a, 100);
}

/* Has actor a (thread t) reached its IPC and blocked there in `state`? */
static int blocked(struct actor *a, L4_ThreadId_t t, L4_Word_t state)
{
    return TU_WAIT(a->ready && tu_state(t) == state);
}

static int both_done(void)
{
    if (TU_WAIT(snd.done && rcv.done))
        return 1;
    printf("# actors not done: sender ready %lu done %lu state %lu, receiver ready %lu done %lu "
           "state %lu; faults: test pager %lu (+%lu elsewhere), tutil pager %lu\n",
           snd.ready, snd.done, tu_state(snd.tid), rcv.ready, rcv.done, tu_state(rcv.tid), pf.n,
           pf.others, tu_pager_log.faults);
    return 0;
}

static L4_StringItem_t item_at(const struct actor *a, L4_Word_t mr)
{
    L4_StringItem_t s = L4_StringItem(0, 0);
    s.raw[0] = a->mr[mr];
    s.raw[1] = a->mr[mr + 1];
    return s;
}

/* ---- comparing bytes ---------------------------------------------------------------------- */

struct seg {
    L4_Word_t addr, len;
};

/* Do the n destination segments d[] hold the first `total` bytes of the concatenated source
 * segments s[] and SENTINEL in their remaining bytes?  (prints the first difference) */
static int same_bytes(const struct seg *s, int ns, const struct seg *d, int nd, L4_Word_t total)
{
    int si = 0;
    L4_Word_t so = 0, k = 0;
    for (int di = 0; di < nd; di++)
        for (L4_Word_t o = 0; o < d[di].len; o++, k++) {
            unsigned char got = ((volatile unsigned char *)d[di].addr)[o], want = SENTINEL;
            if (k < total) {
                while (si < ns && so == s[si].len) {
                    si++;
                    so = 0;
                }
                if (si == ns) {
                    printf("# same_bytes: sources shorter than %lu\n", total);
                    return 0;
                }
                want = ((unsigned char *)s[si].addr)[so++];
            }
            if (got != want) {
                printf("# byte %lu (buffer %d + %lu): %02x, expected %02x\n", k, di, o, got, want);
                return 0;
            }
        }
    return 1;
}

/* ---- libl4 ------------------------------------------------------------------------------ */

TTEST(string, libl4_words)
{
    static char a[64], b[64], c[64], d[64];
    L4_StringItem_t s = L4_StringItem(100, a), g = L4_StringItem(8, b), x;
    KCHECK_EQ(s.raw[0], 100UL << 10);
    KCHECK_EQ(s.raw[1], (L4_Word_t)a);
    KCHECK(L4_IsStringItem(&s) && !L4_CompoundString(&s));
    KCHECK_EQ(L4_Substrings(&s), 1);
    KCHECK_EQ(L4_StringItemLength(&s), 100);
    KCHECK(L4_Substring(&s, 1) == a && L4_Substring(&s, 2) == 0 && L4_Substring(&s, 0) == 0);
    L4_AddSubstringAddressTo(&g, c);
    KCHECK_EQ(g.raw[0], (8UL << 10) | (1UL << 4));
    KCHECK(L4_Substring(&g, 2) == c);
    L4_AddSubstringAddressTo(&g, a);                    /* a third substring, a */
    KCHECK_EQ(g.raw[0], (8UL << 10) | (2UL << 4));
    KCHECK(L4_Substrings(&g) == 3 && L4_Substring(&g, 3) == a && g.X.j == 2 && g.X.c == 0);
    L4_AddSubstringTo(&g, &s);                          /* compound: g's item, then s's */
    KCHECK_EQ(g.raw[0], (8UL << 10) | (2UL << 4) | (1UL << 9));
    KCHECK(g.raw[4] == s.raw[0] && g.raw[5] == (L4_Word_t)a);
    KCHECK_EQ(L4_StringItemWords(&g), 6);

    /* In a message: C on every item but the last, t counts 1 + j per item. */
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 7);
    L4_MsgAppendSimpleStringItem(&msg, g);              /* as a simple string: j 1, no c */
    KCHECK_EQ(msg.msg[2], 8UL << 10);
    KCHECK_EQ(msg.msg[3], (L4_Word_t)b);
    L4_MsgAppendMapItem(&msg, L4_MapItem(L4_FpageLog2(0x40000000, 12), 0));
    L4_MsgAppendStringItem(&msg, &g);                   /* the whole compound string */
    KCHECK_EQ(L4_UntypedWords(msg.tag), 1);
    KCHECK_EQ(L4_TypedWords(msg.tag), 2 + 2 + 6);
    KCHECK_EQ(msg.msg[2], (8UL << 10) | 1);
    KCHECK_EQ(msg.msg[4], 0x8UL | 1);
    KCHECK_EQ(msg.msg[6], g.raw[0] | 1);                /* C and c: continued */
    KCHECK(msg.msg[7] == (L4_Word_t)b && msg.msg[8] == (L4_Word_t)c && msg.msg[9] == (L4_Word_t)a);
    KCHECK_EQ(msg.msg[10], s.raw[0]);                   /* last: no C, no c */
    KCHECK_EQ(msg.msg[11], (L4_Word_t)a);
    KCHECK_EQ(L4_MsgGetStringItem(&msg, 4, &x), 6);
    KCHECK(x.raw[0] == (g.raw[0] | 1) && L4_Substring(&x, 3) == a && x.raw[4] == s.raw[0]);
    KCHECK_EQ(L4_MsgGetStringItem(&msg, 2, &x), 0);     /* a map item */
    L4_StringItem_t p = L4_StringItem(5, d);
    L4_MsgPutStringItem(&msg, 0, &p);
    KCHECK_EQ(msg.msg[2], (5UL << 10) | 1);             /* C: typed words follow */
    KCHECK_EQ(msg.msg[3], (L4_Word_t)d);

    /* Receive buffers: a simple one, then a compound one continued by a simple one. */
    L4_MsgBuffer_t buf;
    L4_MsgBufferClear(&buf);
    L4_MsgBufferAppendSimpleRcvString(&buf, L4_StringItem(64, a));
    KCHECK(buf.raw[0] == 64UL << 10 && buf.raw[1] == (L4_Word_t)a);
    L4_MsgBufferAppendRcvString(&buf, &g);
    L4_MsgBufferAppendSimpleRcvString(&buf, L4_StringItem(16, d));
    KCHECK_EQ(buf.raw[0], (64UL << 10) | 1);
    KCHECK_EQ(buf.raw[2], g.raw[0]);                    /* c: continued by the next item */
    KCHECK(buf.raw[3] == (L4_Word_t)b && buf.raw[5] == (L4_Word_t)a);
    KCHECK_EQ(buf.raw[6], s.raw[0] | 1);                /* end of g: C, another buffer */
    KCHECK_EQ(buf.raw[8], 16UL << 10);
    KCHECK_EQ(buf.raw[9], (L4_Word_t)d);
    L4_AcceptStrings(L4_StringItemsAcceptor, &buf);
    L4_Word_t br[11];
    L4_StoreBRs(0, 11, br);
    KCHECK_EQ(br[0], L4_ACCEPT_STRINGS);
    for (int i = 0; i < 10; i++)
        KCHECK_EQ(br[1 + i], buf.raw[i]);
    L4_Accept(L4_UntypedWordsAcceptor);
}

/* ---- transfers ---------------------------------------------------------------------------- */

TTEST(string, simple)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(200, (void *)(DST + 16)));
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_MsgAppendWord(&snd.msg, 0x11);
    L4_MsgAppendWord(&snd.msg, 0x22);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(123, (void *)(SRC + 5)));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    L4_MsgTag_t tag = { .raw = rcv.tag };
    KCHECK_EQ(L4_Label(tag), 0x5A);
    KCHECK_EQ(L4_UntypedWords(tag), 2);
    KCHECK_EQ(L4_TypedWords(tag), 2);
    KCHECK(rcv.mr[1] == 0x11 && rcv.mr[2] == 0x22);
    KCHECK_EQ(rcv.mr[3], 123UL << 10);                  /* simple, no C */
    KCHECK_EQ(rcv.mr[4], DST + 16);
    L4_StringItem_t s = item_at(&rcv, 3);
    KCHECK(L4_IsStringItem(&s) && L4_StringItemLength(&s) == 123 && L4_Substring(&s, 1) == (void *)(DST + 16));
    struct seg from[] = { { SRC + 5, 123 } }, into[] = { { DST + 16, 200 } };
    KCHECK(same_bytes(from, 1, into, 1, 123));
    KCHECK_EQ(dst_area[15], SENTINEL);
}

TTEST(string, zero_length)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(32, (void *)DST));
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(0, (void *)SRC));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(L4_TypedWords((L4_MsgTag_t){ .raw = rcv.tag }), 2);
    KCHECK_EQ(rcv.mr[1], 0);
    KCHECK_EQ(rcv.mr[2], DST);
    struct seg into[] = { { DST, 32 } };
    KCHECK(same_bytes(0, 0, into, 1, 0));
}

TTEST(string, gather)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(400, (void *)DST));
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_StringItem_t s = L4_StringItem(100, (void *)SRC);
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 300));
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 700));
    L4_MsgAppendStringItem(&snd.msg, &s);
    KCHECK_EQ(L4_TypedWords(snd.msg.tag), 4);
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(L4_TypedWords((L4_MsgTag_t){ .raw = rcv.tag }), 2);  /* one simple item */
    KCHECK_EQ(rcv.mr[1], 300UL << 10);
    KCHECK_EQ(rcv.mr[2], DST);
    struct seg from[] = { { SRC, 100 }, { SRC + 300, 100 }, { SRC + 700, 100 } };
    struct seg into[] = { { DST, 400 } };
    KCHECK(same_bytes(from, 3, into, 1, 300));
}

TTEST(string, scatter)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_StringItem_t b = L4_StringItem(64, (void *)DST);
    for (L4_Word_t i = 1; i < 4; i++)
        L4_AddSubstringAddressTo(&b, (void *)(DST + 128 * i));
    L4_MsgBufferAppendRcvString(&rcv.buf, &b);
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(200, (void *)(SRC + 40)));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(rcv.mr[1], 200UL << 10);
    KCHECK_EQ(rcv.mr[2], DST);
    struct seg from[] = { { SRC + 40, 200 } };
    struct seg into[] = { { DST, 64 }, { DST + 128, 64 }, { DST + 256, 64 }, { DST + 384, 64 } };
    KCHECK(same_bytes(from, 1, into, 4, 200));
    KCHECK_EQ(dst_area[64], SENTINEL);                  /* between the pieces */
}

TTEST(string, gather_into_scatter)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_StringItem_t b = L4_StringItem(24, (void *)(DST + 8));
    for (L4_Word_t i = 1; i < 6; i++)
        L4_AddSubstringAddressTo(&b, (void *)(DST + 8 + 50 * i));
    L4_MsgBufferAppendRcvString(&rcv.buf, &b);
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_StringItem_t s = L4_StringItem(40, (void *)SRC);
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 64));
    L4_AddSubstringAddressTo(&s, (void *)(SRC + 4090));     /* crosses a page */
    L4_MsgAppendStringItem(&snd.msg, &s);
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(rcv.mr[1], 120UL << 10);
    KCHECK_EQ(rcv.mr[2], DST + 8);
    struct seg from[] = { { SRC, 40 }, { SRC + 64, 40 }, { SRC + 4090, 40 } };
    struct seg into[6];
    for (int i = 0; i < 6; i++)
        into[i] = (struct seg){ DST + 8 + 50 * (L4_Word_t)i, 24 };
    KCHECK(same_bytes(from, 3, into, 6, 120));
}

TTEST(string, compound_both_sides)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_StringItem_t x = L4_StringItem(16, (void *)DST), y = L4_StringItem(20, (void *)(DST + 100));
    L4_AddSubstringAddressTo(&y, (void *)(DST + 200));
    L4_AddSubstringTo(&x, &y);                          /* one compound buffer */
    L4_MsgBufferAppendRcvString(&rcv.buf, &x);
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_StringItem_t a = L4_StringItem(10, (void *)SRC);
    L4_AddSubstringAddressTo(&a, (void *)(SRC + 100));
    L4_StringItem_t a2 = L4_StringItem(30, (void *)(SRC + 200));
    L4_AddSubstringTo(&a, &a2);                         /* one compound string */
    L4_MsgAppendStringItem(&snd.msg, &a);
    KCHECK_EQ(L4_TypedWords(snd.msg.tag), 5);
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(L4_TypedWords((L4_MsgTag_t){ .raw = rcv.tag }), 2);  /* one logical string */
    KCHECK_EQ(rcv.mr[1], 50UL << 10);
    KCHECK_EQ(rcv.mr[2], DST);
    struct seg from[] = { { SRC, 10 }, { SRC + 100, 10 }, { SRC + 200, 30 } };
    struct seg into[] = { { DST, 16 }, { DST + 100, 20 }, { DST + 200, 20 } };
    KCHECK(same_bytes(from, 3, into, 3, 50));
}

TTEST(string, two_strings_two_buffers)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(64, (void *)DST));
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(100, (void *)(DST + 512)));
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_MsgAppendWord(&snd.msg, 0xAB);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(50, (void *)SRC));
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(70, (void *)(SRC + 1000)));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    L4_MsgTag_t tag = { .raw = rcv.tag };
    KCHECK(L4_UntypedWords(tag) == 1 && L4_TypedWords(tag) == 4);
    KCHECK_EQ(rcv.mr[1], 0xAB);
    KCHECK_EQ(rcv.mr[2], (50UL << 10) | 1);             /* C: another item follows */
    KCHECK_EQ(rcv.mr[3], DST);
    KCHECK_EQ(rcv.mr[4], 70UL << 10);
    KCHECK_EQ(rcv.mr[5], DST + 512);
    struct seg f1[] = { { SRC, 50 } }, i1[] = { { DST, 64 } };
    struct seg f2[] = { { SRC + 1000, 70 } }, i2[] = { { DST + 512, 100 } };
    KCHECK(same_bytes(f1, 1, i1, 1, 50));
    KCHECK(same_bytes(f2, 1, i2, 1, 70));
}

/* Untyped words, a string, a map item and a string into a new space (tutil pager). */
TTEST(string, mixed_with_map_item)
{
    reset();
    map_page[0] = MAP_MARK;
    receiver(&rcv, L4_FpageLog2(WIN, 12));
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(64, (void *)DST));
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(64, (void *)(DST + 2 * PAGE)));
    rcv.read_after = WIN;
    L4_ThreadId_t r = away(&rcv, L4_nilthread);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    for (L4_Word_t i = 0; i < 3; i++)
        L4_MsgAppendWord(&snd.msg, 0x100 + i);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(40, (void *)SRC));
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2((L4_Word_t)map_page, 12), L4_ReadWriteOnly);
    L4_MsgAppendMapItem(&snd.msg, L4_MapItem(f, 0));
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(60, (void *)(SRC + 3 * PAGE)));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    L4_MsgTag_t tag = { .raw = rcv.tag };
    KCHECK(L4_UntypedWords(tag) == 3 && L4_TypedWords(tag) == 6);
    KCHECK(rcv.mr[1] == 0x100 && rcv.mr[2] == 0x101 && rcv.mr[3] == 0x102);
    KCHECK_EQ(rcv.mr[4], (40UL << 10) | 1);
    KCHECK_EQ(rcv.mr[5], DST);
    KCHECK_EQ(rcv.mr[6], 0x8UL | 1);                    /* the map item as sent */
    KCHECK_EQ(rcv.mr[7], f.raw);
    KCHECK_EQ(rcv.mr[8], 60UL << 10);
    KCHECK_EQ(rcv.mr[9], DST + 2 * PAGE);
    KCHECK_EQ(rcv.after, MAP_MARK);                     /* the page arrived in the window */
    struct seg f1[] = { { SRC, 40 } }, i1[] = { { DST, 64 } };
    struct seg f2[] = { { SRC + 3 * PAGE, 60 } }, i2[] = { { DST + 2 * PAGE, 64 } };
    KCHECK(same_bytes(f1, 1, i1, 1, 40));
    KCHECK(same_bytes(f2, 1, i2, 1, 60));
}

/* 64 KiB into a new space whose pages all fault (tutil pager), every byte checked. */
TTEST(string, large_64k)
{
    reset();
    const L4_Word_t len = 0x10000;
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem((int)len, (void *)DST));
    L4_ThreadId_t r = away(&rcv, L4_nilthread);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    L4_Word_t faults0 = tu_pager_log.faults;
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem((int)len, (void *)(SRC + 0x123)));
    KCHECK(!L4_IsNilThread(here(&snd)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(rcv.mr[1], len << 10);
    KCHECK_EQ(rcv.mr[2], DST);
    KCHECK(tu_pager_log.faults >= faults0 + len / PAGE);   /* every page faulted once */
    struct seg from[] = { { SRC + 0x123, len } }, into[] = { { DST, len + 64 } };
    KCHECK(same_bytes(from, 1, into, 1, len));
}

/* A Call whose reply carries a string, received by a client in a new space. */
TTEST(string, call_reply_carries_string)
{
    reset();
    struct actor *srv = &snd, *cli = &rcv;
    srv->to = L4_nilthread;
    srv->from_spec = L4_anythread;
    srv->has_reply = 1;
    L4_MsgClear(&srv->reply);
    L4_Set_MsgLabel(&srv->reply, 0x77);
    L4_MsgAppendWord(&srv->reply, 0xCAFE);
    L4_MsgAppendSimpleStringItem(&srv->reply, L4_StringItem(77, (void *)(SRC + 9)));
    L4_ThreadId_t s = here(srv);
    KCHECK(!L4_IsNilThread(s) && blocked(srv, s, L4_SCHEDRESULT_WAITING));
    sender(cli, s);
    cli->from_spec = s;
    cli->acceptor = L4_ACCEPT_STRINGS;
    L4_MsgBufferClear(&cli->buf);
    L4_MsgBufferAppendSimpleRcvString(&cli->buf, L4_StringItem(128, (void *)(DST + 300)));
    L4_MsgAppendWord(&cli->msg, 0x1);
    KCHECK(!L4_IsNilThread(away(cli, L4_nilthread)));
    KCHECK(both_done());
    KCHECK_EQ(srv->err, 0);
    KCHECK_EQ(srv->reply_err, 0);
    KCHECK_EQ(cli->err, 0);
    L4_MsgTag_t tag = { .raw = cli->tag };
    KCHECK(L4_Label(tag) == 0x77 && L4_UntypedWords(tag) == 1 && L4_TypedWords(tag) == 2);
    KCHECK_EQ(cli->mr[1], 0xCAFE);
    KCHECK_EQ(cli->mr[2], 77UL << 10);
    KCHECK_EQ(cli->mr[3], DST + 300);
    struct seg from[] = { { SRC + 9, 77 } }, into[] = { { DST + 300, 128 } };
    KCHECK(same_bytes(from, 1, into, 1, 77));
}

/* ---- message overflow --------------------------------------------------------------------- */

/* Send the message the test put into snd to a receiver with rcv's buffers; both run in the
 * root task's space, the receiver waiting first; 1 if both finished. */
static int run_pair(void)
{
    L4_ThreadId_t r = here(&rcv);
    if (L4_IsNilThread(r) || !blocked(&rcv, r, L4_SCHEDRESULT_WAITING))
        return 0;
    snd.to = r;
    return !L4_IsNilThread(here(&snd)) && both_done();
}

TTEST(string, overflow_buffer_too_short)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(64, (void *)DST));
    sender(&snd, L4_nilthread);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(100, (void *)SRC));
    KCHECK(run_pair());
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = snd.tag }) && L4_IpcFailed((L4_MsgTag_t){ .raw = rcv.tag }));
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 64));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 64));
    struct seg from[] = { { SRC, 100 } }, into[] = { { DST, 64 } };
    KCHECK(same_bytes(from, 1, into, 1, 64));           /* the part that fits */
    KCHECK_EQ(dst_area[64], SENTINEL);
}

TTEST(string, overflow_no_s_bit)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    rcv.acceptor = 0;
    sender(&snd, L4_nilthread);
    L4_MsgAppendWord(&snd.msg, 1);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(10, (void *)SRC));
    KCHECK(run_pair());
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 0));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 0));
    KCHECK_EQ(dst_area[0], SENTINEL);
}

TTEST(string, overflow_more_strings_than_buffers)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(64, (void *)DST));
    sender(&snd, L4_nilthread);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(20, (void *)SRC));
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(30, (void *)(SRC + 100)));
    KCHECK(run_pair());
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 20));  /* the first string went through */
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 20));
    struct seg from[] = { { SRC, 20 } }, into[] = { { DST, 64 } };
    KCHECK(same_bytes(from, 1, into, 1, 20));
}

TTEST(string, overflow_kernel_address_send)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(256, (void *)DST));
    sender(&snd, L4_nilthread);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(64, (void *)0xFFFFFFFF80000000UL));
    KCHECK(run_pair());
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 0));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 0));
    KCHECK_EQ(dst_area[0], SENTINEL);
}

TTEST(string, overflow_kernel_address_receive)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(256, (void *)0xFFFF800000001000UL));
    sender(&snd, L4_nilthread);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(64, (void *)SRC));
    KCHECK(run_pair());
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 0));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 0));
}

/* A source range that starts in user space and ends above it (xfer timeouts keep a wrong
 * kernel from waiting forever on a fault at the user part, which nobody maps). */
TTEST(string, overflow_range_crosses_user_end)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(256, (void *)DST));
    rcv.xfer = L4_Timeouts(L4_TimePeriod(500000), L4_TimePeriod(500000));
    sender(&snd, L4_nilthread);
    snd.xfer = rcv.xfer;
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(0x80, (void *)0x00007FFFFFFFFFC0UL));
    KCHECK(run_pair());
    KCHECK_EQ(snd.err, ERRB(L4_ErrMsgOverflow, 0, 0));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrMsgOverflow, 1, 0));
}

/* t = 2 words, but the item's header says j = 2 (three words). */
TTEST(string, overflow_item_past_tag)
{
    reset();
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(256, (void *)DST));
    sender(&snd, L4_nilthread);
    snd.msg.msg[1] = (16UL << 10) | (1UL << 4);
    snd.msg.msg[2] = SRC;
    snd.msg.msg[3] = SRC + 64;
    snd.msg.tag = L4_MsgTagMake(0x5A, 0, 2);
    KCHECK(run_pair());
    KCHECK_EQ(L4_IpcError(snd.err), L4_ErrMsgOverflow);
    KCHECK(L4_IpcErrorInSend(snd.err));
    KCHECK_EQ(L4_IpcError(rcv.err), L4_ErrMsgOverflow);
    KCHECK(L4_IpcErrorInReceive(rcv.err));
}

/* ---- page faults during the copy ---------------------------------------------------------- */

#define FLEN            5000UL          /* from page offset 0x80: two pages */

/* The sender runs in a new space with the test pager and sends FLEN bytes from SRC + 0x80,
 * not mapped there; the receiver runs in the root task's space.  receiver_first: the receiver
 * waits before the sender sends (the sender runs the copy), otherwise the sender blocks first
 * (the receiver runs it).  Checks the two read faults and the bytes. */
static void sender_side_faults(int receiver_first)
{
    reset();
    L4_ThreadId_t pager = new_pager();
    KCHECK(!L4_IsNilThread(pager));
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(8192, (void *)DST));
    rcv.gated = !receiver_first;
    L4_ThreadId_t r = here(&rcv), s;
    KCHECK(!L4_IsNilThread(r));
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem((int)FLEN, (void *)(SRC + 0x80)));
    if (receiver_first) {
        KCHECK(blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
        s = away(&snd, pager);
        KCHECK(!L4_IsNilThread(s));
    } else {
        s = away(&snd, pager);
        KCHECK(!L4_IsNilThread(s) && blocked(&snd, s, L4_SCHEDRESULT_PENDING_SEND));
        KCHECK_EQ(pf.n, 0);
        rcv.go = 1;
    }
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(rcv.mr[1], FLEN << 10);
    KCHECK_EQ(rcv.mr[2], DST);
    KCHECK_EQ(pf.n, 2);
    KCHECK(fault_is(&pf.e[0], s, SRC + 0x80, L4_Readable));
    KCHECK(fault_is(&pf.e[1], s, SRC + PAGE, L4_Readable));
    struct seg from[] = { { SRC + 0x80, FLEN } }, into[] = { { DST, 8192 } };
    KCHECK(same_bytes(from, 1, into, 1, FLEN));
}

/* The mirror image: the receiver in a new space (buffer DST + 0x80, not mapped there), the
 * sender in the root task's space; two write faults. */
static void receiver_side_faults(int receiver_first)
{
    reset();
    L4_ThreadId_t pager = new_pager();
    KCHECK(!L4_IsNilThread(pager));
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem((int)FLEN, (void *)(DST + 0x80)));
    rcv.gated = !receiver_first;
    L4_ThreadId_t r = away(&rcv, pager), s;
    KCHECK(!L4_IsNilThread(r));
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem((int)FLEN, (void *)(SRC + 8)));
    if (receiver_first) {
        KCHECK(blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
        s = here(&snd);
        KCHECK(!L4_IsNilThread(s));
    } else {
        KCHECK(TU_WAIT(rcv.started));                   /* on the test pager from now on */
        s = here(&snd);
        KCHECK(!L4_IsNilThread(s) && blocked(&snd, s, L4_SCHEDRESULT_PENDING_SEND));
        KCHECK_EQ(pf.n, 0);
        rcv.go = 1;
    }
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(rcv.mr[1], FLEN << 10);
    KCHECK_EQ(rcv.mr[2], DST + 0x80);
    KCHECK_EQ(pf.n, 2);
    KCHECK(fault_is(&pf.e[0], r, DST + 0x80, L4_Writable));
    KCHECK(fault_is(&pf.e[1], r, DST + PAGE, L4_Writable));
    struct seg from[] = { { SRC + 8, FLEN } }, into[] = { { DST + 0x80, FLEN } };
    KCHECK(same_bytes(from, 1, into, 1, FLEN));
}

TTEST(string, fault_sender_side_receiver_first)   { sender_side_faults(1); }
TTEST(string, fault_sender_side_sender_first)     { sender_side_faults(0); }
TTEST(string, fault_receiver_side_receiver_first) { receiver_side_faults(1); }
TTEST(string, fault_receiver_side_sender_first)   { receiver_side_faults(0); }

TTEST(string, fault_empty_reply_retries)
{
    reset();
    empty_first = 1;
    L4_ThreadId_t pager = new_pager();
    KCHECK(!L4_IsNilThread(pager));
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(8192, (void *)DST));
    L4_ThreadId_t r = here(&rcv);
    KCHECK(!L4_IsNilThread(r) && blocked(&rcv, r, L4_SCHEDRESULT_WAITING));
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem((int)FLEN, (void *)(SRC + 0x80)));
    L4_ThreadId_t s = away(&snd, pager);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, 0);
    KCHECK_EQ(rcv.err, 0);
    KCHECK_EQ(pf.n, 4);                                 /* each page: asked twice */
    KCHECK(fault_is(&pf.e[0], s, SRC + 0x80, L4_Readable));
    KCHECK(fault_is(&pf.e[1], s, SRC + 0x80, L4_Readable));
    KCHECK(fault_is(&pf.e[2], s, SRC + PAGE, L4_Readable));
    KCHECK(fault_is(&pf.e[3], s, SRC + PAGE, L4_Readable));
    struct seg from[] = { { SRC + 0x80, FLEN } }, into[] = { { DST, 8192 } };
    KCHECK(same_bytes(from, 1, into, 1, FLEN));
}

/* ---- xfer timeouts ------------------------------------------------------------------------ */

/* 300 bytes from SRC + PAGE - 100: the sender (new space, test pager) has touched the first
 * page, so 100 bytes go through before the fault on the second. */
static L4_ThreadId_t start_sender_fault_pair(L4_ThreadId_t pager, L4_ThreadId_t *r)
{
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(512, (void *)DST));
    *r = here(&rcv);
    if (L4_IsNilThread(*r) || !blocked(&rcv, *r, L4_SCHEDRESULT_WAITING))
        return L4_nilthread;
    sender(&snd, *r);
    snd.touch[0] = SRC;
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(300, (void *)(SRC + PAGE - 100)));
    return away(&snd, pager);
}

/* 300 bytes into DST + PAGE - 100 of a receiver in a new space that has touched that page;
 * the receiver waits on CPU `cpu`. */
static L4_ThreadId_t start_receiver_fault_pair_on(L4_ThreadId_t pager, L4_ThreadId_t *s,
                                                  L4_Word_t cpu)
{
    receiver(&rcv, L4_Nilpage);
    L4_MsgBufferAppendSimpleRcvString(&rcv.buf, L4_StringItem(300, (void *)(DST + PAGE - 100)));
    rcv.touch[0] = DST;
    L4_ThreadId_t r = away(&rcv, pager);
    if (L4_IsNilThread(r) || !blocked(&rcv, r, L4_SCHEDRESULT_WAITING))
        return L4_nilthread;
    if (cpu && (!L4_Set_ProcessorNo(r, cpu) || !blocked(&rcv, r, L4_SCHEDRESULT_WAITING)))
        return L4_nilthread;
    sender(&snd, r);
    L4_MsgAppendSimpleStringItem(&snd.msg, L4_StringItem(300, (void *)SRC));
    *s = here(&snd);
    return L4_IsNilThread(*s) ? L4_nilthread : r;
}

static L4_ThreadId_t start_receiver_fault_pair(L4_ThreadId_t pager, L4_ThreadId_t *s)
{
    return start_receiver_fault_pair_on(pager, s, 0);
}

TTEST(string, xfer_zero_sender_side)
{
    reset();
    L4_ThreadId_t pager = new_pager(), r;
    KCHECK(!L4_IsNilThread(pager));
    snd.xfer = L4_Timeouts(L4_ZeroTime, L4_Never);
    KCHECK(!L4_IsNilThread(start_sender_fault_pair(pager, &r)));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, ERRB(L4_ErrXferTimeoutCurrent, 0, 100));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrXferTimeoutPartner, 1, 100));
    struct seg from[] = { { SRC + PAGE - 100, 100 } }, into[] = { { DST, 512 } };
    KCHECK(same_bytes(from, 1, into, 1, 100));
}

TTEST(string, xfer_zero_receiver_side)
{
    reset();
    L4_ThreadId_t pager = new_pager(), s;
    KCHECK(!L4_IsNilThread(pager));
    rcv.xfer = L4_Timeouts(L4_Never, L4_ZeroTime);
    KCHECK(!L4_IsNilThread(start_receiver_fault_pair(pager, &s)));
    KCHECK(both_done());
    KCHECK_EQ(rcv.err, ERRB(L4_ErrXferTimeoutCurrent, 1, 100));
    KCHECK_EQ(snd.err, ERRB(L4_ErrXferTimeoutPartner, 0, 100));
    struct seg from[] = { { SRC, 100 } }, into[] = { { DST + PAGE - 100, 100 } };
    KCHECK(same_bytes(from, 1, into, 1, 100));
}

/* The pager never answers; the receiver's receive xfer timeout (20 ms) ends the transfer. */
TTEST(string, xfer_timeout_silent_pager)
{
    reset();
    pf.silent_page = SRC + PAGE;
    L4_ThreadId_t pager = new_pager(), r;
    KCHECK(!L4_IsNilThread(pager));
    rcv.xfer = L4_Timeouts(L4_Never, L4_TimePeriod(20000));
    L4_ThreadId_t s = start_sender_fault_pair(pager, &r);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(both_done());
    KCHECK_EQ(snd.err, ERRB(L4_ErrXferTimeoutCurrent, 0, 100));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrXferTimeoutPartner, 1, 100));
    KCHECK(faulted_on(SRC + PAGE));
    KCHECK(snd.t1 - snd.t0 >= 20000);                   /* the transfer began after t0 */
    KCHECK(rcv.t1 - rcv.t0 >= 20000);
}

/* The earlier limit wins: the sender allows 20 ms, the receiver (whose page faults) 3 s. */
TTEST(string, xfer_timeout_earlier_partner_wins)
{
    reset();
    pf.silent_page = DST + PAGE;
    L4_ThreadId_t pager = new_pager(), s;
    KCHECK(!L4_IsNilThread(pager));
    rcv.xfer = L4_Timeouts(L4_Never, L4_TimePeriod(3000000));
    snd.xfer = L4_Timeouts(L4_TimePeriod(20000), L4_Never);
    KCHECK(!L4_IsNilThread(start_receiver_fault_pair(pager, &s)));
    KCHECK(both_done());
    KCHECK_EQ(rcv.err, ERRB(L4_ErrXferTimeoutCurrent, 1, 100));
    KCHECK_EQ(snd.err, ERRB(L4_ErrXferTimeoutPartner, 0, 100));
    KCHECK(faulted_on(DST + PAGE));
    L4_Word_t took = snd.t1 - snd.t0;
    KCHECK(took >= 20000);
    KCHECK(took < 2500000);                             /* not the receiver's 3 s */
}

/* ---- cancel and delete during a fault ----------------------------------------------------- */

TTEST(string, cancel_receiver_during_sender_fault)
{
    reset();
    pf.silent_page = SRC + PAGE;
    L4_ThreadId_t pager = new_pager(), r;
    KCHECK(!L4_IsNilThread(pager));
    KCHECK(!L4_IsNilThread(start_sender_fault_pair(pager, &r)));
    KCHECK(TU_WAIT(faulted_on(SRC + PAGE)));
    L4_Word_t old;
    L4_ExchangeRegisters(r, L4_EXREGS_CANCEL_RECV, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK(both_done());
    KCHECK_EQ(rcv.err, ERRB(L4_ErrAborted, 1, 100));
    KCHECK_EQ(snd.err, ERRB(L4_ErrAborted, 0, 100));
}

TTEST(string, cancel_sender_during_receiver_fault)
{
    reset();
    pf.silent_page = DST + PAGE;
    L4_ThreadId_t pager = new_pager(), s;
    KCHECK(!L4_IsNilThread(pager));
    KCHECK(!L4_IsNilThread(start_receiver_fault_pair(pager, &s)));
    KCHECK(TU_WAIT(faulted_on(DST + PAGE)));
    L4_Word_t old;
    L4_ExchangeRegisters(s, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread, &old, 0, 0, 0, 0, 0);
    KCHECK(both_done());
    KCHECK_EQ(snd.err, ERRB(L4_ErrAborted, 0, 100));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrAborted, 1, 100));
}

/* The receiver, faulting in the copy, waits for its pager's reply on another CPU: cancelling
 * the sender here ends the receiver's fault IPC there, under the exclusive kernel lock (the
 * fuzzer found this making another CPU's thread ready under the shared lock). */
TTEST(string, cancel_sender_during_remote_receiver_fault)
{
    if (tu_ncpus() < 2)
        KSKIP("needs 2 CPUs");
    reset();
    pf.silent_page = DST + PAGE;
    L4_ThreadId_t pager = new_pager(), s;
    KCHECK(!L4_IsNilThread(pager));
    L4_ThreadId_t r = start_receiver_fault_pair_on(pager, &s, tu_ncpus() - 1);
    KCHECK(!L4_IsNilThread(r));
    KCHECK(TU_WAIT(faulted_on(DST + PAGE)));
    L4_Word_t old;
    L4_ThreadId_t res = L4_ExchangeRegisters(s, L4_EXREGS_CANCEL_SEND, 0, 0, 0, 0, L4_nilthread,
                                             &old, 0, 0, 0, 0, 0);
    KCHECK(!L4_IsNilThread(res));                       /* s's local id */
    KCHECK_EQ(old & 7, L4_EXREGS_WAS_SENDING);
    KCHECK(both_done());
    KCHECK_EQ(snd.err, ERRB(L4_ErrAborted, 0, 100));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrAborted, 1, 100));
}

TTEST(string, delete_faulting_sender)
{
    reset();
    pf.silent_page = SRC + PAGE;
    L4_ThreadId_t pager = new_pager(), r;
    KCHECK(!L4_IsNilThread(pager));
    L4_ThreadId_t s = start_sender_fault_pair(pager, &r);
    KCHECK(!L4_IsNilThread(s));
    KCHECK(TU_WAIT(faulted_on(SRC + PAGE)));
    KCHECK_EQ(tu_delete(s), 1);
    KCHECK(TU_WAIT(rcv.done));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrAborted, 1, 100));
}

TTEST(string, delete_sender_during_receiver_fault)
{
    reset();
    pf.silent_page = DST + PAGE;
    L4_ThreadId_t pager = new_pager(), s;
    KCHECK(!L4_IsNilThread(pager));
    KCHECK(!L4_IsNilThread(start_receiver_fault_pair(pager, &s)));
    KCHECK(TU_WAIT(faulted_on(DST + PAGE)));
    KCHECK_EQ(tu_delete(s), 1);
    KCHECK(TU_WAIT(rcv.done));
    KCHECK_EQ(rcv.err, ERRB(L4_ErrAborted, 1, 100));
}
