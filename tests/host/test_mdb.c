/* test_mdb.c — host tests of the mapping database (kernel/core/mdb.c) at the boundaries of
 * the user half: mappings at 0 and in the last page / last 2 MiB below USER_ADDR_END, chains,
 * grant, revocation, space destruction finding every node, kernel-memory exhaustion, and the
 * assertion that refuses a mapping outside the user half.
 *
 * The page tables are a fake (one record per 4 KiB or 2 MiB slot, never freed: the fake
 * never reclaims a table); accounts count each space's bytes; slab objects come from calloc with an injectable failure; panic longjmps
 * back into the test. */
#include "core/mdb.c"
#include "htest.h"
#include <stdlib.h>
#include <setjmp.h>
#include <stdarg.h>

#define UTOP    USER_ADDR_END
#define MIB2    (2ULL << 20)

/* ---- the fake arch ------------------------------------------------------------------------- */

struct rec {
    uint64_t va, pa;            /* 4 KiB or 2 MiB aligned */
    unsigned lg, rights;
    bool present;
    void *shadow;
};
#define TREES   8
#define RECS    4096
static struct rec trees[TREES][RECS];
static unsigned nrecs[TREES];
static int fail_pt_after = -1, fail_slab_after = -1;
static jmp_buf panic_jmp;
static int panics, out_of_user_half;

_Noreturn void panic(const char *fmt, ...)
{
    (void)fmt;
    panics++;
    longjmp(panic_jmp, 1);
}

void spin_lock(struct spinlock *l) { l->owner = 0; }
void spin_unlock(struct spinlock *l) { l->owner = -1; }
void tlb_note(struct space *s) { (void)s; }
void space_limits_sync(struct space *s, uint64_t va) { (void)s; (void)va; }

void *slab_alloc(struct slab_cache *c)
{
    if (fail_slab_after == 0)
        return NULL;
    if (fail_slab_after > 0)
        fail_slab_after--;
    c->in_use++;
    return calloc(1, c->size);
}

void slab_free(struct slab_cache *c, void *obj)
{
    c->in_use--;
    free(obj);
}

/* Accounts: the bytes each space's reference holds (checked against its nodes). */
int account_charge(struct account_ref *r, uint64_t bytes) { r->bytes += bytes; return 0; }
void account_uncharge(struct account_ref *r, uint64_t bytes)
{
    if (r->bytes < bytes)
        panic("uncharge below zero");
    r->bytes -= bytes;
}

void *account_slab_alloc(struct account_ref *r, struct slab_cache *c)
{
    void *o = slab_alloc(c);
    if (o)
        account_charge(r, c->size);
    return o;
}

void account_slab_free(struct account_ref *r, struct slab_cache *c, void *obj)
{
    slab_free(c, obj);
    account_uncharge(r, c->size);
}

void tlb_shootdown_walkers(void) {}
void arch_pt_free_table(void *t) { (void)t; }

static void user_only(uint64_t va)
{
    if (va >= UTOP)
        out_of_user_half++;
}

/* The record of va's slot: a 2 MiB one covering it, else its 4 KiB one; NULL if none. */
static struct rec *find(uint64_t root, uint64_t va)
{
    for (unsigned i = 0; i < nrecs[root]; i++)
        if (trees[root][i].lg == 21 && trees[root][i].va == (va & ~(MIB2 - 1)))
            return &trees[root][i];
    for (unsigned i = 0; i < nrecs[root]; i++)
        if (trees[root][i].lg == 12 && trees[root][i].va == (va & ~0xFFFULL))
            return &trees[root][i];
    return NULL;
}

static struct rec *present(uint64_t root, uint64_t va)
{
    struct rec *r = find(root, va);
    return r && r->present ? r : NULL;
}

static int put(uint64_t root, uint64_t va, uint64_t pa, unsigned rights, unsigned lg)
{
    user_only(va);
    if (fail_pt_after == 0)
        return -1;
    if (fail_pt_after > 0)
        fail_pt_after--;
    struct rec *r = find(root, va);
    if (r && r->lg != lg) {
        if (r->present || lg == 21)
            return -1;                              /* a 2 MiB page / a leaf table is there */
        r = NULL;
    }
    if (lg == 21)
        for (unsigned i = 0; i < nrecs[root]; i++)
            if (trees[root][i].lg == 12 && (trees[root][i].va & ~(MIB2 - 1)) == va)
                return -1;                          /* a leaf table is there */
    if (!r) {
        if (nrecs[root] == RECS)
            return -1;
        r = &trees[root][nrecs[root]++];
        *r = (struct rec){ .va = va & ~((1ULL << lg) - 1), .lg = lg };
    }
    r->pa = pa & ~((1ULL << lg) - 1);
    r->rights = rights & (PT_R | PT_W | PT_X);
    r->present = true;
    return 0;
}

int arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned rights, struct account_ref *a)
{
    (void)a;
    return put(root, va, pa, rights, 12);
}

int arch_pt_map_large(uint64_t root, uint64_t va, uint64_t pa, unsigned rights,
                      struct account_ref *a)
{
    (void)a;
    return put(root, va, pa, rights, 21);
}

void *arch_pt_unmap(uint64_t root, uint64_t va, struct account_ref *reclaim)
{
    (void)reclaim;                                  /* (fake tables are never reclaimed) */
    user_only(va);
    struct rec *r = find(root, va);
    if (r)
        r->present = false;
    return NULL;
}

void **arch_pt_shadow(uint64_t root, uint64_t va)
{
    user_only(va);
    struct rec *r = find(root, va);
    return r ? &r->shadow : NULL;
}

unsigned arch_pt_status(uint64_t root, uint64_t va) { user_only(va); (void)root; return 0; }
unsigned arch_pt_size(uint64_t root, uint64_t va)
{
    struct rec *r = present(root, va);
    return r ? r->lg : 0;
}

uint64_t arch_pt_query_size(uint64_t root, uint64_t va, unsigned *rights, unsigned *lg)
{
    struct rec *r = present(root, va);
    if (!r)
        return ~0ULL;
    *rights = r->rights | PT_R;
    *lg = r->lg;
    return r->pa | (va & ((1ULL << r->lg) - 1) & ~0xFFFULL);
}

void arch_pt_protect(uint64_t root, uint64_t va, unsigned rights)
{
    user_only(va);
    struct rec *r = present(root, va);
    if (r)
        r->rights &= rights;
}

int arch_pt_set_cache(uint64_t root, uint64_t va, unsigned type)
{
    user_only(va);
    (void)type;
    return present(root, va) ? 0 : -1;
}

uint64_t arch_pt_next(uint64_t root, uint64_t va, uint64_t end)
{
    uint64_t best = end;
    for (unsigned i = 0; i < nrecs[root]; i++) {
        struct rec *r = &trees[root][i];
        if (!r->present)
            continue;
        uint64_t at = r->va + (1ULL << r->lg) > va && r->va <= va ? va : r->va;
        if (at >= va && at < best && at < UTOP)
            best = at;
    }
    return best;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static struct space spaces[TREES];

static void reset(void)
{
    for (unsigned t = 0; t < TREES; t++) {
        nrecs[t] = 0;
        spaces[t] = (struct space){ .pt_root = t };
    }
    mnode_cache.in_use = 0;
    fail_pt_after = fail_slab_after = -1;
    panics = out_of_user_half = 0;
}

/* Space a (index) gets a kernel-made mapping at va (a root node appears on first map on). */
static void kernel_map(unsigned a, uint64_t va, uint64_t pa, unsigned lg)
{
    put(a, va, pa, PT_R | PT_W | PT_X, lg);
}

static bool mapped(unsigned s, uint64_t va) { return present(s, va) != NULL; }

/* ---- tests --------------------------------------------------------------------------------- */

TEST(last_page_of_user_half)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1], *c = &spaces[2];
    kernel_map(0, UTOP - 0x1000, 0x5000, 12);
    CHECK_EQ(mdb_map(a, UTOP - 0x1000, b, UTOP - 0x1000, 0x5000, PT_R | PT_W, false, false), 0);
    CHECK_EQ(mdb_map(b, UTOP - 0x1000, c, 0, 0x5000, PT_R, false, false), 0);
    CHECK_EQ(mdb_nodes(), 3);                       /* a's implicit root, b, c */
    CHECK(mapped(1, UTOP - 0x1000) && mapped(2, 0));
    mdb_unmap(a, UTOP - 0x1000, PT_R, false);       /* revoke everything derived */
    CHECK(!mapped(1, UTOP - 0x1000) && !mapped(2, 0));
    CHECK(mapped(0, UTOP - 0x1000));
    CHECK_EQ(mdb_nodes(), 0);                       /* the implicit root went too */
    CHECK_EQ(out_of_user_half, 0);
}

TEST(superpage_in_last_2mib_found_by_space_destroy)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1], *c = &spaces[2];
    kernel_map(0, 0x40000000, 0x200000, 21);
    CHECK_EQ(mdb_map(a, 0x40000000, b, UTOP - MIB2, 0x200000, PT_R | PT_W, false, true), 0);
    CHECK_EQ(arch_pt_size(1, UTOP - 1), 21);
    CHECK_EQ(mdb_map(b, UTOP - MIB2, c, 0, 0x200000, PT_R, false, true), 0);
    CHECK_EQ(mdb_nodes(), 3);
    mdb_space_destroy(b);                           /* b's node at the very top, and c's */
    CHECK_EQ(mdb_nodes(), 0);
    CHECK(!mapped(2, 0));
    CHECK_EQ(out_of_user_half, 0);
}

TEST(grant_to_the_top_and_back_to_zero)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1], *c = &spaces[2];
    kernel_map(0, 0, 0x9000, 12);
    CHECK_EQ(mdb_map(a, 0, b, 0x1000, 0x9000, PT_R | PT_W, false, false), 0);
    CHECK_EQ(mdb_map(b, 0x1000, c, UTOP - 0x1000, 0x9000, PT_R | PT_W, true, false), 0);
    CHECK(!mapped(1, 0x1000) && mapped(2, UTOP - 0x1000));
    CHECK_EQ(mdb_nodes(), 2);                       /* a's root and the moved node */
    CHECK_EQ(b->acct.bytes, 0);                     /* a granted node changes accounts */
    CHECK_EQ(c->acct.bytes, mnode_cache.size);
    CHECK_EQ(mdb_map(c, UTOP - 0x1000, b, 0, 0x9000, PT_R, true, false), 0);
    CHECK(mapped(1, 0) && !mapped(2, UTOP - 0x1000));
    CHECK_EQ(b->acct.bytes, mnode_cache.size);
    CHECK_EQ(c->acct.bytes, 0);
    mdb_unmap(a, 0, PT_R, false);
    CHECK(!mapped(1, 0));
    CHECK_EQ(mdb_nodes(), 0);
    CHECK_EQ(a->acct.bytes + b->acct.bytes + c->acct.bytes, 0);     /* every byte back */
}

TEST(set_cache_at_the_top)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1];
    kernel_map(0, 0x40000000, 0x200000, 21);
    CHECK_EQ(mdb_map(a, 0x40000000, b, UTOP - MIB2, 0x200000, PT_R, false, true), 0);
    mdb_set_cache(b, UTOP - MIB2, UTOP, 1);
    mdb_space_destroy(b);
    CHECK_EQ(mdb_nodes(), 0);
    CHECK_EQ(out_of_user_half, 0);
}

TEST(out_of_memory_changes_nothing)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1];
    kernel_map(0, UTOP - 0x1000, 0x5000, 12);
    fail_slab_after = 0;                            /* no node for a's root */
    CHECK_EQ(mdb_map(a, UTOP - 0x1000, b, UTOP - 0x1000, 0x5000, PT_R, false, false), -1);
    CHECK(!mapped(1, UTOP - 0x1000));
    CHECK_EQ(mdb_nodes(), 0);
    fail_slab_after = 1;                            /* a's root, but not b's node */
    CHECK_EQ(mdb_map(a, UTOP - 0x1000, b, UTOP - 0x1000, 0x5000, PT_R, false, false), -1);
    CHECK(!mapped(1, UTOP - 0x1000));
    CHECK_EQ(mdb_nodes(), 0);
    fail_slab_after = -1;
    fail_pt_after = 0;                              /* no page table */
    CHECK_EQ(mdb_map(a, UTOP - 0x1000, b, UTOP - 0x1000, 0x5000, PT_R, false, false), -1);
    CHECK_EQ(mdb_nodes(), 0);
}

TEST(mapping_outside_the_user_half_asserts)
{
    reset();
    struct space *a = &spaces[0], *b = &spaces[1];
    kernel_map(0, 0x40000000, 0x200000, 21);
    static const uint64_t bad[] = { UTOP, 0xFFFFFFFFFFE00000ULL, 0xFFFF800000000000ULL };
    for (unsigned i = 0; i < 3; i++) {
        int before = panics;
        if (!setjmp(panic_jmp))
            mdb_map(a, 0x40000000, b, bad[i], 0x200000, PT_R, false, true);
        CHECK_EQ(panics, before + 1);
        mdb_lock.owner = -1;                        /* (the lock was left held) */
        CHECK_EQ(out_of_user_half, 0);              /* asserted before any table was touched */
    }
    CHECK_EQ(mdb_nodes(), 0);
}

HTEST_MAIN("mdb")
