/* test_fuzz.c — system calls with random and boundary arguments: the kernel must return errors,
 * never panic, hang or leak memory.
 *
 * Two fuzzing threads share a new address space (so they are not privileged) and call every
 * system call, and some numbers that are none, with arguments drawn from lists of interesting
 * values (nil, any, their own and each other's ids, other spaces' threads, interrupt and kernel
 * thread numbers, misaligned and kernel addresses, IO fpages) and random words; their message
 * and buffer registers are random too, often shaped as typed items (map, grant, string and
 * control transfer items).  Pointers and receive windows stay inside a scratch area, so the
 * fuzzers cannot overwrite the test program whose pages their space shares.  Every IPC has a
 * short timeout.  A watchdog in the root thread deletes a fuzzer that stops making progress
 * (it may have halted itself, or wait for a pager that maps nothing) and starts a fresh one —
 * which also deletes threads in the middle of whatever they do.  At the end all memory the
 * kernel lent for the test must be back.
 *
 * Hostile steps (issue 10's classes) are mixed in: system calls made with NT, DF and AC set;
 * spinning with them set, so that interrupts and preemption arrive with them; a far return to
 * the 32-bit code selector followed by `syscall` (compat mode); receive windows at the top of
 * the user half as well as in the scratch area; kernel-debugger operations with bad operands;
 * and a third thread of the space, on another CPU where there is one, that keeps rewriting the
 * fuzzers' message and buffer registers while they are inside their IPCs.
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include <sigma4/utcb.h>
#include "tutil.h"

#define FUZZ_ROUNDS     5000                /* system calls per fuzzer and test */
#define SCRATCH_SIZE    (64UL * 1024)
#define NFUZZ           2

static unsigned char scratch[SCRATCH_SIZE] __attribute__((aligned(SCRATCH_SIZE)));

struct fuzzer {
    volatile L4_Word_t calls;               /* progress */
    volatile L4_Word_t seed;
    volatile L4_ThreadId_t self;
    L4_Word_t *volatile utcb;               /* its UTCB pointer, for the scribbler */
};
static struct fuzzer fz[NFUZZ];
static volatile L4_ThreadId_t fz_sibling_ids[NFUZZ];
static volatile L4_Word_t fz_stop;

static L4_Word_t rnd(volatile L4_Word_t *s)
{
    L4_Word_t x = *s;                       /* xorshift64 */
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static L4_Word_t pick(volatile L4_Word_t *s, const L4_Word_t *v, unsigned n)
{
    return v[rnd(s) % n];
}

/* An address: mostly inside the scratch area, sometimes somewhere the kernel must refuse. */
static L4_Word_t addr(volatile L4_Word_t *s)
{
    static const L4_Word_t bad[] = { 0, 8, 0xFFFFFFFFFFFFF000UL, 0x00007FFFFFFFF000UL,
                                     0x0000800000000000UL, 0xFFFF800000000000UL,
                                     0xFFFFFFFF80000000UL, 0xBFF00000UL, 0xB0000000UL };
    if (rnd(s) % 8 == 0)
        return pick(s, bad, sizeof bad / sizeof bad[0]);
    return (L4_Word_t)scratch + rnd(s) % SCRATCH_SIZE;
}

/* An fpage: in the scratch area (any size that fits), or a strange one. */
static L4_Word_t fpage(volatile L4_Word_t *s)
{
    switch (rnd(s) % 6) {
    case 0:
        return rnd(s);                                              /* garbage */
    case 1:
        return (rnd(s) % 3 == 0) ? 0x10 | (rnd(s) & 7) : 0;         /* complete / nil */
    case 2:                                                         /* IO fpage */
        return ((rnd(s) & 0xFFFF) << 16) | ((rnd(s) % 18) << 10) | (2 << 4) | (rnd(s) & 7);
    default: {
        unsigned lg = 12 + (unsigned)(rnd(s) % 5);                 /* 4 KiB .. 64 KiB */
        L4_Word_t base = ((L4_Word_t)scratch + rnd(s) % SCRATCH_SIZE) & ~((1UL << lg) - 1);
        return base | ((L4_Word_t)lg << 4) | (rnd(s) & 7);
    }
    }
}

static L4_Word_t thread_id(volatile L4_Word_t *s, unsigned me)
{
    L4_Word_t v[] = { 0, ~0UL, ~0UL << 6, fz[me].self.raw, fz_sibling_ids[me ^ 1].raw,
                      L4_MyLocalId().raw, tu_root().raw, L4_Pager().raw,
                      L4_GlobalId(8, 1).raw, L4_GlobalId(2, 1).raw, L4_GlobalId(64, 1).raw,
                      L4_GlobalId(96, 1).raw, L4_GlobalId(5000, 7).raw, rnd(s), rnd(s) & ~0x3FUL };
    return pick(s, v, sizeof v / sizeof v[0]);
}

static L4_Word_t word(volatile L4_Word_t *s)
{
    static const L4_Word_t v[] = { 0, 1, 2, ~0UL, ~1UL, 0x400, 0xFFFF, 0x8000, 0x10000,
                                   0xFFFFFFFFUL, 1UL << 63 };
    return rnd(s) % 3 ? pick(s, v, sizeof v / sizeof v[0]) : rnd(s);
}

/* A short timeout: zero, 1 ms relative, or a random one cut down to at most ~8 ms. */
static L4_Word_t short_time(volatile L4_Word_t *s)
{
    switch (rnd(s) % 4) {
    case 0: return 0x0400;                                          /* zero */
    case 1: return L4_TimePeriod(1000).raw;
    case 2: return (rnd(s) & 0x3FF) | (3UL << 10);                  /* m * 8 us */
    default: return 0x0400;
    }
}

/* Fill the message and buffer registers: random words, often typed items. */
static void random_registers(volatile L4_Word_t *s)
{
    L4_Word_t u = rnd(s) % 8, t = 0, i = 1 + u;
    for (L4_Word_t k = 1; k < i; k++)
        L4_LoadMR((int)k, word(s));
    while (i < 60 && rnd(s) % 3) {
        switch (rnd(s) % 4) {
        case 0:                                                     /* map or grant item */
            L4_LoadMR((int)i, (addr(s) & ~0x3FFUL) | (rnd(s) % 2 ? 0x8 : 0xA) | 1);
            L4_LoadMR((int)i + 1, fpage(s));
            i += 2, t += 2;
            break;
        case 1: {                                                   /* string item */
            L4_Word_t j = 1 + rnd(s) % 3, len = rnd(s) % 9000;
            L4_LoadMR((int)i, (len << 10) | ((j - 1) << 4) | ((rnd(s) % 4 == 0) << 9) | 1);
            for (L4_Word_t k = 1; k <= j; k++)
                L4_LoadMR((int)(i + k), addr(s));
            i += 1 + j, t += 1 + j;
            break;
        }
        case 2: {                                                   /* control transfer */
            L4_Word_t n = rnd(s) % 20;
            L4_LoadMR((int)i, (6 << 1) | (n << 4) | ((rnd(s) & 0x3FFFF) << 9) | 1);
            for (L4_Word_t k = 1; k <= n + 1 && i + k < 64; k++)
                L4_LoadMR((int)(i + k), (L4_Word_t)scratch);        /* harmless values */
            i += n + 2, t += n + 2;
            break;
        }
        default:
            L4_LoadMR((int)i++, word(s));                           /* garbage item */
            t++;
        }
    }
    if (i > 64)
        t -= i - 64;
    /* Receive side: strings into the scratch area, a window inside it, no control xfer
     * (an accepted one would send the fuzzer anywhere). */
    static const L4_Word_t top_windows[] = {
        0x00007FFFFFFFF000UL | (12 << 4), 0x00007FFFFFE00000UL | (21 << 4),
        0x00007FFFC0000000UL | (30 << 4), 0x00007F8000000000UL | (39 << 4),
        0x0000400000000000UL | (46 << 4), 0x0000000000000000UL | (47 << 4),
        0xFFFFFFFFFFFFF000UL | (12 << 4), 0x0000800000000000UL | (47 << 4),
    };
    L4_Word_t window = rnd(s) % 4 ? fpage(s) : pick(s, top_windows, 8);
    L4_LoadBR(0, ((window & ~0xFUL) & ((rnd(s) % 2) ? ~0UL : 0)) | (rnd(s) & 1));
    for (int k = 1; k < 33; k++)
        L4_LoadBR(k, rnd(s) % 2 ? ((rnd(s) % 9000) << 10) | (rnd(s) & 0x201) : addr(s));
    L4_LoadMR(0, ((rnd(s) & 0xFFFF) << 16) | ((t & 0x3F) << 6) | u | (rnd(s) % 8 == 0 ? 0x1000 : 0));
}

static L4_Word_t raw_syscall(L4_Word_t nr, L4_Word_t a, L4_Word_t b, L4_Word_t c, L4_Word_t d,
                             L4_Word_t e, L4_Word_t f, L4_Word_t g)
{
    register L4_Word_t r8 __asm__("r8") = d;
    register L4_Word_t r9 __asm__("r9") = e;
    register L4_Word_t r10 __asm__("r10") = f;
    register L4_Word_t r12 __asm__("r12") = g;
    L4_Word_t rax = nr;
    __asm__ volatile("syscall"
                     : "+a"(rax), "+D"(a), "+S"(b), "+d"(c), "+r"(r8), "+r"(r9), "+r"(r10),
                       "+r"(r12)
                     :
                     : "rcx", "r11", "memory");
    return rax;
}

/* raw_syscall with the RFLAGS bits `fl` (NT, DF, AC) set for the instruction; cleared after
 * (the C code around relies on DF = 0). */
static void flagged_syscall(L4_Word_t fl, L4_Word_t nr, L4_Word_t a, L4_Word_t b, L4_Word_t c)
{
    __asm__ volatile("pushfq\n\t"
                     "orq %[fl], (%%rsp)\n\t"
                     "popfq\n\t"
                     "syscall\n\t"
                     "pushfq\n\t"
                     "andq %[keep], (%%rsp)\n\t"
                     "popfq"
                     : "+a"(nr), "+D"(a), "+S"(b), "+d"(c)
                     : [fl] "r"(fl), [keep] "r"(~(FL_NT | FL_DF | FL_AC))
                     : "rcx", "r8", "r9", "r10", "r11", "r12", "memory", "cc");
}

/* Spin n rounds with the RFLAGS bits `fl` set: interrupts and preemption find them. */
static void flagged_spin(L4_Word_t fl, L4_Word_t n)
{
    __asm__ volatile("pushfq\n\t"
                     "orq %[fl], (%%rsp)\n\t"
                     "popfq\n\t"
                     "1: dec %[n]\n\t"
                     "jnz 1b\n\t"
                     "pushfq\n\t"
                     "andq %[keep], (%%rsp)\n\t"
                     "popfq"
                     : [n] "+r"(n)
                     : [fl] "r"(fl), [keep] "r"(~(FL_NT | FL_DF | FL_AC))
                     : "memory", "cc");
}

/* Far jump to the 32-bit user code selector (GDT entry 3, RPL 3) and `syscall` there: the
 * thread must get a fault (it is halted and the watchdog restarts it), the kernel nothing.
 * (A far jump, not a far return: QEMU reads a far return's stack with supervisor accesses.) */
static void compat_syscall(void)
{
    static volatile struct { uint32_t off; uint16_t sel; } __attribute__((packed)) far;
    extern const char fuzz_compat_32[];
    far.off = (uint32_t)(L4_Word_t)fuzz_compat_32;
    far.sel = 0x1B;
    __asm__ volatile("ljmpl *%0\n"
                     "fuzz_compat_32:\n\t"
                     "syscall\n\t"                          /* in compat mode, if it got there */
                     "jmp fuzz_compat_32"
                     :: "m"(far) : "rax", "rcx", "r11", "memory");
}

/* A kernel-debugger service with a bad or odd operand (op must be a constant). */
#define FUZZ_KDB(op, arg) ((void)__L4_KDB_SERVICE(op, arg))
static void kdb_step(volatile L4_Word_t *s)
{
    static const char line[] = "# fuzz: kdb output\n";
    L4_Word_t a = addr(s);
    switch (rnd(s) % 9) {
    case 0: FUZZ_KDB(KDB_OP_PUTS, a); break;                   /* scratch or a bad address */
    case 1: FUZZ_KDB(KDB_OP_PUTS, line); break;
    case 2: FUZZ_KDB(KDB_OP_GETC, a); break;
    case 3: FUZZ_KDB(KDB_OP_GETC_BLOCKING, a); break;          /* must not wait in the kernel */
    case 4: FUZZ_KDB(KDB_OP_STAT, a); break;                   /* privileged: refused */
    case 5: FUZZ_KDB(KDB_OP_SHUTDOWN, a); break;               /* privileged: refused */
    case 6: FUZZ_KDB(KDB_OP_CACHE_TYPE, a); break;
    case 7: FUZZ_KDB(0x77, a); break;                          /* no such operation */
    default: FUZZ_KDB(KDB_OP_CLEAR_PAGE, a); break;
    }
}

/* One hostile step instead of a system call (see the file comment). */
static void hostile_step(volatile L4_Word_t *s, unsigned me)
{
    L4_Word_t fl = ((rnd(s) & 1) ? FL_NT : 0) | ((rnd(s) & 1) ? FL_DF : 0) |
                   ((rnd(s) & 1) ? FL_AC : 0);
    switch (rnd(s) % 16) {
    case 0:
        flagged_spin(fl | FL_NT, 2000 + rnd(s) % 20000);
        break;
    case 1:
        if (rnd(s) % 8 == 0)
            compat_syscall();
        break;
    case 2: case 3:
        kdb_step(s);
        break;
    default: {                                  /* an IPC or an Unmap with flags set */
        random_registers(s);
        L4_Word_t to = rnd(s) % 2 ? thread_id(s, me) : fz_sibling_ids[me ^ 1].raw;
        L4_Word_t tag = 0;
        L4_StoreMR(0, &tag);
        if (rnd(s) % 4 == 0)
            flagged_syscall(fl, 2, (rnd(s) % 6) | (rnd(s) % 2 ? 0x40 : 0), 0, 0);
        else
            flagged_syscall(fl, 0, to, rnd(s) % 2 ? to : ~0UL,
                            (short_time(s) << 16) | short_time(s));
        (void)tag;
    }
    }
}

/* The third thread: rewrite the fuzzers' MRs and BRs with item-shaped and random words. */
static void scribble_loop(void *arg)
{
    volatile L4_Word_t seed = 0xA0761D6478BD642FUL ^ (L4_Word_t)arg;
    for (L4_Word_t k = 0; !fz_stop; k++) {
        L4_Word_t *u = fz[rnd(&seed) % NFUZZ].utcb;
        if (u) {
            long i = rnd(&seed) % 2 ? (long)UTCB_MR(rnd(&seed) % 64) : (long)UTCB_BR(rnd(&seed) % 33);
            L4_Word_t w = rnd(&seed) % 2 ? word(&seed)
                        : (rnd(&seed) % 2 ? fpage(&seed) : ((rnd(&seed) % 9000) << 10) | (rnd(&seed) & 0x3FF));
            ((volatile L4_Word_t *)u)[i] = w;
        }
        if (k % 4096 == 0)
            L4_Yield();
    }
    for (;;)
        L4_Sleep(L4_Never);
}

static void fuzz_loop(void *arg)
{
    unsigned me = (unsigned)(L4_Word_t)arg;
    volatile L4_Word_t *s = &fz[me].seed;
    fz[me].self = L4_MyGlobalId();
    fz[me].utcb = L4_GetUtcb();
    while (!fz_stop) {
        if (rnd(s) % 8 == 0) {
            hostile_step(s, me);
            fz[me].calls++;
            continue;
        }
        L4_Word_t nr = rnd(s) % 13, r = rnd(s) % 100;
        random_registers(s);
        L4_Word_t a = thread_id(s, me), b = word(s), c = word(s), d = word(s), e, f = word(s),
                  g = word(s);
        switch (nr) {
        case 0: case 1:                                             /* Ipc, Lipc */
            b = r < 50 ? thread_id(s, me) : ~0UL;
            c = (short_time(s) << 16) | short_time(s);
            e = L4_MsgTagMake(0, 0, 0).raw;
            L4_StoreMR(0, &e);
            break;
        case 2:                                                     /* Unmap */
            for (int k = 0; k < 4; k++)
                L4_LoadMR(k, fpage(s));
            a = (rnd(s) % 6) | (rnd(s) % 2 ? 0x40 : 0);
            e = word(s);
            break;
        case 3:                                                     /* ExchangeRegisters */
            /* Never SP, IP, FLAGS (DF would make the C library copy backwards) or the pager
             * (a fuzzer as pager could redirect the other with a control transfer). */
            b &= ~((1UL << 3) | (1UL << 4) | (1UL << 5) | (1UL << 7));
            if (a == fz[me].self.raw || a == L4_MyLocalId().raw)
                b &= ~1UL;                                          /* nor halting itself */
            g = thread_id(s, me);
            e = word(s);
            break;
        case 6:                                                     /* Schedule */
            e = word(s);
            break;
        case 10:                                                    /* MemoryControl */
            for (int k = 0; k < 4; k++)
                L4_LoadMR(k, fpage(s));
            e = word(s);
            break;
        default:
            e = word(s);
            nr = nr == 12 ? 11 + rnd(s) % 200 : nr;                 /* not a system call */
            break;
        }
        if (nr == 7 || nr == 8 || nr == 9) {                        /* privileged: id args */
            b = thread_id(s, me);
            c = thread_id(s, me);
            d = r < 50 ? thread_id(s, me) : addr(s);
        }
        raw_syscall(nr, a, b, c, d, e, f, g);
        fz[me].calls++;
        if (fz[me].calls % 64 == 0)
            L4_Yield();
    }
    for (;;)
        L4_Sleep(L4_Never);
}

static L4_ThreadId_t start_fuzzer(unsigned me, L4_ThreadId_t space)
{
    fz[me].seed = 0x9E3779B97F4A7C15UL ^ (L4_SystemClock().raw * (me + 1));
    fz[me].self = L4_nilthread;
    fz[me].utcb = 0;
    L4_ThreadId_t t = L4_IsNilThread(space) ? tu_space_thread(fuzz_loop, (void *)(L4_Word_t)me, 90)
                                            : tu_space_join(space, fuzz_loop, (void *)(L4_Word_t)me, 90);
    if (!L4_IsNilThread(t) && L4_NumProcessors(L4_GetKernelInterface()) > 1)
        L4_Set_ProcessorNo(t, me % L4_NumProcessors(L4_GetKernelInterface()));
    fz_sibling_ids[me] = t;
    return t;
}

TTEST(fuzz, random_system_calls_never_hurt_the_kernel)
{
    for (L4_Word_t i = 0; i < SCRATCH_SIZE; i += 4096)
        scratch[i] = 1;                     /* the root task's pages exist to be mapped */
    KCHECK(!L4_IsNilThread(tu_pager()));    /* made before we count */
    tu_touch_stacks();
    L4_Word_t kmem = tu_kmem(), nodes = L4_KDB_Stat(KDB_STAT_MDB_NODES);
    fz_stop = 0;
    L4_ThreadId_t t[NFUZZ];
    t[0] = start_fuzzer(0, L4_nilthread);
    KCHECK(!L4_IsNilThread(t[0]));
    t[1] = start_fuzzer(1, t[0]);
    KCHECK(!L4_IsNilThread(t[1]));
    L4_ThreadId_t scribbler = tu_space_join(t[0], scribble_loop, (void *)L4_SystemClock().raw, 90);
    KCHECK(!L4_IsNilThread(scribbler));
    if (L4_NumProcessors(L4_GetKernelInterface()) > 2)
        L4_Set_ProcessorNo(scribbler, 2);
    L4_Word_t restarts = 0, total = 0;
    L4_Word_t last[NFUZZ] = { 0, 0 };
    L4_Word_t until = L4_SystemClock().raw + 60000000;      /* a bound, never reached normally */
    while (total < NFUZZ * FUZZ_ROUNDS && L4_SystemClock().raw < until) {
        L4_Sleep(L4_TimePeriod(50000));
        total = 0;
        for (unsigned k = 0; k < NFUZZ; k++) {
            L4_Word_t c = fz[k].calls;
            if (c == last[k]) {                             /* stuck: a new fuzzer */
                KCHECK(tu_delete(t[k]));
                restarts++;
                t[k] = start_fuzzer(k, t[k ^ 1]);
                KCHECK(!L4_IsNilThread(t[k]));
            }
            last[k] = fz[k].calls;
            total += fz[k].calls;
        }
    }
    fz_stop = 1;
    printf("# fuzz: %lu calls, %lu restarts\n", total, restarts);
    KCHECK(total >= NFUZZ * FUZZ_ROUNDS);
    KCHECK(tu_delete(scribbler) && tu_delete(t[0]) && tu_delete(t[1]));
    /* The space is gone with its threads: all kernel memory and every mapping-database node
     * comes back (deleted threads that were running on another CPU are freed by that CPU a
     * moment later). */
    TU_WAIT(tu_kmem() == kmem && L4_KDB_Stat(KDB_STAT_MDB_NODES) == nodes);
    printf("# fuzz: kmem %lu -> %lu, nodes %lu -> %lu\n", kmem, tu_kmem(), nodes,
           L4_KDB_Stat(KDB_STAT_MDB_NODES));
    KCHECK_EQ(L4_KDB_Stat(KDB_STAT_MDB_NODES), nodes);
    KCHECK_EQ(tu_kmem(), kmem);
    /* And the kernel still works. */
    L4_ThreadId_t echo = tu_create(tu_sleep_forever, 0, 100);
    KCHECK(!L4_IsNilThread(echo));
}

/* ---- privileged calls ----------------------------------------------------------------------- */

/* A thread of the root task (so its calls are privileged) calls ThreadControl, SpaceControl,
 * MemoryControl, ProcessorControl, Schedule and ExchangeRegisters with random arguments on
 * threads it makes in a reserved range of thread numbers — never on the test's own threads —
 * and interrupt lines no test uses.  Afterwards it deletes whatever it made; the kernel's
 * memory must be as before. */

#define PF_BASE     900                     /* thread numbers the fuzzer may make */
#define PF_COUNT    16
#define PF_ROUNDS   6000
#define PF_IRQ_A    10                      /* interrupt lines no device uses on q35 */
#define PF_IRQ_B    11

static volatile L4_Word_t pf_seed, pf_calls, pf_done;
static L4_ThreadId_t pf_made[PF_COUNT];     /* ids that exist (as far as the fuzzer knows) */

static L4_ThreadId_t pf_id(void)
{
    L4_Word_t r = rnd(&pf_seed) % 10;
    if (r < 7) {
        L4_Word_t i = rnd(&pf_seed) % PF_COUNT;
        if (r < 4 && !L4_IsNilThread(pf_made[i]))
            return pf_made[i];
        return L4_GlobalId(PF_BASE + i, 1 + rnd(&pf_seed) % 3);
    }
    L4_Word_t v[] = { 0, ~0UL, L4_GlobalId(PF_IRQ_A, 1).raw, L4_GlobalId(PF_IRQ_B, 1).raw,
                      L4_GlobalId(70, 1).raw, L4_GlobalId(5000, 1).raw, rnd(&pf_seed) };
    return (L4_ThreadId_t){ .raw = v[rnd(&pf_seed) % 7] };
}

static L4_Word_t pf_area(unsigned minlog)
{
    unsigned lg = minlog + (unsigned)(rnd(&pf_seed) % 6);
    L4_Word_t base = (0x40000000UL + (rnd(&pf_seed) % 64) * 0x100000UL) & ~((1UL << lg) - 1);
    switch (rnd(&pf_seed) % 5) {
    case 0: return rnd(&pf_seed);
    case 1: return base | 0x123;                   /* odd low bits */
    default: return base | ((L4_Word_t)lg << 4);
    }
}

static void pf_remember(L4_ThreadId_t dest, int exists)
{
    L4_Word_t n = L4_ThreadNo(dest);
    if (n >= PF_BASE && n < PF_BASE + PF_COUNT)
        pf_made[n - PF_BASE] = exists ? dest : L4_nilthread;
}

static void priv_fuzz(void *arg)
{
    (void)arg;
    for (L4_Word_t k = 0; k < PF_ROUNDS; k++) {
        L4_ThreadId_t dest = pf_id();
        switch (rnd(&pf_seed) % 8) {
        case 0: case 1: case 2: {                   /* ThreadControl */
            L4_Word_t r = rnd(&pf_seed) % 10;
            L4_ThreadId_t space = r < 3 ? dest : r < 5 ? L4_nilthread : pf_id();
            L4_ThreadId_t sched = rnd(&pf_seed) % 4 ? L4_Myself() : pf_id();
            L4_ThreadId_t pager = rnd(&pf_seed) % 3 ? L4_nilthread : pf_id();
            L4_Word_t utcb = rnd(&pf_seed) % 3 ? ~0UL : pf_area(10) & ~0x3FFUL;
            L4_Word_t limits[] = { L4_THREAD_LIMIT_NONE, L4_THREAD_LIMIT_UNCHANGED,
                                   (0x80000000UL >> 12) - 1, 12345, rnd(&pf_seed) };
            L4_Word_t lim = limits[rnd(&pf_seed) % 5];
            if (L4_ThreadNo(space) < PF_BASE && !L4_IsNilThread(space) && space.raw != ~0UL &&
                L4_ThreadNo(space) >= 96)
                space = dest;                       /* never into the test's own spaces */
            if (L4_ThreadNo(dest) >= 96 && L4_ThreadNo(dest) < (1UL << 18) &&
                (L4_ThreadNo(dest) < PF_BASE || L4_ThreadNo(dest) >= PF_BASE + PF_COUNT))
                break;                              /* only its own numbers (or invalid ones) */
            L4_Word_t ok = L4_ThreadControlLimit(dest, space, sched, pager, (void *)utcb, lim);
            if (ok)
                pf_remember(dest, !L4_IsNilThread(space));
            break;
        }
        case 3: {                                   /* SpaceControl */
            L4_Word_t old;
            L4_SpaceControl(dest, rnd(&pf_seed) % 4 ? 0 : rnd(&pf_seed),
                            (L4_Fpage_t){ .raw = pf_area(12) }, (L4_Fpage_t){ .raw = pf_area(10) },
                            L4_nilthread, &old);
            break;
        }
        case 4: {                                   /* MemoryControl on the scratch area */
            for (int i = 0; i < 4; i++)
                L4_LoadMR(i, fpage(&pf_seed));
            L4_Word_t attr[4] = { rnd(&pf_seed) % 9, rnd(&pf_seed) % 9, 0, rnd(&pf_seed) };
            L4_MemoryControl(rnd(&pf_seed) % 5, attr);
            break;
        }
        case 5:                                     /* ProcessorControl */
            L4_ProcessorControl(rnd(&pf_seed) % 6, word(&pf_seed), word(&pf_seed), word(&pf_seed));
            break;
        case 6: {                                   /* Schedule on its threads */
            L4_Word_t res;
            if (L4_ThreadNo(dest) < PF_BASE)
                break;
            res = L4_Schedule(dest, word(&pf_seed), rnd(&pf_seed) % 2 ? ~0UL : rnd(&pf_seed) % 6,
                              rnd(&pf_seed) % 2 ? ~0UL : rnd(&pf_seed) % 300,
                              rnd(&pf_seed) % 2 ? ~0UL : word(&pf_seed), &res);
            break;
        }
        default: {                                  /* ExchangeRegisters: other spaces fail */
            L4_Word_t o;
            L4_ThreadId_t op;
            if (L4_ThreadNo(dest) < PF_BASE)
                break;
            L4_ExchangeRegisters(dest, rnd(&pf_seed) & 0x1FF, word(&pf_seed), word(&pf_seed),
                                 word(&pf_seed), word(&pf_seed), pf_id(), &o, &o, &o, &o, &o, &op);
            break;
        }
        }
        pf_calls++;
    }
    pf_done = 1;
    for (;;)
        L4_Sleep(L4_Never);
}

TTEST(fuzz, privileged_calls_on_own_threads)
{
    L4_Word_t kmem = tu_kmem();
    pf_seed = 0xD1B54A32D192ED03UL ^ L4_SystemClock().raw;
    pf_calls = pf_done = 0;
    for (int i = 0; i < PF_COUNT; i++)
        pf_made[i] = L4_nilthread;
    L4_ThreadId_t t = tu_create(priv_fuzz, 0, 90);
    KCHECK(!L4_IsNilThread(t));
    KCHECK(TU_WAIT(pf_done));
    printf("# fuzz: %lu privileged calls\n", pf_calls);
    KCHECK(tu_delete(t));
    /* Delete what it made (any version of its numbers), free the interrupt lines. */
    for (L4_Word_t n = PF_BASE; n < PF_BASE + PF_COUNT; n++)
        for (L4_Word_t v = 1; v < 64; v++)
            L4_ThreadControl(L4_GlobalId(n, v), L4_nilthread, L4_nilthread, L4_nilthread,
                             (void *)-1);
    L4_DeassociateInterrupt(L4_GlobalId(PF_IRQ_A, 1));
    L4_DeassociateInterrupt(L4_GlobalId(PF_IRQ_B, 1));
    KCHECK(TU_WAIT(tu_kmem() == kmem));
}
