/* test_pf.c — in-system tests of the page-fault protocol (X.2 7.1, docs/design/memory.md): the
 * fault message (label -2 with the access r/w/x, MR1 address, MR2 IP, from the faulter) for
 * read, write and execute faults; a write to a page mapped read-only faults again; an empty
 * reply retries; a larger fpage in the reply resolves neighbouring pages; the execute right
 * (with NX); the faulter's MR0-MR2 and BR0 survive the fault; a pager that never replies
 * blocks only the faulting thread; a pager that is deleted, or does not exist, leaves the
 * faulter halted and reported.
 *
 * The faulting threads live in the root task's space with a test pager (tutil's logging pager,
 * a root-space thread, set up below) instead of sigma0.  They fault in PFR, where the root task has nothing: test k uses
 * the 64 KiB at AREA(k) (mappings stay after a test, so no area is used twice).  The pager
 * logs every fault in PFR and answers by mapping the root task's page of PSRC (fresh sigma0
 * memory) at the same offset, with the rights and size the test chose; faults anywhere else
 * (none are expected) it resolves by mapping the root task's page there.
 */
#include <l4/l4.h>
#include <l4/sigma0.h>
#include "tutil.h"

#define PFR             0x50000000UL    /* root: the fault region (only faulters touch it) */
#define PFR_SIZE        0x00200000UL
#define PSRC            0x54000000UL    /* root: 2 MiB the pager maps from */
#define AREA(k)         (PFR + (k) * 0x10000UL)
#define PAGE            4096UL
#define PSRC_MARK       0x9F00000000000000UL    /* word 0 of PSRC page i: PSRC_MARK + i */

/* ---- the test pager ----------------------------------------------------------------------- */

static int in_region(L4_Word_t addr) { return addr - PFR < PFR_SIZE; }
static void answer(struct tu_pager *p, L4_Word_t i, L4_Word_t addr, L4_Msg_t *msg);

static struct tu_pager pf_log = { .watched = in_region, .answer = answer };
static volatile L4_Word_t first_rights;         /* rights for a page's first fault (0: empty reply) */
static volatile L4_Word_t map_log2;             /* size of the fpage mapped */

static void pager_reset(void)
{
    pf_log.n = pf_log.others = 0;
    first_rights = L4_FullyAccessible;
    map_log2 = 12;
    pf_log.silent_page = 0;
}

/* Fault i in PFR: PSRC's page (or map_log2 fpage) at the same offset, with first_rights the
 * first time. */
static void answer(struct tu_pager *p, L4_Word_t i, L4_Word_t addr, L4_Msg_t *msg)
{
    L4_Word_t rights = tu_pager_seen(p, addr, i) ? L4_FullyAccessible : first_rights;
    L4_Word_t size = 1UL << map_log2;
    L4_Fpage_t f = L4_FpageLog2(PSRC + ((addr - PFR) & ~(size - 1)), (int)map_log2);
    if (rights)
        L4_MsgAppendMapItem(msg, L4_MapItem(L4_FpageAddRights(f, rights), addr));
}

static L4_ThreadId_t new_pager(void)
{
    return tu_create(tu_pager_loop, &pf_log, TU_ROOT_PRIO - 1);
}

/* ---- faulting threads ---------------------------------------------------------------------- */

struct op {
    L4_Word_t addr, value;              /* in */
    volatile L4_Word_t ip, result, done; /* out: IP of the access, what was read, finished */
    volatile L4_Word_t bad;             /* MR/BR mismatches (mrs_preserved) */
};

static void do_read(void *arg)
{
    struct op *o = arg;
    L4_Word_t v;
    __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
                         "movq %%rax, %1\n"
                         "1:\tmovq (%2), %0"
                         : "=r"(v), "=m"(o->ip) : "r"(o->addr) : "rax", "memory");
    o->result = v;
    o->done = 1;
}

static void do_write(void *arg)
{
    struct op *o = arg;
    __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
                         "movq %%rax, %0\n"
                         "1:\tmovq %2, (%1)"
                         : "=m"(o->ip) : "r"(o->addr), "r"(o->value) : "rax", "memory");
    o->done = 1;
}

/* Read addr, then write value at addr + 8. */
static void do_read_write(void *arg)
{
    struct op *o = arg;
    o->result = *(volatile L4_Word_t *)o->addr;
    __asm__ __volatile__("leaq 1f(%%rip), %%rax\n\t"
                         "movq %%rax, %0\n"
                         "1:\tmovq %2, 8(%1)"
                         : "=m"(o->ip) : "r"(o->addr), "r"(o->value) : "rax", "memory");
    o->done = 1;
}

/* Call the code at addr. */
static void do_exec(void *arg)
{
    struct op *o = arg;
    o->ip = o->addr;
    o->result = ((L4_Word_t (*)(void))o->addr)();
    o->done = 1;
}

/* Read the four pages from addr on. */
static void do_read4(void *arg)
{
    struct op *o = arg;
    L4_Word_t sum = 0;
    for (L4_Word_t i = 0; i < 4; i++)
        sum += *(volatile L4_Word_t *)(o->addr + i * PAGE);
    o->result = sum;
    o->done = 1;
}

/* Load MR0..MR9 and BR0 with known words, read addr (a fault), compare. */
static void do_mrs(void *arg)
{
    struct op *o = arg;
    for (int i = 0; i < 10; i++)
        L4_LoadMR(i, 0x3E6500 + (L4_Word_t)i);
    L4_LoadBR(0, 0xB40000 | 0x10);
    o->result = *(volatile L4_Word_t *)o->addr;
    L4_Word_t bad = 0, w;
    for (int i = 0; i < 10; i++) {
        L4_StoreMR(i, &w);
        bad += w != 0x3E6500 + (L4_Word_t)i;
    }
    L4_StoreBR(0, &w);
    bad += w != (0xB40000 | 0x10);
    o->bad = bad;
    o->done = 1;
}

/* A thread of the root task's space running fn(o) with `pager` as its pager. */
static L4_ThreadId_t faulter(tu_fn_t fn, struct op *o, L4_ThreadId_t pager)
{
    L4_ThreadId_t t = tu_create_ex(fn, o, 100, TU_NOSTART);
    if (L4_IsNilThread(t))
        return t;
    L4_Set_PagerOf(t, pager);
    tu_start(t);
    return t;
}

/* ---- set-up and checks -------------------------------------------------------------------- */

static int have_memory;

/* Get PSRC (once), mark its pages, reset the pager's log and modes; 1 if ready. */
static int setup(void)
{
    if (!have_memory) {
        if (L4_IsNilFpage(L4_Sigma0_GetAny(L4_nilthread, 21, L4_FpageLog2(PSRC, 21)))) {
            printf("# sigma0 gave no 2 MiB page\n");
            return 0;
        }
        have_memory = 1;
    }
    for (L4_Word_t i = 0; i < PFR_SIZE / PAGE; i++)
        *(volatile L4_Word_t *)(PSRC + i * PAGE) = PSRC_MARK + i;
    pager_reset();
    return 1;
}

#define NEED_MEMORY()   KCHECK(setup())

/* The word the pager's mapping shows at PFR address addr. */
static volatile L4_Word_t *backing(L4_Word_t addr)
{
    return (volatile L4_Word_t *)(PSRC + (addr - PFR));
}


/* Is f a well-formed fault message from t at addr, ip with access rwx? (prints what differs) */
static int fault_is(const struct tu_fault *f, L4_ThreadId_t t, L4_Word_t addr, L4_Word_t ip,
                    L4_Word_t rwx)
{
    L4_MsgTag_t tag = { .raw = f->tag };
    int ok = (L4_Label(tag) & ~0xFUL) == TU_LABEL_PAGEFAULT && tu_fault_access(f) == rwx &&
             L4_UntypedWords(tag) == 2 && L4_TypedWords(tag) == 0 &&
             (tag.raw & L4_MSGTAG_FLAGS_MASK) == 0 && f->addr == addr && f->ip == ip &&
             f->from == L4_LocalIdOf(t).raw;
    if (!ok)
        printf("# fault tag %lx addr %lx ip %lx from %lx; expected access %lx addr %lx ip %lx "
               "from %lx\n", f->tag, f->addr, f->ip, f->from, rwx, addr, ip, L4_LocalIdOf(t).raw);
    return ok;
}

static int nx_supported(void)
{
    unsigned a = 0x80000001, b, c = 0, d;
    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (d >> 20) & 1;
}

/* x86 code for PSRC page i: mov $0x5EC, %eax; ret. */
static void put_code(L4_Word_t addr)
{
    static const unsigned char code[] = { 0xB8, 0xEC, 0x05, 0x00, 0x00, 0xC3 };
    volatile unsigned char *p = (volatile unsigned char *)backing(addr);
    for (unsigned i = 0; i < sizeof(code); i++)
        p[i] = code[i];
}

/* ---- the fault message -------------------------------------------------------------------- */

TTEST(pf, read_fault_message)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(0) + 0x128 };
    *backing(o.addr) = 0x4EAD;
    L4_ThreadId_t t = faulter(do_read, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, 0x4EAD);
    KCHECK_EQ(pf_log.n, 1);
    KCHECK(fault_is(&pf_log.e[0], t, o.addr, o.ip, L4_Readable));
    KCHECK_EQ(pf_log.others, 0);
}

TTEST(pf, write_fault_message)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(1) + 0x40, .value = 0x3417E };
    L4_ThreadId_t t = faulter(do_write, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(pf_log.n, 1);
    KCHECK(fault_is(&pf_log.e[0], t, o.addr, o.ip, L4_Writable));
    KCHECK_EQ(*backing(o.addr), 0x3417E);
}

TTEST(pf, exec_fault_message)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(2) };
    put_code(o.addr);
    L4_ThreadId_t t = faulter(do_exec, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, 0x5EC);
    KCHECK_EQ(pf_log.n, 1);
    KCHECK(fault_is(&pf_log.e[0], t, o.addr, o.addr, L4_eXecutable));
}

/* ---- replies ------------------------------------------------------------------------------ */

TTEST(pf, write_to_read_only_page)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(3), .value = 0x0DD };
    *backing(o.addr) = 0x111;
    first_rights = L4_Readable;                         /* the read fault gets read-only */
    L4_ThreadId_t t = faulter(do_read_write, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, 0x111);
    KCHECK_EQ(pf_log.n, 2);
    KCHECK_EQ(tu_fault_access(&pf_log.e[0]), L4_Readable);
    KCHECK_EQ(pf_log.e[0].addr, o.addr);
    KCHECK(fault_is(&pf_log.e[1], t, o.addr + 8, o.ip, L4_Writable));
    KCHECK_EQ(backing(o.addr)[1], 0x0DD);
}

TTEST(pf, empty_reply_retries)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(4) + 0x10 };
    *backing(o.addr) = 0xA6A1;
    first_rights = 0;                                   /* first answer: no mapping */
    L4_ThreadId_t t = faulter(do_read, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, 0xA6A1);
    KCHECK_EQ(pf_log.n, 2);                             /* the same fault, twice */
    KCHECK(fault_is(&pf_log.e[0], t, o.addr, o.ip, L4_Readable));
    KCHECK(fault_is(&pf_log.e[1], t, o.addr, o.ip, L4_Readable));
}

TTEST(pf, larger_fpage_resolves_neighbours)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(5) };
    map_log2 = 14;                                      /* 16 KiB around the fault */
    L4_Word_t sum = 0;
    for (L4_Word_t i = 0; i < 4; i++)
        sum += *backing(o.addr + i * PAGE);
    L4_ThreadId_t t = faulter(do_read4, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, sum);
    KCHECK_EQ(pf_log.n, 1);
    KCHECK_EQ(pf_log.e[0].addr, o.addr);
}

TTEST(pf, exec_needs_x_right)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(6) + 0x100 };
    put_code(o.addr);
    first_rights = L4_ReadWriteOnly;                    /* no x the first time */
    L4_ThreadId_t t = faulter(do_exec, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(o.result, 0x5EC);
    /* With NX the page is not executable until the pager adds x: a second execute fault. */
    KCHECK_EQ(pf_log.n, nx_supported() ? 2 : 1);
    for (L4_Word_t i = 0; i < pf_log.n; i++)
        KCHECK(fault_is(&pf_log.e[i], t, o.addr, o.addr, L4_eXecutable));
}

TTEST(pf, mrs_preserved)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(7) + 0x20, .bad = 99 };
    *backing(o.addr) = 0x3E65;
    L4_ThreadId_t t = faulter(do_mrs, &o, new_pager());
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(o.done));
    KCHECK_EQ(pf_log.n, 1);                             /* it did fault */
    KCHECK_EQ(o.result, 0x3E65);
    KCHECK_EQ(o.bad, 0);
}

/* ---- pagers that do not answer ------------------------------------------------------------ */

TTEST(pf, silent_pager_blocks_only_faulter)
{
    NEED_MEMORY();
    static struct op stuck, other;
    static volatile L4_Word_t spins;
    stuck = (struct op){ .addr = AREA(8) };
    other = (struct op){ .addr = AREA(8) + PAGE };
    spins = 0;
    pf_log.silent_page = AREA(8);
    L4_ThreadId_t pager = new_pager();
    L4_ThreadId_t a = faulter(do_read, &stuck, pager);
    KCHECK(!L4_IsNilThread(a));
    KCHECK(TU_WAIT(pf_log.n == 1));
    /* Another thread of the same pager is served meanwhile; a third keeps running. */
    L4_ThreadId_t b = faulter(do_read, &other, pager);
    L4_ThreadId_t c = tu_create(tu_spin, (void *)&spins, 100);
    KCHECK(!L4_IsNilThread(b) && !L4_IsNilThread(c));
    KCHECK(TU_WAIT(other.done));
    KCHECK_EQ(other.result, PSRC_MARK + 8 * 16 + 1);
    L4_Word_t s0 = spins;
    KCHECK(TU_WAIT(spins > s0 + 1000));
    KCHECK_EQ(stuck.done, 0);
    KCHECK_EQ(tu_state(a), L4_SCHEDRESULT_WAITING);    /* waiting for the pager's answer */
    KCHECK_EQ(pf_log.n, 2);
    KCHECK(fault_is(&pf_log.e[0], a, stuck.addr, stuck.ip, L4_Readable));
}

/* Is t halted (ExchangeRegisters' "was halted" bit, reading only)? */
static int halted(L4_ThreadId_t t, L4_Word_t *ip)
{
    L4_Word_t control, sp, flags, handle;
    L4_ThreadId_t pager;
    L4_ExchangeRegisters(t, 0, 0, 0, 0, 0, L4_nilthread, &control, &sp, ip, &flags, &handle, &pager);
    return (control & 1) != 0;
}

TTEST(pf, pager_deleted_halts_faulter)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(9) + 0x18 };
    pf_log.silent_page = AREA(9);
    L4_ThreadId_t pager = new_pager();
    L4_ThreadId_t t = faulter(do_read, &o, pager);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(pf_log.n == 1));
    KCHECK(fault_is(&pf_log.e[0], t, o.addr, o.ip, L4_Readable));
    L4_Word_t reported = L4_KDB_Stat(KDB_STAT_USER_FAULTS), ip = 0;
    KCHECK(!halted(t, &ip));
    KCHECK_EQ(tu_delete(pager), 1);
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_USER_FAULTS) == reported + 1));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_ADDR), o.addr);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), o.ip);
    KCHECK(halted(t, &ip));
    KCHECK_EQ(ip, o.ip);                                /* stopped at the faulting access */
    KCHECK_EQ(o.done, 0);
}

TTEST(pf, pager_missing_halts_faulter)
{
    NEED_MEMORY();
    static struct op o;
    o = (struct op){ .addr = AREA(10) + 0x30, .value = 1 };
    L4_ThreadId_t nobody = tu_reserve();
    KCHECK(!L4_IsNilThread(nobody));
    L4_Word_t reported = L4_KDB_Stat(KDB_STAT_USER_FAULTS), ip = 0;
    L4_ThreadId_t t = faulter(do_write, &o, nobody);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(L4_KDB_Stat(KDB_STAT_USER_FAULTS) == reported + 1));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_TID), t.raw);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_ADDR), o.addr);
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_LAST_FAULT_IP), o.ip);
    KCHECK(halted(t, &ip));
    KCHECK_EQ(o.done, 0);
    KCHECK_EQ(pf_log.n, 0);
}
