/* test_hard_mem.c — hardening tests of address arithmetic, local ids and IO-port grants
 * (issue 10, defects 7, 9 and 11; docs/design/security.md).
 *
 * Map items into receive windows at the top of the user half and where base + size wraps
 * (defect 7), local ids outside the UTCB area (defect 9), and IO-port grants along a chain of
 * 120 spaces and with the kernel out of memory (defect 11).  The attackers and helpers are
 * "agents": threads in new spaces (tutil pager, so they share the root task's memory) that
 * obey commands the root thread sends them by IPC.  Spaces that must outlive their agent are
 * kept alive by an inactive "keeper" thread, created here with plain ThreadControl.
 */
#include <l4/l4.h>
#include <l4/sigma0.h>
#include <l4/kdebug.h>
#include <sigma4/kdb.h>
#include "hard.h"

#define PAGE            4096UL
#define MIB             (1024UL * 1024UL)
#define WAIT            L4_TimePeriod(2000000)

/* Agent commands (labels); MR1, MR2 arguments; the answer carries the same label, MR1, MR2. */
#define AG_GET          0x1A1   /* MR1 IO fpage: ask sigma0 for it -> MR1 1 if it sent an item */
#define AG_GIVE         0x1A2   /* MR1 to, MR2 fpage, MR3 SendBase -> MR1 1 if sent, MR2 error */
#define AG_UNMAP        0x1A3   /* MR1 fpage (with rights), MR2 flush -> MR1 fpage with status */
#define AG_INB          0x1A4   /* MR1 port -> MR1 the byte read */
#define AG_ACCEPT       0x1A5   /* MR1 acceptor for the next receives */
#define AG_ITEM         0x1A6   /* a message with items from another agent (not answered) */
#define AG_READ         0x1A7   /* MR1 address -> MR1 the word there */

#define KEEP_NO         50000   /* thread numbers of the keepers */
#define OOM_NO          30000   /* thread numbers of the threads that exhaust kernel memory */
#define OOM_MAX         60000

struct agent {
    volatile L4_Word_t items, last_tag, last_err, fails;
    volatile L4_Word_t acceptor;
};

static L4_ThreadId_t s0_tid;                        /* sigma0 (set by the root thread) */

static inline unsigned inb(unsigned port)
{
    unsigned char v;
    __asm__ volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port));
    return v;
}

/* The IO fpage of 2^lg ports at port (rights rw). */
static L4_Word_t iofp(L4_Word_t port, L4_Word_t lg)
{
    return (port << 16) | (lg << 10) | (2UL << 4) | 6;
}

/* The agent: obey commands, count other messages (items from other agents). */
static void agent_loop(void *arg)
{
    struct agent *a = arg;
    L4_ThreadId_t from;
    for (;;) {
        L4_Accept((L4_Acceptor_t){ .raw = a->acceptor ? a->acceptor
                                   : L4_MapGrantItems(L4_CompleteAddressSpace).raw });
        L4_MsgTag_t tag = L4_Wait(&from);
        if (L4_IpcFailed(tag)) {
            a->last_err = L4_ErrorCode();
            a->fails++;
            continue;
        }
        L4_Word_t w1 = 0, w2 = 0, w3 = 0, r1 = 0, r2 = 0, label = L4_Label(tag);
        L4_StoreMR(1, &w1);
        L4_StoreMR(2, &w2);
        L4_StoreMR(3, &w3);
        switch (label) {
        case AG_GET:                                /* sigma0 hands out the ports of an IO fault */
            L4_LoadMR(0, L4_MsgTagMake(TU_LABEL_IOFAULT, 2, 0).raw);
            L4_LoadMR(1, w1);
            L4_LoadMR(2, 0);
            tag = L4_Call_Timeouts(s0_tid, WAIT, WAIT);
            r1 = L4_IpcSucceeded(tag) && L4_TypedWords(tag) == 2;
            break;
        case AG_GIVE:
            L4_LoadMR(0, L4_MsgTagMake(AG_ITEM, 0, 2).raw);
            L4_LoadMR(1, (w3 & ~0x3FFUL) | 0x8);    /* a map item */
            L4_LoadMR(2, w2);
            tag = L4_Send_Timeout((L4_ThreadId_t){ .raw = w1 }, WAIT);
            r1 = L4_IpcSucceeded(tag);
            r2 = r1 ? 0 : L4_ErrorCode();
            break;
        case AG_UNMAP:
            L4_LoadMR(0, w1);
            L4_Unmap(w2 ? 0x40 : 0);
            L4_StoreMR(0, &r1);
            break;
        case AG_INB:
            r1 = inb((unsigned)w1);
            break;
        case AG_ACCEPT:
            a->acceptor = w1;
            break;
        case AG_READ:
            r1 = *(volatile L4_Word_t *)w1;
            break;
        default:                                    /* items (or anything else): no answer */
            a->last_tag = tag.raw;
            a->items++;
            continue;
        }
        L4_LoadMR(0, L4_MsgTagMake(label, 2, 0).raw);
        L4_LoadMR(1, r1);
        L4_LoadMR(2, r2);
        L4_Send_Timeout(from, WAIT);
    }
}

/* Send agent t command `label` with MR1..MR3; the answer's tag, its MR1 and MR2 in r[0..1]. */
static L4_MsgTag_t cmd(L4_ThreadId_t t, L4_Word_t label, L4_Word_t w1, L4_Word_t w2,
                       L4_Word_t w3, L4_Word_t r[2])
{
    L4_LoadMR(0, L4_MsgTagMake(label, 3, 0).raw);
    L4_LoadMR(1, w1);
    L4_LoadMR(2, w2);
    L4_LoadMR(3, w3);
    L4_MsgTag_t tag = L4_Call_Timeouts(t, WAIT, WAIT);
    r[0] = r[1] = ~0UL;
    if (L4_IpcSucceeded(tag)) {
        L4_StoreMR(1, &r[0]);
        L4_StoreMR(2, &r[1]);
    }
    return tag;
}

/* The one-word result of a command that must succeed with the command's own label; ~0 if
 * the IPC failed or something else (a fault message) came back. */
static L4_Word_t cmd1(L4_ThreadId_t t, L4_Word_t label, L4_Word_t w1, L4_Word_t w2, L4_Word_t w3)
{
    L4_Word_t r[2];
    L4_MsgTag_t tag = cmd(t, label, w1, w2, w3, r);
    if (L4_IpcFailed(tag) || L4_Label(tag) != label)
        return ~0UL;
    return r[0];
}

/* Agent `from` maps IO fpage f to agent `to`: 1 if the IPC succeeded. */
static L4_Word_t give(L4_ThreadId_t from, L4_ThreadId_t to, L4_Word_t f)
{
    return cmd1(from, AG_GIVE, to.raw, f, 0);
}

/* Make `pager` the pager of t (from now on its faults come there). */
static L4_Word_t set_pager(L4_ThreadId_t t, L4_ThreadId_t pager)
{
    return L4_ThreadControl(t, t, L4_nilthread, pager, (void *)-1);
}

/* Agent t (whose pager is the root thread) reads `port`: 1 if it faulted with an IO fault on
 * exactly that port (the fault stays unanswered), 0 if the read went through, ~0 else. */
static L4_Word_t inb_faults(L4_ThreadId_t t, L4_Word_t port)
{
    L4_Word_t r[2];
    L4_MsgTag_t tag = cmd(t, AG_INB, port, 0, 0, r);
    if (L4_IpcFailed(tag))
        return ~0UL;
    if (L4_Label(tag) == AG_INB)
        return 0;
    if ((L4_Label(tag) & ~0xFUL) == TU_LABEL_IOFAULT && ((r[0] >> 16) & 0xFFFF) == port)
        return 1;
    printf("# hard_mem: unexpected answer %lx (%lx) to inb %lx\n", tag.raw, r[0], port);
    return ~0UL;
}

/* A keeper: an inactive thread in a new space, with (if `areas`) the KIP and UTCB areas
 * tutil's threads expect (tu_space_join can add an agent to it).  nilthread if that failed. */
static L4_ThreadId_t keeper_create(L4_Word_t no, int areas)
{
    L4_ThreadId_t k = L4_GlobalId(no, 1);
    L4_Word_t old;
    if (!L4_ThreadControl(k, k, tu_root(), L4_nilthread, (void *)-1))
        return L4_nilthread;
    if (areas && !L4_SpaceControl(k, 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                         L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2), L4_nilthread, &old)) {
        L4_ThreadControl(k, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
        return L4_nilthread;
    }
    return k;
}

static L4_Word_t keeper_delete(L4_ThreadId_t k)
{
    return L4_ThreadControl(k, L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1);
}

static void agents_init(struct agent *a, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        a[i] = (struct agent){ 0 };
    s0_tid = L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()), 1);
}

/* ---- defect 7: address arithmetic --------------------------------------------------------- */

#define SUP             0x3E000000UL    /* root: a 2 MiB page from sigma0 (a PDE, no new table) */
#define SUP_SIZE        (2 * MIB)
#define UTOP            0x0000800000000000UL    /* end of the user half */
#define MARK            0x5A7E000000000000UL    /* word at SUP + off: MARK + off */

static struct agent map_ag[1];

/* The mapping-database nodes in use. */
static L4_Word_t nodes(void) { return L4_KDB_Stat(KDB_STAT_MDB_NODES); }

/* The root thread sends agent b one map item (fpage f, SendBase sbase) into receive window
 * win; 1 if the IPC succeeded and b got the message. */
static L4_Word_t map_into(L4_ThreadId_t b, L4_Word_t f, L4_Word_t sbase, L4_Word_t win)
{
    if (cmd1(b, AG_ACCEPT, L4_MapGrantItems((L4_Fpage_t){ .raw = win }).raw, 0, 0) == ~0UL)
        return 0;
    L4_Word_t items = map_ag[0].items;
    L4_LoadMR(0, L4_MsgTagMake(AG_ITEM, 0, 2).raw);
    L4_LoadMR(1, (sbase & ~0x3FFUL) | 0x8);
    L4_LoadMR(2, f);
    if (L4_IpcFailed(L4_Send_Timeout(b, WAIT)))
        return 0;
    return TU_WAIT(map_ag[0].items == items + 1);
}

static L4_Word_t fp(L4_Word_t base, int lg) { return L4_FpageLog2(base, lg).raw | 7; }

HTEST_LATE(map_windows_at_the_top_and_where_base_plus_size_wraps)
{
    /* The root task maps parts of a 2 MiB page to an agent.  Into windows at the very top of
     * the user half the items land as X.2 places them (the agent reads the page there).  Into
     * windows at the top of the address space, or placed beyond the user half, they map
     * nothing: no mapping node appears (before, a 2 MiB item into the last 2 MiB window
     * passed the check as base + size wrapped to 0, put a page table into the shared kernel
     * half, and left a node that outlived the agent's space).  Then the agent's space goes
     * and the root task unmaps its page: all counts come back. */
    agents_init(map_ag, 1);
    L4_Word_t n_start = nodes();
    if (L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 21, L4_FpageLog2(SUP, 21))) ||
        nodes() != n_start + 1) {
        KCHECK(!"a 2 MiB page from sigma0 as one mapping");
        return;
    }
    for (L4_Word_t off = 0; off < SUP_SIZE; off += 0x1000)
        *(volatile L4_Word_t *)(SUP + off) = MARK + off;
    L4_ThreadId_t b = tu_space_thread(agent_loop, &map_ag[0], 100);
    KCHECK(!L4_IsNilThread(b));
    /* The agent's own pages first (the tutil pager maps them as it touches them). */
    KCHECK(cmd1(b, AG_ACCEPT, 0, 0, 0) != ~0UL);
    KCHECK(cmd1(b, AG_READ, (L4_Word_t)&map_ag[0].items, 0, 0) != ~0UL);
    L4_Word_t n0 = nodes();
    /* The top of the user half: the 2 MiB page as a whole, a 4 KiB page, and the complete
     * address space as the send fpage (SendBase selects the part). */
    KCHECK(map_into(b, fp(SUP, 21), 0, fp(UTOP - SUP_SIZE, 21)));
    KCHECK_EQ(nodes(), n0 + 1);
    KCHECK_EQ(cmd1(b, AG_READ, UTOP - SUP_SIZE + 0x1FF000, 0, 0), MARK + 0x1FF000);
    KCHECK(map_into(b, fp(SUP + 0x3000, 12), 0, fp(UTOP - PAGE, 12)));
    KCHECK_EQ(cmd1(b, AG_READ, UTOP - PAGE, 0, 0), MARK + 0x3000);
    KCHECK(map_into(b, L4_CompleteAddressSpace.raw | 7, SUP + 0x5000, fp(UTOP - 2 * PAGE, 12)));
    KCHECK_EQ(cmd1(b, AG_READ, UTOP - 2 * PAGE, 0, 0), MARK + 0x5000);
    L4_Word_t n1 = nodes();
    /* Windows and placements beyond the user half, up to where base + size wraps. */
    static const struct { L4_Word_t f, sbase, win; } bad[] = {
        { SUP | (21 << 4) | 7, 0, 0xFFFFFFFFFFE00000UL | (21 << 4) },
        { SUP | (12 << 4) | 7, 0, 0xFFFFFFFFFFFFF000UL | (12 << 4) },
        { (1 << 4) | 7, SUP, 0xFFFFFFFFFFE00000UL | (21 << 4) },         /* whole space */
        { SUP | (21 << 4) | 7, 0x3FE00000UL, 0xFFFFFFFFC0000000UL | (30 << 4) },
        { SUP | (21 << 4) | 7, SUP, 0xFFFFFFFFC0000000UL | (30 << 4) },
        { SUP | (21 << 4) | 7, 0, 0x8000000000000000UL | (63 << 4) },
        { SUP | (21 << 4) | 7, 0xFFFFFFFFFFE00000UL, 1 << 4 },          /* complete window */
        { SUP | (21 << 4) | 7, UTOP, 1 << 4 },
        { SUP | (12 << 4) | 7, 0, UTOP | (12 << 4) },
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        KCHECK(map_into(b, bad[i].f, bad[i].sbase, bad[i].win));   /* the IPC succeeds */
        if (nodes() != n1) {
            printf("# hard_mem: window %lx (item %lx at %lx) made %ld nodes\n", bad[i].win,
                   bad[i].f, bad[i].sbase, (long)(nodes() - n1));
            KCHECK_EQ(nodes(), n1);                 /* but maps nothing */
            break;
        }
    }
    /* Unmap and MemoryControl of fpages at the top of the address space change nothing. */
    L4_LoadMR(0, 0xFFFFFFFFFFE00000UL | (21 << 4) | 7);
    L4_Unmap(0x40);
    KCHECK_EQ(nodes(), n1);
    KCHECK(tu_delete(b));                           /* the agent's space goes ... */
    KCHECK(TU_WAIT(nodes() == n_start + 1));         /* its nodes went with it */
    L4_Flush(L4_FpageAddRights(L4_FpageLog2(SUP, 21), L4_FullyAccessible));   /* ... then ours */
    KCHECK_EQ(nodes(), n_start);
}

HTEST_LATE(space_control_areas_that_wrap_are_refused)
{
    /* SpaceControl with a KIP or UTCB area whose base + size wraps to 0 (before, accepted:
     * the KIP was mapped into the shared kernel half) is refused with KipArea / UtcbArea
     * errors; areas that end exactly at the top of the user half are fine. */
    L4_ThreadId_t k = keeper_create(KEEP_NO, 0);
    KCHECK(!L4_IsNilThread(k));
    L4_Word_t old;
    L4_Fpage_t utcb = L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2);
    KCHECK_EQ(L4_SpaceControl(k, 0, L4_FpageLog2(0xFFFFFFFFFFFFF000UL, 12), utcb,
                              L4_nilthread, &old), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrKipArea);
    KCHECK_EQ(L4_SpaceControl(k, 0, L4_FpageLog2(UTOP, 12), utcb, L4_nilthread, &old), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrKipArea);
    KCHECK_EQ(L4_SpaceControl(k, 0, L4_FpageLog2(TU_SPACE_KIP, 12),
                              L4_FpageLog2(0xFFFFFFFFFFFF0000UL, 16), L4_nilthread, &old), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrUtcbArea);
    KCHECK_EQ(L4_SpaceControl(k, 0, L4_FpageLog2(UTOP - PAGE, 12),
                              L4_FpageLog2(UTOP - 0x10000, 16), L4_nilthread, &old), 0);
    KCHECK_EQ(L4_ErrorCode(), L4_ErrKipArea);       /* the two overlap */
    KCHECK_EQ(L4_SpaceControl(k, 0, L4_FpageLog2(UTOP - PAGE, 12),
                              L4_FpageLog2(UTOP - 0x20000, 16), L4_nilthread, &old), 1);
    KCHECK(keeper_delete(k));
}

/* ---- defect 9: local ids ------------------------------------------------------------------- */

static volatile L4_Word_t lid_word[64] __attribute__((aligned(4096)));

HTEST(local_ids_outside_the_utcb_area_name_nobody)
{
    /* Local ids (UTCB addresses) outside the caller's UTCB area or not at a UTCB slot are
     * checked before anything is read through them: ExchangeRegisters fails with
     * InvalidThread and IPC with NonExist (send phase); a valid local id still works. */
    L4_ThreadId_t t = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(t));
    L4_Word_t good = tu_utcb_of(t) + 512;
    L4_Word_t area = TU_ROOT_UTCB, end = TU_ROOT_UTCB + (256UL << 10);
    lid_word[0] = L4_Myself().raw;                  /* a forged "UTCB" in plain memory */
    const L4_Word_t ids[] = {
        area - 1024 + 512, area - 512, area, end + 512, end, good + 64, good - 256,
        good + 0x0001000000000000UL, good | 0x8000000000000000UL, (L4_Word_t)lid_word + 512,
        (L4_Word_t)lid_word + 64 * 15, 0x40, 0xFFFF800000000000UL, 0xFFFF800000000000UL + 512,
        0xFFFFFFFF80000000UL, 0xFFFFFFFFFFFFFF80UL, 0xFFFFFFFFFFFFF000UL, UTOP + 512,
        0x00007FFFFFFFF200UL,
    };
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        L4_ThreadId_t id = { .raw = ids[i] };
        L4_Word_t c, sp, ip, fl, h;
        L4_ThreadId_t pg;
        L4_ThreadId_t r = L4_ExchangeRegisters(id, 0, 0, 0, 0, 0, L4_nilthread, &c, &sp, &ip,
                                               &fl, &h, &pg);
        KCHECK(L4_IsNilThread(r));
        KCHECK_EQ(L4_ErrorCode(), L4_ErrInvalidThread);
        L4_LoadMR(0, 0);
        L4_MsgTag_t tag = L4_Send_Timeout(id, L4_ZeroTime);
        KCHECK(L4_IpcFailed(tag));
        KCHECK_EQ(L4_ErrorCode(), L4_ErrNonExist << 1);
        if (ktest_failed) {
            printf("# hard_mem: local id %lx\n", ids[i]);
            break;
        }
    }
    L4_Word_t c, sp, ip, fl, h;
    L4_ThreadId_t pg;
    L4_ThreadId_t r = L4_ExchangeRegisters((L4_ThreadId_t){ .raw = good }, 0, 0, 0, 0, 0,
                                           L4_nilthread, &c, &sp, &ip, &fl, &h, &pg);
    KCHECK_EQ(r.raw, t.raw);                        /* the real one still resolves */
}

/* ---- defect 11: IO-port grants ------------------------------------------------------------- */

#define CHAIN_LEN       120
#define CHAIN_PORT      0x7710UL
static struct agent chain_ag[CHAIN_LEN + 1];

HTEST_LATE(io_revocation_through_long_chain)
{
    /* Space 0 gets a port from sigma0 and maps it to space 1, which maps it to space 2, ...,
     * to space 120 (each space kept alive by a keeper while its agent is gone).  Unmap in
     * space 0 takes the port from all of them: the revocation walks the whole chain without
     * recursion (a recursive one overflowed the kernel stack at about 70).  Afterwards the
     * agents in the middle and at the end fault on the port, space 0 still has it. */
    agents_init(chain_ag, CHAIN_LEN + 1);
    static L4_ThreadId_t keep[CHAIN_LEN + 1];
    L4_ThreadId_t a0 = tu_space_thread(agent_loop, &chain_ag[0], 100);
    KCHECK(!L4_IsNilThread(a0));
    KCHECK_EQ(cmd1(a0, AG_GET, iofp(CHAIN_PORT, 0), 0, 0), 1);
    L4_ThreadId_t prev = a0, mid = L4_nilthread;
    unsigned built = 0;
    for (unsigned i = 1; i <= CHAIN_LEN; i++) {
        keep[i] = keeper_create(KEEP_NO + i, 1);
        if (L4_IsNilThread(keep[i]))
            break;
        built = i;
        L4_ThreadId_t w = tu_space_join(keep[i], agent_loop, &chain_ag[i], 100);
        if (L4_IsNilThread(w) || give(prev, w, iofp(CHAIN_PORT, 0)) != 1 ||
            !TU_WAIT(chain_ag[i].items == 1))
            break;
        if (prev.raw != a0.raw && prev.raw != mid.raw)
            tu_delete(prev);                        /* its space stays (the keeper) */
        if (i == CHAIN_LEN / 2)
            mid = w;
        prev = w;
    }
    KCHECK_EQ(built, CHAIN_LEN);
    KCHECK_EQ(chain_ag[CHAIN_LEN].items, 1);
    if (built == CHAIN_LEN && chain_ag[CHAIN_LEN].items == 1) {
        L4_ThreadId_t last = prev;
        KCHECK(cmd1(mid, AG_INB, CHAIN_PORT, 0, 0) <= 0xFF);    /* both have the port */
        KCHECK(cmd1(last, AG_INB, CHAIN_PORT, 0, 0) <= 0xFF);
        KCHECK(set_pager(mid, tu_root()) && set_pager(last, tu_root()));
        KCHECK(cmd1(a0, AG_UNMAP, iofp(CHAIN_PORT, 0) | 7, 0, 0) != ~0UL);
        KCHECK_EQ(inb_faults(last, CHAIN_PORT), 1);             /* all lost it */
        KCHECK_EQ(inb_faults(mid, CHAIN_PORT), 1);
        KCHECK(cmd1(a0, AG_INB, CHAIN_PORT, 0, 0) <= 0xFF);     /* the source kept it */
    }
    for (unsigned i = 1; i <= built; i++)
        KCHECK(keeper_delete(keep[i]));
}

#define OOM_PORT        0x7800UL

HTEST(io_grant_without_kernel_memory_maps_nothing)
{
    /* A maps ports to B one at a time until a new page of grant records is needed (kernel
     * memory drops by one page), and takes that port back, so that every page of records is
     * full.  Then kernel memory is exhausted (TCBs, then single pages as page-table roots of
     * a keeper's failing SpaceControl calls) and A maps B one more port: its record cannot be
     * allocated, so the port must not be granted either (before, it was granted and could
     * never be revoked), and A's IPC fails with message overflow.  With the memory back, A
     * unmaps the port: B faults on it.  (The root task's threads may use the pool reserve,
     * B may not: the pool ends below the reserve rather than at 0.) */
    static struct agent ag[2];
    agents_init(ag, 2);
    L4_ThreadId_t me = L4_Myself();
    L4_ThreadId_t a = tu_space_thread(agent_loop, &ag[0], 100);
    L4_ThreadId_t b = tu_space_thread(agent_loop, &ag[1], 100);
    L4_ThreadId_t k = keeper_create(KEEP_NO, 0);    /* no areas yet */
    KCHECK(!L4_IsNilThread(a) && !L4_IsNilThread(b) && !L4_IsNilThread(k));
    KCHECK_EQ(cmd1(a, AG_GET, iofp(OOM_PORT, 8), 0, 0), 1);    /* 256 ports from sigma0 */
    KCHECK_EQ(give(a, b, iofp(OOM_PORT, 0)), 1);    /* B's IO bitmap, and the code paths */
    KCHECK(cmd1(b, AG_INB, OOM_PORT, 0, 0) <= 0xFF);
    KCHECK(cmd1(a, AG_UNMAP, iofp(OOM_PORT + 255, 0) | 7, 0, 0) != ~0UL);
    unsigned found = 0;
    for (unsigned i = 1; i < 255 && !found && !ktest_failed; i++) {
        L4_Word_t before = tu_kmem();
        KCHECK_EQ(give(a, b, iofp(OOM_PORT + i, 0)), 1);
        if (before - tu_kmem() == PAGE) {
            found = i;                              /* the first record on a new page */
            KCHECK(cmd1(a, AG_UNMAP, iofp(OOM_PORT + i, 0) | 7, 0, 0) != ~0UL);
            KCHECK_EQ(tu_kmem(), before);           /* its page went back: all pages full */
        }
    }
    KCHECK(found != 0);
    if (ktest_failed)
        goto out;
    unsigned n = 0;
    for (; n < OOM_MAX; n++)
        if (!L4_ThreadControl(L4_GlobalId(OOM_NO + n, 1), me, me, L4_nilthread, (void *)-1))
            break;
    for (L4_Word_t j = 1; j < 256 && tu_kmem() > 0; j++) {
        L4_Word_t old;                              /* fails, leaving one new PDPT */
        (void)L4_SpaceControl(k, 0, L4_FpageLog2(j << 39, 12),
                              L4_FpageLog2(TU_SPACE_UTCB, TU_SPACE_UTCB_LOG2), L4_nilthread, &old);
    }
    L4_Word_t free_low = tu_kmem();
    L4_Word_t sent = give(a, b, iofp(OOM_PORT + 255, 0));
    for (unsigned i = 0; i < n; i++)
        L4_ThreadControl(L4_GlobalId(OOM_NO + i, 1), L4_nilthread, L4_nilthread, L4_nilthread,
                         (void *)-1);
    KCHECK(free_low < 64 * 1024);                   /* far below the reserve */
    KCHECK_EQ(sent, 0);                             /* the IPC failed: not placed */
    KCHECK(cmd1(a, AG_UNMAP, iofp(OOM_PORT + 255, 0) | 7, 0, 0) != ~0UL);
    KCHECK(set_pager(b, tu_root()));
    KCHECK_EQ(inb_faults(b, OOM_PORT + 1 + (found == 1)), 0);  /* B has the others */
    KCHECK_EQ(inb_faults(b, OOM_PORT + 255), 1);   /* but not this one */
out:
    KCHECK(keeper_delete(k));
}
