/* fuzz_ops.c — the fuzzer's operations (see fuzz.h): argument generators, the unprivileged
 * and the privileged operation, hostile steps, and the workers' and the scribbler's loops.
 *
 * Arguments come from lists of interesting values (nil, any, the worker's own and the other
 * workers' ids, other spaces' threads, interrupt and kernel thread numbers, misaligned and
 * kernel addresses, IO fpages) and random words; message and buffer registers are random too,
 * often shaped as typed items (map, grant, string and control transfer items).  Every IPC has a
 * short timeout.  Hostile steps (issue 10's classes): system calls with NT, DF and AC set;
 * spinning with them set, so that interrupts and preemption arrive with them; a far jump to
 * the 32-bit code selector followed by `syscall` (compat mode); receive windows at the top of
 * the user half; kernel-debugger operations with bad operands.
 * Context: worker threads (unprivileged ones in new spaces sharing the root task's pages).
 */
#include <l4/l4.h>
#include <sigma4/kdb.h>
#include <sigma4/utcb.h>
#include "fuzz.h"
#include "tutil.h"

volatile L4_ThreadId_t fuzz_ids[FUZZ_MAX_WORKERS];
volatile L4_Word_t fuzz_stop;
volatile L4_Word_t fuzz_focus;
volatile L4_Word_t fuzz_faults;

const char *const fuzz_kind_name[FUZZ_K_COUNT] = {
    "Ipc", "Lipc", "Unmap", "ExchangeRegisters", "SystemClock", "ThreadSwitch", "Schedule",
    "ThreadControl", "SpaceControl", "ProcessorControl", "MemoryControl", "no-syscall",
    "flagged-spin", "compat-syscall", "kdb", "flagged-syscall", "map-ipc", "string-ipc",
    "KernelInterface", "user-fault", "wild-registers", "interrupt-association",
};

L4_Word_t fuzz_op_seed(L4_Word_t seed, L4_Word_t id, L4_Word_t op)
{
    L4_Word_t z = seed ^ (id * 0xD6E8FEB86659FD93UL) ^ (op * 0x9E3779B97F4A7C15UL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;     /* splitmix64's finaliser */
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    z ^= z >> 31;
    return z ? z : 1;
}

L4_Word_t fuzz_rnd(volatile L4_Word_t *s)
{
    L4_Word_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}
#define rnd fuzz_rnd

static L4_Word_t pick(volatile L4_Word_t *s, const L4_Word_t *v, unsigned n)
{
    return v[rnd(s) % n];
}

/* An address: mostly inside the scratch area, sometimes somewhere the kernel must refuse.
 * Strings are copied to these addresses and kdb clears pages at them, so none lies in the
 * receive windows at the top of the user half (random_buffers): a map item may have put a page
 * of the test program there, and writing it would corrupt the program. */
static L4_Word_t addr(volatile L4_Word_t *s)
{
    static const L4_Word_t bad[] = { 0, 8, 0xFFFFFFFFFFFFF000UL, 0x00003FFFFFFFF000UL,
                                     0x0000800000000000UL, 0xFFFF800000000000UL,
                                     0xFFFFFFFF80000000UL, 0xBFF00000UL, 0xB0000000UL };
    if (rnd(s) % 8 == 0)
        return pick(s, bad, sizeof bad / sizeof bad[0]);
    return (L4_Word_t)fuzz_scratch + rnd(s) % FUZZ_SCRATCH_SIZE;
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
        L4_Word_t base = ((L4_Word_t)fuzz_scratch + rnd(s) % FUZZ_SCRATCH_SIZE) & ~((1UL << lg) - 1);
        return base | ((L4_Word_t)lg << 4) | (rnd(s) & 7);
    }
    }
}

/* A valid fpage of the scratch area with some rights. */
static L4_Word_t scratch_fpage(volatile L4_Word_t *s)
{
    unsigned lg = 12 + (unsigned)(rnd(s) % 5);
    L4_Word_t base = ((L4_Word_t)fuzz_scratch + rnd(s) % FUZZ_SCRATCH_SIZE) & ~((1UL << lg) - 1);
    return base | ((L4_Word_t)lg << 4) | (1 + rnd(s) % 7);
}

static L4_Word_t thread_id(volatile L4_Word_t *s, struct fuzz_worker *w)
{
    L4_Word_t v[] = { 0, ~0UL, ~0UL << 6, w->self.raw, w->peer ? w->peer->self.raw : 0,
                      fuzz_ids[rnd(s) % FUZZ_MAX_WORKERS].raw,
                      fuzz_ids[rnd(s) % FUZZ_MAX_WORKERS].raw,
                      L4_MyLocalId().raw, tu_root().raw, L4_Pager().raw,
                      L4_GlobalId(8, 1).raw, L4_GlobalId(2, 1).raw, L4_GlobalId(64, 1).raw,
                      L4_GlobalId(96, 1).raw, L4_GlobalId(5000, 7).raw, rnd(s), rnd(s) & ~0x3FUL };
    return pick(s, v, sizeof v / sizeof v[0]);
}

/* Another worker to talk to: mostly one that exists. */
static L4_Word_t partner(volatile L4_Word_t *s, struct fuzz_worker *w)
{
    L4_Word_t t = fuzz_ids[rnd(s) % FUZZ_MAX_WORKERS].raw;
    if (t == 0 && w->peer)
        t = w->peer->self.raw;
    return t ? t : w->self.raw;
}

static L4_Word_t word(volatile L4_Word_t *s)
{
    static const L4_Word_t v[] = { 0, 1, 2, ~0UL, ~1UL, 0x400, 0xFFFF, 0x8000, 0x10000,
                                   0xFFFFFFFFUL, 1UL << 63 };
    return rnd(s) % 3 ? pick(s, v, sizeof v / sizeof v[0]) : rnd(s);
}

/* A short timeout: mostly zero, else up to 1 ms, 1 ms, or up to ~8 ms (relative). */
static L4_Word_t short_time(volatile L4_Word_t *s)
{
    switch (rnd(s) % 8) {
    case 0: return rnd(s) & 0x3FF;                                  /* m us */
    case 1: return L4_TimePeriod(1000).raw;
    case 2: return (rnd(s) & 0x3FF) | (3UL << 10);                  /* m * 8 us */
    default: return 0x0400;                                         /* zero */
    }
}

/* Receive side: strings into the scratch area, a window anywhere (often at the top of the user
 * half), no control transfer (an accepted one would send the worker anywhere). */
static void random_buffers(volatile L4_Word_t *s)
{
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
                L4_LoadMR((int)(i + k), (L4_Word_t)fuzz_scratch);   /* harmless values */
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
    random_buffers(s);
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

static void publish(struct fuzz_worker *w, enum fuzz_kind k, L4_Word_t a, L4_Word_t b, L4_Word_t c)
{
    w->kind = k;
    w->arg[0] = a;
    w->arg[1] = b;
    w->arg[2] = c;
}

/* A fault of the user's own making: the kernel reports it (the thread has no exception
 * handler, so it is halted) and the watchdog restarts the worker. */
static void user_fault(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    L4_Word_t k = rnd(s) % 12;
    publish(w, FUZZ_K_FAULT, k, 0, 0);
    switch (k) {
    case 0: __asm__ volatile("ud2"); break;
    case 1: __asm__ volatile("int $0x80"); break;                  /* a gate users may not use */
    case 2: __asm__ volatile("int $0x0e"); break;
    case 3: { volatile unsigned z = 0; __asm__ volatile("divl %0" :: "r"(z), "a"(1), "d"(0)); break; }
    case 4: __asm__ volatile("hlt"); break;                        /* privileged instruction */
    case 5: __asm__ volatile("cli"); break;
    case 6: __asm__ volatile("inb $0x80, %%al" ::: "rax"); break;   /* IO port: an IO fault */
    case 7: (void)*(volatile L4_Word_t *)0x0000800000000000UL; break;  /* non-canonical */
    case 8: (void)*(volatile L4_Word_t *)0xFFFFFFFF80100000UL; break;  /* the kernel's text */
    case 9: __asm__ volatile("int3\n\tnop"); break;                /* no kdb marker after it */
    case 10: __asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\tnop" ::: "memory", "cc");
        break;                                                      /* single step: #DB */
    default: __asm__ volatile("mov %0, %%ss" :: "r"(0x08UL)); break;  /* a kernel selector: #GP */
    }
}

/* ExchangeRegisters on itself with wild values: the kernel returns to user mode with the SP
 * and FLAGS it was given (non-canonical, kernel, misaligned SPs; NT, DF, AC, IOPL, IF, VM
 * bits) at a landing pad that takes the real stack back; now and then with a wild IP, which
 * must end in a fault of the thread, not of the kernel. */
static void wild_registers(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    static const L4_Word_t sps[] = { 0, 8, 0x0000800000000000UL, 0xFFFF800000000000UL,
                                     0xFFFFFFFF80000000UL, 0x00007FFFFFFFFFF8UL, 0x123,
                                     FUZZ_SCRATCH_BASE + 0x1003 };
    static const L4_Word_t ips[] = { 0x0000800000000000UL, 0xFFFFFFFF80100000UL,
                                     0x00007FFFFFFFFFFFUL, 0 };
    L4_Word_t sp = sps[rnd(s) % 8], fl = rnd(s) & (FL_ARITH | FL_DF | FL_NT | FL_AC | FL_IOPL |
                                                      FL_IF | (1UL << 17) | (1UL << 16) | FL_ID);
    L4_Word_t ctl = (1UL << 4) | (rnd(s) % 2 ? 1UL << 3 : 0) | (rnd(s) % 4 ? 1UL << 5 : 0);
    L4_Word_t nr = 3, dest = L4_MyLocalId().raw;
    if (rnd(s) % 16 == 0) {
        publish(w, FUZZ_K_FAULT, 100, ips[rnd(s) % 4], 0);
        L4_ExchangeRegisters(L4_MyLocalId(), 1UL << 4, 0, ips[rnd(s) % 4], 0, 0, L4_nilthread,
                             &nr, &nr, &nr, &nr, &nr, (L4_ThreadId_t *)&dest);
        return;
    }
    if (rnd(s) % 64 == 0)
        fl |= FL_TF;                                /* a #DB at the landing pad */
    publish(w, fl & FL_TF ? FUZZ_K_FAULT : FUZZ_K_WILDREGS, ctl, sp, fl);
    register L4_Word_t r9 __asm__("r9") = fl;
    __asm__ volatile("mov %%rsp, (%%rbx)\n\t"
                     "lea 1f(%%rip), %%r8\n\t"
                     "syscall\n"
                     "1:\n\t"
                     "mov (%%rbx), %%rsp\n\t"
                     "pushfq\n\t"
                     "andq %[keep], (%%rsp)\n\t"
                     "popfq"
                     : "+a"(nr), "+D"(dest), "+S"(ctl), "+d"(sp), "+r"(r9)
                     : "b"(&w->saved_sp), [keep] "r"(~(FL_NT | FL_DF | FL_AC | FL_TF))
                     : "rcx", "r8", "r10", "r11", "r12", "memory", "cc");
}

/* A kernel-debugger service with a bad or odd operand (op must be a constant). */
#define FUZZ_KDB(op, arg) ((void)__L4_KDB_SERVICE(op, arg))
static void kdb_step(volatile L4_Word_t *s)
{
    static const char line[] = "# fuzz: kdb output\n";
    L4_Word_t a = addr(s);
    switch (rnd(s) % 9) {
    case 0: FUZZ_KDB(KDB_OP_PUTS, a); break;                   /* scratch or a bad address */
    case 1: if (rnd(s) % 64 == 0) FUZZ_KDB(KDB_OP_PUTS, line); break;
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
static void hostile_step(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    L4_Word_t fl = ((rnd(s) & 1) ? FL_NT : 0) | ((rnd(s) & 1) ? FL_DF : 0) |
                   ((rnd(s) & 1) ? FL_AC : 0);
    switch (rnd(s) % 16) {
    case 0: {
        L4_Word_t n = 2000 + rnd(s) % 20000;
        publish(w, FUZZ_K_SPIN, fl | FL_NT, n, 0);
        flagged_spin(fl | FL_NT, n);
        break;
    }
    case 1:
        if (rnd(s) % 32 == 0) {
            publish(w, FUZZ_K_COMPAT, 0, 0, 0);
            compat_syscall();
        }
        break;
    case 2: case 3:
        publish(w, FUZZ_K_KDB, 0, 0, 0);
        kdb_step(s);
        break;
    default: {                                  /* an IPC or an Unmap with flags set */
        random_registers(s);
        L4_Word_t to = rnd(s) % 2 ? thread_id(s, w) : partner(s, w);
        if (rnd(s) % 4 == 0) {
            L4_Word_t c = (rnd(s) % 6) | (rnd(s) % 2 ? 0x40 : 0);
            publish(w, FUZZ_K_FLAGGED, 2, c, fl);
            flagged_syscall(fl, 2, c, 0, 0);
        } else {
            L4_Word_t from = rnd(s) % 2 ? to : ~0UL, tm = (short_time(s) << 16) | short_time(s);
            publish(w, FUZZ_K_FLAGGED, to, from, fl);
            flagged_syscall(fl, 0, to, from, tm);
        }
    }
    }
}

/* A well-formed IPC to another worker (any space) that carries map or grant items of the
 * scratch area, or string items, with a receive window and string buffers of its own: the
 * typed-item paths that random words rarely get through.  Items have C set but the last. */
static void item_ipc(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    L4_Word_t to = partner(s, w), t = 0, i = 1;
    int strings = rnd(s) % 2;
    do {
        if (strings) {
            L4_Word_t len = 1 + rnd(s) % 6000, src = (L4_Word_t)fuzz_scratch + rnd(s) % 4096;
            L4_LoadMR((int)i, (len << 10) | ((rnd(s) % 8 == 0) << 9) | 1);
            L4_LoadMR((int)i + 1, src);
        } else {
            L4_Word_t fp = scratch_fpage(s);
            L4_LoadMR((int)i, (fp & ~0x3FFUL) | (rnd(s) % 4 ? 0x8 : 0xA) | 1);
            L4_LoadMR((int)i + 1, fp);
        }
        i += 2, t += 2;
    } while (i < 12 && rnd(s) % 3);
    L4_Word_t last;
    L4_StoreMR((int)(i - 2), &last);
    L4_LoadMR((int)(i - 2), last & ~1UL);
    /* A window in the scratch area (or all of it), strings accepted; two string buffers. */
    L4_Word_t win = rnd(s) % 3 ? scratch_fpage(s) : ((L4_Word_t)fuzz_scratch | (16 << 4));
    L4_LoadBR(0, (win & ~0xFUL) | (rnd(s) % 4 != 0));
    L4_LoadBR(1, ((1 + rnd(s) % 8000) << 10) | 1);
    L4_LoadBR(2, (L4_Word_t)fuzz_scratch + FUZZ_SCRATCH_SIZE / 2 + rnd(s) % 8192);
    L4_LoadBR(3, (1 + rnd(s) % 8000) << 10);
    L4_LoadBR(4, (L4_Word_t)fuzz_scratch + rnd(s) % 8192);
    L4_Word_t tag = ((rnd(s) & 0xFF) << 16) | (t << 6);
    L4_LoadMR(0, tag);
    L4_Word_t from = rnd(s) % 3 ? ~0UL : to, tm = (short_time(s) << 16) | short_time(s);
    publish(w, strings ? FUZZ_K_STRIPC : FUZZ_K_MAPIPC, to, from, t);
    raw_syscall(rnd(s) % 4 ? 0 : 1, to, rnd(s) % 2 ? from : 0, tm, 0, tag, 0, 0);
}

void fuzz_step(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    L4_Word_t sel = rnd(s) % 32;
    if (fuzz_focus == 1 || fuzz_focus == 2) {
        if (fuzz_focus == 1)
            wild_registers(w);
        else
            user_fault(w);
        return;
    }
    if (sel < 4) {
        hostile_step(w);
        return;
    }
    if (sel < 8) {
        item_ipc(w);
        return;
    }
    if (sel == 9 && rnd(s) % 32 == 0 && fuzz_faults) {
        user_fault(w);
        return;
    }
    if (sel == 10 && rnd(s) % 2 == 0 && fuzz_faults) {
        wild_registers(w);
        return;
    }
    if (sel == 8) {
        publish(w, FUZZ_K_KIP, 0, 0, 0);
        (void)L4_KernelInterface((L4_Word_t *)0, (L4_Word_t *)0, (L4_Word_t *)0);
        return;
    }
    L4_Word_t nr = rnd(s) % 13, r = rnd(s) % 100;
    random_registers(s);
    L4_Word_t a = thread_id(s, w), b = word(s), c = word(s), d = word(s), e, f = word(s),
              g = word(s);
    enum fuzz_kind kind = (enum fuzz_kind)nr;
    switch (nr) {
    case 0: case 1:                                             /* Ipc, Lipc */
        if (r < 40)
            a = partner(s, w);
        b = r < 50 ? thread_id(s, w) : r < 70 ? a : ~0UL;
        c = (short_time(s) << 16) | short_time(s);
        L4_StoreMR(0, &e);
        break;
    case 2:                                                     /* Unmap */
        for (int k = 0; k < 4; k++)
            L4_LoadMR(k, rnd(s) % 2 ? scratch_fpage(s) : fpage(s));
        a = (rnd(s) % 6) | (rnd(s) % 2 ? 0x40 : 0);
        e = word(s);
        break;
    case 3:                                                     /* ExchangeRegisters */
        /* Never SP, IP, FLAGS (DF would make the C library copy backwards) or the pager
         * (a worker as pager could redirect another with a control transfer); halting
         * rarely (the watchdog has to restart what halts). */
        b &= ~((1UL << 3) | (1UL << 4) | (1UL << 5) | (1UL << 7));
        if (a == w->self.raw || a == L4_MyLocalId().raw || rnd(s) % 16)
            b &= ~1UL;
        g = thread_id(s, w);
        e = word(s);
        break;
    case 5:                                                     /* ThreadSwitch */
        a = rnd(s) % 2 ? partner(s, w) : a;
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
        if (nr == 12) {
            nr = 11 + rnd(s) % 200;                             /* not a system call */
            kind = FUZZ_K_NOSYS;
        }
        break;
    }
    if (nr == 7 || nr == 8 || nr == 9) {                        /* privileged: id args */
        b = thread_id(s, w);
        c = thread_id(s, w);
        d = r < 50 ? thread_id(s, w) : addr(s);
    }
    publish(w, kind, a, b, c);
    raw_syscall(nr, a, b, c, d, e, f, g);
}

void fuzz_worker_loop(void *arg)
{
    struct fuzz_worker *w = arg;
    w->self = L4_MyGlobalId();
    w->utcb = L4_GetUtcb();
    for (;;) {
        L4_Word_t i = w->next;
        if (fuzz_stop || i >= w->end) {
            L4_Sleep(L4_TimePeriod(2000));
            continue;
        }
        w->rng = fuzz_op_seed(w->seed, w->id, i);
        w->op = i;
        fuzz_step(w);
        w->next = i + 1;
        w->done++;
    }
}

/* ---- the scribbler and inspector ------------------------------------------------------------ */

void fuzz_scribble_loop(void *arg)
{
    struct fuzz_scribbler *sc = arg;
    volatile L4_Word_t *s = &sc->seed;
    unsigned n = 0;
    while (n < FUZZ_MAX_WORKERS && sc->w[n])
        n++;
    for (L4_Word_t k = 0;; k++) {
        if (sc->want) {
            L4_Word_t ctl, sp, ip, fl, h;
            L4_ThreadId_t pg;
            L4_ThreadId_t r = L4_ExchangeRegisters((L4_ThreadId_t){ .raw = sc->want }, 0, 0, 0,
                                                   0, 0, L4_nilthread, &ctl, &sp, &ip, &fl, &h,
                                                   &pg);
            sc->got_ok = !L4_IsNilThread(r);
            sc->got_control = ctl, sc->got_sp = sp, sc->got_ip = ip, sc->got_flags = fl;
            sc->got_pager = pg.raw;
            sc->want = 0;
        }
        L4_Word_t *u = n ? sc->w[rnd(s) % n]->utcb : 0;
        if (u && !fuzz_stop) {
            /* MRs and BR0 get fpages too; the other BRs may be string addresses, so they get
             * only what addr() allows (an IO fpage's value may be an address in the test
             * program, and a string received there would overwrite it). */
            int br = rnd(s) % 2;
            L4_Word_t bi = rnd(s) % 33;
            long i = br ? (long)UTCB_BR(bi) : (long)UTCB_MR(rnd(s) % 64);
            L4_Word_t v;
            switch (rnd(s) % 4) {
            case 0: v = word(s); break;
            case 1: v = br && bi ? addr(s) : fpage(s); break;
            case 2: v = addr(s); break;
            default: v = ((rnd(s) % 9000) << 10) | (rnd(s) & 0x3FF); break;
            }
            ((volatile L4_Word_t *)u)[i] = v;
        }
        sc->rounds++;
        if (k % 256 == 0)
            L4_Sleep(L4_TimePeriod(1000));      /* bursts: leave the CPU to the workers */
    }
}
