/* space.c — address spaces: creation, KIP/UTCB areas, page mapping, reading user memory. */
#include "core/space.h"
#include "core/klock.h"
#include "mm/kmem.h"
#include "mm/account.h"
#include "core/mdb.h"
#include "lib/string.h"
#include "arch.h"
#include <sigma4/layout.h>

void *kip_page;

struct space *space_create(struct space *creator)
{
    struct account_ref r;
    if (creator)
        account_ref_init_shared(&r, &creator->acct);
    else if (account_ref_init_own(&r, ACCOUNT_UNLIMITED) < 0)
        return NULL;
    struct space *s = account_alloc(&r, 0);
    if (!s) {
        account_ref_drop(&r);
        return NULL;
    }
    s->acct = r;
    s->pt_root = arch_pt_create(&s->acct);
    if (!s->pt_root) {
        r = s->acct;
        account_free(&r, s, 0);
        account_ref_drop(&r);
        return NULL;
    }
    s->lock = (struct spinlock)SPINLOCK_INIT("space");
    s->limits_lock = (struct spinlock)SPINLOCK_INIT("space.limits");
    return s;
}

/* Limited roots: s->limits_lock guards the array and the roots' own tables, since a mapping
 * (mdb_lock, shared kernel lock) may sync them while a zombie's CPU drops one.  A root is
 * only made under the exclusive kernel lock (ThreadControl), when no mapping is under way
 * on any CPU, so a mapping that finds nlimits 0 cannot miss one: the new root copies it. */
void space_limits_sync(struct space *s, uint64_t va)
{
    if (!__atomic_load_n(&s->nlimits, __ATOMIC_RELAXED))
        return;                                     /* the common case: no limited root */
    spin_lock(&s->limits_lock);
    for (unsigned i = 0; i < SPACE_LIMITS; i++)
        if (s->limits[i].end)
            arch_pt_limited_sync(s->pt_root, s->limits[i].root, s->limits[i].end, va, &s->acct);
    spin_unlock(&s->limits_lock);
}

uint64_t space_limit_get(struct space *s, uint64_t end)
{
    struct space_limit *free = NULL;
    uint64_t root = 0;
    spin_lock(&s->limits_lock);
    for (unsigned i = 0; i < SPACE_LIMITS && !root; i++) {
        if (s->limits[i].end == end) {
            s->limits[i].users++;
            root = s->limits[i].root;
        } else if (!s->limits[i].end && !free) {
            free = &s->limits[i];
        }
    }
    if (!root && free && (root = arch_pt_limited_create(s->pt_root, end, &s->acct))) {
        *free = (struct space_limit){ end, root, 1 };
        __atomic_fetch_add(&s->nlimits, 1, __ATOMIC_RELAXED);
    }
    spin_unlock(&s->limits_lock);
    return root;
}

void space_limit_put(struct space *s, uint64_t end)
{
    spin_lock(&s->limits_lock);
    for (unsigned i = 0; i < SPACE_LIMITS; i++)
        if (s->limits[i].end == end && --s->limits[i].users == 0) {
            arch_pt_limited_destroy(s->limits[i].root, end, &s->acct);
            s->limits[i] = (struct space_limit){ 0, 0, 0 };
            __atomic_fetch_sub(&s->nlimits, 1, __ATOMIC_RELAXED);
        }
    spin_unlock(&s->limits_lock);
}

int space_set_quota(struct space *s, uint64_t limit)
{
    return account_ref_set_own(&s->acct, limit);
}

void space_destroy(struct space *s)
{
    __atomic_store_n(&s->dying, true, __ATOMIC_RELAXED);    /* (read by the mapping database) */
    tlb_space_destroyed(s);                         /* no CPU keeps a pointer to s */
    mdb_space_destroy(s);
    arch_io_space_destroyed(s);
    if (s->kip_area)
        for (uint64_t va = s->utcb_area; va < s->utcb_area + (1ULL << s->utcb_area_log2);
             va += PAGE_SIZE) {
            uint64_t pa = arch_pt_lookup(s->pt_root, va);
            if (pa != ~0ULL)
                account_free(&s->acct, phys_to_virt(pa), 0);
        }
    arch_pt_destroy(s->pt_root, &s->acct);
    struct account_ref r = s->acct;
    account_free(&r, s, 0);
    account_ref_drop(&r);                           /* asserts that every byte came back */
}

int space_set_areas(struct space *s, uint64_t kip_area, uint64_t utcb_area, unsigned utcb_log2)
{
    spin_lock(&s->lock);
    int r = arch_pt_map(s->pt_root, kip_area, virt_to_phys(kip_page), PT_R | PT_X | PT_USER,
                        &s->acct);
    space_limits_sync(s, kip_area);
    if (r == 0) {
        s->kip_area = kip_area;
        s->utcb_area = utcb_area;
        s->utcb_area_log2 = utcb_log2;
    }
    spin_unlock(&s->lock);
    return r;
}

int space_map_page(struct space *s, uint64_t va, uint64_t pa, unsigned rights)
{
    spin_lock(&s->lock);
    int r = arch_pt_map(s->pt_root, va, pa, rights | PT_USER, &s->acct);
    space_limits_sync(s, va);
    spin_unlock(&s->lock);
    return r;
}

uint64_t *space_utcb(struct space *s, uint64_t loc)
{
    uint64_t page = loc & ~(PAGE_SIZE - 1);
    spin_lock(&s->lock);
    uint64_t pa = arch_pt_lookup(s->pt_root, page);
    if (pa == ~0ULL) {
        void *p = account_alloc(&s->acct, 0);
        if (p && arch_pt_map(s->pt_root, page, virt_to_phys(p), PT_R | PT_W | PT_USER,
                             &s->acct) == 0) {
            pa = virt_to_phys(p);
            space_limits_sync(s, page);
        } else if (p) {
            account_free(&s->acct, p, 0);
        }
    }
    spin_unlock(&s->lock);
    if (pa == ~0ULL)
        return NULL;
    return phys_to_virt(pa + (loc - page));
}

static size_t read_user(struct space *s, uint64_t ua, void *buf, size_t len, bool stop_at_nul)
{
    size_t done = 0;
    while (done < len) {
        uint64_t va = ua + done;
        if (va < ua || va >= USER_ADDR_END)
            break;
        uint64_t pa = arch_pt_lookup(s->pt_root, va);
        if (pa == ~0ULL)
            break;
        size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > len - done)
            chunk = len - done;
        const char *src = phys_to_virt(pa);
        char *dst = (char *)buf + done;
        for (size_t i = 0; i < chunk; i++) {
            dst[i] = src[i];
            if (stop_at_nul && !src[i])
                return done + i + 1;
        }
        done += chunk;
    }
    return done;
}

size_t space_read(struct space *s, uint64_t ua, void *buf, size_t len)
{
    return read_user(s, ua, buf, len, false);
}

size_t space_read_str(struct space *s, uint64_t ua, char *buf, size_t len)
{
    return read_user(s, ua, buf, len, true);
}
