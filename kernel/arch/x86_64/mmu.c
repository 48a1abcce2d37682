/* mmu.c — x86-64 4-level page tables: the kernel half, user spaces, MMIO mappings.
 *
 * Layout (docs/design/boot.md): PML4 slots 256.. hold the kernel (direct map of physical
 * memory at PHYS_MAP_BASE in slot 256, MMIO window in slot 257, kernel image in slot 511);
 * slots 0..255 belong to the user.  Kernel-half PML4 entries are created at boot and never
 * change afterwards, so every space simply copies them at creation.  Page-table pages come
 * from the kernel pool (kmem), charged to the account reference the caller passes (NULL: the
 * kernel's own; mm/account.h).  Callers serialise changes to one tree (locks.md).  A change
 * invalidates the page in this CPU's TLB whichever root is loaded (invlpg is harmless for
 * a page of another space); other CPUs are the caller's business (tlb_note).
 *
 * Limited roots (thread limits, docs/design/virt-extensions.md): a root for the addresses
 * below `end` (a multiple of 1 GiB).  It has its own PML4 and, if end is not a multiple of
 * 512 GiB, its own PDPT for the slot end falls into; every other table below end — every
 * table that holds a mapping (PDs with their 2 MiB entries, leaf tables) — is the full
 * root's, shared, so unmapping, protecting and status bits need no copying.  PDPTs and PDs
 * of a user tree are never freed while the space lives (leaf tables may be, by
 * arch_pt_unmap, but they hang only from PDs, which limited roots share), so keeping a
 * limited root coherent only means copying the entries the full tree gains below end into
 * its own tables (arch_pt_limited_sync).
 */
#include "cpu.h"
#include "arch.h"
#include "platform.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include "lib/string.h"
#include "debug/panic.h"

#define PTE_P    (1ULL << 0)
#define PTE_W    (1ULL << 1)
#define PTE_U    (1ULL << 2)
#define PTE_PWT  (1ULL << 3)
#define PTE_PCD  (1ULL << 4)
#define PTE_A    (1ULL << 5)
#define PTE_D    (1ULL << 6)
#define PTE_PS   (1ULL << 7)
#define PTE_G    (1ULL << 8)
#define PTE_NX   (1ULL << 63)
#define PTE_ADDR 0x000FFFFFFFFFF000ULL

#define MMIO_BASE 0xFFFF808000000000ULL    /* PML4 slot 257 */
#define USER_HALF_END 0x0000800000000000ULL

extern uint64_t boot_pml4[512], boot_pdpt_low[512];
uint64_t kernel_pml4_phys;
static uint64_t mmio_next = MMIO_BASE;

static inline unsigned idx(uint64_t va, unsigned level) { return (va >> (12 + 9 * level)) & 511; }

/* The arch_pt_ mutators change user trees only: the kernel half is shared by every space,
 * and its tables are created at boot (mmu_init, arch_map_mmio).  Callers check user
 * addresses with core/urange.h; this catches one that did not. */
static inline void assert_user(uint64_t va) { assert(va < USER_HALF_END); }
static inline uint64_t *pt_virt(uint64_t e) { return phys_to_virt(e & PTE_ADDR); }

/* The next-level table under entry *e, allocating it (2^order pages, charged to `a`) if
 * `alloc`.  NULL if absent or out of memory (or over a's quota).  User leaf tables take two
 * pages: the 512 entries, then 512 shadow words for the mapping database (arch_pt_shadow). */
static uint64_t *next_table_order(uint64_t *e, bool alloc, uint64_t flags, unsigned order,
                                  struct account_ref *a)
{
    if (*e & PTE_P)
        return (*e & PTE_PS) ? NULL : pt_virt(*e);
    if (!alloc)
        return NULL;
    uint64_t *t = account_alloc(a, order);
    if (!t)
        return NULL;
    *e = virt_to_phys(t) | flags;
    return t;
}

static uint64_t *next_table(uint64_t *e, bool alloc, uint64_t flags, struct account_ref *a)
{
    return next_table_order(e, alloc, flags, 0, a);
}

/* Extend the direct map to cover physical memory up to `top` (boot CPU, before any space
 * exists: new kernel-half entries then reach every space).  2 MiB pages. */
void mmu_init(uint64_t top)
{
    kernel_pml4_phys = virt_to_phys(boot_pml4);
    for (uint64_t pa = 4ULL << 30; pa < top; pa += SUPERPAGE_SIZE) {
        uint64_t va = PHYS_MAP_BASE + pa;
        uint64_t *pdpt = pt_virt(boot_pml4[idx(va, 3)]);
        uint64_t *pd = next_table(&pdpt[idx(va, 2)], true, PTE_P | PTE_W, NULL);
        if (!pd)
            panic("mmu_init: no memory for the direct map");
        pd[idx(va, 1)] = pa | PTE_P | PTE_W | PTE_PS | PTE_NX;
    }
    /* The MMIO window needs its PDPT now so that spaces created later share it. */
    if (!next_table(&boot_pml4[idx(MMIO_BASE, 3)], true, PTE_P | PTE_W, NULL))
        panic("mmu_init: no memory for the MMIO window");
}

/* Drop the boot identity map of low memory (after the APs no longer need it). */
void mmu_drop_identity(void)
{
    boot_pml4[0] = 0;
    write_cr3(read_cr3());
}

void *arch_map_mmio(uint64_t pa, uint64_t size)
{
    uint64_t off = pa & (PAGE_SIZE - 1), va0 = mmio_next;
    for (uint64_t p = pa - off; p < pa + size; p += PAGE_SIZE, mmio_next += PAGE_SIZE) {
        uint64_t *t = boot_pml4;
        for (unsigned level = 3; level > 0; level--) {
            t = next_table(&t[idx(mmio_next, level)], true, PTE_P | PTE_W, NULL);
            if (!t)
                panic("arch_map_mmio: out of kernel memory");
        }
        t[idx(mmio_next, 0)] = p | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G;
    }
    return (void *)(va0 + off);
}

uint64_t arch_pt_create(struct account_ref *a)
{
    uint64_t *root = account_alloc(a, 0);
    if (!root)
        return 0;
    memcpy(root + 256, boot_pml4 + 256, 256 * sizeof(uint64_t));
    return virt_to_phys(root);
}

/* User page directories and leaf tables take two pages: entries, then the mapping
 * database's shadow words (arch_pt_shadow). */
static unsigned table_order(unsigned level) { return level <= 2 ? 1 : 0; }

int arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned rights, struct account_ref *a)
{
    assert_user(va);
    uint64_t *t = phys_to_virt(root);
    uint64_t tflags = PTE_P | PTE_W | ((rights & PT_USER) ? PTE_U : 0);
    for (unsigned level = 3; level > 0; level--) {
        t = next_table_order(&t[idx(va, level)], true, tflags, table_order(level), a);
        if (!t)
            return -1;                              /* (also: a 2 MiB mapping is there) */
    }
    uint64_t e = (pa & PTE_ADDR) | PTE_P;
    if (rights & PT_W) e |= PTE_W;
    if (rights & PT_USER) e |= PTE_U;
    if (!(rights & PT_X) && cpu_feat.nx) e |= PTE_NX;
    t[idx(va, 0)] = e;
    invlpg(va);                 /* the space may be loaded through a limited root */
    return 0;
}

uint64_t arch_pt_lookup(uint64_t root, uint64_t va)
{
    if (va >= USER_HALF_END)
        return ~0ULL;                               /* (idx() would alias it into the user half) */
    uint64_t *t = phys_to_virt(root);
    for (unsigned level = 3; level > 0; level--) {
        uint64_t e = t[idx(va, level)];
        if (!(e & PTE_P) || !(e & PTE_U))
            return ~0ULL;
        if (e & PTE_PS) {
            uint64_t span = 1ULL << (12 + 9 * level);
            return (e & PTE_ADDR & ~(span - 1)) | (va & (span - 1));
        }
        t = pt_virt(e);
    }
    uint64_t e = t[idx(va, 0)];
    if (!(e & PTE_P) || !(e & PTE_U))
        return ~0ULL;
    return (e & PTE_ADDR) | (va & (PAGE_SIZE - 1));
}

/* Where va's mapping is or would be: the 2 MiB PDE covering it (*lg = 21), else its PTE slot
 * in an existing leaf table (*lg = 12); NULL if neither exists.  The entry may be empty. */
static uint64_t *entry_slot(uint64_t root, uint64_t va, unsigned *lg)
{
    uint64_t *t = phys_to_virt(root);
    for (unsigned level = 3; level > 0; level--) {
        uint64_t *e = &t[idx(va, level)];
        if (!(*e & PTE_P))
            return NULL;
        if (*e & PTE_PS) {
            if (level != 1)
                return NULL;                        /* 1 GiB pages: not in user trees */
            *lg = 21;
            return e;
        }
        t = pt_virt(*e);
    }
    *lg = 12;
    return &t[idx(va, 0)];
}

/* The present user entry that maps va (PTE or 2 MiB PDE), or NULL. */
static uint64_t *map_entry(uint64_t root, uint64_t va, unsigned *lg)
{
    if (va >= USER_HALF_END)
        return NULL;                                /* (idx() would alias it into the user half) */
    uint64_t *e = entry_slot(root, va, lg);
    return e && (*e & PTE_P) && (*e & PTE_U) ? e : NULL;
}

static uint64_t entry_addr(uint64_t e, unsigned lg)
{
    return e & PTE_ADDR & ~((1ULL << lg) - 1);      /* (bit 12 of a 2 MiB PDE is PAT) */
}

uint64_t arch_pt_query_size(uint64_t root, uint64_t va, unsigned *rights, unsigned *lg)
{
    uint64_t *e = map_entry(root, va, lg);
    if (!e)
        return ~0ULL;
    *rights = PT_R | ((*e & PTE_W) ? PT_W : 0) | ((*e & PTE_NX) ? 0 : PT_X);
    return entry_addr(*e, *lg) | (va & ((1ULL << *lg) - 1) & ~(PAGE_SIZE - 1));
}

uint64_t arch_pt_query(uint64_t root, uint64_t va, unsigned *rights)
{
    unsigned lg;
    return arch_pt_query_size(root, va, rights, &lg);
}

int arch_pt_map_large(uint64_t root, uint64_t va, uint64_t pa, unsigned rights,
                      struct account_ref *a)
{
    assert_user(va);
    uint64_t *t = phys_to_virt(root);
    for (unsigned level = 3; level > 1; level--) {
        t = next_table_order(&t[idx(va, level)], true, PTE_P | PTE_W | PTE_U, table_order(level),
                             a);
        if (!t)
            return -1;
    }
    uint64_t *e = &t[idx(va, 1)];
    if ((*e & PTE_P) && !(*e & PTE_PS))
        return -1;                                  /* a leaf table is there */
    uint64_t n = (pa & PTE_ADDR & ~(SUPERPAGE_SIZE - 1)) | PTE_P | PTE_PS | PTE_U;
    if (rights & PT_W) n |= PTE_W;
    if (!(rights & PT_X) && cpu_feat.nx) n |= PTE_NX;
    *e = n;
    invlpg(va);
    return 0;
}

bool arch_pt_large_possible(uint64_t root, uint64_t va)
{
    uint64_t *t = phys_to_virt(root);
    for (unsigned level = 3; level > 1; level--) {
        uint64_t e = t[idx(va, level)];
        if (!(e & PTE_P))
            return true;
        if (e & PTE_PS)
            return false;
        t = pt_virt(e);
    }
    uint64_t e = t[idx(va, 1)];
    return !(e & PTE_P) || (e & PTE_PS);            /* no leaf table below it */
}

/* Has the leaf table t no present entry?  Looks outward from slot i (just cleared), so that
 * a dense table answers after a few loads. */
static bool leaf_empty(const uint64_t *t, unsigned i)
{
    for (unsigned k = 1; k < 512; k++)
        if (t[(i + k) & 511] & PTE_P)
            return false;
    return true;
}

void *arch_pt_unmap(uint64_t root, uint64_t va, struct account_ref *reclaim)
{
    assert_user(va);
    uint64_t *t = phys_to_virt(root), *pde = NULL;
    for (unsigned level = 3; level > 0; level--) {
        uint64_t *e = &t[idx(va, level)];
        if (!(*e & PTE_P) || ((*e & PTE_PS) && level != 1))
            return NULL;                            /* (1 GiB pages: not in user trees) */
        if (*e & PTE_PS) {
            *e = 0;                                 /* a 2 MiB mapping */
            invlpg(va);
            return NULL;
        }
        pde = e;
        t = pt_virt(*e);
    }
    t[idx(va, 0)] = 0;
    invlpg(va);                 /* the space may be loaded through a limited root */
    if (!reclaim || !leaf_empty(t, idx(va, 0)))
        return NULL;
    assert(!t[512 + idx(va, 0)]);                   /* (its shadow word, the node, is gone) */
    *pde = 0;                   /* leaf tables hang only from PDs, which limited roots share */
    invlpg(va);
    account_uncharge(reclaim, PAGE_SIZE << table_order(1));
    return t;
}

void arch_pt_free_table(void *t)
{
    kmem_free(t, table_order(1));
}

uint64_t arch_pt_next(uint64_t root, uint64_t va, uint64_t end)
{
    while (va < end && va < USER_HALF_END) {
        uint64_t *t = phys_to_virt(root);
        unsigned level = 3;
        for (; level > 0; level--) {
            uint64_t e = t[idx(va, level)];
            if (!(e & PTE_P))
                break;
            if (e & PTE_PS)
                return va;                          /* a 2 MiB mapping */
            t = pt_virt(e);
        }
        if (level == 0)
            return va;
        uint64_t span = 1ULL << (12 + 9 * level);   /* skip the whole empty table */
        va = (va & ~(span - 1)) + span;
    }
    return end;
}

/* Free a user table of `level` (2 PDPT, 1 PD, 0 leaf) and everything below it. */
static void free_level(uint64_t *t, unsigned level, struct account_ref *a)
{
    if (level > 0)
        for (unsigned i = 0; i < 512; i++)
            if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
                free_level(pt_virt(t[i]), level - 1, a);
    account_free(a, t, table_order(level + 1));
}

void **arch_pt_shadow(uint64_t root, uint64_t va)
{
    assert_user(va);
    unsigned lg;
    uint64_t *e = entry_slot(root, va, &lg);
    return e ? (void **)(e + 512) : NULL;           /* the word beside the entry */
}

unsigned arch_pt_size(uint64_t root, uint64_t va)
{
    unsigned lg;
    return map_entry(root, va, &lg) ? lg : 0;
}

unsigned arch_pt_status(uint64_t root, uint64_t va)
{
    assert_user(va);
    unsigned lg;
    uint64_t *e = map_entry(root, va, &lg);
    if (!e)
        return 0;
    uint64_t v = *e;
    *e = v & ~(PTE_A | PTE_D);
    invlpg(va);                 /* the space may be loaded through a limited root */
    return ((v & PTE_A) ? PT_R : 0) | ((v & PTE_D) ? PT_W : 0);
}

void arch_pt_touch(uint64_t root, uint64_t va, bool write)
{
    assert_user(va);
    unsigned lg;
    uint64_t *e = map_entry(root, va, &lg);
    if (e)
        __atomic_fetch_or(e, PTE_A | (write ? PTE_D : 0), __ATOMIC_RELAXED);
}

void arch_pt_protect(uint64_t root, uint64_t va, unsigned rights)
{
    assert_user(va);
    unsigned lg;
    uint64_t *e = map_entry(root, va, &lg);
    if (!e)
        return;
    uint64_t v = *e;
    if (!(rights & PT_W)) v &= ~PTE_W;
    if (!(rights & PT_X) && cpu_feat.nx) v |= PTE_NX;
    *e = v;
    invlpg(va);                 /* the space may be loaded through a limited root */
}

void arch_pt_destroy(uint64_t root, struct account_ref *a)
{
    uint64_t *t = phys_to_virt(root);
    for (unsigned i = 0; i < 256; i++)
        if (t[i] & PTE_P)
            free_level(pt_virt(t[i]), 2, a);
    account_free(a, t, 0);
}

/* PAT index of an entry: PWT = bit 0, PCD = bit 1, PAT = bit 2 (PTE bit 7; bit 12 in a
 * 2 MiB PDE, where bit 7 is PS). */
#define PTE_PAT4K (1ULL << 7)
#define PTE_PAT2M (1ULL << 12)

int arch_pt_set_cache(uint64_t root, uint64_t va, unsigned pat_index)
{
    assert_user(va);
    unsigned lg;
    uint64_t *e = map_entry(root, va, &lg);
    if (!e)
        return -1;
    uint64_t pat = lg == 12 ? PTE_PAT4K : PTE_PAT2M;
    uint64_t v = *e & ~(PTE_PWT | PTE_PCD | pat);
    v |= ((pat_index & 1) ? PTE_PWT : 0) | ((pat_index & 2) ? PTE_PCD : 0) |
         ((pat_index & 4) ? pat : 0);
    *e = v;
    invlpg(va);                 /* the space may be loaded through a limited root */
    return 0;
}

int arch_pt_cache(uint64_t root, uint64_t va)
{
    unsigned lg;
    uint64_t *e = map_entry(root, va, &lg);
    if (!e)
        return -1;
    uint64_t pat = lg == 12 ? PTE_PAT4K : PTE_PAT2M;
    return ((*e & PTE_PWT) ? 1 : 0) | ((*e & PTE_PCD) ? 2 : 0) | ((*e & pat) ? 4 : 0);
}

/* ---- limited roots ---- */

#define SLOT_SPAN   (1ULL << 39)                    /* what one PML4 entry covers */

/* Copy into the limited root `lroot` the full root's entries on the path of va (< end): the
 * PML4 entry, or in the slot of end (the own PDPT) the PDPT entry. */
static int limited_sync(uint64_t root, uint64_t lroot, uint64_t end, uint64_t va,
                        struct account_ref *a)
{
    uint64_t *f = phys_to_virt(root), *l = phys_to_virt(lroot);
    unsigned i = idx(va, 3);
    if (!(f[i] & PTE_P))
        return 0;
    if (i != idx(end, 3)) {
        l[i] = f[i];                                /* the whole slot is below end: shared */
        return 0;
    }
    uint64_t *own = next_table(&l[i], true, f[i] & 0xFFF, a);
    if (!own)
        return -1;
    own[idx(va, 2)] = pt_virt(f[i])[idx(va, 2)];    /* a PD (or nothing): shared */
    return 0;
}

void arch_pt_limited_sync(uint64_t root, uint64_t lroot, uint64_t end, uint64_t va,
                          struct account_ref *a)
{
    assert_user(va);
    if (va < end)
        (void)limited_sync(root, lroot, end, va, a);    /* no memory: the page faults later */
}

uint64_t arch_pt_limited_create(uint64_t root, uint64_t end, struct account_ref *a)
{
    uint64_t lroot = arch_pt_create(a);
    if (!lroot)
        return 0;
    uint64_t *f = phys_to_virt(root);
    for (uint64_t va = 0; va < end; va += idx(va, 3) == idx(end, 3) ? 1ULL << 30 : SLOT_SPAN)
        if ((f[idx(va, 3)] & PTE_P) && limited_sync(root, lroot, end, va, a) < 0) {
            arch_pt_limited_destroy(lroot, end, a);
            return 0;
        }
    return lroot;
}

void arch_pt_limited_destroy(uint64_t lroot, uint64_t end, struct account_ref *a)
{
    uint64_t *l = phys_to_virt(lroot);
    if (l[idx(end, 3)] & PTE_P)                     /* only ever the own PDPT */
        account_free(a, pt_virt(l[idx(end, 3)]), 0);
    account_free(a, l, 0);
}
