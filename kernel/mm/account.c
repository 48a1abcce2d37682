/* account.c — kernel-memory accounts (account.h): limits, charges, the pool reserve.
 *
 * Charges are lock-free (a compare-and-swap loop against the limit), so they can be taken
 * under any lock.  Who may use the pool reserve is decided by the thread on whose behalf the
 * kernel runs (a system call or fault of a root-server thread; the kernel itself at boot),
 * not by the space charged: the root task creating a space or sigma0 answering the root
 * task's page fault may, an attacker mapping into its own space may not.  The pool reserve is
 * checked against kmem_free_bytes() before the
 * allocation; CPUs allocating at the same moment may each pass the check, so the reserve can
 * be dipped into by at most one block per CPU (16 KiB at most each) — the reserve is sized
 * with room for that.  Runs with interrupts off, any CPU.
 */
#include "mm/account.h"
#include "mm/kmem.h"
#include "mm/slab.h"
#include "core/percpu.h"
#include "core/thread.h"
#include "core/space.h"
#include "debug/panic.h"
#include "arch.h"

static uint64_t reserve;            /* set once at boot */
static struct slab_cache account_cache = SLAB_CACHE_INIT(sizeof(struct account), "account");

void account_init(void)
{
    uint64_t r = kmem_total_bytes() / 16;
    reserve = r < (256ULL << 10) ? 256ULL << 10 : r > (2ULL << 20) ? 2ULL << 20 : r;
}

uint64_t account_reserve_bytes(void) { return reserve; }

static struct account *create(uint64_t limit)
{
    struct account *a = slab_alloc(&account_cache);
    if (a)
        a->limit = limit;
    return a;
}

/* One reference fewer to a; the last frees it. */
static void put(struct account *a)
{
    if (__atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        assert(__atomic_load_n(&a->charge, __ATOMIC_RELAXED) == 0);
        slab_free(&account_cache, a);
    }
}

int account_ref_init_own(struct account_ref *r, uint64_t limit)
{
    struct account *a = create(limit);
    if (!a)
        return -1;
    a->refs = 1;
    *r = (struct account_ref){ .acct = a, .bytes = 0 };
    return 0;
}

void account_ref_init_shared(struct account_ref *r, const struct account_ref *from)
{
    __atomic_fetch_add(&from->acct->refs, 1, __ATOMIC_RELAXED);
    *r = (struct account_ref){ .acct = from->acct, .bytes = 0 };
}

void account_ref_drop(struct account_ref *r)
{
    assert(__atomic_load_n(&r->bytes, __ATOMIC_RELAXED) == 0);
    put(r->acct);
    r->acct = NULL;
}

/* Add bytes to a's charge unless that passes its limit. */
static bool charge_account(struct account *a, uint64_t bytes)
{
    uint64_t old = __atomic_load_n(&a->charge, __ATOMIC_RELAXED);
    do {
        if (bytes > a->limit || old > a->limit - bytes)
            return false;
    } while (!__atomic_compare_exchange_n(&a->charge, &old, old + bytes, true,
                                          __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    return true;
}

static void uncharge_account(struct account *a, uint64_t bytes)
{
    uint64_t old = __atomic_fetch_sub(&a->charge, bytes, __ATOMIC_RELAXED);
    assert(old >= bytes);                           /* never negative */
}

int account_ref_set_own(struct account_ref *r, uint64_t limit)
{
    uint64_t bytes = __atomic_load_n(&r->bytes, __ATOMIC_RELAXED);
    if (bytes > limit)
        return -1;
    struct account *a = create(limit);
    if (!a)
        return -1;
    a->refs = 1;
    a->charge = bytes;
    uncharge_account(r->acct, bytes);
    put(r->acct);
    r->acct = a;
    return 0;
}

/* May the kernel, working for the current thread, allocate from the pool reserve? */
static bool may_use_reserve(void)
{
    struct tcb *t = current_thread();              /* (boot: the pool is full, not asked) */
    return !t || !t->space || space_is_privileged(t->space);
}

int account_charge(struct account_ref *r, uint64_t bytes)
{
    if (!r)
        return 0;
    if (kmem_free_bytes() < reserve + bytes && !may_use_reserve())
        return -1;                                  /* the reserve is the root servers' */
    if (!charge_account(r->acct, bytes))
        return -1;
    __atomic_fetch_add(&r->bytes, bytes, __ATOMIC_RELAXED);
    return 0;
}

void account_uncharge(struct account_ref *r, uint64_t bytes)
{
    if (!r)
        return;
    uint64_t old = __atomic_fetch_sub(&r->bytes, bytes, __ATOMIC_RELAXED);
    assert(old >= bytes);
    uncharge_account(r->acct, bytes);
}

void *account_alloc(struct account_ref *r, unsigned order)
{
    uint64_t bytes = PAGE_SIZE << order;
    if (account_charge(r, bytes) < 0)
        return NULL;
    void *p = kmem_alloc(order);
    if (!p)
        account_uncharge(r, bytes);
    return p;
}

void account_free(struct account_ref *r, void *p, unsigned order)
{
    kmem_free(p, order);
    account_uncharge(r, PAGE_SIZE << order);
}

void *account_slab_alloc(struct account_ref *r, struct slab_cache *c)
{
    if (account_charge(r, c->size) < 0)
        return NULL;
    void *obj = slab_alloc(c);
    if (!obj)
        account_uncharge(r, c->size);
    return obj;
}

void account_slab_free(struct account_ref *r, struct slab_cache *c, void *obj)
{
    slab_free(c, obj);
    account_uncharge(r, c->size);
}
