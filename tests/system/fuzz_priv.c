/* fuzz_priv.c — the fuzzer's privileged operations (see fuzz.h).
 *
 * A thread of the root task (so its calls are privileged) calls ThreadControl, SpaceControl,
 * MemoryControl, ProcessorControl, Schedule and ExchangeRegisters with random arguments on
 * threads it makes in a reserved range of thread numbers (FUZZ_PRIV_BASE..) — never on the
 * test's own threads — and interrupt lines no test uses.  fuzz_priv_cleanup deletes whatever
 * it made.  Context: one privileged worker at a time.
 */
#include <l4/l4.h>
#include "fuzz.h"
#include "tutil.h"

#define rnd fuzz_rnd

static L4_ThreadId_t made[FUZZ_PRIV_COUNT]; /* ids that exist (as far as the worker knows) */

static L4_Word_t pword(volatile L4_Word_t *s)
{
    static const L4_Word_t v[] = { 0, 1, 2, ~0UL, ~1UL, 0x400, 0xFFFF, 0x8000, 0x10000,
                                   0xFFFFFFFFUL, 1UL << 63 };
    return rnd(s) % 3 ? v[rnd(s) % (sizeof v / sizeof v[0])] : rnd(s);
}

static L4_ThreadId_t pf_id(volatile L4_Word_t *s)
{
    L4_Word_t r = rnd(s) % 10;
    if (r < 7) {
        L4_Word_t i = rnd(s) % FUZZ_PRIV_COUNT;
        if (r < 4 && !L4_IsNilThread(made[i]))
            return made[i];
        return L4_GlobalId(FUZZ_PRIV_BASE + i, 1 + rnd(s) % 3);
    }
    L4_Word_t v[] = { 0, ~0UL, L4_GlobalId(FUZZ_IRQ_A, 1).raw, L4_GlobalId(FUZZ_IRQ_B, 1).raw,
                      L4_GlobalId(70, 1).raw, L4_GlobalId(5000, 1).raw, rnd(s) };
    return (L4_ThreadId_t){ .raw = v[rnd(s) % 7] };
}

static L4_Word_t pf_area(volatile L4_Word_t *s, unsigned minlog)
{
    unsigned lg = minlog + (unsigned)(rnd(s) % 6);
    L4_Word_t base = (0x40000000UL + (rnd(s) % 64) * 0x100000UL) & ~((1UL << lg) - 1);
    switch (rnd(s) % 5) {
    case 0: return rnd(s);
    case 1: return base | 0x123;                   /* odd low bits */
    default: return base | ((L4_Word_t)lg << 4);
    }
}

static L4_Word_t pf_fpage(volatile L4_Word_t *s)
{
    unsigned lg = 12 + (unsigned)(rnd(s) % 5);
    L4_Word_t base = ((L4_Word_t)fuzz_scratch + rnd(s) % FUZZ_SCRATCH_SIZE) & ~((1UL << lg) - 1);
    return rnd(s) % 4 ? base | ((L4_Word_t)lg << 4) | (rnd(s) & 7) : rnd(s);
}

static void remember(L4_ThreadId_t dest, int exists)
{
    L4_Word_t n = L4_ThreadNo(dest);
    if (n >= FUZZ_PRIV_BASE && n < FUZZ_PRIV_BASE + FUZZ_PRIV_COUNT)
        made[n - FUZZ_PRIV_BASE] = exists ? dest : L4_nilthread;
}

static int own_number(L4_ThreadId_t t)
{
    L4_Word_t n = L4_ThreadNo(t);
    return n >= FUZZ_PRIV_BASE && n < FUZZ_PRIV_BASE + FUZZ_PRIV_COUNT;
}

static void thread_control(struct fuzz_worker *w, L4_ThreadId_t dest)
{
    volatile L4_Word_t *s = &w->rng;
    L4_Word_t r = rnd(s) % 10;
    L4_ThreadId_t space = r < 3 ? dest : r < 5 ? L4_nilthread : pf_id(s);
    L4_ThreadId_t sched = rnd(s) % 4 ? L4_Myself() : pf_id(s);
    L4_ThreadId_t pager = rnd(s) % 3 ? L4_nilthread : pf_id(s);
    L4_Word_t utcb = rnd(s) % 3 ? ~0UL : pf_area(s, 10) & ~0x3FFUL;
    L4_Word_t limits[] = { L4_THREAD_LIMIT_NONE, L4_THREAD_LIMIT_UNCHANGED,
                           (0x80000000UL >> 12) - 1, 12345, rnd(s) };
    L4_Word_t lim = limits[rnd(s) % 5];
    if (L4_ThreadNo(space) < FUZZ_PRIV_BASE && !L4_IsNilThread(space) && space.raw != ~0UL &&
        L4_ThreadNo(space) >= 96)
        space = dest;                               /* never into the test's own spaces */
    if (L4_ThreadNo(dest) >= 96 && L4_ThreadNo(dest) < (1UL << 18) && !own_number(dest))
        return;                                     /* only its own numbers (or invalid ones) */
    w->kind = FUZZ_K_THREADCTL, w->arg[0] = dest.raw, w->arg[1] = space.raw, w->arg[2] = utcb;
    if (L4_ThreadControlLimit(dest, space, sched, pager, (void *)utcb, lim))
        remember(dest, !L4_IsNilThread(space));
}

void fuzz_priv_step(struct fuzz_worker *w)
{
    volatile L4_Word_t *s = &w->rng;
    L4_ThreadId_t dest = pf_id(s);
    L4_Word_t o;
    switch (rnd(s) % 8) {
    case 0: case 1: case 2:
        thread_control(w, dest);
        break;
    case 3: {
        L4_Word_t ctl = rnd(s) % 4 ? 0 : rnd(s);
        w->kind = FUZZ_K_SPACECTL, w->arg[0] = dest.raw, w->arg[1] = ctl;
        L4_SpaceControl(dest, ctl, (L4_Fpage_t){ .raw = pf_area(s, 12) },
                        (L4_Fpage_t){ .raw = pf_area(s, 10) }, L4_nilthread, &o);
        break;
    }
    case 4: {                                   /* MemoryControl on the scratch area */
        for (int i = 0; i < 4; i++)
            L4_LoadMR(i, pf_fpage(s));
        L4_Word_t attr[4] = { rnd(s) % 9, rnd(s) % 9, 0, rnd(s) };
        L4_Word_t ctl = rnd(s) % 5;
        w->kind = FUZZ_K_MEMCTL, w->arg[0] = ctl, w->arg[1] = attr[0];
        L4_MemoryControl(ctl, attr);
        break;
    }
    case 5: {
        if (rnd(s) % 2) {                       /* an interrupt to one of its threads, or back */
            L4_ThreadId_t irq = L4_GlobalId(rnd(s) % 2 ? FUZZ_IRQ_A : FUZZ_IRQ_B, 1);
            L4_ThreadId_t h = rnd(s) % 3 ? made[rnd(s) % FUZZ_PRIV_COUNT] : irq;
            w->kind = FUZZ_K_IRQ, w->arg[0] = irq.raw, w->arg[1] = h.raw;
            if (!L4_IsNilThread(h))
                L4_AssociateInterrupt(irq, h);
            break;
        }
        L4_Word_t cpu = rnd(s) % 6;
        w->kind = FUZZ_K_PROCCTL, w->arg[0] = cpu;
        L4_ProcessorControl(cpu, pword(s), pword(s), pword(s));
        break;
    }
    case 6:                                     /* Schedule on its threads */
        if (!own_number(dest))
            break;
        w->kind = FUZZ_K_SCHEDULE, w->arg[0] = dest.raw;
        L4_Schedule(dest, pword(s), rnd(s) % 2 ? ~0UL : rnd(s) % 6,
                    rnd(s) % 2 ? ~0UL : rnd(s) % 300, rnd(s) % 2 ? ~0UL : pword(s), &o);
        break;
    default: {                                  /* ExchangeRegisters: other spaces fail */
        L4_ThreadId_t op;
        if (!own_number(dest))
            break;
        w->kind = FUZZ_K_EXREG, w->arg[0] = dest.raw;
        L4_ExchangeRegisters(dest, rnd(s) & 0x1FF, pword(s), pword(s), pword(s), pword(s),
                             pf_id(s), &o, &o, &o, &o, &o, &op);
        break;
    }
    }
}

void fuzz_priv_loop(void *arg)
{
    struct fuzz_worker *w = arg;
    w->self = L4_MyGlobalId();
    for (;;) {
        L4_Word_t i = w->next;
        if (fuzz_stop || i >= w->end) {
            L4_Sleep(L4_TimePeriod(2000));
            continue;
        }
        w->rng = fuzz_op_seed(w->seed, w->id, i);
        w->op = i;
        fuzz_priv_step(w);
        w->next = i + 1;
        w->done++;
    }
}

void fuzz_priv_cleanup(void)
{
    for (L4_Word_t n = FUZZ_PRIV_BASE; n < FUZZ_PRIV_BASE + FUZZ_PRIV_COUNT; n++) {
        for (L4_Word_t v = 1; v < 64; v++)
            L4_ThreadControl(L4_GlobalId(n, v), L4_nilthread, L4_nilthread, L4_nilthread,
                             (void *)-1);
        made[n - FUZZ_PRIV_BASE] = L4_nilthread;
    }
    L4_DeassociateInterrupt(L4_GlobalId(FUZZ_IRQ_A, 1));
    L4_DeassociateInterrupt(L4_GlobalId(FUZZ_IRQ_B, 1));
}
