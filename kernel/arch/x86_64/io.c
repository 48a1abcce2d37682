/* io.c — x86 IO-flexpages: per-space port permissions and IO page faults.
 *
 * A space that was given ports has an 8 KiB bitmap (a set bit denies the port) and the byte
 * range [io_lo, io_hi) where bits are clear.  The CPU's TSS bitmap grants exactly the ports
 * of the space that runs (io_owner): a switch between spaces without ports costs nothing, a
 * switch to or from a driver copies its (small) range.  sigma0 owns every port.
 * IO fpage: bits 9-4 = 2, bits 15-10 log2 port count, bits 31-16 base port.
 *
 * Revocation (Unmap of an IO fpage): every grant of ports from one space to another is
 * recorded (`struct io_grant`, under io_lock); the record is allocated before the grant
 * takes effect, so no port is granted without one.  Unmap takes the ports back from every
 * space that got them from the caller, directly or through others (an iterative walk: the
 * kernel stack does not grow with the chain), and with flush from the caller too.  It runs
 * under the exclusive kernel lock, so it can also deny the ports in the TSS bitmap of every
 * CPU whose bitmap currently grants them.
 */
#include "cpu.h"
#include "arch.h"
#include "core/space.h"
#include "core/thread.h"
#include "core/percpu.h"
#include "core/fault.h"
#include "mm/kmem.h"
#include "mm/slab.h"
#include "mm/account.h"
#include "lib/string.h"

bool arch_fpage_is_io(uint64_t f) { return ((f >> 4) & 0x3F) == 2; }

/* A grant of ports [base, base + size) from one space to another. */
struct io_grant {
    struct space *from, *to;
    uint32_t base, size;
    uint64_t pass;                  /* the revocation pass that last visited it */
    uint32_t lo, hi;                /* in that pass: the ports taken back from `to` */
    struct io_grant *next;          /* all grants (guarded by io_lock) */
    struct io_grant *work;          /* in that pass: the next grant to follow */
};
static struct io_grant *grants;
static uint64_t revoke_pass;
static struct spinlock io_lock = SPINLOCK_INIT("io");
static struct slab_cache grant_cache = SLAB_CACHE_INIT(sizeof(struct io_grant), "io_grant");

/* Is a grant from `from` to `to` covering [base, base + size) recorded?  io_lock held. */
static bool recorded_locked(struct space *from, struct space *to, unsigned base, unsigned size)
{
    for (struct io_grant *g = grants; g; g = g->next)
        if (g->from == from && g->to == to && g->base <= base && base + size <= g->base + g->size)
            return true;
    return false;
}

static unsigned io_base(uint64_t f) { return (f >> 16) & 0xFFFF; }
static unsigned io_log2(uint64_t f) { return (f >> 10) & 0x3F; }

static bool port_allowed(const struct space *s, unsigned port)
{
    return s->sigma0 || (s->iobitmap && !(s->iobitmap[port / 8] & (1u << (port % 8))));
}

int arch_map_io_fpage(struct space *from, struct space *to, uint64_t f)
{
    unsigned base = io_base(f), lg = io_log2(f);
    if (lg > 16 || base + (1u << lg) > 65536 || (base & ((1u << lg) - 1)))
        return 0;                                   /* names no ports: grants nothing */
    unsigned end = base + (1u << lg);
    /* Everything the grant needs is allocated (and charged to the receiver) before it takes
     * effect: out of kernel memory or over quota, the item maps nothing (like a memory item
     * without page tables), so no port is ever granted without its record, which revocation
     * follows. */
    struct io_grant *g = from != to ? account_slab_alloc(&to->acct, &grant_cache) : NULL;
    uint8_t *bm = to->iobitmap ? NULL : account_alloc(&to->acct, 1);
    spin_lock(&io_lock);
    bool any = false;
    for (unsigned p = base; p < end && !any; p++)
        any = port_allowed(from, p);
    int r = 0;
    if (!any) {
        /* from holds none of the ports: nothing to grant */
    } else if ((from != to && !g) || (!to->iobitmap && !bm)) {
        r = -1;                                     /* out of kernel memory: nothing granted */
    } else {
        if (!to->iobitmap) {
            memset(bm, 0xFF, IO_BITMAP_BYTES);
            to->iobitmap = bm;
            to->io_lo = IO_BITMAP_BYTES;
            to->io_hi = 0;
            bm = NULL;
        }
        for (unsigned p = base; p < end; p++) {
            if (!port_allowed(from, p))
                continue;
            to->iobitmap[p / 8] &= ~(1u << (p % 8));
            if (p / 8 < to->io_lo) to->io_lo = p / 8;
            if (p / 8 + 1 > to->io_hi) to->io_hi = p / 8 + 1;
        }
        if (g && !recorded_locked(from, to, base, end - base)) {
            *g = (struct io_grant){ .from = from, .to = to, .base = base, .size = end - base,
                                    .next = grants };
            grants = g;
            g = NULL;
        }
    }
    spin_unlock(&io_lock);
    if (g)
        account_slab_free(&to->acct, &grant_cache, g);  /* not needed */
    if (bm)
        account_free(&to->acct, bm, 1);
    struct percpu_arch *a = &this_cpu()->arch;
    if (a->io_owner == to && to->iobitmap)          /* this CPU's bitmap grants to's ports: */
        memcpy(a->iobitmap + to->io_lo, to->iobitmap + to->io_lo,   /* now the new ones too */
               to->io_hi - to->io_lo);              /* (a switch within a space loads none) */
    return r;
}

void arch_io_switch(struct space *next)
{
    struct percpu_arch *a = &this_cpu()->arch;
    if (a->io_owner == next || (!a->io_owner && !(next && next->iobitmap)))
        return;                                     /* nothing granted before or after */
    if (a->io_owner)
        memset(a->iobitmap + a->io_owner->io_lo, 0xFF, a->io_owner->io_hi - a->io_owner->io_lo);
    a->io_owner = NULL;
    if (next && next->iobitmap && next->io_hi > next->io_lo) {
        memcpy(a->iobitmap + next->io_lo, next->iobitmap + next->io_lo, next->io_hi - next->io_lo);
        a->io_owner = next;
    }
}

/* Deny ports [lo, hi) in s, and in the TSS bitmap of every CPU that grants s's ports now. */
static void deny(struct space *s, unsigned lo, unsigned hi)
{
    if (s->sigma0 || !s->iobitmap)
        return;
    for (unsigned p = lo; p < hi; p++)
        s->iobitmap[p / 8] |= 1u << (p % 8);
    for (unsigned c = 0; c < ncpus_online; c++)
        if (percpu[c].arch.io_owner == s)
            for (unsigned p = lo; p < hi; p++)
                percpu[c].arch.iobitmap[p / 8] |= 1u << (p % 8);
}

/* Queue every grant from s that overlaps [lo, hi) and was not visited in this pass on the
 * work list *work, with the ports to take back.  io_lock held. */
static void follow_locked(struct space *s, unsigned lo, unsigned hi, struct io_grant **work)
{
    for (struct io_grant *g = grants; g; g = g->next) {
        unsigned a = lo > g->base ? lo : g->base;
        unsigned b = hi < g->base + g->size ? hi : g->base + g->size;
        if (g->from != s || a >= b || g->pass == revoke_pass)
            continue;
        g->pass = revoke_pass;
        g->lo = a;
        g->hi = b;
        g->work = *work;
        *work = g;
    }
}

/* Take [lo, hi) from every space that got those ports from s, directly or through others.
 * Iterative (a chain of grants may be as long as there are spaces): the grants still to
 * follow form a work list through the grants themselves; each grant is visited at most once
 * per pass, so cycles of grants end.  Wholly revoked grants are forgotten at the end.
 * io_lock held, exclusive kernel lock (deny). */
static void revoke_locked(struct space *s, unsigned lo, unsigned hi)
{
    struct io_grant *work = NULL;
    revoke_pass++;
    follow_locked(s, lo, hi, &work);
    while (work) {
        struct io_grant *g = work;
        work = g->work;
        deny(g->to, g->lo, g->hi);
        follow_locked(g->to, g->lo, g->hi, &work);
    }
    for (struct io_grant **pp = &grants, *g; (g = *pp); ) {
        if (g->pass == revoke_pass && g->lo <= g->base && g->hi >= g->base + g->size) {
            *pp = g->next;
            account_slab_free(&g->to->acct, &grant_cache, g);
        } else {
            pp = &g->next;
        }
    }
}

void arch_unmap_io_fpage(struct space *s, uint64_t f, bool flush)
{
    unsigned base = io_base(f), lg = io_log2(f);
    if (lg > 16 || base + (1u << lg) > 65536)
        return;
    spin_lock(&io_lock);
    revoke_locked(s, base, base + (1u << lg));
    if (flush)
        deny(s, base, base + (1u << lg));
    spin_unlock(&io_lock);
}

void arch_io_space_destroyed(struct space *s)
{
    spin_lock(&io_lock);
    for (struct io_grant **pp = &grants, *g; (g = *pp); ) {
        if (g->from == s || g->to == s) {
            *pp = g->next;
            account_slab_free(&g->to->acct, &grant_cache, g);
        } else {
            pp = &g->next;
        }
    }
    spin_unlock(&io_lock);
    if (this_cpu()->arch.io_owner == s)
        arch_io_switch(NULL);
    if (s->iobitmap)
        account_free(&s->acct, s->iobitmap, 1);
}

/* The port and access of an IO instruction at ip (in/out with imm8 or DX, ins/outs). */
static bool decode_io(struct tcb *t, uint64_t ip, uint64_t rdx, unsigned *port, unsigned *log2w)
{
    uint8_t b[3];
    if (space_read(t->space, ip, b, 3) < 2)
        return false;
    unsigned i = b[0] == 0x66 ? 1 : 0;
    bool wide = b[i] & 1;
    *log2w = !wide ? 0 : i ? 1 : 2;
    switch (b[i]) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7: *port = b[i + 1]; return true;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
    case 0x6C: case 0x6D: case 0x6E: case 0x6F: *port = rdx & 0xFFFF; return true;
    default: return false;
    }
}

bool arch_io_fault(struct tcb *t, uint64_t ip, uint64_t rdx)
{
    unsigned port, lg;
    if (!decode_io(t, ip, rdx, &port, &lg))
        return false;
    port &= ~((1u << lg) - 1);
    uint64_t fpage = ((uint64_t)port << 16) | ((uint64_t)lg << 10) | (2u << 4) | 6;
    fault_io(t, fpage, ip);
    return true;
}
