/* mdb.c — the mapping database (mdb.h): derivation trees of user mappings.
 *
 * Node of (space, va) lives in the shadow word beside its PTE (arch_pt_shadow).  Trees are
 * walked iteratively (derivation chains can be long).  Invariants: a node exists only for a
 * present PTE; node->space/va name exactly the slot that points to it; children are linked
 * through next/prev under their parent.
 */
#include "core/mdb.h"
#include "core/klock.h"
#include "core/space.h"
#include "mm/slab.h"
#include "mm/account.h"
#include "lib/spinlock.h"
#include "arch.h"
#include "debug/panic.h"
#include <sigma4/layout.h>

struct mnode {
    struct space *space;
    uint64_t va;
    struct mnode *parent, *child, *next, *prev;
    bool implicit;              /* a root made only to parent a kernel-made mapping's children:
                                   freed with its last child (the mapping itself stays) */
};

static struct slab_cache mnode_cache = SLAB_CACHE_INIT(sizeof(struct mnode), "mnode");
static struct spinlock mdb_lock = SPINLOCK_INIT("mdb");
static void *reclaim_list;      /* leaf tables unlinked under mdb_lock, freed by unlock() */

uint64_t mdb_nodes(void) { return mnode_cache.in_use; }

static struct mnode **slot(struct space *s, uint64_t va)
{
    return (struct mnode **)arch_pt_shadow(s->pt_root, va);
}

static void link_child(struct mnode *parent, struct mnode *n)
{
    n->parent = parent;
    n->prev = NULL;
    n->next = parent ? parent->child : NULL;
    if (parent) {
        if (parent->child)
            parent->child->prev = n;
        parent->child = n;
    }
}

static void unlink_node(struct mnode *n)
{
    if (n->prev) n->prev->next = n->next;
    else if (n->parent) n->parent->child = n->next;
    if (n->next) n->next->prev = n->prev;
    n->next = n->prev = n->parent = NULL;
}

/* A node for (s, va), charged to s's account; NULL if over quota or out of memory. */
static struct mnode *node_alloc(struct space *s, uint64_t va)
{
    struct mnode *n = account_slab_alloc(&s->acct, &mnode_cache);
    if (n) {
        n->space = s;
        n->va = va;
    }
    return n;
}

static void node_free(struct mnode *n)
{
    account_slab_free(&n->space->acct, &mnode_cache, n);
}

/* Remove the PTE of (s, va).  With `reclaim` a leaf table left empty is unlinked and goes on
 * reclaim_list (through its first shadow word, which only mdb reads); unlock() frees it. */
static void unmap_pte(struct space *s, uint64_t va, bool reclaim)
{
    void **t = arch_pt_unmap(s->pt_root, va, reclaim ? &s->acct : NULL);
    tlb_note(s);
    if (t) {
        t[512] = reclaim_list;
        reclaim_list = t;
    }
}

/* Release mdb_lock; then free the leaf tables unlinked meanwhile, once every CPU that may
 * still reach them has flushed its TLB and acknowledged: those running the spaces (noted by
 * unmap_pte) and those inside the kernel, which acknowledge only while they wait (klock_poll),
 * never in the middle of a page-table walk (tlb_shootdown_walkers). */
static void unlock(void)
{
    void **t = reclaim_list;
    reclaim_list = NULL;
    spin_unlock(&mdb_lock);
    if (!t)
        return;
    tlb_shootdown_walkers();
    while (t) {
        void **next = t[512];
        t[512] = NULL;
        arch_pt_free_table(t);
        t = next;
    }
}

/* Remove n's mapping and node (n has no children).  The leaf table of a space being
 * destroyed is left for arch_pt_destroy. */
static unsigned drop(struct mnode *n)
{
    struct mnode **ns = slot(n->space, n->va);      /* (a 2 MiB one's goes with its PDE) */
    unsigned st = arch_pt_status(n->space->pt_root, n->va);
    *ns = NULL;
    unmap_pte(n->space, n->va, !__atomic_load_n(&n->space->dying, __ATOMIC_RELAXED));
    unlink_node(n);
    node_free(n);
    return st;
}

/* An implicit root node that has no children any more goes; its mapping stays. */
static void release_implicit(struct mnode *p)
{
    if (p && p->implicit && !p->child) {
        *slot(p->space, p->va) = NULL;
        node_free(p);
    }
}

/* Remove n and its whole subtree, leaves first. */
static unsigned delete_subtree(struct mnode *n)
{
    unsigned st = 0;
    struct mnode *cur = n, *top = n->parent;
    for (;;) {
        while (cur->child)
            cur = cur->child;
        struct mnode *up = cur->parent;
        bool last = cur == n;
        st |= drop(cur);
        if (last) {
            release_implicit(top);
            return st;
        }
        cur = up;
    }
}

/* Remove nodes of n's subtree, leaves first, while *budget lasts (one per node); true once n
 * itself is gone.  Stopping early leaves a consistent tree: a node goes only without
 * children.  (Unmap's preemption points: docs/design/preemption.md.) */
static bool delete_subtree_some(struct mnode *n, unsigned *st, int *budget)
{
    struct mnode *cur = n, *top = n->parent;
    for (;;) {
        if (*budget <= 0)
            return false;
        while (cur->child)
            cur = cur->child;
        struct mnode *up = cur->parent;
        bool last = cur == n;
        *st |= drop(cur);
        --*budget;
        if (last) {
            release_implicit(top);
            return true;
        }
        cur = up;
    }
}

/* Reduce the rights of every mapping in n's subtree (n included) to `keep`. */
static unsigned protect_subtree(struct mnode *n, unsigned keep)
{
    unsigned st = 0;
    struct mnode *cur = n;
    for (;;) {
        st |= arch_pt_status(cur->space->pt_root, cur->va);
        arch_pt_protect(cur->space->pt_root, cur->va, keep);
        tlb_note(cur->space);
        if (cur->child) {
            cur = cur->child;
            continue;
        }
        while (cur != n && !cur->next)
            cur = cur->parent;
        if (cur == n)
            return st;
        cur = cur->next;
    }
}

static bool is_ancestor(const struct mnode *a, const struct mnode *n)
{
    for (; n; n = n->parent)
        if (n == a)
            return true;
    return false;
}

/* The node of a present mapping, creating a root node for a kernel-made one. */
static struct mnode *source_node(struct space *from, uint64_t va)
{
    struct mnode **ss = slot(from, va);
    if (!ss)
        return NULL;
    if (!*ss && (*ss = node_alloc(from, va)))
        (*ss)->implicit = true;
    return *ss;
}

/* Put pa into `to` at dst_va: a 4 KiB page, or a 2 MiB one (large). */
static int place(struct space *to, uint64_t dst_va, uint64_t pa, unsigned rights, bool large)
{
    return large ? arch_pt_map_large(to->pt_root, dst_va, pa, rights | PT_USER, &to->acct)
                 : arch_pt_map(to->pt_root, dst_va, pa, rights | PT_USER, &to->acct);
}

static int map_locked(struct space *from, uint64_t src_va, struct space *to, uint64_t dst_va,
                      uint64_t pa, unsigned rights, bool grant, bool large)
{
    /* Nodes live in the user half only: mdb_space_destroy finds every one of a space there. */
    assert(src_va < USER_ADDR_END && dst_va < USER_ADDR_END);
    struct mnode *src = from->sigma0 ? NULL : source_node(from, src_va);
    if (!from->sigma0 && !src)
        return -1;
    unsigned old_rights, old_lg;
    uint64_t old = arch_pt_query_size(to->pt_root, dst_va, &old_rights, &old_lg);
    if (old != ~0ULL) {
        struct mnode **ds = slot(to, dst_va), *d = ds ? *ds : NULL;
        if (d && is_ancestor(d, src))
            return 0;                               /* onto its own origin: ignored */
        if (d && old == pa && d->parent == src && !grant && (old_lg == 21) == large)
            return place(to, dst_va, pa, rights | old_rights, large);   /* more rights */
        if (d) {
            delete_subtree(d);                      /* may free an implicit src: */
            src = from->sigma0 ? NULL : source_node(from, src_va);
            if (!from->sigma0 && !src)
                return -1;
        } else {
            unmap_pte(to, dst_va, false);           /* (placed again below) */
        }
    }
    /* A granted node changes accounts: charged to `to` first, so a failure changes nothing. */
    bool move = grant && src;
    if (move && account_charge(&to->acct, mnode_cache.size) < 0) {
        release_implicit(src);
        return -1;
    }
    if (place(to, dst_va, pa, rights, large) < 0) {
        if (move)
            account_uncharge(&to->acct, mnode_cache.size);
        release_implicit(src);                      /* made for nothing */
        return -1;
    }
    space_limits_sync(to, dst_va);
    if (move) {                                     /* move the node */
        *slot(from, src_va) = NULL;
        unmap_pte(from, src_va, true);
        account_uncharge(&from->acct, mnode_cache.size);
        src->space = to;
        src->va = dst_va;
        src->implicit = false;                      /* it stands for a real mapping now */
        *slot(to, dst_va) = src;
        return 0;
    }
    struct mnode *n = node_alloc(to, dst_va);
    if (!n) {
        unmap_pte(to, dst_va, true);                /* with a leaf table made for it */
        release_implicit(src);
        return -1;
    }
    n->implicit = false;
    link_child(src, n);
    *slot(to, dst_va) = n;
    return 0;
}

int mdb_map(struct space *from, uint64_t src_va, struct space *to, uint64_t dst_va,
            uint64_t pa, unsigned rights, bool grant, bool large)
{
    if (from == to && src_va == dst_va)
        return 0;
    spin_lock(&mdb_lock);
    int r = map_locked(from, src_va, to, dst_va, pa, rights, grant, large);
    unlock();
    return r;
}

unsigned mdb_unmap(struct space *s, uint64_t va, unsigned rights, bool flush)
{
    int budget = INT32_MAX;
    bool more;
    return mdb_unmap_some(s, va, rights, flush, &budget, &more);
}

unsigned mdb_unmap_some(struct space *s, uint64_t va, unsigned rights, bool flush, int *budget,
                        bool *more)
{
    unsigned st = 0;
    *more = false;
    spin_lock(&mdb_lock);
    struct mnode **ns = slot(s, va), *n = ns ? *ns : NULL;
    bool implicit = n && n->implicit;
    if (n) {
        n->implicit = false;                        /* keep it while its children go */
        for (struct mnode *c = n->child, *next; c; c = next) {
            next = c->next;                         /* (not in c's subtree) */
            if (!(rights & PT_R))
                st |= protect_subtree(c, PT_R | (~rights & (PT_W | PT_X)));
            else if (!delete_subtree_some(c, &st, budget))
                *more = true;
            if (*more)
                break;
        }
    }
    if (*more && n) {                               /* n keeps some children: called again */
        n->implicit = implicit;
        spin_unlock(&mdb_lock);
        return st;
    }
    if (flush && n && (rights & PT_R))
        st |= delete_subtree(n);
    else if (flush && n)
        st |= protect_subtree(n, PT_R | (~rights & (PT_W | PT_X)));
    else if (ns && !n && flush && (rights & PT_R))
        st |= arch_pt_status(s->pt_root, va), unmap_pte(s, va, true);
    else
        st |= arch_pt_status(s->pt_root, va);
    if (implicit && !(flush && (rights & PT_R))) {  /* n survived: implicit again */
        n->implicit = true;
        release_implicit(n);
    }
    unlock();
    return st;
}

void mdb_set_cache(struct space *s, uint64_t base, uint64_t end, unsigned type)
{
    spin_lock(&mdb_lock);
    for (uint64_t va = base; (va = arch_pt_next(s->pt_root, va, end)) < end; ) {
        uint64_t size = arch_pt_size(s->pt_root, va) == 21 ? SUPERPAGE_SIZE : PAGE_SIZE;
        if (!space_kernel_page(s, va))
            arch_pt_set_cache(s->pt_root, va, type);
        va = (va & ~(size - 1)) + size;
    }
    spin_unlock(&mdb_lock);
    tlb_note(s);
}

void mdb_space_destroy(struct space *s)
{
    spin_lock(&mdb_lock);
    for (uint64_t va = 0; (va = arch_pt_next(s->pt_root, va, USER_ADDR_END)) < USER_ADDR_END;
         va += PAGE_SIZE) {
        struct mnode **ns = slot(s, va);
        if (ns && *ns)
            delete_subtree(*ns);
    }
    unlock();
}
