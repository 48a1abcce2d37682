/* test_unmap.c — in-system tests of Unmap and the mapping database (docs/abi/unmap.md,
 * docs/design/memory.md): recursive revocation from every space derived from the caller's
 * mapping, from the middle of a chain, write revocation (read-only), the status bits
 * (referenced, dirty, cleared when reported), flush versus no flush, grant (the granter no longer
 * reaches the page), several fpages in one call, the whole address space, nothing mapped, and a
 * derivation chain 1000 mappings deep.
 *
 * Same set-up as test_map.c: the root task maps pages of SRC (2 MiB of fresh sigma0 memory) to
 * "agents", threads in new spaces that obey commands (accept a window, read, write, send a map
 * or grant item, unmap or flush) and answer other messages with their tag.  Their windows lie
 * in FB, 4 MiB of root-task fallback pages whose word 0 holds a marker: an agent that touches a
 * window address after its mapping was revoked faults, the tutil pager maps the fallback page,
 * and the read returns the marker.  Status bits are read by Unmap with no rights to revoke.
 */
#include <l4/l4.h>
#include <l4/sigma0.h>
#include "tutil.h"

#define SRC             0x4C000000UL    /* root: 2 MiB of pages to map */
#define FB              0x64000000UL    /* root: 4 MiB of fallback pages; the agents' windows */
#define FB_MARK         0xFC00000000000000UL    /* word 0 of fallback page i: FB_MARK + i */
#define NOTHING         0x7F000000UL    /* root: nothing is ever mapped here */
#define PAGE            4096UL
#define WAIT_US         5000000UL
#define RWX             L4_FullyAccessible
#define RW              L4_ReadWriteOnly

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
        if (!get_small_pages(SRC, 1UL << (21 - 12)) || !get_small_pages(FB, 1024)) {
            printf("# sigma0 gave no memory\n");
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
/* SRC page `page` with rights rwx (the rights to map, or to revoke). */
static L4_Fpage_t src_fp(L4_Word_t page, L4_Word_t rwx)
{
    return L4_FpageAddRights(L4_FpageLog2(SRC + page * PAGE, 12), rwx);
}
/* Window page `page` of FB with rights rwx. */
static L4_Fpage_t fb_fp(L4_Word_t page, L4_Word_t rwx)
{
    return L4_FpageAddRights(L4_FpageLog2(FB + page * PAGE, 12), rwx);
}
static L4_Word_t fb_addr(L4_Word_t page)             { return FB + page * PAGE; }
static L4_Word_t nodes(void)                         { return L4_KDB_Stat(KDB_STAT_MDB_NODES); }
static L4_Word_t faults(void)                        { return tu_pager_log.faults; }
static L4_Word_t last_access(void)
{
    return L4_Label((L4_MsgTag_t){ .raw = tu_pager_log.last_tag }) & 0xF;
}

/* n agents t[0..n-1], agent i with window page i. */
static int agents_with_windows(L4_ThreadId_t *t, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        t[i] = agent_new(i);
        if (L4_IsNilThread(t[i]) || !ag_accept(t[i], fb_fp(i, 0)))
            return 0;
    }
    return 1;
}

/* SRC page `page` (holding `value`) root -> t[0] -> t[1] -> ... -> t[n-1], each at its window. */
static int chain(L4_ThreadId_t *t, unsigned n, L4_Word_t page, L4_Word_t value)
{
    if (!agents_with_windows(t, n))
        return 0;
    *src(page) = value;
    if (L4_IpcFailed(give(t[0], src_fp(page, RW), 0, 0)))
        return 0;
    for (unsigned i = 0; i + 1 < n; i++)
        if (!ag_send(t[i], t[i + 1], fb_fp(i, RW), 0, 0))
            return 0;
    return 1;
}

/* ---- revocation --------------------------------------------------------------------------- */

TTEST(unmap, revokes_all_derived)
{
    NEED_MEMORY();
    L4_ThreadId_t t[3];
    KCHECK(chain(t, 3, 0, 0x0A11));
    for (unsigned i = 0; i < 3; i++)
        KCHECK_EQ(ag_read(t[i], fb_addr(i)), 0x0A11);
    L4_Word_t n = nodes();
    L4_Fpage_t r = L4_UnmapFpage(src_fp(0, RWX));
    KCHECK_EQ(nodes(), n - 3);
    KCHECK_EQ(r.raw & ~0xFUL, src_fp(0, 0).raw);       /* the fpage comes back, with status */
    for (unsigned i = 0; i < 3; i++) {
        L4_Word_t f = faults();
        KCHECK_EQ(ag_read(t[i], fb_addr(i)), FB_MARK + i);
        KCHECK_EQ(faults(), f + 1);
        KCHECK_EQ(tu_pager_log.last_from.raw, t[i].raw);
    }
    KCHECK_EQ(*src(0), 0x0A11);                         /* no flush: the root keeps its page */
}

TTEST(unmap, from_middle_of_chain)
{
    NEED_MEMORY();
    L4_ThreadId_t t[4];
    KCHECK(chain(t, 4, 1, 0x0B22));
    KCHECK_EQ(ag_read(t[3], fb_addr(3)), 0x0B22);
    L4_Word_t n = nodes();
    KCHECK(ag_unmap(t[1], fb_fp(1, RWX), 0) != ~0UL);
    KCHECK_EQ(nodes(), n - 2);                          /* t[2] and t[3] */
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x0B22);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x0B22);
    KCHECK_EQ(ag_read(t[2], fb_addr(2)), FB_MARK + 2);
    KCHECK_EQ(ag_read(t[3], fb_addr(3)), FB_MARK + 3);
}

TTEST(unmap, write_revoked_read_only)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(chain(t, 2, 2, 0x0C33));
    src(2)[2] = 0x600D;
    KCHECK(ag_write(t[1], fb_addr(1) + 8, 0x0C34));    /* writable before */
    KCHECK_EQ(src(2)[1], 0x0C34);
    L4_Word_t n = nodes(), f = faults();
    L4_UnmapFpage(src_fp(2, L4_Writable));
    KCHECK_EQ(nodes(), n);                              /* downgraded, not removed */
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x0C33);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x0C33);
    KCHECK_EQ(faults(), f);                             /* reading needs no fault */
    for (unsigned i = 0; i < 2; i++) {
        KCHECK(ag_write(t[i], fb_addr(i) + 16, 0xBAD));
        KCHECK_EQ(faults(), f + i + 1);                 /* each write faults, access w */
        KCHECK_EQ(last_access(), L4_Writable);
        KCHECK_EQ(tu_pager_log.last_addr, fb_addr(i) + 16);
        KCHECK_EQ(tu_pager_log.last_from.raw, t[i].raw);
    }
    KCHECK_EQ(src(2)[2], 0x600D);
    src(2)[3] = 0x0C35;                                 /* the root still writes its own */
    KCHECK_EQ(src(2)[3], 0x0C35);
}

/* ---- status bits -------------------------------------------------------------------------- */

TTEST(unmap, status_referenced_after_read)
{
    NEED_MEMORY();
    L4_ThreadId_t t[1];
    KCHECK(chain(t, 1, 3, 0x0D44));
    L4_UnmapFpage(src_fp(3, 0));                        /* report (and so clear) the status */
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(3, 0))), 0);      /* nobody touched it since */
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x0D44);
    L4_Fpage_t r = L4_UnmapFpage(src_fp(3, 0));
    KCHECK_EQ(L4_Rights(r), L4_Readable);               /* referenced, not dirty */
    KCHECK_EQ(L4_Address(r), SRC + 3 * PAGE);
    KCHECK_EQ(L4_SizeLog2(r), 12);
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(3, 0))), 0);      /* reported once */
    L4_Word_t f = faults();
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x0D44);      /* rights 0 revoked nothing */
    KCHECK_EQ(faults(), f);
}

TTEST(unmap, status_dirty_after_write)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(chain(t, 2, 4, 0x0E55));
    L4_UnmapFpage(src_fp(4, 0));
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(4, 0))), 0);
    KCHECK(ag_write(t[1], fb_addr(1), 0x0E56));         /* the end of the chain writes */
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(4, 0))), L4_Readable | L4_Writable);
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(4, 0))), 0);
    /* The owner's own accesses count too (Unmap without flush reports the caller's page). */
    *src(4) = 0x0E57;
    KCHECK(L4_Rights(L4_UnmapFpage(src_fp(4, 0))) & L4_Writable);
    /* Seen from the middle, t[1]'s write is visible to t[0] as well. */
    L4_UnmapFpage(src_fp(4, 0));
    KCHECK(ag_write(t[1], fb_addr(1) + 8, 1));
    KCHECK_EQ(ag_unmap(t[0], fb_fp(0, 0), 0) & 0x7, L4_Readable | L4_Writable);
}

TTEST(unmap, several_fpages_one_call)
{
    NEED_MEMORY();
    L4_ThreadId_t a = agent_new(0);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(ag_accept(a, L4_FpageLog2(FB, 16)));
    for (L4_Word_t i = 0; i < 3; i++) {
        *src(8 + i) = 0x0F60 + i;
        KCHECK(L4_IpcSucceeded(give(a, src_fp(8 + i, RW), i * PAGE, 0)));
    }
    L4_Fpage_t fp[3] = { src_fp(8, 0), src_fp(9, 0), src_fp(10, 0) };
    L4_UnmapFpages(3, fp);
    fp[0] = src_fp(8, 0), fp[1] = src_fp(9, 0), fp[2] = src_fp(10, 0);
    KCHECK_EQ(ag_read(a, fb_addr(0)), 0x0F60);
    KCHECK(ag_write(a, fb_addr(2), 0x0F62));
    L4_UnmapFpages(3, fp);
    KCHECK_EQ(L4_Rights(fp[0]), L4_Readable);
    KCHECK_EQ(L4_Rights(fp[1]), 0);
    KCHECK_EQ(L4_Rights(fp[2]), L4_Readable | L4_Writable);
    for (unsigned i = 0; i < 3; i++)
        KCHECK_EQ(fp[i].raw & ~0xFUL, src_fp(8 + i, 0).raw);
    L4_Word_t n = nodes();
    fp[0] = src_fp(8, RWX), fp[1] = src_fp(9, RWX), fp[2] = src_fp(10, RWX);
    L4_UnmapFpages(3, fp);
    KCHECK_EQ(nodes(), n - 3);
    for (L4_Word_t i = 0; i < 3; i++)
        KCHECK_EQ(ag_read(a, fb_addr(i)), FB_MARK + i);
}

TTEST(unmap, nothing_mapped)
{
    L4_Word_t n = nodes();
    L4_Fpage_t f = L4_FpageAddRights(L4_FpageLog2(NOTHING, 16), RWX);
    L4_Fpage_t r = L4_UnmapFpage(f);
    KCHECK_EQ(r.raw, f.raw & ~0x7UL);                   /* status 0, the fpage itself */
    r = L4_Flush(f);
    KCHECK_EQ(r.raw, f.raw & ~0x7UL);
    KCHECK_EQ(nodes(), n);
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(L4_FpageAddRights(L4_Nilpage, RWX))), 0);
}

/* ---- flush -------------------------------------------------------------------------------- */

TTEST(unmap, flush_removes_own)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(chain(t, 2, 12, 0x1077));
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x1077);
    L4_Word_t n = nodes();
    L4_Fpage_t r = { .raw = ag_unmap(t[0], fb_fp(0, RWX), 1) };
    KCHECK_EQ(nodes(), n - 2);                          /* its own and the derived one */
    KCHECK_EQ(L4_Address(r), fb_addr(0));
    L4_Word_t f = faults();
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), FB_MARK + 0);
    KCHECK_EQ(faults(), f + 1);
    KCHECK_EQ(tu_pager_log.last_from.raw, t[0].raw);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), FB_MARK + 1);
    KCHECK_EQ(*src(12), 0x1077);                        /* the mapper's page is untouched */
}

TTEST(unmap, no_flush_keeps_own)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(chain(t, 2, 13, 0x1188));
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x1188);
    L4_Word_t n = nodes();
    KCHECK(ag_unmap(t[0], fb_fp(0, RWX), 0) != ~0UL);
    KCHECK_EQ(nodes(), n - 1);
    L4_Word_t f = faults();
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x1188);
    KCHECK_EQ(faults(), f);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), FB_MARK + 1);
}

TTEST(unmap, flush_write_makes_own_read_only)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(chain(t, 2, 14, 0x1299));
    src(14)[2] = 0x600D;
    L4_Word_t n = nodes(), f = faults();
    KCHECK(ag_unmap(t[0], fb_fp(0, L4_Writable), 1) != ~0UL);
    KCHECK_EQ(nodes(), n);
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), 0x1299);
    KCHECK_EQ(faults(), f);
    KCHECK(ag_write(t[0], fb_addr(0) + 16, 0xBAD));
    KCHECK_EQ(faults(), f + 1);
    KCHECK_EQ(last_access(), L4_Writable);
    KCHECK_EQ(tu_pager_log.last_from.raw, t[0].raw);
    KCHECK(ag_write(t[1], fb_addr(1) + 16, 0xBAD));    /* derived: read-only too */
    KCHECK_EQ(faults(), f + 2);
    KCHECK_EQ(tu_pager_log.last_from.raw, t[1].raw);
    KCHECK_EQ(src(14)[2], 0x600D);
}

/* ---- grant, the whole space, depth -------------------------------------------------------- */

TTEST(unmap, granter_no_longer_reaches)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    KCHECK(agents_with_windows(t, 2));
    *src(15) = 0x13AA;
    KCHECK(L4_IpcSucceeded(give(t[0], src_fp(15, RW), 0, 0)));
    KCHECK(ag_send(t[0], t[1], fb_fp(0, RW), 0, 1));   /* grant */
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x13AA);
    L4_Word_t n = nodes();
    KCHECK(ag_unmap(t[0], fb_fp(0, RWX), 1) != ~0UL);  /* the granter: nothing left to revoke */
    KCHECK_EQ(nodes(), n);
    L4_Word_t f = faults();
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), 0x13AA);
    KCHECK_EQ(faults(), f);
    L4_UnmapFpage(src_fp(15, RWX));                     /* the root still reaches it */
    KCHECK_EQ(nodes(), n - 1);
    KCHECK_EQ(ag_read(t[1], fb_addr(1)), FB_MARK + 1);
}

TTEST(unmap, whole_address_space)
{
    NEED_MEMORY();
    L4_ThreadId_t t[3];
    KCHECK(agents_with_windows(t, 3));
    KCHECK(ag_accept(t[1], L4_FpageLog2(FB, 16)) && ag_accept(t[2], L4_FpageLog2(FB, 16)));
    *src(16) = 0x14B0;
    *src(17) = 0x14B1;
    KCHECK(ag_accept(t[0], L4_FpageLog2(FB, 16)));
    KCHECK(L4_IpcSucceeded(give(t[0], src_fp(16, RW), 0, 0)));
    KCHECK(L4_IpcSucceeded(give(t[0], src_fp(17, RW), PAGE, 0)));
    /* t[0] passes both pages to t[1] and t[2] (at pages 4 and 5 of their windows). */
    for (unsigned i = 1; i < 3; i++) {
        KCHECK(ag_send(t[0], t[i], fb_fp(0, RW), 4 * PAGE, 0));
        KCHECK(ag_send(t[0], t[i], fb_fp(1, RW), 5 * PAGE, 0));
        KCHECK_EQ(ag_read(t[i], fb_addr(5)), 0x14B1);
    }
    L4_Word_t n = nodes();
    L4_Fpage_t r = { .raw = ag_unmap(t[0], L4_FpageAddRights(L4_CompleteAddressSpace, RWX), 0) };
    KCHECK_EQ(r.raw & ~0xFUL, L4_CompleteAddressSpace.raw);
    KCHECK_EQ(nodes(), n - 4);
    KCHECK_EQ(ag_read(t[0], fb_addr(1)), 0x14B1);       /* t[0] itself keeps everything */
    for (unsigned i = 1; i < 3; i++) {
        KCHECK_EQ(ag_read(t[i], fb_addr(4)), FB_MARK + 4);
        KCHECK_EQ(ag_read(t[i], fb_addr(5)), FB_MARK + 5);
    }
}

#define DEPTH   1000

TTEST(unmap, deep_chain)
{
    NEED_MEMORY();
    L4_ThreadId_t t[2];
    for (unsigned i = 0; i < 2; i++) {
        t[i] = agent_new(i);
        KCHECK(!L4_IsNilThread(t[i]));
        KCHECK(ag_accept(t[i], L4_FpageLog2(FB, 22)));
    }
    *src(18) = 0x15C0;
    L4_Word_t n = nodes();
    /* Mapping k lives at window page k, in t[k % 2]; each is derived from the one before. */
    KCHECK(L4_IpcSucceeded(give(t[0], src_fp(18, RW), fb_addr(0), 0)));
    for (L4_Word_t k = 0; k + 1 < DEPTH; k++)
        KCHECK(ag_send(t[k % 2], t[(k + 1) % 2], fb_fp(k, RW), fb_addr(k + 1), 0));
    KCHECK_EQ(nodes(), n + DEPTH);
    KCHECK_EQ(ag_read(t[(DEPTH - 1) % 2], fb_addr(DEPTH - 1)), 0x15C0);
    /* Revoking the 501st mapping takes the 499 below it. */
    KCHECK(ag_unmap(t[500 % 2], fb_fp(500, RWX), 0) != ~0UL);
    KCHECK_EQ(nodes(), n + 501);
    L4_UnmapFpage(src_fp(18, RWX));
    KCHECK_EQ(nodes(), n);
    KCHECK_EQ(ag_read(t[(DEPTH - 1) % 2], fb_addr(DEPTH - 1)), FB_MARK + DEPTH - 1);
    KCHECK_EQ(ag_read(t[0], fb_addr(0)), FB_MARK + 0);
}

/* Send the root thread a 64-byte string from a buffer of our own. */
static char str_out[64] = "written by the kernel's string copy";
static void string_sender(void *arg)
{
    (void)arg;
    L4_LoadMR(1, 64UL << 10);                       /* a simple string item */
    L4_LoadMR(2, (L4_Word_t)str_out);
    L4_LoadMR(0, L4_MsgTagMake(0, 0, 2).raw);
    L4_Send_Timeout(tu_root(), L4_TimePeriod(2000000));
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(unmap, status_dirty_after_string_copy)
{
    /* A string the kernel copies into a page marks it referenced and dirty, as a write by
     * the owner would: Unmap's status bits see it. */
    NEED_MEMORY();
    L4_UnmapFpage(src_fp(5, 0));                    /* clear the status bits */
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(5, 0))), 0);
    L4_ThreadId_t t = tu_create(string_sender, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_LoadBR(1, 64UL << 10);
    L4_LoadBR(2, SRC + 5 * PAGE + 128);
    L4_Accept(L4_StringItemsAcceptor);
    L4_MsgTag_t tag = L4_Receive_Timeout(t, L4_TimePeriod(2000000));
    L4_Accept(L4_UntypedWordsAcceptor);
    KCHECK(L4_IpcSucceeded(tag));
    KCHECK_EQ(L4_Rights(L4_UnmapFpage(src_fp(5, 0))), L4_Readable | L4_Writable);
    KCHECK(((volatile char *)(SRC + 5 * PAGE + 128))[0] == 'w');
}
