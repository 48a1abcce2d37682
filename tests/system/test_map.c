/* test_map.c — in-system tests of map and grant items (X.2 typed items, docs/design/memory.md):
 * the libl4 item words, mapping into new spaces and along chains of them, grant, rights (the
 * item's intersected with the sender's; a remap adds rights), placement in the receive window
 * (s <= w, s > w, SendBase offsets, several items), a nil window, the receiver's KIP and UTCB
 * area, replacing an existing mapping, aliases in one space, space deletion, and 10,240 pages
 * mapped through ten spaces and unmapped again without a leak.
 *
 * The pages mapped around come from SRC, 4 MiB of fresh sigma0 memory in the root task.  The
 * receivers are "agents": threads in new spaces (tutil pager) that obey commands sent by the
 * root thread (accept a window, read, write, send a map or grant item, unmap) and answer every
 * other message with its tag.  Their receive windows lie in FB, where the root task has 4 MiB
 * of fallback pages with a marker in word 0: an agent that touches a window address after its
 * mapping went away faults, the tutil pager maps the root's fallback page there, and the read
 * returns the marker (the pager log shows the fault).  The root thread never touches FB pages
 * of a window while it matters, and nobody touches an address the root task has nothing at.
 */
#include <l4/l4.h>
#include <l4/sigma0.h>
#include "tutil.h"

#define SRC             0x48000000UL    /* root: 4 MiB of pages to map */
#define FB              0x60000000UL    /* root: 4 MiB of fallback pages; the agents' windows */
#define FB_MARK         0xFB00000000000000UL    /* word 0 of fallback page i: FB_MARK + i */
#define BIG_WIN         0x70000000UL    /* 4 MiB windows of the ten-space chain (never touched) */
#define ALIAS           0x5C000000UL    /* root: where a root-space agent receives (never touched) */
#define PAGE            4096UL
#define WAIT_US         5000000UL

#define AG_ACCEPT       0xA61           /* MR1 window fpage (0: nil) */
#define AG_READ         0xA62           /* MR1 address -> MR1 word */
#define AG_WRITE        0xA63           /* MR1 address, MR2 word */
#define AG_SEND         0xA64           /* MR1 to, MR2 fpage, MR3 SendBase, MR4 grant -> tag, error */
#define AG_UNMAP        0xA65           /* MR1 flush, MR2 fpage -> MR1 fpage with status */
#define AG_GIFT         0xA66           /* a message with items (any other label works too) */

/* ---- agents ------------------------------------------------------------------------------- */

struct agent {
    volatile L4_Word_t gifts, gift_tag;             /* messages other than commands */
    volatile L4_Word_t fails, fail_tag, fail_err;   /* failed receives */
};

#define AGENTS          12
static struct agent agents[AGENTS];
static L4_Word_t res1, res2;                        /* results of the last command */

static L4_Time_t wait_time(void) { return L4_TimePeriod(WAIT_US); }

/* Send to `to` one map (or grant) item of f at SendBase with label AG_GIFT; Call, so the
 * receiver's answer (its received tag in MR1) comes back. */
static L4_MsgTag_t give(L4_ThreadId_t to, L4_Fpage_t f, L4_Word_t sendbase, int grant)
{
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, AG_GIFT);
    if (grant)
        L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, sendbase));
    else
        L4_MsgAppendMapItem(&msg, L4_MapItem(f, sendbase));
    L4_MsgLoad(&msg);
    return L4_Call_Timeouts(to, wait_time(), wait_time());
}

/* The agent: obey commands, answer everything else with its tag; failed receives are logged. */
static void agent_loop(void *arg)
{
    struct agent *a = arg;
    L4_Acceptor_t acc = L4_UntypedWordsAcceptor;
    L4_ThreadId_t from;
    L4_Accept(acc);
    L4_MsgTag_t tag = L4_Wait(&from);
    for (;;) {
        if (L4_IpcFailed(tag)) {
            a->fail_tag = tag.raw;
            a->fail_err = L4_ErrorCode();
            a->fails++;
            L4_Accept(acc);
            tag = L4_Wait(&from);
            continue;
        }
        L4_Word_t w[4], r1 = 0, r2 = 0;
        L4_StoreMRs(1, 4, w);
        switch (L4_Label(tag)) {
        case AG_ACCEPT:
            acc = L4_MapGrantItems((L4_Fpage_t){ .raw = w[0] });
            break;
        case AG_READ:
            r1 = *(volatile L4_Word_t *)w[0];
            break;
        case AG_WRITE:
            *(volatile L4_Word_t *)w[0] = w[1];
            break;
        case AG_SEND: {
            L4_MsgTag_t t = give((L4_ThreadId_t){ .raw = w[0] }, (L4_Fpage_t){ .raw = w[1] }, w[2],
                                 (int)w[3]);
            r1 = t.raw;
            r2 = L4_IpcFailed(t) ? L4_ErrorCode() : 0;
            break;
        }
        case AG_UNMAP: {
            L4_Fpage_t f = { .raw = w[1] };
            r1 = (w[0] ? L4_Flush(f) : L4_UnmapFpage(f)).raw;
            break;
        }
        default:
            a->gift_tag = tag.raw;
            a->gifts++;
            r1 = tag.raw;
            break;
        }
        L4_LoadMR(1, r1);
        L4_LoadMR(2, r2);
        L4_Set_MsgTag(L4_MsgTagMake(0, 2, 0));
        L4_Accept(acc);
        tag = L4_ReplyWait(from, &from);
    }
}

static int cmd(L4_ThreadId_t t, L4_Word_t label, L4_Word_t a, L4_Word_t b, L4_Word_t c, L4_Word_t d);
static L4_Word_t scratch;

/* Run agent t through every path of its loop once, so that later commands fault only where a
 * test makes them (on window pages), then clear its record i; t, or nilthread. */
static L4_ThreadId_t warmed(L4_ThreadId_t t, unsigned i)
{
    L4_Word_t sw = (L4_Word_t)&scratch;
    if (L4_IsNilThread(t) || !cmd(t, AG_ACCEPT, 0, 0, 0, 0) || !cmd(t, AG_READ, sw, 0, 0, 0) ||
        !cmd(t, AG_WRITE, sw, 1, 0, 0) || !cmd(t, AG_UNMAP, 0, 0, 0, 0) ||
        !cmd(t, AG_UNMAP, 1, 0, 0, 0) || !cmd(t, AG_SEND, 0, 0, 0, 0) ||
        !cmd(t, AG_SEND, 0, 0, 0, 1) || !cmd(t, AG_GIFT, 0, 0, 0, 0))
        return L4_nilthread;
    agents[i] = (struct agent){ 0 };
    return t;
}

/* Agent i in a new space, warmed up; nilthread on failure. */
static L4_ThreadId_t agent_new(unsigned i)
{
    agents[i] = (struct agent){ 0 };
    return warmed(tu_space_thread(agent_loop, &agents[i], 100), i);
}

/* Agent i in the root task's own space, warmed up. */
static L4_ThreadId_t agent_new_here(unsigned i)
{
    agents[i] = (struct agent){ 0 };
    return warmed(tu_create(agent_loop, &agents[i], 100), i);
}

/* Create and delete `count` agents, so that every root-task page agents touch has been mapped
 * to another space once (an image page gets its mapping-database node then); the next agents
 * reuse the same slots.  Kernel memory and node counts taken afterwards stay comparable. */
static int warm_slots(unsigned count)
{
    L4_ThreadId_t t[AGENTS];
    if (L4_IsNilThread(tu_pager()))
        return 0;
    for (unsigned i = 0; i < count; i++)
        if (L4_IsNilThread(t[i] = agent_new(i)))
            return 0;
    for (unsigned i = 0; i < count; i++)
        if (!tu_delete(t[i]))
            return 0;
    return 1;
}

/* Send command `label` with MR1..MR4 to agent t and wait for its answer (res1, res2); 1 if
 * the answer came. */
static int cmd(L4_ThreadId_t t, L4_Word_t label, L4_Word_t a, L4_Word_t b, L4_Word_t c, L4_Word_t d)
{
    L4_LoadMR(1, a);
    L4_LoadMR(2, b);
    L4_LoadMR(3, c);
    L4_LoadMR(4, d);
    L4_Set_MsgTag(L4_MsgTagMake(label, 4, 0));
    L4_MsgTag_t tag = L4_Call_Timeouts(t, wait_time(), wait_time());
    if (L4_IpcFailed(tag)) {
        printf("# command %lx to %lx failed, ErrorCode 0x%lx\n", label, t.raw, L4_ErrorCode());
        return 0;
    }
    L4_StoreMR(1, &res1);
    L4_StoreMR(2, &res2);
    return 1;
}

static int ag_accept(L4_ThreadId_t t, L4_Fpage_t win)  { return cmd(t, AG_ACCEPT, win.raw, 0, 0, 0); }
static int ag_write(L4_ThreadId_t t, L4_Word_t addr, L4_Word_t v) { return cmd(t, AG_WRITE, addr, v, 0, 0); }

/* Word at addr as agent t reads it; ~0 (and a diagnostic) if the agent did not answer. */
static L4_Word_t ag_read(L4_ThreadId_t t, L4_Word_t addr)
{
    return cmd(t, AG_READ, addr, 0, 0, 0) ? res1 : ~0UL;
}

/* Agent t sends f at sendbase to agent `to` (map or grant); 1 if that IPC succeeded. */
static int ag_send(L4_ThreadId_t t, L4_ThreadId_t to, L4_Fpage_t f, L4_Word_t sendbase, int grant)
{
    return cmd(t, AG_SEND, to.raw, f.raw, sendbase, (L4_Word_t)grant) &&
           L4_IpcSucceeded((L4_MsgTag_t){ .raw = res1 });
}

/* Agent t unmaps (flush: flushes) f; the fpage with status, or ~0. */
static L4_Word_t ag_unmap(L4_ThreadId_t t, L4_Fpage_t f, int flush)
{
    return cmd(t, AG_UNMAP, (L4_Word_t)flush, f.raw, 0, 0) ? res1 : ~0UL;
}

/* ---- memory ------------------------------------------------------------------------------- */

static int have_memory;

/* Map `n` pages from sigma0 at va.. one 4 KiB page at a time, so that the root task holds
 * them as 4 KiB mappings (a 2 MiB request would give 2 MiB mappings, whose rights and
 * status bits go for the whole 2 MiB); 1 if all came. */
static int get_small_pages(L4_Word_t va, L4_Word_t n)
{
    for (L4_Word_t i = 0; i < n; i++)
        if (L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 12, L4_FpageLog2(va + i * 4096, 12))))
            return 0;
    return 1;
}

/* Get SRC and FB from sigma0 (once) and write the fallback markers (every time); 1 if ready. */
static int setup(void)
{
    if (!have_memory) {
        if (!get_small_pages(SRC, 1UL << (22 - 12)) || !get_small_pages(FB, 1024)) {
            printf("# sigma0 gave no 4 MiB pages\n");
            return 0;
        }
        have_memory = 1;
    }
    for (L4_Word_t i = 0; i < 1024; i++)
        *(volatile L4_Word_t *)(FB + i * PAGE) = FB_MARK + i;
    return 1;
}

#define NEED_MEMORY()   KCHECK(setup())

static volatile L4_Word_t *src(L4_Word_t page)  { return (volatile L4_Word_t *)(SRC + page * PAGE); }
/* SRC page `page` (2^log2 bytes from there) with rights rwx. */
static L4_Fpage_t src_fp(L4_Word_t page, int log2, L4_Word_t rwx)
{
    return L4_FpageAddRights(L4_FpageLog2(SRC + page * PAGE, log2), rwx);
}
static L4_Fpage_t fb_fp(L4_Word_t page, int log2)    { return L4_FpageLog2(FB + page * PAGE, log2); }
static L4_Word_t fb_addr(L4_Word_t page)             { return FB + page * PAGE; }
static L4_Word_t nodes(void)                         { return L4_KDB_Stat(KDB_STAT_MDB_NODES); }

/* ---- the libl4 item interface ------------------------------------------------------------- */

TTEST(map, item_words)
{
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(0x12345000, 12), L4_Readable);
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_MsgAppendWord(&msg, 7);
    L4_MsgAppendMapItem(&msg, L4_MapItem(f, 0x6789A123));
    KCHECK_EQ(L4_UntypedWords(msg.tag), 1);
    KCHECK_EQ(L4_TypedWords(msg.tag), 2);
    KCHECK_EQ(msg.msg[2], 0x6789A000UL | 0x8);          /* SendBase, map, last item */
    KCHECK_EQ(msg.msg[3], f.raw);
    L4_MsgAppendGrantItem(&msg, L4_GrantItem(f, 0x1000));
    KCHECK_EQ(L4_TypedWords(msg.tag), 4);
    KCHECK_EQ(msg.msg[2], 0x6789A000UL | 0x9);          /* another item follows now */
    KCHECK_EQ(msg.msg[4], 0x1000UL | 0xA);              /* grant, last */
    L4_MsgAppendWord(&msg, 8);                          /* the items move up */
    KCHECK_EQ(L4_UntypedWords(msg.tag), 2);
    KCHECK_EQ(msg.msg[2], 8);
    L4_MapItem_t m;
    L4_GrantItem_t g;
    KCHECK_EQ(L4_MsgGetMapItem(&msg, 0, &m), 2);
    KCHECK(L4_IsMapItem(m) && !L4_IsGrantItem((L4_GrantItem_t){ { m.raw[0], m.raw[1] } }));
    KCHECK_EQ(L4_MapItemSndBase(m), 0x6789A000UL);
    KCHECK_EQ(L4_MapItemSndFpage(m).raw, f.raw);
    KCHECK_EQ(L4_MsgGetGrantItem(&msg, 2, &g), 2);
    KCHECK(L4_IsGrantItem(g));
    KCHECK_EQ(L4_GrantItemSndBase(g), 0x1000);
    /* Put replaces an item in place and keeps the chain's C bits. */
    L4_MsgPutMapItem(&msg, 2, L4_MapItem(f, 0x2000));
    KCHECK_EQ(msg.msg[5], 0x2000UL | 0x8);
    L4_MsgPutGrantItem(&msg, 0, L4_GrantItem(f, 0x3000));
    KCHECK_EQ(msg.msg[3], 0x3000UL | 0xB);
    KCHECK_EQ(L4_TypedWords(msg.tag), 4);
}

/* ---- mapping into new spaces -------------------------------------------------------------- */

TTEST(map, root_to_space)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    *src(0) = 0x5EED0001;
    KCHECK(ag_accept(a, fb_fp(0, 12)));
    L4_MsgTag_t tag = give(a, src_fp(0, 12, L4_ReadWriteOnly), 0, 0);
    KCHECK(L4_IpcSucceeded(tag));
    L4_MsgTag_t got = { .raw = agents[0].gift_tag };
    KCHECK_EQ(L4_Label(got), AG_GIFT);
    KCHECK_EQ(L4_UntypedWords(got), 0);
    KCHECK_EQ(L4_TypedWords(got), 2);
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x5EED0001);      /* the page, not the fallback */
    KCHECK(ag_write(a, fb_addr(0) + 8, 0xA6E47));
    KCHECK_EQ(src(0)[1], 0xA6E47);                      /* the same physical page */
    L4_Word_t n = nodes();
    L4_UnmapFpage(src_fp(0, 12, L4_FullyAccessible));
    KCHECK_EQ(nodes(), n - 1);                          /* one node was the agent's mapping */
    KCHECK_EQ(ag_read(a, fb_addr(0)), FB_MARK + 0);
}

/* root -> A -> B -> C, each at another window page (0, 1, 2). */
static int chain3(L4_ThreadId_t t[3], L4_Word_t value)
{
    for (unsigned i = 0; i < 3; i++) {
        t[i] = agent_new(i);
        if (L4_IsNilThread(t[i]) || !ag_accept(t[i], fb_fp(i, 12)))
            return 0;
    }
    *src(1) = value;
    return L4_IpcSucceeded(give(t[0], src_fp(1, 12, L4_ReadWriteOnly), 0, 0)) &&
           ag_send(t[0], t[1], L4_FpageAddRights(fb_fp(0, 12), L4_ReadWriteOnly), 0, 0) &&
           ag_send(t[1], t[2], L4_FpageAddRights(fb_fp(1, 12), L4_ReadWriteOnly), 0, 0);
}

TTEST(map, chain_three_spaces)
{
    NEED_MEMORY();
    L4_ThreadId_t t[3];
    KCHECK(chain3(t, 0xC4A1));
    for (unsigned i = 0; i < 3; i++)
        KCHECK_EQ(ag_read(t[i], fb_addr(i)), 0xC4A1);
    KCHECK(ag_write(t[2], fb_addr(2) + 16, 0xC0C0));    /* C writes, everyone sees it */
    KCHECK_EQ(src(1)[2], 0xC0C0);
    KCHECK_EQ(ag_read(t[0], fb_addr(0) + 16), 0xC0C0);
}

TTEST(map, chain_revoked_from_a)
{
    NEED_MEMORY();
    L4_ThreadId_t t[3];
    KCHECK(chain3(t, 0xC4A2));
    KCHECK_EQ(ag_read(t[2], fb_addr(2)), 0xC4A2);
    L4_Word_t n = nodes(), faults = tu_pager_log.faults;
    L4_Fpage_t r = { .raw = ag_unmap(t[0], L4_FpageAddRights(fb_fp(0, 12), L4_FullyAccessible), 0) };
    KCHECK_EQ(nodes(), n - 2);                          /* B's and C's mappings */
    KCHECK_EQ(L4_Address(r), fb_addr(0));
    KCHECK(L4_Rights(r) & L4_Readable);                 /* C read it */
    KCHECK_EQ(tu_pager_log.faults, faults);
    /* C faults now: its pager sees the fault and maps the fallback page. */
    KCHECK_EQ(ag_read(t[2], fb_addr(2)), FB_MARK + 2);
    KCHECK_EQ(tu_pager_log.faults, faults + 1);
    KCHECK_EQ(tu_pager_log.last_addr, fb_addr(2));
    KCHECK_EQ(tu_pager_log.last_from.raw, t[2].raw);
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = tu_pager_log.last_tag }) & 0xF, L4_Readable);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), FB_MARK + 1);
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0xC4A2);       /* A keeps its own (no flush) */
    KCHECK_EQ(tu_pager_log.faults, faults + 2);
}

TTEST(map, grant_moves_mapping)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0), b = agent_new(1);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(ag_accept(a, fb_fp(0, 12)) && ag_accept(b, fb_fp(1, 12)));
    *src(2) = 0x6A47;
    KCHECK(L4_IpcSucceeded(give(a, src_fp(2, 12, L4_ReadWriteOnly), 0, 0)));
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x6A47);
    KCHECK(ag_send(a, b, L4_FpageAddRights(fb_fp(0, 12), L4_ReadWriteOnly), 0, 1));
    KCHECK_EQ(ag_read(b, fb_addr(1)), 0x6A47);
    L4_Word_t faults = tu_pager_log.faults;
    KCHECK_EQ(ag_read(a, fb_addr(0)), FB_MARK + 0);     /* A's mapping went with the grant */
    KCHECK_EQ(tu_pager_log.faults, faults + 1);
    KCHECK_EQ(tu_pager_log.last_from.raw, a.raw);
    /* The granted mapping is still derived from the root's page, and it is the only one:
     * revoking the root's page removes exactly one node, B's. */
    L4_Word_t n = nodes();
    L4_UnmapFpage(src_fp(2, 12, L4_FullyAccessible));
    KCHECK_EQ(nodes(), n - 1);
    KCHECK_EQ(ag_read(b, fb_addr(1)), FB_MARK + 1);
}

/* ---- rights ------------------------------------------------------------------------------- */

TTEST(map, read_only_item)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, fb_fp(0, 12)));
    *src(3) = 0x12EAD;
    src(3)[2] = 0x600D;
    KCHECK(L4_IpcSucceeded(give(a, src_fp(3, 12, L4_Readable), 0, 0)));
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x12EAD);
    L4_Word_t faults = tu_pager_log.faults;
    /* The write faults (access w, at the address written); the tutil pager then maps the
     * fallback page there, so the write goes to it, not to SRC. */
    KCHECK(ag_write(a, fb_addr(0) + 16, 0xBAD));
    KCHECK_EQ(tu_pager_log.faults, faults + 1);
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = tu_pager_log.last_tag }) & 0xF, L4_Writable);
    KCHECK_EQ(tu_pager_log.last_addr, fb_addr(0) + 16);
    KCHECK_EQ(tu_pager_log.last_from.raw, a.raw);
    KCHECK_EQ(src(3)[2], 0x600D);
}

TTEST(map, rights_limited_by_sender)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0), b = agent_new(1);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(ag_accept(a, fb_fp(0, 12)) && ag_accept(b, fb_fp(1, 12)));
    *src(4) = 0x11AB;
    src(4)[2] = 0x600D;
    KCHECK(L4_IpcSucceeded(give(a, src_fp(4, 12, L4_Readable), 0, 0)));
    /* A has it read-only and passes it on with all rights: B gets read only. */
    KCHECK(ag_send(a, b, L4_FpageAddRights(fb_fp(0, 12), L4_FullyAccessible), 0, 0));
    KCHECK_EQ(ag_read(b, fb_addr(1)), 0x11AB);
    L4_Word_t faults = tu_pager_log.faults;
    KCHECK(ag_write(b, fb_addr(1) + 16, 0xBAD));
    KCHECK_EQ(tu_pager_log.faults, faults + 1);
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = tu_pager_log.last_tag }) & 0xF, L4_Writable);
    KCHECK_EQ(tu_pager_log.last_from.raw, b.raw);
    KCHECK_EQ(src(4)[2], 0x600D);
}

TTEST(map, remap_adds_rights)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, fb_fp(0, 12)));
    *src(5) = 0xADD;
    KCHECK(L4_IpcSucceeded(give(a, src_fp(5, 12, L4_Readable), 0, 0)));
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0xADD);
    L4_Word_t n = nodes();
    KCHECK(L4_IpcSucceeded(give(a, src_fp(5, 12, L4_ReadWriteOnly), 0, 0)));
    KCHECK_EQ(nodes(), n);                              /* the same mapping, more rights */
    L4_Word_t faults = tu_pager_log.faults;
    KCHECK(ag_write(a, fb_addr(0) + 8, 0x7E5));
    KCHECK_EQ(tu_pager_log.faults, faults);             /* no fault: writable now */
    KCHECK_EQ(src(5)[1], 0x7E5);
}

TTEST(map, replaces_existing_mapping)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0), b = agent_new(1);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(ag_accept(a, fb_fp(0, 12)) && ag_accept(b, fb_fp(1, 12)));
    *src(6) = 0x01D;
    *src(7) = 0x2E3;
    KCHECK(L4_IpcSucceeded(give(a, src_fp(6, 12, L4_ReadWriteOnly), 0, 0)));
    KCHECK(ag_send(a, b, L4_FpageAddRights(fb_fp(0, 12), L4_ReadWriteOnly), 0, 0));
    KCHECK_EQ(ag_read(b, fb_addr(1)), 0x01D);
    L4_Word_t n = nodes();
    KCHECK(L4_IpcSucceeded(give(a, src_fp(7, 12, L4_ReadWriteOnly), 0, 0)));
    KCHECK_EQ(nodes(), n - 1);                          /* A's old node and B's went, one came */
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x2E3);
    KCHECK_EQ(ag_read(b, fb_addr(1)), FB_MARK + 1);     /* derived from the replaced mapping */
}

/* ---- placement ---------------------------------------------------------------------------- */

TTEST(map, placement_small_into_large)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, fb_fp(0, 16)));                 /* 64 KiB window */
    *src(8) = 0x5A11;
    /* s = 12 <= w = 16: window base + (SendBase mod 2^16) rounded down to 4 KiB. */
    KCHECK(L4_IpcSucceeded(give(a, src_fp(8, 12, L4_Readable), 0x12345000UL + 0x7FF, 0)));
    KCHECK_EQ(ag_read(a, fb_addr(5)), 0x5A11);
    KCHECK_EQ(ag_read(a, fb_addr(4)), FB_MARK + 4);     /* nothing landed beside it */
    KCHECK_EQ(ag_read(a, fb_addr(6)), FB_MARK + 6);
}

TTEST(map, placement_large_into_small)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0), b = agent_new(1);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    for (L4_Word_t i = 0; i < 4; i++)
        *src(16 + i) = 0x1A46E0 + i;
    /* s = 14 > w = 12: only the 4 KiB part selected by SendBase mod 2^14 is sent. */
    KCHECK(ag_accept(a, fb_fp(0, 12)) && ag_accept(b, fb_fp(0, 12)));
    KCHECK(L4_IpcSucceeded(give(a, src_fp(16, 14, L4_Readable), 0x2000, 0)));
    KCHECK(L4_IpcSucceeded(give(b, src_fp(16, 14, L4_Readable), 0xABC07000UL, 0)));
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x1A46E2);
    KCHECK_EQ(ag_read(b, fb_addr(0)), 0x1A46E3);
    KCHECK_EQ(ag_read(a, fb_addr(1)), FB_MARK + 1);     /* outside the window: nothing */
}

TTEST(map, placement_fpage_at_offset)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    for (L4_Word_t i = 0; i < 4; i++)
        *src(20 + i) = 0x0FF5E70 + i;
    KCHECK(ag_accept(a, fb_fp(0, 16)));
    /* 16 KiB into 64 KiB at SendBase 0x8000 (mod 2^16; the bits below 2^14 are ignored). */
    KCHECK(L4_IpcSucceeded(give(a, src_fp(20, 14, L4_Readable), 0x77778000UL + 0x1C00, 0)));
    for (L4_Word_t i = 0; i < 4; i++)
        KCHECK_EQ(ag_read(a, fb_addr(8 + i)), 0x0FF5E70 + i);
    KCHECK_EQ(ag_read(a, fb_addr(7)), FB_MARK + 7);
    KCHECK_EQ(ag_read(a, fb_addr(12)), FB_MARK + 12);
}

TTEST(map, two_items_one_message)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    *src(24) = 0x17E1;
    *src(25) = 0x17E2;
    KCHECK(ag_accept(a, fb_fp(0, 16)));
    L4_Msg_t msg;
    L4_MsgClear(&msg);
    L4_Set_MsgLabel(&msg, AG_GIFT);
    L4_MsgAppendWord(&msg, 0x3A1);
    L4_MsgAppendMapItem(&msg, L4_MapItem(src_fp(24, 12, L4_Readable), 0x3000));
    L4_MsgAppendMapItem(&msg, L4_MapItem(src_fp(25, 12, L4_Readable), 0xE000));
    L4_MsgLoad(&msg);
    KCHECK(L4_IpcSucceeded(L4_Call_Timeouts(a, wait_time(), wait_time())));
    L4_MsgTag_t got = { .raw = agents[0].gift_tag };
    KCHECK_EQ(L4_UntypedWords(got), 1);
    KCHECK_EQ(L4_TypedWords(got), 4);
    KCHECK_EQ(ag_read(a, fb_addr(3)), 0x17E1);
    KCHECK_EQ(ag_read(a, fb_addr(14)), 0x17E2);
}

/* ---- refusals and protected areas --------------------------------------------------------- */

TTEST(map, nil_window_overflow_both_sides)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_Nilpage));
    *src(26) = 0x0F10;
    L4_MsgTag_t tag = give(a, src_fp(26, 12, L4_Readable), 0, 0);
    KCHECK(L4_IpcFailed(tag));
    KCHECK_EQ(L4_ErrorCode() & 0xF, (L4_ErrMsgOverflow << 1) | L4_ErrSendPhase);
    KCHECK(TU_WAIT(agents[0].fails == 1));
    KCHECK_EQ(agents[0].fail_err & 0xF, (L4_ErrMsgOverflow << 1) | L4_ErrRecvPhase);
    KCHECK(L4_IpcFailed((L4_MsgTag_t){ .raw = agents[0].fail_tag }));
    KCHECK_EQ(agents[0].gifts, 0);
    /* Nothing was mapped anywhere (the agent's "window" address still shows the fallback). */
    KCHECK_EQ(ag_read(a, fb_addr(0)), FB_MARK + 0);
}

TTEST(map, kip_and_utcb_area_kept)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    *src(27) = 0xBADBAD;
    KCHECK(ag_accept(a, L4_CompleteAddressSpace));
    KCHECK(L4_IpcSucceeded(give(a, src_fp(27, 12, L4_Readable), fb_addr(0), 0)));    /* warm-up */
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0xBADBAD);
    L4_Word_t kip0 = *(volatile L4_Word_t *)L4_GetKernelInterface();
    L4_Word_t gid = tu_utcb_of(a) + 512 - 8 * (L4_Word_t)-UTCB_MY_GLOBAL_ID;     /* its word */
    KCHECK_EQ(ag_read(a, TU_SPACE_KIP), kip0);
    KCHECK_EQ(ag_read(a, gid), a.raw);
    L4_Word_t n = nodes();
    /* Onto the KIP page and onto the agent's own UTCB page: both ignored. */
    KCHECK(L4_IpcSucceeded(give(a, src_fp(27, 12, L4_Readable), TU_SPACE_KIP, 0)));
    KCHECK(L4_IpcSucceeded(give(a, src_fp(27, 12, L4_Readable), gid & ~(PAGE - 1), 0)));
    KCHECK(L4_IpcSucceeded(give(a, src_fp(24, 16, L4_Readable), TU_SPACE_UTCB, 0)));
    KCHECK_EQ(nodes(), n);
    KCHECK_EQ(ag_read(a, TU_SPACE_KIP), kip0);
    KCHECK_EQ(ag_read(a, gid), a.raw);
    KCHECK_EQ(L4_Label((L4_MsgTag_t){ .raw = agents[0].gift_tag }), AG_GIFT);  /* MRs work */
}

/* ---- one space, deletion, many pages ------------------------------------------------------ */

TTEST(map, alias_in_own_space)
{
    NEED_MEMORY();
    L4_ThreadId_t h = agent_new_here(0);                /* shares the root task's space */
    KCHECK(!L4_IsNilThread(h));
    KCHECK(ag_accept(h, L4_FpageLog2(ALIAS, 12)));
    *src(28) = 0xA11A5;
    L4_Word_t n = nodes();
    KCHECK(L4_IpcSucceeded(give(h, src_fp(28, 12, L4_ReadWriteOnly), 0, 0)));
    KCHECK_EQ(nodes(), n + 1);
    volatile L4_Word_t *alias = (volatile L4_Word_t *)ALIAS;
    KCHECK_EQ(alias[0], 0xA11A5);                       /* one page, two addresses */
    alias[1] = 0xB0B;
    KCHECK_EQ(src(28)[1], 0xB0B);
    L4_UnmapFpage(src_fp(28, 12, L4_FullyAccessible));
    KCHECK_EQ(nodes(), n);                              /* the alias is gone (not touched again) */
    KCHECK_EQ(*src(28), 0xA11A5);                       /* the original stays */
}

TTEST(map, space_deletion_frees_subtree)
{
    NEED_MEMORY();
    KCHECK(warm_slots(2));
    L4_Word_t n0 = nodes(), k0 = tu_kmem();
    L4_ThreadId_t a = agent_new(0), b = agent_new(1);
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b));
    KCHECK(ag_accept(a, fb_fp(0, 18)) && ag_accept(b, fb_fp(64, 18)));
    /* 64 pages root -> A -> B. */
    KCHECK(L4_IpcSucceeded(give(a, src_fp(64, 18, L4_ReadWriteOnly), 0, 0)));
    KCHECK(ag_send(a, b, L4_FpageAddRights(fb_fp(0, 18), L4_ReadWriteOnly), 0, 0));
    *src(64 + 63) = 0xDE1;
    KCHECK_EQ(ag_read(b, fb_addr(64 + 63)), 0xDE1);
    L4_Word_t n1 = nodes();
    KCHECK(n1 >= n0 + 128);
    KCHECK_EQ(tu_delete(a), 1);                         /* A's space goes, and B's pages with it */
    KCHECK(nodes() <= n1 - 128);
    KCHECK_EQ(ag_read(b, fb_addr(64 + 63)), FB_MARK + 64 + 63);
    KCHECK_EQ(tu_delete(b), 1);
    KCHECK_EQ(nodes(), n0);
    KCHECK_EQ(tu_kmem(), k0);
}

#define CHAIN   10

TTEST(map, ten_thousand_pages)
{
    NEED_MEMORY();
    KCHECK(warm_slots(CHAIN));
    L4_Word_t n0 = nodes(), k0 = tu_kmem();
    L4_ThreadId_t t[CHAIN];
    for (unsigned i = 0; i < CHAIN; i++) {
        t[i] = agent_new(i);
        KCHECK(!L4_IsNilThread(t[i]));
        KCHECK(ag_accept(t[i], L4_FpageLog2(BIG_WIN, 22)));
    }
    L4_Fpage_t big = L4_FpageAddRights(L4_FpageLog2(BIG_WIN, 22), L4_ReadWriteOnly);
    L4_Word_t n1 = 0, k1 = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            n1 = nodes();                               /* page tables exist from round 0 */
            k1 = tu_kmem();
        }
        /* 1024 pages root -> t[0] -> t[1] -> ... -> t[9]: 10,240 mappings. */
        L4_Word_t before = nodes();
        KCHECK(L4_IpcSucceeded(give(t[0], src_fp(0, 22, L4_ReadWriteOnly), 0, 0)));
        for (unsigned i = 0; i + 1 < CHAIN; i++)
            KCHECK(ag_send(t[i], t[i + 1], big, 0, 0));
        KCHECK_EQ(nodes(), before + CHAIN * 1024);
        L4_UnmapFpage(src_fp(0, 22, L4_FullyAccessible));
        KCHECK_EQ(nodes(), before);
    }
    KCHECK_EQ(nodes(), n1);
    KCHECK_EQ(tu_kmem(), k1);
    for (unsigned i = 0; i < CHAIN; i++)
        KCHECK_EQ(tu_delete(t[i]), 1);
    KCHECK_EQ(nodes(), n0);
    KCHECK_EQ(tu_kmem(), k0);
}

/* ---- 2 MiB mappings --------------------------------------------------------------------------- */

#define SUPER           0x7C000000UL    /* root: one 2 MiB page from sigma0, as one mapping */
#define SUPER_SIZE      (2UL << 20)

static int have_super;

/* A 2 MiB page from sigma0 at SUPER with a marker in every 64 KiB; 1 if ready. */
static int super_setup(void)
{
    if (!have_super) {
        L4_Word_t n = nodes();
        if (L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 21, L4_FpageLog2(SUPER, 21)))) {
            printf("# sigma0 gave no 2 MiB page\n");
            return 0;
        }
        if (nodes() != n + 1) {                     /* one node: one 2 MiB mapping */
            printf("# 2 MiB page took %lu mapping-database nodes\n", nodes() - n);
            return 0;
        }
        have_super = 1;
    }
    for (L4_Word_t off = 0; off < SUPER_SIZE; off += 0x10000)
        *(volatile L4_Word_t *)(SUPER + off) = 0x5E000000UL + off;
    return 1;
}

TTEST(map, superpage_from_sigma0_is_one_mapping)
{
    KCHECK(super_setup());                          /* checks: one node for 2 MiB */
    KCHECK_EQ(*(volatile L4_Word_t *)(SUPER + 0x1F0000), 0x5E000000UL + 0x1F0000);
}

TTEST(map, superpage_to_space_and_back)
{
    /* The whole 2 MiB page into an aligned part of an agent's window: one node, every part
     * readable there; Unmap takes it back as a whole. */
    NEED_MEMORY();
    KCHECK(super_setup());
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_FpageLog2(FB, 22)));
    L4_Word_t n0 = nodes();
    KCHECK(L4_IpcSucceeded(give(a, L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_ReadWriteOnly),
                                SUPER_SIZE, 0)));      /* lands at FB + 2 MiB */
    KCHECK_EQ(nodes(), n0 + 1);
    for (L4_Word_t off = 0; off < SUPER_SIZE; off += 0x80000)
        KCHECK_EQ(ag_read(a, FB + SUPER_SIZE + off), 0x5E000000UL + off);
    KCHECK(ag_write(a, FB + SUPER_SIZE + 0x123000, 0xAB));
    KCHECK_EQ(*(volatile L4_Word_t *)(SUPER + 0x123000), 0xAB);   /* the same memory */
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_FullyAccessible));
    KCHECK_EQ(nodes(), n0);
    KCHECK_EQ(ag_read(a, FB + SUPER_SIZE + 0x10000), FB_MARK + (SUPER_SIZE + 0x10000) / PAGE);
}

TTEST(map, superpage_piece_as_small_mapping)
{
    /* A 4 KiB part of the 2 MiB page maps as a 4 KiB child of it; unmapping the whole page
     * revokes the child. */
    NEED_MEMORY();
    KCHECK(super_setup());
    L4_ThreadId_t a = agent_new(1);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_FpageLog2(FB, 22)));
    L4_Word_t n0 = nodes();
    KCHECK(L4_IpcSucceeded(give(a, L4_FpageAddRights(L4_FpageLog2(SUPER + 0x30000, 12),
                                                     L4_ReadWriteOnly), 0x5000, 0)));
    KCHECK_EQ(nodes(), n0 + 1);
    KCHECK_EQ(ag_read(a, FB + 0x5000), 0x5E000000UL + 0x30000);
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_FullyAccessible));
    KCHECK_EQ(nodes(), n0);
    KCHECK_EQ(ag_read(a, FB + 0x5000), FB_MARK + 5);
}

TTEST(map, superpage_unaligned_target_falls_back_to_pages)
{
    /* A 2 MiB page sent into a window where the agent already has a leaf table (it touched a
     * page of that 2 MiB) arrives as 512 4 KiB mappings. */
    NEED_MEMORY();
    KCHECK(super_setup());
    L4_ThreadId_t a = agent_new(2);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_FpageLog2(FB, 22)));
    KCHECK_EQ(ag_read(a, FB + SUPER_SIZE + 0x7000), FB_MARK + (SUPER_SIZE + 0x7000) / PAGE);
    L4_Word_t n0 = nodes();
    KCHECK(L4_IpcSucceeded(give(a, L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_ReadWriteOnly),
                                SUPER_SIZE, 0)));
    KCHECK_EQ(nodes(), n0 + 511);                   /* 512, one replacing the fallback page */
    KCHECK_EQ(ag_read(a, FB + SUPER_SIZE + 0x10000), 0x5E000000UL + 0x10000);
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_FullyAccessible));
    KCHECK(nodes() < n0);
}

TTEST(map, superpage_partial_unmap_revokes_whole_derived_page)
{
    /* Unmap of one 4 KiB page of the 2 MiB page revokes the derived 2 MiB mapping as a whole
     * (it cannot keep the other 511 pages without being split): documented in memory.md. */
    NEED_MEMORY();
    KCHECK(super_setup());
    L4_ThreadId_t a = agent_new(3);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_FpageLog2(FB, 22)));
    L4_Word_t n0 = nodes();
    KCHECK(L4_IpcSucceeded(give(a, L4_FpageAddRights(L4_FpageLog2(SUPER, 21), L4_ReadWriteOnly),
                                0, 0)));
    KCHECK_EQ(nodes(), n0 + 1);
    L4_UnmapFpage(L4_FpageAddRights(L4_FpageLog2(SUPER + 0x40000, 12), L4_FullyAccessible));
    KCHECK_EQ(nodes(), n0);
    KCHECK_EQ(ag_read(a, FB + 0x80000), FB_MARK + 0x80);
    KCHECK_EQ(*(volatile L4_Word_t *)(SUPER + 0x80000), 0x5E000000UL + 0x80000);  /* ours stays */
}
